#!/usr/bin/env bash
# Refresh the GUI's translation catalogues from the source, then compile them.
#
#   tools/update_translations.sh            # lupdate + lrelease
#   tools/update_translations.sh --release  # lrelease only (after editing the .ts)
#
# Source strings are English (tr() / QCoreApplication.translate in counter_app/gui);
# resources/translations/counter_app_zh_CN.ts holds the Chinese, edited with
# pyside6-linguist or a text editor. Commit both the .ts and the compiled .qm.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV_BIN="${VENV_BIN:-/work/venv/bin}"
PYTHON="${PYTHON:-$VENV_BIN/python}"
TS_DIR=resources/translations
LANGS=(zh_CN)

# The pyside6-lupdate/-lrelease wrappers fail when PySide6 is installed as a namespace
# package (PySide6-Essentials without the PySide6 meta-package: no PySide6/__init__.py),
# so call the tools inside the package directly when the wrappers are unusable.
qt_tool() {
    local name=$1
    shift
    if "$VENV_BIN/pyside6-$name" -help >/dev/null 2>&1; then
        "$VENV_BIN/pyside6-$name" "$@"
    else
        local dir
        dir=$("$PYTHON" -c 'import PySide6, pathlib; print(pathlib.Path(list(PySide6.__path__)[0]))')
        "$dir/$name" "$@"
    fi
}

if [[ "${1:-}" != "--release" ]]; then
    mapfile -t sources < <(find counter_app/gui -name '*.py' | sort)
    for lang in "${LANGS[@]}"; do
        qt_tool lupdate -no-obsolete -locations relative "${sources[@]}" \
            -ts "$TS_DIR/counter_app_${lang}.ts"
    done
fi
for lang in "${LANGS[@]}"; do
    qt_tool lrelease "$TS_DIR/counter_app_${lang}.ts" -qm "$TS_DIR/counter_app_${lang}.qm"
done
