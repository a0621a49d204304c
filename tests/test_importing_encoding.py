"""Encoding detection: UTF-8 (BOM or not) first, then GB18030, else refused."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest

from counter_app.importing import encoding
from counter_app.importing.encoding import detect_encoding
from counter_app.importing.reader import ExportReader, FileRefused

HEADER = "资金账号,客户姓名,证件号码,开户日期,资金余额\n"
# 𠮷 (U+20BB7) and 䶮 (U+4DAE) are outside GBK (four-byte GB18030); 堃 is GBK, not GB2312.
RARE_NAMES = ["𠮷𠮷", "王䶮", "张堃"]


def _rows(names: list[str]) -> str:
    return "".join(
        f"{10000001 + i},{name},110105194706121551,2020-01-02,1.00\n"
        for i, name in enumerate(names)
    )


def _detect(data: bytes) -> str:
    return detect_encoding(io.BytesIO(data))


def test_utf8_without_and_with_bom() -> None:
    text = HEADER + _rows(["苏红"])
    assert _detect(text.encode("utf-8")) == "utf-8"
    assert _detect(codecs.BOM_UTF8 + text.encode("utf-8")) == "utf-8-sig"


def test_pure_ascii_is_utf8() -> None:
    assert _detect(b"capital_account,name\n1,x\n") == "utf-8"


def test_gb18030() -> None:
    assert _detect((HEADER + _rows(["苏红"])).encode("gb18030")) == "gb18030"


def test_utf8_wins_when_the_bytes_are_valid_in_both() -> None:
    data = "资金账号".encode()
    data.decode("gb18030")  # also valid GB18030: the order decides
    assert _detect(data) == "utf-8"


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "gb18030"])
def test_characters_outside_gbk_round_trip(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes((HEADER + _rows(RARE_NAMES)).encode(codec))
    with ExportReader.open(path) as reader:
        assert reader.encoding == codec
        assert [row.values["name"] for row in reader] == RARE_NAMES


def test_gb18030_four_byte_characters_straddling_every_chunk_boundary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = (HEADER + _rows(RARE_NAMES * 3)).encode("gb18030")
    for size in range(1, 10):
        monkeypatch.setattr(encoding, "CHUNK_SIZE", size)
        assert _detect(data) == "gb18030"


def test_latin1_bytes_invalid_in_both_are_refused_with_offsets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "é," is 0xE9 0x2C in Latin-1: a bad UTF-8 lead and a GB18030 lead byte followed
    # by a byte that can never trail it.
    head = b"capital_account,name,id_number,opened_on,balance\n"
    data = head + "10000001,José,X,2020-01-02,1.00\n".encode("latin-1")
    offset = len(head) + len(b"10000001,Jos")
    for size in (1, 3, 1 << 20):
        monkeypatch.setattr(encoding, "CHUNK_SIZE", size)
        with pytest.raises(FileRefused) as caught:
            _detect(data)
        assert caught.value.reason_code == "encoding"
        assert str(caught.value) == (
            "the file is neither UTF-8 nor GB18030 (first undecodable byte as UTF-8: "
            f"0xE9 at byte offset {offset}, line 2; as GB18030: 0xE9 at byte offset {offset}, "
            "line 2)"
        )


def test_an_undecodable_byte_far_beyond_the_first_chunk_is_found() -> None:
    body = (HEADER + _rows(["苏红"] * 45000)).encode("utf-8")
    assert len(body) > 2 * encoding.CHUNK_SIZE
    with pytest.raises(FileRefused) as caught:
        _detect(body + b"\xff\n")
    assert caught.value.reason_code == "encoding"
    assert f"0xFF at byte offset {len(body)}, line 45002" in str(caught.value)


def test_truncated_multibyte_character_at_the_end_is_refused() -> None:
    data = (HEADER + "1,苏").encode("gb18030")[:-1]  # half a GB18030 character
    with pytest.raises(FileRefused) as caught:
        _detect(data)
    assert caught.value.reason_code == "encoding"


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03binary",
        (HEADER + "1,苏红\x00,x\n").encode("gb18030"),
        b"PK\x05\x06" + bytes(18),  # an empty zip: not what the magic-check takes as xlsx
        "资金账号".encode("gb18030") + b"\x1b[0m",
    ],
)
def test_binary_junk_is_refused_even_when_gb18030_would_decode_it(data: bytes) -> None:
    with pytest.raises(FileRefused) as caught:
        _detect(data)
    assert caught.value.reason_code == "binary"
    assert "control character" in str(caught.value)


def test_nul_position_is_reported() -> None:
    with pytest.raises(FileRefused) as caught:
        _detect(b"ab\ncd\x00")
    assert "0x00 at byte offset 5, line 2" in str(caught.value)


def test_utf16_is_refused_with_advice() -> None:
    with pytest.raises(FileRefused) as caught:
        _detect(codecs.BOM_UTF16_LE + HEADER.encode("utf-16-le"))
    assert caught.value.reason_code == "encoding"
    assert "UTF-16" in str(caught.value)


def test_bom_with_invalid_utf8_is_refused_not_read_as_gb18030() -> None:
    data = codecs.BOM_UTF8 + (HEADER + "1,苏红\n").encode("gb18030")
    with pytest.raises(FileRefused) as caught:
        _detect(data)
    assert "byte order mark" in str(caught.value)
