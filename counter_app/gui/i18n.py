"""The language of the screens: Simplified Chinese or English, switchable while running.

The source strings (``tr()``) are English; ``resources/translations/counter_app_zh_CN.qm``
turns them into Chinese, and Qt's own ``qtbase_zh_CN.qm`` translates its standard
buttons and dialogs. The choice is a per-workstation preference (``QSettings``); the
default follows the system locale (Chinese locale: Chinese, anything else: English).

Switching installs the other translators; Qt then sends every widget a
``LanguageChange`` event, and each widget re-sets its texts in ``retranslate()``, so
the work on screen stays as it is.

Domain words (reasons, classes, statuses) come from ``counter_app.domain.reason_text``
as (Chinese, English) pairs; :func:`pick` chooses one for the current language.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QComboBox, QWidget

from counter_app.resources_path import resources_dir

ZH = "zh_CN"
EN = "en"
LANGUAGES = (ZH, EN)
SETTINGS_KEY = "ui/language"

_current = EN
_installed: list[QTranslator] = []


def translations_dir() -> str:
    return str(resources_dir() / "translations")


def system_language() -> str:
    return ZH if QLocale.system().language() == QLocale.Language.Chinese else EN


def saved_language() -> str | None:
    value = QSettings().value(SETTINGS_KEY)
    return str(value) if value in LANGUAGES else None


def current() -> str:
    """The language on screen now: ``"zh_CN"`` or ``"en"``."""
    return _current


def is_chinese() -> bool:
    return _current == ZH


def pick(pair: tuple[str, str]) -> str:
    """The Chinese or the English of a (zh, en) pair, for the language on screen."""
    return pair[0] if _current == ZH else pair[1]


def lang_code() -> Literal["zh", "en"]:
    """``"zh"`` or ``"en"``: the core's spelling (printing, reports)."""
    return "zh" if _current == ZH else "en"


def set_language(language: str, *, remember: bool = True) -> bool:
    """Install the translators for ``language``; False if its catalogue is missing."""
    global _current
    app = QCoreApplication.instance()
    assert app is not None, "create the QApplication first"
    for translator in _installed:
        app.removeTranslator(translator)
        translator.deleteLater()
    _installed.clear()
    ok = True
    if language == ZH:
        ours = QTranslator(app)
        ok = ours.load("counter_app_zh_CN", translations_dir())
        if ok:
            qt_own = QTranslator(app)
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt_own.load("qtbase_zh_CN", qt_dir):
                _installed.append(qt_own)
            _installed.append(ours)
    # installing or removing a translator posts LanguageChange to every widget
    for translator in _installed:
        app.installTranslator(translator)
    _current = language if ok else EN
    QLocale.setDefault(
        QLocale(QLocale.Language.Chinese, QLocale.Country.China)
        if _current == ZH
        else QLocale(QLocale.Language.English)
    )
    if remember:
        QSettings().setValue(SETTINGS_KEY, _current)
    return ok


def install_startup_language() -> str:
    """The saved choice, else the system's; returns the language installed."""
    set_language(saved_language() or system_language(), remember=False)
    return _current


def language_names() -> list[tuple[str, str]]:
    """(code, name) of each language, each named in itself."""
    return [(ZH, "简体中文"), (EN, "English")]


def make_language_box(parent: QWidget | None = None) -> QComboBox:
    """A combo box that switches the language on the spot."""
    box = QComboBox(parent)
    box.setObjectName("languageBox")
    for code, name in language_names():
        box.addItem(name, code)
    box.setCurrentIndex(max(0, box.findData(_current)))
    box.currentIndexChanged.connect(lambda _i: set_language(str(box.currentData())))
    return box
