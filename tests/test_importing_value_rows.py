"""``ExportReader.value_rows`` and ``parse_values`` (the import's fast path) against references.

The RawRow iteration is now built on the same csv loop as ``value_rows``, so both are
also checked against ``_reference_rows``: the row loop as it stood before the fast path
(csv module + ``canonical_column``, one dict per row), and ``parse_values`` against
``parse_row`` and the pre-``fields`` fingerprint.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Sequence
from decimal import Decimal
from hashlib import blake2b
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from counter_app.domain.codes import DepositoryStatus
from counter_app.domain.screening import (
    AccountFacts,
    ScreeningPolicy,
    SecuritiesFacts,
    classify,
    reasons_to_text,
    row_reasons,
)
from counter_app.importing.columns import COLUMN_NAMES, COLUMNS, canonical_column
from counter_app.importing.encoding import detect_encoding
from counter_app.importing.errors import FileRefused
from counter_app.importing.parse import (
    ParsedRow,
    fields_fingerprint,
    parse_fields,
    parse_row,
    parse_values,
)
from counter_app.importing.reader import ExportReader, RawRow, cell_text, value_row
from counter_app.services.import_prepare import A_CLASS, A_REASONS, PreparedChunk, Preparer
from tests.conftest import FORMATS_DIR
from tests.helpers import BASE_ROW, HEADERS, row

BASE = dt.date(2026, 3, 28)
ZH = {column.name: column.zh for column in COLUMNS}
_BLANK = " \t\r\n,"

# -- the reference reader (the RawRow loop before value_rows) ---------------------------


def _reference_rows(path: Path) -> list[RawRow]:
    if path.suffix.lower() == ".xlsx":
        return _reference_xlsx(path)
    with path.open("rb") as stream:
        encoding = detect_encoding(stream)
    text = path.read_bytes().decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = io.StringIO(text, newline="")
    blank = 0
    while True:
        line = lines.readline()
        assert line, "no header"
        if line.strip(_BLANK):
            break
        blank += 1
    delimiter = max(
        [",", "\t"],
        key=lambda d: (
            sum(canonical_column(c) is not None for c in next(csv.reader([line], delimiter=d))),
            len(next(csv.reader([line], delimiter=d))),
            d == ",",
        ),
    )
    rest = io.StringIO(line + lines.read(), newline="")
    reader = csv.reader(rest, delimiter=delimiter, strict=True)
    header = next(reader)
    names: list[str] = []
    indices: list[int] = []
    for index, cell in enumerate(header):
        name = canonical_column(cell.strip()) if cell.strip() else None
        if name is not None:
            names.append(name)
            indices.append(index)
    width = len(header)
    rows: list[RawRow] = []
    last = reader.line_num
    for cells in reader:
        line_no = blank + last + 1
        last = reader.line_num
        count = len(cells)
        extra: tuple[str, ...] = ()
        if count < width:
            if not count:
                continue
            cells = cells + [""] * (width - count)
        elif count > width:
            extra = tuple(v.strip() for v in cells[width:] if v.strip())
        if not cells[0].strip() and not "".join(cells).strip():
            continue
        rows.append(
            RawRow(
                line_no, {n: cells[i].strip() for n, i in zip(names, indices, strict=True)}, extra
            )
        )
    return rows


def _reference_xlsx(path: Path) -> list[RawRow]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        numbered = list(enumerate(book.worksheets[0].iter_rows(values_only=True), start=1))
    finally:
        book.close()
    names: list[str] = []
    indices: list[int] = []
    rows: list[RawRow] = []
    header_seen = False
    for row_no, values in numbered:
        cells = [cell_text(v) for v in values]
        if not header_seen:
            if not any(cells):
                continue
            header_seen = True
            for index, cell in enumerate(cells):
                name = canonical_column(cell) if cell else None
                if name is not None:
                    names.append(name)
                    indices.append(index)
            continue
        picked = [cells[i] if i < len(cells) else "" for i in indices]
        if any(picked):
            rows.append(RawRow(row_no, dict(zip(names, picked, strict=True))))
    return rows


def _old_fingerprint(parsed: ParsedRow) -> bytes:
    """``ParsedRow.fingerprint`` as it was computed before ``fields_fingerprint``."""
    parts = [
        parsed.capital_account,
        parsed.name,
        parsed.customer_type,
        parsed.id_type,
        parsed.id_number,
        parsed.phone,
        parsed.address,
        parsed.opened_on.isoformat(),
        str(parsed.balance_cents),
        str(parsed.holdings_cents),
        "" if parsed.last_trade_on is None else parsed.last_trade_on.isoformat(),
        str(len(parsed.securities)),
    ]
    for sec in parsed.securities:
        parts += (sec.market, sec.account_no, sec.holder_name, sec.holder_id_number)
    parts += (
        parsed.bank,
        parsed.bank_account,
        parsed.depository_status,
        "1" if parsed.has_paper_file else "0",
    )
    return blake2b(
        "\x00".join(parts).encode("utf-8"), digest_size=16, person=b"counter-row-v2"
    ).digest()


# -- the comparison --------------------------------------------------------------------


def _read_both(
    path: Path,
) -> tuple[list[RawRow], list[tuple[int, tuple[str, ...], tuple[str, ...]]]]:
    with ExportReader.open(path) as reader:
        raws = list(reader)
        done = reader.rows_done
    with ExportReader.open(path) as reader:
        values = list(reader.value_rows())
        assert reader.rows_done == done == len(values)
    return raws, values


def _check_file(path: Path) -> list[RawRow]:
    """Every agreement this file must show; returns the reference rows."""
    expected = _reference_rows(path)
    raws, values = _read_both(path)
    assert raws == expected
    assert values == [value_row(raw) for raw in expected]
    for (line_no, cells, extra), raw in zip(values, expected, strict=True):
        assert len(cells) == len(COLUMN_NAMES)
        assert (line_no, extra) == (raw.line_no, raw.extra)
        assert dict(zip(COLUMN_NAMES, cells, strict=True)) == {
            name: raw.values.get(name, "") for name in COLUMN_NAMES
        }
        _check_parse(raw, (line_no, cells, extra))
    return expected


def _check_parse(raw: RawRow, values: tuple[int, tuple[str, ...], tuple[str, ...]]) -> None:
    fast = parse_values(*values)
    old = parse_row(raw)
    assert parse_fields(raw) == fast
    if isinstance(old, list):
        assert fast == old
        return
    assert not isinstance(fast, list)
    assert old.fields() == fast
    assert fields_fingerprint(fast) == old.fingerprint() == _old_fingerprint(old)
    assert ParsedRow(*fast[:12], old.securities, *fast[13:]) == old


def _csv_bytes(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str,
    encoding: str,
    line_end: str = "\r\n",
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


# -- shared samples, as given and in every form ---------------------------------------

SAMPLES = sorted(
    p for p in FORMATS_DIR.iterdir() if p.suffix.lower() in {".csv", ".txt", ".tsv", ".xlsx"}
)


def test_there_are_shared_samples() -> None:
    assert {p.name for p in SAMPLES} >= {"sample-utf8.csv", "sample-gb18030.csv"}


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_shared_sample_as_given(sample: Path) -> None:
    rows = _check_file(sample)
    if sample.name.startswith("sample-"):
        assert len(rows) == 26
        parsed = [parse_row(r) for r in rows]
        assert all(isinstance(p, ParsedRow) for p in parsed)


def _sample_table() -> tuple[list[str], list[list[str]]]:
    text = (FORMATS_DIR / "sample-utf8.csv").read_text("utf-8-sig")
    header, *body = list(csv.reader(io.StringIO(text, newline="")))
    return header, body


@pytest.mark.parametrize(
    ("suffix", "delimiter", "encoding"),
    [
        (".txt", "\t", "utf-8"),
        (".txt", "\t", "gb18030"),
        (".csv", ",", "utf-8-sig"),
        (".tsv", "\t", "utf-8-sig"),
    ],
)
def test_shared_sample_rewritten(
    tmp_path: Path, suffix: str, delimiter: str, encoding: str
) -> None:
    header, body = _sample_table()
    path = tmp_path / f"sample{suffix}"
    path.write_bytes(_csv_bytes(header, body, delimiter=delimiter, encoding=encoding))
    rows = _check_file(path)
    assert [r.values for r in rows] == [
        r.values for r in _reference_rows(FORMATS_DIR / "sample-utf8.csv")
    ]


def test_shared_sample_as_xlsx_with_typed_cells(tmp_path: Path) -> None:
    header, body = _sample_table()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for cells in body:
        typed: list[object] = []
        for name, cell in zip(header, cells, strict=True):
            column = canonical_column(name)
            if column in {"opened_on", "last_trade_on"} and cell:
                typed.append(dt.datetime.fromisoformat(cell))
            elif column in {"balance", "holdings_value"} and cell:
                typed.append(float(cell.replace(",", "")))
            elif column == "capital_account":
                typed.append(int(cell))
            else:
                typed.append(cell or None)
        sheet.append(typed)
    path = tmp_path / "sample.xlsx"
    book.save(path)
    rows = _check_file(path)
    assert len(rows) == 26


# -- files written here: shuffled headers, unknown columns, encodings ----------------

_TEXTS = st.text(
    alphabet=st.sampled_from(list("0123456789Aa张伟·,\t\"' -./XxＡ１\u3000中文"))
    | st.characters(blacklist_categories=("Cs", "Cc")),
    max_size=12,
).filter(lambda s: "\x00" not in s and "\r" not in s and "\n" not in s)
_GOOD = st.sampled_from([dict(BASE_ROW), row(name=" 武文 ", phone="", sh_account="a123456789")])


@st.composite
def export_tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    columns = [c.name for c in COLUMNS if c.required]
    columns += draw(
        st.lists(st.sampled_from([c.name for c in COLUMNS if not c.required]), unique=True)
    )
    unknown = draw(st.lists(st.sampled_from(["备注", "Remark", "客户编号", " note "]), unique=True))
    order = draw(st.permutations([*columns, *unknown]))
    header = []
    for name in order:
        if name in ZH:
            spelling = draw(st.sampled_from([name, ZH[name], name.upper(), f" {ZH[name]} "]))
        else:
            spelling = name
        header.append(spelling)
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 6))):
        base = draw(_GOOD)
        values = [
            base.get(name, "x") if draw(st.integers(0, 3)) else draw(_TEXTS) for name in order
        ]
        shape = draw(st.integers(0, 5))
        if shape == 0:
            values = values[: draw(st.integers(1, len(values)))]  # short row
        elif shape == 1:
            values = values + draw(st.lists(_TEXTS, min_size=1, max_size=3))  # extra values
        elif shape == 2:
            values = [draw(st.sampled_from(["", " ", "  "])) for _ in values]  # blank-ish
        rows.append(values)
    return header, rows


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=export_tables(),
    delimiter=st.sampled_from([",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    line_end=st.sampled_from(["\r\n", "\n"]),
    leading_blank=st.sampled_from(["", "\r\n", ",,,\r\n  \r\n"]),
)
def test_written_csv_files_agree(
    tmp_path_factory: pytest.TempPathFactory,
    table: tuple[list[str], list[list[str]]],
    delimiter: str,
    encoding: str,
    line_end: str,
    leading_blank: str,
) -> None:
    header, rows = table
    try:
        content = _csv_bytes(
            header, rows, delimiter=delimiter, encoding=encoding, line_end=line_end
        )
    except UnicodeEncodeError:
        content = _csv_bytes(header, rows, delimiter=delimiter, encoding="utf-8", line_end=line_end)
    path = tmp_path_factory.mktemp("w") / "export.csv"
    path.write_bytes(leading_blank.encode("ascii") + content)
    try:
        with ExportReader.open(path) as reader:
            list(reader)
    except FileRefused as refused:  # refused files must be refused the same by value_rows
        with pytest.raises(FileRefused) as again, ExportReader.open(path) as reader:
            list(reader.value_rows())
        assert str(again.value) == str(refused)
        event(f"refused: {refused.reason_code}")
        return
    event(f"rows: {min(len(_check_file(path)), 3)}")


def test_written_files_with_quotes_blank_lines_and_delimiter_rows(tmp_path: Path) -> None:
    header = ["Remark", *reversed(HEADERS), "备注"]
    good = [BASE_ROW.get(h, "r") for h in header]
    text = (
        "\r\n"
        + ",".join(header)
        + "\r\n"
        + ",".join(f'"{v}"' for v in good)
        + "\r\n\r\n"
        + "," * (len(header) - 1)
        + "\r\n"
        + '"多行\r\n备注",'
        + ",".join(good[1:])
        + "\r\n"
        + ",".join(good[:5])
        + "\r\n"
        + ",".join([*good, "418", "761.09", " "])
        + "\r\n"
    )
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        path = tmp_path / f"q-{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        rows = _check_file(path)
        assert [r.line_no for r in rows] == [3, 6, 8, 9]
        assert rows[3].extra == ("418", "761.09")


def test_xlsx_date_number_and_text_cells_in_any_order(tmp_path: Path) -> None:
    rng = random.Random(5)
    header = [*HEADERS, "备注"]
    rng.shuffle(header)
    spelled = [ZH.get(h, h) if rng.random() < 0.5 else h for h in header]
    typed_rows: list[list[object]] = []
    for index in range(40):
        values: dict[str, object] = dict(BASE_ROW)
        values["capital_account"] = 20000000 + index if index % 2 else str(20000000 + index)
        values["opened_on"] = (
            dt.date(2015, 4, 25) if index % 3 == 0 else dt.datetime(2015, 4, 25, 9, 30)
        )
        values["balance"] = [52000, 35.2, 1e-05, Decimal("100.00"), "1,000.01", 100.01][index % 6]
        values["holdings_value"] = None if index % 4 == 0 else 0
        values["last_trade_on"] = None if index % 5 == 0 else dt.date(2023, 3, 28)
        values["id_number"] = 110105194706121551 if index % 7 == 0 else "11010519470612155x"
        values["phone"] = 13912345678 if index % 2 else " 139-1234-5678 "
        values["sh_account"] = f"A2{index:08d}"
        values["sz_account"] = "" if index % 2 else f"00{index:08d}"
        values["paper_file"] = True if index == 3 else values["paper_file"]
        values["备注"] = "note" if index % 3 else None
        typed_rows.append([values.get(h) for h in header])
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([])
    sheet.append(spelled)
    for index, typed in enumerate(typed_rows):
        sheet.append(typed)
        if index % 10 == 9:
            sheet.append([None] * len(header))  # an empty row inside the table
    sheet.append([None] * len(header) + ["only a note"])  # beyond the header: no row
    path = tmp_path / "typed.xlsx"
    book.save(path)
    rows = _check_file(path)
    assert len(rows) == 40
    assert rows[0].line_no == 3


# -- the import's preparer screens a parsed row as row_reasons does -----------------


def _facts(parsed: ParsedRow) -> AccountFacts:
    return AccountFacts(
        name=parsed.name,
        customer_type=parsed.customer_type,
        id_type=parsed.id_type,
        id_number=parsed.id_number,
        phone=parsed.phone,
        address=parsed.address,
        has_paper_file=parsed.has_paper_file,
        opened_on=parsed.opened_on,
        balance_cents=parsed.balance_cents,
        holdings_cents=parsed.holdings_cents,
        last_trade_on=parsed.last_trade_on,
        securities=tuple(
            SecuritiesFacts(s.market, s.account_no, s.holder_name, s.holder_id_number)
            for s in parsed.securities
        ),
    )


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_preparer_reasons_and_class_equal_row_reasons(sample: Path) -> None:
    policy = ScreeningPolicy(base_date=BASE)
    preparer = Preparer(policy, {"招商银行": "CMB", "工商银行": "ICBC", "建设银行": "CCB"}, [])
    raws = _reference_rows(sample)
    for raw in raws:
        parsed = parse_row(raw)
        assert isinstance(parsed, ParsedRow)
        chunk = PreparedChunk()
        preparer.prepare(value_row(raw), chunk)
        if chunk.errors:  # a bank this test does not know: not what is checked here
            preparer.failed = False
            continue
        (account,) = chunk.accounts
        reasons = row_reasons(_facts(parsed), policy)
        assert account[A_REASONS] == reasons_to_text(reasons), raw
        assert account[A_CLASS] == classify(reasons, DepositoryStatus(parsed.depository_status))
