"""Streaming reader of the counter-system export (shared/formats/counter-export.md).

``ExportReader.open(path)`` decides what the file is (.csv/.txt text or .xlsx), reads
and checks the header, and then yields one :class:`RawRow` per non-blank row, never
holding the file in memory. Everything that makes the whole file unreadable raises
:class:`FileRefused`; judging the values of a row is parse.py's job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Literal

from counter_app.importing.columns import (
    COLUMN_BY_NAME,
    COLUMN_NAMES,
    REQUIRED_COLUMNS,
    canonical_column,
)
from counter_app.importing.encoding import detect_encoding
from counter_app.importing.errors import FileRefused

__all__ = ["ExportReader", "FileRefused", "RawRow", "ValueRow", "cell_text"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, encrypted .xlsx
_TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".dat", ""})
_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_DELIMITERS = (",", "\t")
_BLANK = " \t\r\n,"  # a line of only these (",,,," from a spreadsheet) is blank


@dataclass(slots=True)
class RawRow:
    """One data row as text, before any judgement.

    Attributes:
        line_no: 1-based line (csv: the line the record starts on, counting blank lines
            and lines inside quoted fields) or row (xlsx) as a person sees it in the
            file; the header is line 1 when nothing precedes it.
        values: canonical column name -> stripped text, for every column the header has.
        extra: csv only: the non-empty values beyond the last header column, a sign of
            an unquoted delimiter shifting the row (parse.py reports them).
    """

    line_no: int
    values: dict[str, str]
    extra: tuple[str, ...] = ()


ValueRow = tuple[int, tuple[str, ...], tuple[str, ...]]
"""(line_no, values, extra) of a ``RawRow``, values in ``COLUMN_NAMES`` order ("" for a
column the file lacks): the import's fast path, with no dict per row."""


def value_row(raw: RawRow) -> ValueRow:
    """A ``RawRow`` as a ``ValueRow``."""
    get = raw.values.get
    return raw.line_no, tuple([get(name, "") for name in COLUMN_NAMES]), raw.extra


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person sees in it (xlsx values, header cells).

    Dates and datetimes become ``YYYY-MM-DD`` (a time part is dropped); numbers lose
    float artifacts: ``35.2`` -> ``"35.2"``, ``1000000.0`` -> ``"1000000"``, a number
    stored ID ``4.30102199512274e17`` -> its integer digits.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # repr is the shortest text that reads back as the same float (35.2, not
        # 35.200000000000003); Decimal turns its exponent form (1e-05) into digits.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass(frozen=True, slots=True)
class _Header:
    names: tuple[str, ...]  # canonical names, in file order
    indices: tuple[int, ...]  # their 0-based positions
    unknown: tuple[str, ...]  # header texts not recognised
    width: int  # number of header cells, blank ones included


def _read_header(cells: Sequence[str], line_no: int, position: Callable[[int], str]) -> _Header:
    names: list[str] = []
    indices: list[int] = []
    unknown: list[str] = []
    seen: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        name = canonical_column(text)
        if name is None:
            unknown.append(text)
            continue
        if name in seen:
            first_index, first_text = seen[name]
            raise FileRefused(
                f"column {COLUMN_BY_NAME[name].label} appears twice in the header: "
                f"“{first_text}” ({position(first_index)}) and “{text}” ({position(index)})",
                "duplicate_column",
                zh=(
                    f"列 {COLUMN_BY_NAME[name].label} 在标题行中出现了两次：“{first_text}”（"
                    f"{position(first_index)}）和“{text}”（{position(index)}）"
                ),
            )
        seen[name] = (index, text)
        names.append(name)
        indices.append(index)
    if not seen:
        found = ", ".join(f"“{t}”" for t in unknown[:5]) or "nothing"
        found_zh = "、".join(f"“{t}”" for t in unknown[:5]) or "空白"
        raise FileRefused(
            f"no known column header in the first row (line {line_no}; found {found}): "
            "the first row must hold the column headers",
            "no_header",
            zh=(
                f"第一行中没有可识别的列标题（第 {line_no} 行；读到的是 {found_zh}）："
                "文件第一行必须是列标题"
            ),
        )
    missing = [COLUMN_BY_NAME[n].label for n in REQUIRED_COLUMNS if n not in seen]
    if missing:
        raise FileRefused(
            f"required column(s) missing: {', '.join(missing)}",
            "missing_columns",
            zh=f"缺少必需的列：{'、'.join(missing)}",
        )
    return _Header(tuple(names), tuple(indices), tuple(unknown), len(cells))


def _split_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def sniff_delimiter(header_line: str) -> str:
    """Comma or tab, whichever splits the header line into more known column names.

    csv.Sniffer guesses from character frequencies and is easily fooled by commas in
    a tab-separated header or the reverse; the header itself says which split is
    right. Ties (no known name either way) go to the one giving more cells, then comma.
    """

    def score(delimiter: str) -> tuple[int, int, bool]:
        cells = _split_line(header_line, delimiter)
        known = sum(1 for cell in cells if canonical_column(cell) is not None)
        return known, len(cells), delimiter == ","

    return max(_DELIMITERS, key=score)


_CSV_ERRORS = {
    "unexpected end of data": "a quoted field is never closed (a stray double quote?)",
}
_CSV_ERRORS_ZH = {
    "unexpected end of data": "有一个带引号的字段没有结束引号（是否多了一个双引号？）",
}


class ExportReader:
    """Reads one export file; a context manager, iterated once for its rows.

    Use ``ExportReader.open(path)``; it raises :class:`FileRefused` when the file cannot
    be read at all (type, encoding, header). Iterating can still raise FileRefused for
    a fault found further down (a never-closed quote in a csv, a damaged workbook).
    """

    def __init__(
        self,
        *,
        kind: Literal["csv", "xlsx"],
        header: _Header,
        rows: Any,
        closer: Callable[[], None],
        bytes_total: int,
        bytes_done: Callable[[], int],
        encoding: str | None = None,
        delimiter: str | None = None,
        rows_total: int | None = None,
        line_base: int = 0,
    ) -> None:
        self._kind = kind
        self._header = header
        # csv: the csv reader, past the header; xlsx: (row number, values) pairs.
        self._rows = rows
        self._line_base = line_base  # csv: physical lines before the reader's first
        self._closer = closer
        self._bytes_total = bytes_total
        self._bytes_done = bytes_done
        self._encoding = encoding
        self._delimiter = delimiter
        self._rows_total = rows_total
        self._rows_done = 0
        self._last_row = 0  # xlsx: the last row number read, for progress
        self._iterated = False
        self._closed = False

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> ExportReader:
        """Open an export, decide its type and encoding and read its header.

        Raises:
            FileRefused: unreadable, empty, unsupported type, bad encoding, binary
                content, no header, a required column missing or a column twice.
        """
        path = Path(path)
        try:
            stream: BinaryIO = path.open("rb")
        except FileNotFoundError:
            raise FileRefused(
                f"the file {path} does not exist", "unreadable", zh=f"文件 {path} 不存在"
            ) from None
        except OSError as exc:
            raise FileRefused(
                f"cannot read the file {path}: {exc.strerror or exc}",
                "unreadable",
                zh=f"无法读取文件 {path}：{exc.strerror or exc}",
            ) from None
        try:
            return cls._open_stream(path, stream)
        except BaseException:
            stream.close()
            raise

    @classmethod
    def _open_stream(cls, path: Path, stream: BinaryIO) -> ExportReader:
        suffix = path.suffix.lower()
        head = stream.read(len(_OLE2_MAGIC))
        if not head:
            raise FileRefused("the file is empty", "empty", zh="文件是空的")
        if suffix == ".xls":
            raise FileRefused(
                "unsupported file type .xls: save it as .xlsx or .csv",
                "file_type",
                zh="不支持 .xls 文件：请另存为 .xlsx 或 .csv",
            )
        if suffix not in _XLSX_SUFFIXES and suffix not in _TEXT_SUFFIXES:
            raise FileRefused(
                f"unsupported file type {suffix}: save it as .xlsx or .csv",
                "file_type",
                zh=f"不支持 {suffix} 类型的文件：请另存为 .xlsx 或 .csv",
            )
        if head.startswith(_OLE2_MAGIC):
            raise FileRefused(
                "the file is an old-format Excel workbook (.xls) or a password-protected "
                "one: save it as .xlsx without a password, or as .csv",
                "file_type",
                zh=(
                    "该文件是旧版 Excel 工作簿（.xls）或设有密码的工作簿：请另存为不带密码的 "
                    ".xlsx，或另存为 .csv"
                ),
            )
        if head.startswith(_ZIP_MAGIC):
            stream.close()  # openpyxl opens the file itself
            return cls._open_xlsx(path)
        if suffix in _XLSX_SUFFIXES:
            raise FileRefused(
                f"the file is not a valid {suffix} workbook (it is not a zip archive): "
                "open it in Excel or WPS and save it again as .xlsx",
                "bad_xlsx",
                zh=(
                    f"该文件不是有效的 {suffix} 工作簿（不是 zip 压缩格式）：请用 Excel 或 WPS "
                    "打开后重新另存为 .xlsx"
                ),
            )
        return cls._open_csv(stream)

    @classmethod
    def _open_csv(cls, stream: BinaryIO) -> ExportReader:
        bytes_total = stream.seek(0, io.SEEK_END)
        encoding = detect_encoding(stream)
        stream.seek(0)
        # newline="" hands line endings to the csv module, which needs them to keep
        # line breaks inside quoted fields; TextIOWrapper decodes incrementally.
        text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
        blank_lines = 0
        while True:
            line = text.readline()
            if not line:
                raise FileRefused(
                    "the file is empty" if blank_lines == 0 else "the file holds only blank lines",
                    "empty",
                    zh="文件是空的" if blank_lines == 0 else "文件中只有空行",
                )
            if line.strip(_BLANK):
                break
            blank_lines += 1
        delimiter = sniff_delimiter(line)
        reader = csv.reader(itertools.chain([line], text), delimiter=delimiter, strict=True)
        header_line = blank_lines + 1
        try:
            cells = next(reader)
        except csv.Error as exc:
            raise _malformed(header_line, exc) from None
        header = _read_header(cells, header_line, lambda i: f"field {i + 1}")
        return cls(
            kind="csv",
            header=header,
            rows=reader,
            line_base=blank_lines,
            closer=text.close,
            bytes_total=bytes_total,
            # The binary stream's position runs at most one read-ahead chunk in front
            # of the rows handed out: fine for a progress bar.
            bytes_done=stream.tell,
            encoding=encoding,
            delimiter=delimiter,
        )

    @classmethod
    def _open_xlsx(cls, path: Path) -> ExportReader:
        import openpyxl  # imported here: only xlsx files need it (startup time)
        from openpyxl.utils import get_column_letter

        bytes_total = path.stat().st_size
        try:
            # data_only: the values Excel computed, not formulas. read_only streams the
            # sheet XML (shared strings are still loaded whole: an openpyxl limit).
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # any parser fault on a user's file means "damaged"
            raise FileRefused(
                f"cannot read the workbook: it is not a valid .xlsx file ({exc})",
                "bad_xlsx",
                zh=f"无法读取工作簿：不是有效的 .xlsx 文件（{exc}）",
            ) from None
        try:
            if not book.worksheets:
                raise FileRefused("the workbook has no worksheet", "empty", zh="工作簿中没有工作表")
            sheet = book.worksheets[0]
            rows_total = sheet.max_row  # from the sheet's dimension: an estimate
            # Read-only sheets yield filler rows for missing ones, so numbering from 1
            # gives the row numbers Excel shows.
            numbered = _numbered_xlsx_rows(sheet.iter_rows(values_only=True))
            first = _first_filled_row(numbered)
            if first is None:
                raise FileRefused("the first worksheet is empty", "empty", zh="第一个工作表是空的")
            row_no, cells = first
            header = _read_header(cells, row_no, lambda i: f"column {get_column_letter(i + 1)}")
        except BaseException:
            book.close()
            raise
        reader: ExportReader

        def bytes_done() -> int:
            if not rows_total:
                return 0
            return int(bytes_total * min(1.0, reader._last_row / rows_total))

        reader = cls(
            kind="xlsx",
            header=header,
            rows=numbered,
            closer=book.close,
            bytes_total=bytes_total,
            bytes_done=bytes_done,
            rows_total=rows_total,
        )
        return reader

    # -- properties ------------------------------------------------------------------

    @property
    def kind(self) -> Literal["csv", "xlsx"]:
        return self._kind

    @property
    def encoding(self) -> str | None:
        """``utf-8``, ``utf-8-sig`` (BOM) or ``gb18030``; None for xlsx."""
        return self._encoding

    @property
    def delimiter(self) -> str | None:
        """``","`` or ``"\\t"``; None for xlsx."""
        return self._delimiter

    @property
    def columns(self) -> tuple[str, ...]:
        """Canonical names of the known columns present, in file order."""
        return self._header.names

    @property
    def unknown_columns(self) -> tuple[str, ...]:
        """Header texts that are no known column (ignored; listed in the summary)."""
        return self._header.unknown

    @property
    def bytes_total(self) -> int:
        """Size of the file in bytes."""
        return self._bytes_total

    @property
    def bytes_done(self) -> int:
        """Bytes read so far (xlsx: estimated from rows read against the sheet size)."""
        return self._bytes_total if self._closed else self._bytes_done()

    @property
    def rows_done(self) -> int:
        """Data rows handed out so far."""
        return self._rows_done

    @property
    def rows_total(self) -> int | None:
        """xlsx: the last row number the sheet declares (an estimate); csv: None."""
        return self._rows_total

    # -- rows ------------------------------------------------------------------------

    def __iter__(self) -> Iterator[RawRow]:
        self._start()
        if self._kind == "csv":
            names = self._header.names
            pick = _picker(tuple(COLUMN_NAMES.index(name) for name in names))
            return (
                RawRow(line_no, dict(zip(names, pick(values), strict=True)), extra)
                for line_no, values, extra in self._iter_csv()
            )
        return self._iter_xlsx()

    def value_rows(self) -> Iterator[ValueRow]:
        """The rows as ``ValueRow`` tuples (instead of iterating ``RawRow`` objects)."""
        self._start()
        if self._kind == "csv":
            return self._iter_csv()
        return map(value_row, self._iter_xlsx())

    def _start(self) -> None:
        if self._iterated:
            raise RuntimeError("an ExportReader can be iterated only once")
        if self._closed:
            raise RuntimeError("the ExportReader is closed")
        self._iterated = True

    def _iter_csv(self) -> Iterator[ValueRow]:
        # One flat loop: this runs a million times for a large export (bench_reader.py).
        reader = self._rows
        base = self._line_base
        header = self._header
        width = header.width
        # A column the file lacks reads from cell ``width``: an empty one added to the row.
        where = dict(zip(header.names, header.indices, strict=True))
        pick = _picker(tuple(where.get(name, width) for name in COLUMN_NAMES))
        padding = [""] * (width + 1)
        strip = str.strip
        last = reader.line_num  # csv's line_num counts physical lines read so far
        try:
            for row in reader:
                line_no = base + last + 1  # the line the record starts on
                last = reader.line_num
                count = len(row)
                extra: tuple[str, ...] = ()
                if count < width:
                    if not count:
                        continue  # blank line
                    # A short row (trailing empty fields left out) reads as empty values.
                    row = [*row, *padding[count:]]
                elif count > width:
                    extra = tuple(v for v in map(strip, row[width:]) if v)
                if not row[0].strip() and not "".join(row).strip():
                    continue  # only delimiters and spaces (",,,," from a spreadsheet)
                if count >= width:
                    del row[width:]
                    row.append("")
                self._rows_done += 1
                yield line_no, tuple(map(strip, pick(row))), extra
        except csv.Error as exc:
            raise _malformed(base + last + 1, exc) from None
        except UnicodeDecodeError:
            # Checked whole before reading: the file was changed while we read it.
            raise FileRefused(
                f"the file changed while it was being read (line {base + last + 1}): "
                "import it again",
                "encoding",
                zh=f"读取过程中文件被修改（第 {base + last + 1} 行）：请重新导入",
            ) from None

    def _iter_xlsx(self) -> Iterator[RawRow]:
        header = self._header
        names = header.names
        indices = header.indices
        for row_no, values in self._rows:
            self._last_row = row_no
            count = len(values)
            cells = [cell_text(values[i]) if i < count else "" for i in indices]
            if not any(cells):
                # Wholly empty rows are skipped; so are rows whose only values sit in
                # unknown columns (notes beside the table), which are no account.
                continue
            self._rows_done += 1
            yield RawRow(row_no, dict(zip(names, cells, strict=True)))

    # -- closing ---------------------------------------------------------------------

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._closer()

    def __enter__(self) -> ExportReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _picker(indices: tuple[int, ...]) -> Callable[[Sequence[str]], Iterable[str]]:
    # itemgetter with one index returns the item, not a 1-tuple: cannot happen (five
    # columns are required) but keep the reader right whatever the column table says.
    if len(indices) == 1:
        only = indices[0]
        return lambda row: (row[only],)
    from operator import itemgetter

    return itemgetter(*indices)


def _malformed(line_no: int, exc: csv.Error) -> FileRefused:
    text = str(exc)
    explained = _CSV_ERRORS.get(text, f"malformed quoting: {text}")
    explained_zh = _CSV_ERRORS_ZH.get(text, f"引号格式有误：{text}")
    return FileRefused(
        f"line {line_no}: {explained}", "malformed_csv", zh=f"第 {line_no} 行：{explained_zh}"
    )


def _first_filled_row(
    rows: Iterator[tuple[int, tuple[Any, ...]]],
) -> tuple[int, list[str]] | None:
    """The first row with any value, as text; the iterator goes on after it."""
    for row_no, values in rows:
        cells = [cell_text(v) for v in values]
        if any(cells):
            return row_no, cells
    return None


def _numbered_xlsx_rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        yield from enumerate(rows, start=1)
    except Exception as exc:  # a damaged sheet XML shows up only while streaming
        raise FileRefused(
            f"the workbook is damaged: {exc}", "bad_xlsx", zh=f"工作簿已损坏：{exc}"
        ) from None
