"""Deciding the text encoding of an export: UTF-8 (with or without BOM) or GB18030.

The rule is "never guess silently wrong", so the decision looks at every byte of the
file, streaming it in 1 MiB chunks through a strict incremental decoder (the file is
never held in memory). UTF-8 is tried first: a GB18030 text with Chinese in it is
practically never valid UTF-8, whereas GB18030 accepts almost any byte sequence, so
the reverse order would read UTF-8 files as mojibake.

Because GB18030 decodes nearly anything, "it decodes" alone is weak evidence for it.
Binary junk is refused on control characters: a text export holds no C0 control
byte other than TAB, LF and CR, and no DEL, while binary files (zip, images, database
files, UTF-16 text) nearly always do. In both encodings the bytes 0x00-0x1F and 0x7F
occur only as those ASCII characters (never inside a multi-byte sequence), so the
check runs on the raw bytes. The header check in reader.py is the second guard: a
wrongly decoded file does not yield the Chinese column names.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import BinaryIO

from counter_app.importing.errors import FileRefused

CHUNK_SIZE = 1 << 20

UTF8 = "utf-8"
UTF8_SIG = "utf-8-sig"
GB18030 = "gb18030"

_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_CONTROL_RE = re.compile(b"[" + re.escape(_CONTROL_BYTES) + b"]")

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True, slots=True)
class _Bad:
    """Where a scan stopped: the byte, its 0-based offset and its 1-based line."""

    control: bool
    byte: int
    offset: int
    line: int

    def where(self) -> str:
        return f"0x{self.byte:02X} at byte offset {self.offset}, line {self.line}"

    def where_zh(self) -> str:
        return f"第 {self.line} 行，字节偏移 {self.offset} 处的 0x{self.byte:02X}"


def _scan(stream: BinaryIO, encoding: str, start: int) -> _Bad | None:
    """Decode the stream from ``start`` to its end; the first problem, or None."""
    stream.seek(start)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    position = start  # byte offset of the next chunk
    lines = 0  # line feeds before ``position``
    while True:
        chunk = stream.read(CHUNK_SIZE)
        # translate(delete=) is a memcpy-speed test; the regex only runs to locate.
        if len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk):
            found = _CONTROL_RE.search(chunk)
            assert found is not None
            at = found.start()
            return _Bad(True, chunk[at], position + at, lines + chunk.count(b"\n", 0, at) + 1)
        # Bytes held back from the previous chunk (an incomplete multi-byte sequence)
        # come first in the decoder's view; they never contain a line feed.
        pending: bytes = decoder.getstate()[0]
        try:
            decoder.decode(chunk, not chunk)
        except UnicodeDecodeError as exc:
            data = pending + chunk
            at = exc.start
            return _Bad(
                False,
                data[at],
                position - len(pending) + at,
                lines + data.count(b"\n", 0, at) + 1,
            )
        if not chunk:
            return None
        lines += chunk.count(b"\n")
        position += len(chunk)


def _binary(bad: _Bad) -> FileRefused:
    return FileRefused(
        f"the file holds a control character ({bad.where()}), which a text export never "
        "does: it looks like a binary file, not a .csv or .txt export",
        "binary",
        zh=(
            f"文件中含有控制字符（{bad.where_zh()}），正常的文本导出文件不会出现："
            "它像是二进制文件，而不是 .csv 或 .txt 导出文件"
        ),
    )


def detect_encoding(stream: BinaryIO) -> str:
    """The encoding of a non-empty text export: ``utf-8-sig``, ``utf-8`` or ``gb18030``.

    Reads the whole stream (seekable, binary) once or twice; leaves its position
    undefined.

    Raises:
        FileRefused: the file is UTF-16, holds control characters, has a BOM but is not
            UTF-8, or is neither UTF-8 nor GB18030.
    """
    stream.seek(0)
    head = stream.read(4)
    if head.startswith(_UTF16_BOMS):
        raise FileRefused(
            "the file is UTF-16 text (Excel's “Unicode text”), which is not supported: "
            "save it as “CSV UTF-8” or .xlsx",
            "encoding",
            zh=(
                "该文件是 UTF-16 文本（Excel 的“Unicode 文本”），不支持此格式：请另存为“CSV "
                "UTF-8”或 .xlsx"
            ),
        )
    if head.startswith(codecs.BOM_UTF8):
        bad = _scan(stream, UTF8, len(codecs.BOM_UTF8))
        if bad is None:
            return UTF8_SIG
        if bad.control:
            raise _binary(bad)
        raise FileRefused(
            f"the file starts with a UTF-8 byte order mark but is not valid UTF-8 "
            f"(first undecodable byte {bad.where()})",
            "encoding",
            zh=(
                "文件以 UTF-8 字节顺序标记（BOM）开头，但内容不是有效的 UTF-8（"
                f"第一个无法解码的字节：{bad.where_zh()}）"
            ),
        )
    bad_utf8 = _scan(stream, UTF8, 0)
    if bad_utf8 is None:
        return UTF8
    if bad_utf8.control:
        raise _binary(bad_utf8)
    bad_gb = _scan(stream, GB18030, 0)
    if bad_gb is None:
        return GB18030
    if bad_gb.control:
        raise _binary(bad_gb)
    raise FileRefused(
        "the file is neither UTF-8 nor GB18030 (first undecodable byte as UTF-8: "
        f"{bad_utf8.where()}; as GB18030: {bad_gb.where()})",
        "encoding",
        zh=(
            "文件既不是 UTF-8 编码，也不是 GB18030 编码（按 UTF-8 第一个无法解码的字节："
            f"{bad_utf8.where_zh()}；按 GB18030：{bad_gb.where_zh()}）"
        ),
    )
