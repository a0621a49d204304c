"""The column table and header recognition."""

from __future__ import annotations

import pytest

from counter_app.importing.columns import (
    COLUMNS,
    HEADER_ALIASES,
    REQUIRED_COLUMNS,
    _compact,
    canonical_column,
    header_key,
)


def test_required_columns_are_those_of_the_format_document() -> None:
    assert REQUIRED_COLUMNS == ("capital_account", "name", "id_number", "opened_on", "balance")
    assert len(COLUMNS) == 21


def test_every_spelling_maps_to_its_column_and_compact_forms_do_not_collide() -> None:
    compact: dict[str, str] = {}
    for column in COLUMNS:
        assert HEADER_ALIASES[column.name] == column.name
        assert HEADER_ALIASES[header_key(column.zh)] == column.name
        for spelling in (column.name, column.zh):
            key = _compact(header_key(spelling))
            assert compact.setdefault(key, column.name) == column.name


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("资金账号", "capital_account"),
        ("  资金账号\t", "capital_account"),
        ("\u3000开户日期\u3000", "opened_on"),
        ("资金\n账号", "capital_account"),
        ("Capital_Account", "capital_account"),
        ("CAPITAL ACCOUNT", "capital_account"),
        (" sh_id_number ", "sh_id_number"),
        ("沪Ａ股东账号", "sh_account"),  # full-width A
        ("沪a股东账号", "sh_account"),
        ("\ufeff资金账号", "capital_account"),
        ("备注", None),
        ("", None),
        ("capital", None),
    ],
)
def test_canonical_column(header: str, expected: str | None) -> None:
    assert canonical_column(header) == expected
