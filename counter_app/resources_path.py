"""Where the read-only resources (fonts, templates, translations, icons) live."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "COUNTER_APP_RESOURCES"


def resources_dir() -> Path:
    """The ``resources/`` folder: source tree, PyInstaller bundle, or installed copy.

    PyInstaller unpacks data files under ``sys._MEIPASS``; the spec file must put the folder
    there as ``resources``. ``COUNTER_APP_RESOURCES`` overrides both (tests, packagers).
    """
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    source_tree = Path(__file__).resolve().parent.parent / "resources"
    if source_tree.is_dir():
        return source_tree
    # installed with pip: the wheel's data files land under the environment's prefix
    return Path(sys.prefix) / "share" / "counter_app" / "resources"
