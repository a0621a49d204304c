"""ExportReader: file types, delimiters, headers, line numbers, xlsx cells."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.importing.reader import ExportReader, FileRefused, RawRow, cell_text

DATA = Path(__file__).parent / "data" / "importing"

EN_HEADER = ["capital_account", "name", "id_number", "opened_on", "balance"]
ZH_HEADER = ["资金账号", "客户姓名", "证件号码", "开户日期", "资金余额"]
ROW = ["10000371", "苏红", "430102199512274910", "2023-04-17", "853612.98"]
EXPECTED = dict(zip(EN_HEADER, ROW, strict=True))


def _write(tmp_path: Path, text: str, name: str = "export.csv", codec: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(codec))
    return path


def _read(path: Path) -> list[RawRow]:
    with ExportReader.open(path) as reader:
        return list(reader)


def _refused(path: Path) -> FileRefused:
    with pytest.raises(FileRefused) as caught, ExportReader.open(path) as reader:
        list(reader)
    return caught.value


# -- samples ------------------------------------------------------------------------


def test_both_samples_give_the_same_raw_rows() -> None:
    with ExportReader.open(DATA / "sample-utf8.csv") as utf8:
        assert (utf8.kind, utf8.encoding, utf8.delimiter) == ("csv", "utf-8-sig", ",")
        assert len(utf8.columns) == 21 and utf8.unknown_columns == ()
        utf8_rows = list(utf8)
        assert utf8.bytes_done == utf8.bytes_total == (DATA / "sample-utf8.csv").stat().st_size
        assert utf8.rows_done == 26
    with ExportReader.open(DATA / "sample-gb18030.csv") as gb:
        assert gb.encoding == "gb18030"
        gb_rows = list(gb)
    assert utf8_rows == gb_rows
    assert [r.line_no for r in utf8_rows] == list(range(2, 28))
    first = utf8_rows[0].values
    assert first["capital_account"] == "10000371"
    assert first["sz_account"] == ""
    assert first["paper_file"] == "有"
    # the quoted amount with a thousands separator stays one value
    hou = next(r for r in utf8_rows if r.values["name"] == "侯英")
    assert hou.values["balance"] == "418,761.09"
    assert hou.extra == ()


# -- delimiters, quoting, headers ---------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_comma_and_tab(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(ZH_HEADER) + "\n" + delimiter.join(ROW) + "\n"
    path = _write(tmp_path, text, "export.txt")
    with ExportReader.open(path) as reader:
        assert reader.delimiter == delimiter
        assert [r.values for r in reader] == [EXPECTED]


def test_tab_file_whose_header_and_values_hold_commas(tmp_path: Path) -> None:
    header = [*ZH_HEADER, "备注,说明", "联系地址"]
    row = [*ROW[:4], "418,761.09", "a, b, c, d, e, f", "长沙市,天心区"]
    text = "\t".join(header) + "\n" + "\t".join(row) + "\n"
    with ExportReader.open(_write(tmp_path, text)) as reader:
        assert reader.delimiter == "\t"
        assert reader.unknown_columns == ("备注,说明",)
        (raw,) = list(reader)
    assert raw.values["balance"] == "418,761.09"
    assert raw.values["address"] == "长沙市,天心区"


def test_quoted_commas_quotes_and_crlf(tmp_path: Path) -> None:
    text = (
        ",".join([*EN_HEADER, "address"])
        + "\r\n"
        + '10000371,"苏,红",X,2023-04-17,"418,761.09","He said ""hi"", 5号"\r\n'
    )
    (raw,) = _read(_write(tmp_path, text))
    assert raw.values["name"] == "苏,红"
    assert raw.values["balance"] == "418,761.09"
    assert raw.values["address"] == 'He said "hi", 5号'


def test_english_chinese_shuffled_padded_headers_and_unknown_columns(tmp_path: Path) -> None:
    header = ["  Balance ", "备注", "开户日期", " 资金账号", "NAME", "证件号码\t", "Remark", ""]
    row = ["1.00", "note", "2023-04-17", " 10000371 ", " 苏红 ", "X", "r", "z"]
    text = ",".join(header) + "\n" + ",".join(row) + "\n"
    with ExportReader.open(_write(tmp_path, text)) as reader:
        assert reader.columns == ("balance", "opened_on", "capital_account", "name", "id_number")
        assert reader.unknown_columns == ("备注", "Remark")
        (raw,) = list(reader)
    assert raw.values == {
        "balance": "1.00",
        "opened_on": "2023-04-17",
        "capital_account": "10000371",
        "name": "苏红",
        "id_number": "X",
    }


def test_missing_required_columns_are_named(tmp_path: Path) -> None:
    text = ",".join(ZH_HEADER[:3] + ZH_HEADER[4:]) + "\n"
    error = _refused(_write(tmp_path, text))
    assert error.reason_code == "missing_columns"
    assert str(error) == "required column(s) missing: opened_on (开户日期)"
    error = _refused(_write(tmp_path, "资金账号,客户姓名\n"))
    assert str(error) == (
        "required column(s) missing: id_number (证件号码), opened_on (开户日期), balance (资金余额)"
    )


def test_duplicate_column_is_refused(tmp_path: Path) -> None:
    text = ",".join([*ZH_HEADER, "Capital_Account"]) + "\n"
    error = _refused(_write(tmp_path, text))
    assert error.reason_code == "duplicate_column"
    assert "capital_account (资金账号) appears twice" in str(error)
    assert "“资金账号” (field 1) and “Capital_Account” (field 6)" in str(error)


def test_a_title_row_instead_of_headers_is_refused(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, "客户资料导出 2024-01-01\n" + ",".join(ZH_HEADER) + "\n"))
    assert error.reason_code == "no_header"
    assert "line 1" in str(error)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (codecs.BOM_UTF8, "the file is empty"),
        (b"\n\r\n  \n,,,\n", "the file holds only blank lines"),
    ],
)
def test_empty_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    error = _refused(path)
    assert (error.reason_code, str(error)) == ("empty", message)


def test_header_only_gives_no_rows(tmp_path: Path) -> None:
    assert _read(_write(tmp_path, ",".join(ZH_HEADER) + "\n")) == []


# -- line numbers -------------------------------------------------------------------


def test_line_numbers_count_blank_lines_and_lines_inside_quoted_fields(tmp_path: Path) -> None:
    lines = [
        "",  # 1: blank lines before the header are skipped
        ",".join([*EN_HEADER, "address"]),  # 2
        "10000001,a,X,2023-04-17,1.00,one",  # 3
        "",  # 4
        "  ",  # 5
        ",,,,,",  # 6: only delimiters: blank
        '10000002,b,X,2023-04-17,1.00,"two',  # 7: a quoted field over three lines
        "still two",  # 8
        'end"',  # 9
        "10000003,c,X,2023-04-17,1.00,three",  # 10
    ]
    rows = _read(_write(tmp_path, "\r\n".join(lines) + "\r\n"))
    assert [(r.line_no, r.values["capital_account"]) for r in rows] == [
        (3, "10000001"),
        (7, "10000002"),
        (10, "10000003"),
    ]
    assert rows[1].values["address"] == "two\r\nstill two\r\nend"


def test_short_rows_read_as_empty_values_and_long_rows_carry_extra(tmp_path: Path) -> None:
    text = (
        ",".join([*EN_HEADER, "phone"])
        + "\n"
        + "10000001,a,X,2023-04-17\n"
        + "10000002,b,X,2023-04-17,418,761.09,1390000000,,\n"
    )
    short, long = _read(_write(tmp_path, text))
    assert short.values["balance"] == "" and short.values["phone"] == ""
    assert short.extra == ()
    assert long.values["balance"] == "418" and long.values["phone"] == "761.09"
    assert long.extra == ("1390000000",)


def test_never_closed_quote_is_refused_at_its_line(tmp_path: Path) -> None:
    text = ",".join(EN_HEADER) + '\n10000001,a,X,2023-04-17,1\n\n10000002,"b,X\n10000003,c\n'
    error = _refused(_write(tmp_path, text))
    assert error.reason_code == "malformed_csv"
    assert str(error) == "line 4: a quoted field is never closed (a stray double quote?)"


# -- file types ---------------------------------------------------------------------


def test_xls_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    error = _refused(path)
    assert (error.reason_code, str(error)) == (
        "file_type",
        "unsupported file type .xls: save it as .xlsx or .csv",
    )


def test_other_types_and_disguised_files(tmp_path: Path) -> None:
    assert "unsupported file type .ods" in str(_refused(_write(tmp_path, "x", "a.ods")))
    not_zip = _refused(_write(tmp_path, ",".join(EN_HEADER), "a.xlsx"))
    assert not_zip.reason_code == "bad_xlsx"
    ole = tmp_path / "a.csv"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert "old-format Excel workbook" in str(_refused(ole))
    broken_zip = tmp_path / "b.xlsx"
    broken_zip.write_bytes(b"PK\x03\x04" + bytes(100))
    assert _refused(broken_zip).reason_code == "bad_xlsx"


def test_missing_file(tmp_path: Path) -> None:
    error = _refused(tmp_path / "nope.csv")
    assert error.reason_code == "unreadable"
    assert "does not exist" in str(error)


def test_reader_iterates_once(tmp_path: Path) -> None:
    with ExportReader.open(_write(tmp_path, ",".join(EN_HEADER) + "\n")) as reader:
        list(reader)
        with pytest.raises(RuntimeError):
            iter(reader)


# -- xlsx ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  苏红 ", "苏红"),
        (10000371, "10000371"),
        (35.2, "35.2"),
        (1000000.0, "1000000"),
        (0.1 + 0.2, "0.30000000000000004"),  # what the cell really holds
        (1e-05, "0.00001"),
        (430102199512274910.0, str(int(430102199512274910.0))),
        (Decimal("12.50"), "12.50"),
        (dt.date(2023, 4, 7), "2023-04-07"),
        (dt.datetime(2023, 4, 7, 13, 5), "2023-04-07"),
        (True, "TRUE"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def _xlsx(tmp_path: Path, rows: Sequence[Sequence[object]], *, start_row: int = 1) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "accounts"
    for offset, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=start_row + offset, column=col, value=value)
    other = book.create_sheet("other")
    other["A1"] = "not read"
    book.active = 1  # the first sheet is read, whichever is active
    path = tmp_path / "export.xlsx"
    book.save(path)
    return path


def test_xlsx_cells(tmp_path: Path) -> None:
    header: list[object] = [
        *ZH_HEADER,
        "持仓市值",
        "最近交易日期",
        "深A股东账号",
        "联系电话",
        "备注",
    ]
    rows: list[list[object]] = [
        header,
        [
            10000371,
            "苏红",
            "430102199512274910",
            dt.date(2023, 4, 17),
            853612.98,
            1000000.0,
            dt.datetime(2025, 10, 2, 0, 0),
            "0010000078",
            18695494971,
            "x",
        ],
        [None] * 10,  # wholly empty: skipped
        [
            "10000406",
            "  武文 ",
            4.30102198504018e17,
            dt.datetime(2016, 3, 14, 9, 30),
            35.2,
            None,
            None,
            None,
            None,
            None,
        ],
        [None, None, None, None, None, None, None, None, None, "only a note"],
    ]
    path = _xlsx(tmp_path, rows)
    with ExportReader.open(path) as reader:
        assert (reader.kind, reader.encoding, reader.delimiter) == ("xlsx", None, None)
        assert reader.unknown_columns == ("备注",)
        assert reader.rows_total == 5
        raws = list(reader)
        assert reader.bytes_done == reader.bytes_total == path.stat().st_size
    assert [r.line_no for r in raws] == [2, 4]
    assert raws[0].values == {
        "capital_account": "10000371",
        "name": "苏红",
        "id_number": "430102199512274910",
        "opened_on": "2023-04-17",
        "balance": "853612.98",
        "holdings_value": "1000000",
        "last_trade_on": "2025-10-02",
        "sz_account": "0010000078",
        "phone": "18695494971",
    }
    second = raws[1].values
    assert second["name"] == "武文"
    assert second["id_number"] == str(int(4.30102198504018e17))
    assert second["opened_on"] == "2016-03-14"
    assert second["balance"] == "35.2"
    assert second["holdings_value"] == "" and second["last_trade_on"] == ""


def test_xlsx_header_below_empty_rows_keeps_true_row_numbers(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, [EN_HEADER, ROW, [], ROW], start_row=3)
    assert [r.line_no for r in _read(path)] == [4, 6]


def test_xlsx_missing_column_and_empty_sheet(tmp_path: Path) -> None:
    error = _refused(_xlsx(tmp_path, [EN_HEADER[:-1], ROW[:-1]]))
    assert str(error) == "required column(s) missing: balance (资金余额)"
    empty = _refused(_xlsx(tmp_path, []))
    assert (empty.reason_code, str(empty)) == ("empty", "the first worksheet is empty")


def test_xlsx_duplicate_column_names_cell_letters(tmp_path: Path) -> None:
    error = _refused(_xlsx(tmp_path, [[*EN_HEADER, "资金余额"]]))
    assert "“balance” (column E) and “资金余额” (column F)" in str(error)


# -- the split fast path agrees with the csv module ---------------------------------

_FIELD = st.lists(
    st.sampled_from(["a", "苏", " ", ",", "\t", '"', "\n", "\r\n", "\r", "1"]), max_size=6
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    delimiter=st.sampled_from([",", "\t"]),
    rows=st.lists(st.lists(_FIELD, min_size=0, max_size=7), max_size=8),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
def test_records_and_line_numbers_match_the_csv_module(
    delimiter: str, rows: list[list[str]], terminator: str
) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator)
    writer.writerow(EN_HEADER)
    writer.writerows(rows)
    text = out.getvalue()

    expected = []
    reference = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    next(reference)
    last = reference.line_num
    for row in reference:
        start, last = last + 1, reference.line_num
        if "".join(row).strip():
            padded = [*row, *[""] * (5 - len(row))]
            extra = tuple(v.strip() for v in row[5:] if v.strip())
            expected.append((start, [v.strip() for v in padded[:5]], extra))

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(text.encode("utf-8"))
        with ExportReader.open(path) as reader:
            assert reader.delimiter == delimiter
            got = [(r.line_no, [r.values[n] for n in EN_HEADER], r.extra) for r in reader]
    assert got == expected
