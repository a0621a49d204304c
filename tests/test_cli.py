"""The command line as a person uses it: exit codes, messages, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from counter_app.cli.main import main
from tests.helpers import row, write_csv


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_report_find_flag_export(capsys, db_url, sample_utf8, tmp_path):
    code, out, _ = run(
        capsys, "import", str(sample_utf8), "--base-date", "2026-03-28", "--db", db_url
    )
    assert code == 0 and "new" in out and "26" in out
    code, out, _ = run(capsys, "import", str(sample_utf8), "--db", db_url)
    assert code == 0 and "nothing changed" in out

    code, out, _ = run(
        capsys, "report", "stats", "--format", "json", "--as-of", "2026-04-01", "--db", db_url
    )
    doc = json.loads(out)
    assert code == 0 and list(doc) == ["base_date", "as_of", "rows"]
    assert doc["rows"][-1]["class"] == "TOTAL"
    assert doc["rows"][-1]["base"]["capital_accounts"] == 26

    code, out, _ = run(capsys, "report", "stats", "--db", db_url)
    assert "合格已存管" in out and "合计" in out
    code, out, _ = run(capsys, "report", "stats", "--lang", "en", "--db", db_url)
    assert "Total" in out

    code, out, _ = run(capsys, "find", "赵秀杰", "--format", "json", "--db", db_url)
    [found] = json.loads(out)
    assert found["capital_account"] == "10000337"
    assert "PHONE_INVALID" in found["reasons"]

    code, out, _ = run(
        capsys,
        "flag",
        "10000371",
        "--reason",
        "AGENCY_IMPROPER",
        "--note",
        "代理关系不规范",
        "--operator",
        "wang",
        "--db",
        db_url,
    )
    assert code == 0 and "UNQUALIFIED_OTHER" in out
    code, out, _ = run(capsys, "unflag", "10000371", "--note", "已补授权", "--db", db_url)
    assert code == 0 and "QUALIFIED_DEPOSITED" in out

    target = tmp_path / "dormant.csv"
    code, _, err = run(
        capsys,
        "export",
        "accounts",
        "--class",
        "DORMANT_SMALL",
        "--format",
        "csv",
        "--out",
        str(target),
        "--db",
        db_url,
    )
    assert code == 0 and target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "7 accounts" in err

    code, out, _ = run(capsys, "audit", "verify", "--db", db_url)
    assert code == 0 and "intact" in out


def test_refused_import_names_rows_and_exits_non_zero(capsys, db_url, tmp_path):
    bad = write_csv(tmp_path / "bad.csv", [row(opened_on="yesterday")])
    code, _, err = run(capsys, "import", str(bad), "--db", db_url)
    assert code != 0
    assert "line 2, opened_on (开户日期), value 'yesterday'" in err
    assert "nothing was imported" in err


def test_stats_formats_to_files(capsys, db_url, sample_utf8, tmp_path):
    run(capsys, "import", str(sample_utf8), "--base-date", "2026-03-28", "--db", db_url)
    for fmt in ("csv", "xlsx", "json", "table"):
        out = tmp_path / f"stats.{fmt}"
        code, _, _ = run(
            capsys, "report", "stats", "--format", fmt, "--out", str(out), "--db", db_url
        )
        assert code == 0 and out.stat().st_size > 0
    lines = (tmp_path / "stats.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("class,base_capital_accounts")
    assert lines[-1].startswith("TOTAL,26,41,26,41,0,0")


def test_unknown_account_and_missing_file_are_clean_errors(capsys, db_url, tmp_path):
    code, _, err = run(
        capsys, "flag", "99999999", "--reason", "OTHER", "--note", "x", "--db", db_url
    )
    assert code == 3 and "no capital account" in err
    code, _, err = run(capsys, "import", str(tmp_path / "missing.csv"), "--db", db_url)
    assert code != 0 and "Traceback" not in err


def test_default_database_is_a_local_file_in_the_user_data_folder(capsys, sample_utf8):
    code, _, _ = run(capsys, "import", str(sample_utf8), "--base-date", "2026-03-28")
    assert code == 0
    from counter_app.db.engine import default_sqlite_path

    assert default_sqlite_path().exists()
    assert "pytest" in str(default_sqlite_path()) or "tmp" in str(default_sqlite_path())


def test_demo_export_then_import(capsys, db_url, tmp_path: Path):
    target = tmp_path / "demo.csv"
    code, _, _ = run(capsys, "demo", "--accounts", "400", "--seed", "7", "--export", str(target))
    assert code == 0
    code, out, _ = run(capsys, "import", str(target), "--base-date", "2026-03-28", "--db", db_url)
    assert code == 0 and "400" in out


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_find_nothing_exits_1(capsys, db_url, fmt):
    code, _, _ = run(capsys, "find", "nobody", "--format", fmt, "--db", db_url)
    assert code == 1


def test_db_option_before_or_after_the_subcommand(capsys, tmp_path):
    for where, args in (
        ("before", ["--db", str(tmp_path / "before.sqlite3"), "init-db"]),
        ("after", ["init-db", "--db", str(tmp_path / "after.sqlite3")]),
    ):
        code, out, _ = run(capsys, *args)
        assert code == 0 and f"{where}.sqlite3" in out
        assert (tmp_path / f"{where}.sqlite3").exists()


def test_settings_are_checked_and_audited(capsys, db_url):
    code, _, err = run(capsys, "settings", "set", "dormant_years", "0", "--db", db_url)
    assert code == 2 and "whole number from 1 to 20" in err
    code, out, _ = run(capsys, "settings", "set", "branch_name", "八一路营业部", "--db", db_url)
    assert code == 0
    code, out, _ = run(capsys, "settings", "show", "--db", db_url)
    assert "branch_name = 八一路营业部" in out
    code, out, _ = run(capsys, "audit", "verify", "--db", db_url)
    assert code == 0 and "1 entries" in out


def test_print_agreement_labels_and_find_by_agreement_number(capsys, db_url, sample_utf8, tmp_path):
    run(capsys, "import", str(sample_utf8), "--base-date", "2026-03-28", "--db", db_url)
    out_pdf = tmp_path / "agreement.pdf"
    code, out, _ = run(
        capsys, "print", "agreement", "10000371", "--out", str(out_pdf), "--db", db_url
    )
    assert code == 0 and out_pdf.read_bytes().startswith(b"%PDF")
    number = out.split()[1]
    assert number.startswith("TA")
    code, out, _ = run(capsys, "find", number, "--format", "json", "--db", db_url)
    assert json.loads(out)[0]["capital_account"] == "10000371"
    # no bank on record: refused, and no agreement number is used up
    code, _, err = run(
        capsys, "print", "agreement", "10000406", "--out", str(tmp_path / "x.pdf"), "--db", db_url
    )
    assert code == 4 and "no depository bank" in err
    assert not (tmp_path / "x.pdf").exists()
    labels = tmp_path / "labels.pdf"
    code, _, err = run(
        capsys, "print", "labels", "--class", "DORMANT_SMALL", "--out", str(labels), "--db", db_url
    )
    assert code == 0 and "7 labels" in err
    code, _, err = run(capsys, "print", "labels", "99999999", "--out", str(labels), "--db", db_url)
    assert code == 3


def test_find_masks_numbers_unless_full_which_is_audited(capsys, db_url, sample_utf8):
    run(capsys, "import", str(sample_utf8), "--base-date", "2026-03-28", "--db", db_url)
    code, out, _ = run(capsys, "find", "10000371", "--format", "json", "--db", db_url)
    assert code == 0
    [view] = json.loads(out)
    assert view["id_number"] == "430102********4910"
    assert view["bank_account"] == "622252*********9950"
    assert view["securities"][0]["holder_id_number"] == "430102********4910"
    _, out, _ = run(capsys, "audit", "verify", "--db", db_url)
    entries_before = int(out.split()[3].replace(",", ""))
    _, out, _ = run(
        capsys, "find", "10000371", "--format", "json", "--full", "--operator", "it", "--db", db_url
    )
    [view] = json.loads(out)
    assert view["id_number"] == "430102199512274910"
    code, out, _ = run(capsys, "audit", "verify", "--db", db_url)
    assert code == 0
    assert int(out.split()[3].replace(",", "")) == entries_before + 1
