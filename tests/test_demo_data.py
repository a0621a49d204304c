"""The demo branch generator (counter_app/services/demo_data.py).

Rows are checked against the rules of shared/domain.md through a small reference
classifier written here from the document, independently of the generator: every row
must carry exactly the reasons its scenario promises.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
import subprocess
import sys
import tracemalloc
import unicodedata
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import phonenumbers
import pytest
from openpyxl import load_workbook
from stdnum.cn import ric, uscc

from counter_app.domain.codes import DATA_REASONS, Reason
from counter_app.domain.screening import dormancy_cutoff as domain_cutoff
from counter_app.importing.columns import COLUMNS
from counter_app.services.demo_data import (
    DEFAULT_ACCOUNTS,
    DEFAULT_BASE_DATE,
    FIELDS,
    MAX_ACCOUNTS,
    SCENARIO_REASONS,
    Scenario,
    generate_rows,
    write_export,
)

SAMPLE = Path("/work/shared/formats/sample-utf8.csv")
ZH_HEADERS = [column.zh for column in COLUMNS]
BASE = DEFAULT_BASE_DATE
PROVINCES = {
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    81,
    82,
}
PLACEHOLDERS = {"", "无", "不详", "未知", "-", "unknown", "n/a"}
QUALIFIED_SCENARIOS = {s for s, reasons in SCENARIO_REASONS.items() if not reasons}


# --- a reference reading of domain.md --------------------------------------------------


def parse_date(text: str) -> date:
    digits = text.replace("-", "").replace("/", "")
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


def parse_amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "")) if text else Decimal(0)


def real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def valid_ric18(number: str) -> bool:
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit() or int(number[:2]) not in PROVINCES:
        return False
    if number[17] != ric.calc_check_digit(number):
        return False
    born = real_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return born is not None and born <= BASE


def valid_ric15(number: str) -> bool:
    if len(number) != 15 or not number.isdigit() or int(number[:2]) not in PROVINCES:
        return False
    return real_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])) is not None


def upgrade15(number: str) -> str:
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def norm_id(number: str) -> str:
    number = number.strip().upper()
    return upgrade15(number) if valid_ric15(number) else number


def norm_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).strip()
    text = "".join(text.split())
    for dot in "•‧・":
        text = text.replace(dot, "·")
    return text.casefold()


def valid_phone(text: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, "CN"))
    except phonenumbers.NumberParseException:
        return False


def is_dormant(row: dict[str, str]) -> bool:
    activity = parse_date(row["last_trade_on"] or row["opened_on"])
    return (
        parse_amount(row["balance"]) <= Decimal("100.00")
        and parse_amount(row["holdings_value"]) == 0
        and activity <= domain_cutoff(BASE, 3)
    )


def row_reasons(row: dict[str, str]) -> set[Reason]:
    """Every reason of domain.md that one row shows on its own (not DUPLICATE_ID)."""
    reasons: set[Reason] = set()
    if is_dormant(row):
        reasons.add(Reason.DORMANT)
    if row["name"].strip().lower() in PLACEHOLDERS:
        reasons.add(Reason.NAME_MISSING)
    id_number = row["id_number"].strip()
    if not id_number:
        reasons.add(Reason.ID_MISSING)
    elif row["id_type"] == "身份证":
        if valid_ric15(id_number):
            reasons.add(Reason.ID_LEGACY_15)
        elif not valid_ric18(id_number):
            reasons.add(Reason.ID_INVALID)
    elif not any(c.isalnum() for c in id_number):
        reasons.add(Reason.ID_INVALID)
    if not row["phone"].strip():
        reasons.add(Reason.PHONE_MISSING)
    elif not valid_phone(row["phone"]):
        reasons.add(Reason.PHONE_INVALID)
    address = row["address"].strip()
    if address.lower() in PLACEHOLDERS:
        reasons.add(Reason.ADDRESS_MISSING)
    elif len(address) < 5:
        reasons.add(Reason.ADDRESS_INCOMPLETE)
    if row["paper_file"] == "无":
        reasons.add(Reason.FILE_MISSING)
    for market in ("sh", "sz"):
        if not row[f"{market}_account"]:
            continue
        if norm_name(row[f"{market}_name"]) != norm_name(row["name"]):
            reasons.add(Reason.SEC_NAME_MISMATCH)
        if norm_id(row[f"{market}_id_number"]) != norm_id(row["id_number"]):
            reasons.add(Reason.SEC_ID_MISMATCH)
    return reasons


def duplicate_ids(rows: list[dict[str, str]]) -> set[str]:
    """Capital accounts whose ID another customer with a different name holds."""
    names: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["id_number"].strip():
            names[norm_id(row["id_number"])].add(norm_name(row["name"]))
    return {
        row["capital_account"]
        for row in rows
        if row["id_number"].strip() and len(names[norm_id(row["id_number"])]) > 1
    }


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def branch() -> list[tuple[Scenario, dict[str, str]]]:
    return list(generate_rows(with_scenario=True))


@pytest.fixture(scope="module")
def rows(branch: list[tuple[Scenario, dict[str, str]]]) -> list[dict[str, str]]:
    return [row for _, row in branch]


# --- shape and reproducibility -------------------------------------------------------------


def test_default_branch_has_the_seed_size_and_every_column_as_text(
    rows: list[dict[str, str]],
) -> None:
    assert DEFAULT_ACCOUNTS == 30432
    assert len(rows) == 30432
    for row in rows:
        assert tuple(row) == FIELDS
        assert all(isinstance(value, str) for value in row.values())


def test_fields_are_the_columns_of_the_sample_export() -> None:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ZH_HEADERS
    assert FIELDS[0] == "capital_account"
    assert FIELDS[-1] == "paper_file"


@pytest.mark.parametrize("accounts", [0, 1, 2, 3, 57, 2001])
def test_exactly_the_number_of_rows_asked_for(accounts: int) -> None:
    assert sum(1 for _ in generate_rows(accounts, seed=5)) == accounts


def test_impossible_requests_are_refused() -> None:
    with pytest.raises(ValueError, match="accounts"):
        generate_rows(-1)
    with pytest.raises(ValueError, match="accounts"):
        generate_rows(MAX_ACCOUNTS + 1)
    with pytest.raises(ValueError, match="base date"):
        generate_rows(10, base_date=date(1990, 1, 1))


def test_another_base_date_moves_the_dormancy_cutoff() -> None:
    base = date(2012, 2, 29)
    cutoff = domain_cutoff(base, 3)
    assert cutoff == date(2009, 2, 28)
    for scenario, row in generate_rows(3000, seed=8, base_date=base, with_scenario=True):
        activity = parse_date(row["last_trade_on"] or row["opened_on"])
        assert activity < base
        if scenario is Scenario.DORMANT_EDGE and row["balance"] != "100.00":
            assert activity <= cutoff
        if scenario in (Scenario.DORMANT_SMALL, Scenario.DORMANT_WITH_DATA):
            assert activity <= cutoff
        if scenario is Scenario.QUALIFIED_ACTIVE and parse_amount(row["balance"]) <= 100:
            assert activity > cutoff or parse_amount(row["holdings_value"]) > 0


def test_same_seed_gives_the_same_rows_and_another_seed_others() -> None:
    first = list(generate_rows(3000, seed=42))
    again = list(generate_rows(3000, seed=42))
    other = list(generate_rows(3000, seed=43))
    assert first == again
    assert first != other
    assert {r["name"] for r in first} != {r["name"] for r in other}


def test_rows_without_scenario_are_the_rows_with_it() -> None:
    plain = list(generate_rows(500, seed=9))
    labelled = list(generate_rows(500, seed=9, with_scenario=True))
    assert plain == [row for _, row in labelled]
    assert all(isinstance(scenario, Scenario) for scenario, _ in labelled)


def _digest_in_subprocess(hash_seed: str) -> str:
    code = (
        "import hashlib, json\n"
        "from counter_app.services.demo_data import generate_rows\n"
        "rows = list(generate_rows(1500, seed=77))\n"
        "print(hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_same_seed_same_rows_in_another_process() -> None:
    # Faker's pools and our own draws must not depend on set/dict hashing order.
    here = hashlib.sha256(
        json.dumps(list(generate_rows(1500, seed=77)), ensure_ascii=False).encode()
    ).hexdigest()
    assert _digest_in_subprocess("1") == here
    assert _digest_in_subprocess("12345") == here


# --- accounts --------------------------------------------------------------------------------


def test_account_numbers_are_unique_and_well_formed(rows: list[dict[str, str]]) -> None:
    capital = [row["capital_account"] for row in rows]
    assert len(set(capital)) == len(capital)
    assert all(c.isdigit() and len(c) >= 8 for c in capital)
    numbers = sorted(int(c) for c in capital)
    gaps = Counter(b - a for a, b in itertools.pairwise(numbers))
    assert gaps[1] > len(rows) * 0.7  # sequential-looking ...
    assert sum(n for gap, n in gaps.items() if gap > 1) > len(rows) * 0.05  # ... with gaps
    sh = [row["sh_account"] for row in rows if row["sh_account"]]
    sz = [row["sz_account"] for row in rows if row["sz_account"]]
    assert len(set(sh)) == len(sh) > len(rows) * 0.5
    assert len(set(sz)) == len(sz) > len(rows) * 0.5
    assert all(len(a) == 10 and a[0] == "A" and a[1:].isdigit() for a in sh)
    assert all(len(a) == 10 and a[0] == "0" and a.isdigit() for a in sz)
    layouts = Counter((bool(row["sh_account"]), bool(row["sz_account"])) for row in rows)
    assert len(layouts) == 4  # none, SH only, SZ only, both


def test_an_empty_securities_account_has_no_holder_data(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for market in ("sh", "sz"):
            if not row[f"{market}_account"]:
                assert row[f"{market}_name"] == row[f"{market}_id_number"] == ""


# --- scenarios against the domain rules ---------------------------------------------------


def test_every_row_carries_exactly_the_reasons_of_its_scenario(
    branch: list[tuple[Scenario, dict[str, str]]], rows: list[dict[str, str]]
) -> None:
    duplicated = duplicate_ids(rows)
    wrong = []
    for scenario, row in branch:
        found = row_reasons(row)
        if row["capital_account"] in duplicated:
            found.add(Reason.DUPLICATE_ID)
        if found != SCENARIO_REASONS[scenario]:
            wrong.append((scenario, sorted(found), row))
    assert wrong == []


def test_every_scenario_class_and_reason_is_well_present(
    branch: list[tuple[Scenario, dict[str, str]]],
) -> None:
    counts = Counter(scenario for scenario, _ in branch)
    assert set(counts) == set(Scenario)
    assert min(counts.values()) >= 80
    reasons = {reason for scenario in counts for reason in SCENARIO_REASONS[scenario]}
    manual = {Reason.MANUAL_AGENCY_IMPROPER, Reason.MANUAL_IDENTITY_FALSE, Reason.MANUAL_OTHER}
    assert reasons == set(Reason) - manual  # a person sets those; no export carries them


def test_shares_resemble_a_real_branch(branch: list[tuple[Scenario, dict[str, str]]]) -> None:
    counts = Counter(scenario for scenario, _ in branch)
    total = len(branch)

    def share(*scenarios: Scenario) -> float:
        return sum(counts[s] for s in scenarios) / total

    dormant = share(Scenario.DORMANT_SMALL, Scenario.DORMANT_EDGE, Scenario.DORMANT_WITH_DATA)
    identity = share(
        Scenario.SEC_NAME_MISMATCH,
        Scenario.SEC_ID_MISMATCH,
        Scenario.DUPLICATE_ID,
        Scenario.IDENTITY_AND_DATA,
    )
    data = share(
        *(s for s in Scenario if SCENARIO_REASONS[s] and SCENARIO_REASONS[s] <= DATA_REASONS)
    )
    assert 0.13 < dormant < 0.17
    assert 0.03 < identity < 0.05
    assert 0.10 < data < 0.14
    assert share(Scenario.QUALIFIED_ACTIVE) > 0.5


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_small_demo_still_has_every_scenario(seed: int) -> None:
    counts = Counter(s for s, _ in generate_rows(len(Scenario) + 4, seed=seed, with_scenario=True))
    assert set(counts) == set(Scenario)


def test_depository_statuses_and_banks(rows: list[dict[str, str]]) -> None:
    statuses = Counter(row["depository_status"] for row in rows)
    assert set(statuses) == {"未签约", "已签约", "待银行确认", "已确认"}
    assert statuses["已确认"] > len(rows) / 2
    banks = Counter(row["bank"] for row in rows if row["depository_status"] != "未签约")
    assert set(banks) == {"工商银行", "农业银行", "中国银行", "建设银行", "交通银行", "招商银行"}
    for row in rows:
        if row["depository_status"] == "未签约":
            assert row["bank"] == row["bank_account"] == ""
        else:
            account = row["bank_account"]
            assert account.isdigit() and len(account) in (16, 19)
            # Luhn check digit
            digits = [int(c) for c in reversed(account)]
            total = sum(digits[0::2]) + sum(sum(divmod(d * 2, 10)) for d in digits[1::2])
            assert total % 10 == 0, account


def test_resident_ids_meant_valid_are_valid(
    branch: list[tuple[Scenario, dict[str, str]]],
) -> None:
    invalid_on_purpose = {Scenario.ID_INVALID, Scenario.ID_MISSING, Scenario.ID_LEGACY_15}
    checked = 0
    for scenario, row in branch:
        if row["id_type"] == "身份证" and scenario not in invalid_on_purpose:
            assert valid_ric18(row["id_number"]), row
            born = parse_date(row["id_number"][6:14])
            assert date(1935, 1, 1) <= born <= date(2004, 12, 31)
            assert parse_date(row["opened_on"]) >= born  # nobody opens before birth
            checked += 1
    assert checked > 25000


def test_invalid_ids_cover_each_kind_of_fault(
    branch: list[tuple[Scenario, dict[str, str]]],
) -> None:
    bad = [row["id_number"] for s, row in branch if s is Scenario.ID_INVALID]
    kinds = set()
    for number in bad:
        assert not valid_ric18(number) and not valid_ric15(number)
        if len(number) != 18:
            kinds.add("length")
        elif int(number[:2]) not in PROVINCES:
            kinds.add("province")
        elif number[10:14] == "0230":
            kinds.add("30 February")
        elif number[17] != ric.calc_check_digit(number):
            kinds.add("check character")
        else:
            kinds.add("born after base date")
    assert kinds == {"length", "province", "30 February", "check character", "born after base date"}


def test_other_identity_documents_and_institutions(rows: list[dict[str, str]]) -> None:
    id_types = Counter(row["id_type"] for row in rows)
    assert set(id_types) == {"身份证", "护照", "港澳通行证", "台胞证", "营业执照", "其他"}
    institutions = [row for row in rows if row["customer_type"] == "机构"]
    assert len(institutions) > 100
    for row in institutions:
        assert row["id_type"] == "营业执照"
        assert uscc.is_valid(row["id_number"]), row["id_number"]
        assert row["name"].endswith("公司")
    assert {row["customer_type"] for row in rows} == {"个人", "机构"}


def test_names_include_middle_dots_rare_characters_and_romanized(
    rows: list[dict[str, str]],
) -> None:
    names = [row["name"] for row in rows]
    assert sum("·" in name for name in names) > 50
    assert sum(any(c in name for c in "喆堃昇镕") for name in names) > 20
    assert any(any(ord(c) > 0xFFFF for c in name) for name in names)  # beyond the BMP
    assert any(name.isascii() and " " in name for name in names)
    assert all(len(name) <= 12 or name.endswith("公司") for name in names)


def test_phones_come_in_the_punctuation_people_type(rows: list[dict[str, str]]) -> None:
    phones = [row["phone"] for row in rows]
    assert any(p.startswith("+86") for p in phones)
    assert any(p.count("-") == 2 for p in phones)  # 138-1234-5678
    assert any(p.startswith("0731-8") and len(p) == 13 for p in phones)
    assert any(p.startswith("(0") for p in phones)


def test_dormancy_edges_on_both_sides_of_each_limit(
    branch: list[tuple[Scenario, dict[str, str]]],
) -> None:
    cutoff = domain_cutoff(BASE, 3)
    assert cutoff == date(2023, 3, 28)

    def activity(row: dict[str, str]) -> date:
        return parse_date(row["last_trade_on"] or row["opened_on"])

    edge = [row for s, row in branch if s is Scenario.DORMANT_EDGE]
    near = [row for s, row in branch if s is Scenario.NEAR_DORMANT]
    assert any(row["balance"] == "100.00" for row in edge)
    assert any(row["balance"] == "100.01" for row in near)
    assert any(row["last_trade_on"] and activity(row) == cutoff for row in edge)
    assert any(not row["last_trade_on"] and activity(row) == cutoff for row in edge)
    assert any(activity(row).toordinal() == cutoff.toordinal() + 1 for row in near)
    assert any(parse_amount(row["holdings_value"]) > 0 for row in near)


def test_duplicate_ids_come_in_pairs_and_same_customer_pairs_are_not_duplicates(
    branch: list[tuple[Scenario, dict[str, str]]],
) -> None:
    by_id: dict[str, list[tuple[Scenario, str]]] = defaultdict(list)
    for scenario, row in branch:
        if row["id_number"]:
            by_id[norm_id(row["id_number"])].append((scenario, norm_name(row["name"])))
    shared = [holders for holders in by_id.values() if len(holders) > 1]
    assert shared
    for holders in shared:
        assert len(holders) == 2
        scenarios = {s for s, _ in holders}
        assert scenarios in ({Scenario.DUPLICATE_ID}, {Scenario.SAME_CUSTOMER_TWICE}), holders
        names = {n for _, n in holders}
        assert len(names) == (2 if scenarios == {Scenario.DUPLICATE_ID} else 1)


def test_amounts_have_two_decimals_mostly_and_sometimes_separators(
    rows: list[dict[str, str]],
) -> None:
    balances = [row["balance"] for row in rows]
    assert all(parse_amount(b) >= 0 for b in balances)
    two_decimals = sum(len(b.rsplit(".", 1)[-1]) == 2 for b in balances)
    assert two_decimals > len(rows) * 0.95
    assert any("," in b for b in balances)
    dates = [row["opened_on"] for row in rows]
    assert sum(len(d) == 10 and d[4] == "-" for d in dates) > len(rows) * 0.95
    assert any("/" in d for d in dates) and any(len(d) == 8 for d in dates)
    assert all(parse_date(d) < BASE for d in dates)


# --- export files ------------------------------------------------------------------------------


def _read_csv(path: Path, encoding: str, delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_gb18030_export_round_trips(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    path = tmp_path / "demo.csv"
    assert write_export(path, rows) == len(rows)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.split(b"\r\n", 1)[0].decode("gb18030") == ",".join(ZH_HEADERS)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GB18030, not UTF-8 under another name
    table = _read_csv(path, "gb18030")
    assert table[0] == ZH_HEADERS
    assert [dict(zip(FIELDS, line, strict=True)) for line in table[1:]] == rows


def test_utf8_tab_export_round_trips(tmp_path: Path) -> None:
    rows = list(generate_rows(400, seed=3))
    path = tmp_path / "demo.txt"
    assert write_export(path, iter(rows), encoding="utf-8-sig", delimiter="\t") == 400
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = _read_csv(path, "utf-8-sig", "\t")
    assert table[0] == ZH_HEADERS
    assert [dict(zip(FIELDS, line, strict=True)) for line in table[1:]] == rows


def test_xlsx_export_reads_back(tmp_path: Path) -> None:
    rows = list(generate_rows(300, seed=11))
    path = tmp_path / "demo.XLSX"
    assert write_export(path, rows) == 300
    workbook = load_workbook(path, read_only=True)
    sheet = workbook.worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == ZH_HEADERS
    assert len(table) == 301
    back = [
        {f: ("" if v is None else v) for f, v in zip(FIELDS, line, strict=True)}
        for line in table[1:]
    ]
    assert back == rows
    workbook.close()
    # text cells: an ID or a 0-led account number stays as written when edited in Excel
    workbook = load_workbook(path)
    assert workbook.worksheets[0]["A2"].number_format == "@"
    assert workbook.worksheets[0]["A2"].data_type == "s"


# --- cost --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_generation_streams_in_constant_memory() -> None:
    def peak(accounts: int) -> int:
        tracemalloc.start()
        for _ in generate_rows(accounts, seed=1):
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(1000), peak(20000)
    assert large - small < 1_000_000, (small, large)  # a list of rows would take ~20 MB
