#!/usr/bin/env bash
# Build the installable program (build_installer.spec, PyInstaller one-folder) and check that
# what IT would hand out runs on its own: its version, a demo branch, the statistics, an
# agreement PDF (fonts and templates bundled) and, when a PostgreSQL server answers on
# 127.0.0.1:5432, a shared database made with init-db (migrations and SQL bundled).
#
#   tools/smoke_installer.sh          # in the project's virtual environment
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e ".[build]"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python -m PyInstaller -y --log-level WARN --distpath "$work/dist" --workpath "$work/build" \
    build_installer.spec
app="$work/dist/counter-app/counter-app"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" COUNTER_APP_CONFIG_DIR="$work/config"

"$app" --version
db="$work/branch.sqlite3"
"$app" demo --accounts 300 --seed 3 --db "$db" > /dev/null
"$app" report stats --format json --db "$db" | python -c '
import json, sys
total = json.load(sys.stdin)["rows"][-1]
assert total["class"] == "TOTAL" and total["current"]["capital_accounts"] == 300, total'
"$app" export accounts --class QUALIFIED_NOT_DEPOSITED --format csv --out "$work/q.csv" \
    --db "$db" > /dev/null
account=$(python -c 'import csv, sys; print(next(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))["capital_account"])' "$work/q.csv")
"$app" print agreement "$account" --out "$work/agreement.pdf" --bank ICBC \
    --bank-account 6217001234567890122 --db "$db"
if command -v pdftotext > /dev/null; then
    pdftotext "$work/agreement.pdf" "$work/agreement.txt"
    grep -q "$account" "$work/agreement.txt"
fi

if pg_isready -q -h 127.0.0.1 -p 5432 2> /dev/null; then
    name="ca_installer_smoke_$$"
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name"
    url="postgresql://postgres@127.0.0.1:5432/$name"
    status=0
    { "$app" init-db --db "$url" && "$app" demo --accounts 100 --seed 4 --db "$url" > /dev/null \
        && "$app" audit verify --db "$url"; } || status=$?
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $name WITH (FORCE)"
    [ "$status" = 0 ] || exit "$status"
fi
echo "the built program works"
