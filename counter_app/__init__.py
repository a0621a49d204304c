"""counter_app: account standardization and depository counter for a securities branch."""

__version__ = "0.1.0"
