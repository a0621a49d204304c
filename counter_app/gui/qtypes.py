"""Type names shared by the table models."""

from __future__ import annotations

from typing import TypeAlias

from PySide6.QtCore import QModelIndex, QPersistentModelIndex

Index: TypeAlias = QModelIndex | QPersistentModelIndex
"""What Qt passes to a model's ``data``/``rowCount``: a plain or a persistent index."""
