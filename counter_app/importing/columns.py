"""The columns of the counter-system export (shared/formats/counter-export.md).

Headers arrive in Chinese or English, in any order, padded, in any letter case, and
sometimes with full-width letters or a line break inside a wrapped spreadsheet header
cell. :func:`canonical_column` maps such a header to its canonical English name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the export: canonical English name, Chinese name, required flag.

    ``required`` means the header must be present; the values may still be empty for
    ``name`` and ``id_number`` (parse.py decides what an empty value means).
    """

    name: str
    zh: str
    required: bool

    @property
    def label(self) -> str:
        """How people see the column in messages: ``opened_on (开户日期)``."""
        return f"{self.name} ({self.zh})"


# In the order of the format document; the order of a file does not matter.
COLUMNS: tuple[Column, ...] = (
    Column("capital_account", "资金账号", True),
    Column("name", "客户姓名", True),
    Column("customer_type", "客户类型", False),
    Column("id_type", "证件类型", False),
    Column("id_number", "证件号码", True),
    Column("phone", "联系电话", False),
    Column("address", "联系地址", False),
    Column("opened_on", "开户日期", True),
    Column("balance", "资金余额", True),
    Column("holdings_value", "持仓市值", False),
    Column("last_trade_on", "最近交易日期", False),
    Column("sh_account", "沪A股东账号", False),
    Column("sh_name", "沪A账户姓名", False),
    Column("sh_id_number", "沪A账户证件号码", False),
    Column("sz_account", "深A股东账号", False),
    Column("sz_name", "深A账户姓名", False),
    Column("sz_id_number", "深A账户证件号码", False),
    Column("bank", "存管银行", False),
    Column("bank_account", "银行账号", False),
    Column("depository_status", "存管状态", False),
    Column("paper_file", "纸质档案", False),
)

COLUMN_BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}

COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
"""Canonical names in the document's order: the order of a row's values on the fast path
(``ExportReader.value_rows``, ``parse.parse_values``)."""

REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)


def _compact(text: str) -> str:
    # A second, looser key: spaces, underscores and hyphens dropped, so that
    # "Capital Account", "capital-account" and a wrapped "资金\n账号" still match.
    # None of the 42 names collide under it.
    return "".join(text.split()).replace("_", "").replace("-", "")


def header_key(text: str) -> str:
    """The lookup form of a header text: NFKC (full-width letters), stripped, lower-case.

    Lower-casing only affects Latin letters, so Chinese names are unchanged except that
    ``沪a股东账号`` is taken like ``沪A股东账号``. A BOM left at the start of a header (an
    editor that wrote two) is dropped too.
    """
    return unicodedata.normalize("NFKC", text).replace("\ufeff", "").strip().lower()


def _aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for column in COLUMNS:
        for spelling in (column.name, column.zh):
            key = header_key(spelling)
            aliases[key] = column.name
            aliases.setdefault(_compact(key), column.name)
    return aliases


# header_key(text) -> canonical name. Holds both the stripped lower-case spelling
# ("capital_account", "资金账号", "沪a股东账号") and its compact form ("capitalaccount").
HEADER_ALIASES: dict[str, str] = _aliases()


def canonical_column(header: str) -> str | None:
    """The canonical name of a header text, or None when it is not a known column."""
    key = header_key(header)
    found = HEADER_ALIASES.get(key)
    if found is None:
        found = HEADER_ALIASES.get(_compact(key))
    return found
