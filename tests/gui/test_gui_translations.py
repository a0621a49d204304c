"""Every string the screens show has its Simplified Chinese translation."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import PySide6
import pytest

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "counter_app_zh_CN.ts"
QM = TS.with_suffix(".qm")
PLACEHOLDER = re.compile(r"\{\w+\}")


def messages(path: Path) -> dict[tuple[str, str], str | None]:
    found: dict[tuple[str, str], str | None] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            done = translation is not None and translation.get("type") not in (
                "unfinished",
                "obsolete",
                "vanished",
            )
            found[(name, message.findtext("source") or "")] = (
                translation.text if done and translation is not None else None
            )
    return found


def test_the_catalogue_is_complete_and_keeps_placeholders() -> None:
    catalogue = messages(TS)
    assert len(catalogue) > 300
    untranslated = [key for key, text in catalogue.items() if not text]
    assert untranslated == []
    for (_context, source), text in catalogue.items():
        # the Chinese may reorder the {names} but must keep every one of them
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(text or "")), (
            source
        )
    assert QM.exists() and QM.stat().st_size > 10_000


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    lupdate = Path(next(iter(PySide6.__path__))) / "lupdate"
    if not lupdate.exists():
        pytest.skip("lupdate is not installed with PySide6 here")
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "counter_app" / "gui").glob("*.py"))
    subprocess.run(
        [str(lupdate), "-silent", *sources, "-ts", str(fresh)], check=True, capture_output=True
    )
    missing = sorted(set(messages(fresh)) - set(messages(TS)))
    assert missing == [], "run tools/update_translations.sh and translate: " + repr(missing)
