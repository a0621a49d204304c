from __future__ import annotations

import pytest
from reportlab.lib.units import mm

from counter_app.printing.barcodes import QUIET_MODULES, _bars, barcode_width, code128_modules


def test_code128_pattern_has_start_check_and_stop() -> None:
    pattern = code128_modules("TA202611250001")
    assert set(pattern) == {"0", "1"}
    assert pattern.startswith("11010010000")  # START B
    assert pattern.endswith("1100011101011")  # STOP
    # every symbol is 11 modules, the stop 13: start + T A + CODE C + 6 pairs + check
    assert len(pattern) == 11 * 11 + 13


def test_bars_merge_adjacent_modules() -> None:
    assert _bars("1101110") == [(0, 2), (3, 3)]


def test_width_includes_quiet_zones() -> None:
    pattern = code128_modules("310000123456")
    assert barcode_width("310000123456", 0.33 * mm) == pytest.approx(
        (len(pattern) + 2 * QUIET_MODULES) * 0.33 * mm
    )


@pytest.mark.parametrize("bad", ["", "协议1", "TA\n1"])
def test_values_code128_cannot_carry_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        code128_modules(bad)
