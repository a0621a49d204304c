"""How the command line shows results: summaries, refused rows, the statistics table."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import asdict
from pathlib import Path

from openpyxl import Workbook

from counter_app.cli.output import render_table
from counter_app.domain.codes import AccountClass, DepositoryStatus
from counter_app.domain.reason_text import CLASS_TEXT, DEPOSITORY_TEXT, REASON_TEXT
from counter_app.importing.columns import COLUMN_BY_NAME
from counter_app.services.importer import ImportRefused, ImportSummary
from counter_app.services.lookup import AccountView
from counter_app.services.stats import TOTAL, StatsReport

MAX_ERRORS_SHOWN = 200


def print_import_summary(summary: ImportSummary) -> None:
    print(f"imported {summary.source_name} (base date {summary.base_date.isoformat()})")
    print(f"  rows read   {summary.rows_read:>10,}")
    print(f"  new         {summary.new:>10,}")
    print(f"  updated     {summary.updated:>10,}")
    print(f"  unchanged   {summary.unchanged:>10,}")
    if summary.changed_nothing and summary.rows_read:
        print("  nothing changed: every row is already in the database as it is in the file")
    print("  per class:")
    for cls in AccountClass:
        label = f"{cls.value} ({CLASS_TEXT[cls][0]})"
        print(f"    {label:<40} {summary.per_class.get(cls.value, 0):>10,}")
    if summary.unknown_columns:
        print("  unknown columns (ignored): " + ", ".join(summary.unknown_columns))


def print_import_errors(refused: ImportRefused, path: Path) -> None:
    out = sys.stderr
    print(f"counter-app: {path.name} was refused; nothing was imported.", file=out)
    print(
        f"{len(refused.errors)} problem(s) in {refused.rows_read:,} row(s). "
        "Fix them in the file and import it again:",
        file=out,
    )
    for err in refused.errors[:MAX_ERRORS_SHOWN]:
        column = COLUMN_BY_NAME.get(err.column)
        label = column.label if column else err.column
        print(f"  line {err.line_no}, {label}, value {err.value!r}: {err.message}", file=out)
    hidden = len(refused.errors) - MAX_ERRORS_SHOWN
    if hidden > 0:
        print(f"  ... and {hidden} more (use the GUI or --format json to see all)", file=out)


STATS_HEADERS = {
    "zh": [
        "类别",
        "基准日资金账户",
        "基准日证券账户",
        "当前资金账户",
        "当前证券账户",
        "资金账户变化",
        "证券账户变化",
    ],
    "en": [
        "Class",
        "Base capital",
        "Base securities",
        "Current capital",
        "Current securities",
        "Change capital",
        "Change securities",
    ],
}


def _class_label(name: str, lang: str) -> str:
    if name == TOTAL:
        return "合计" if lang == "zh" else "Total"
    zh, en = CLASS_TEXT[AccountClass(name)]
    return zh if lang == "zh" else en


def _signed(n: int) -> str:
    return f"{n:+,}" if n else "0"


def stats_rows(report: StatsReport, lang: str) -> list[list[str]]:
    return [
        [
            _class_label(row.account_class, lang),
            f"{row.base.capital_accounts:,}",
            f"{row.base.securities_accounts:,}",
            f"{row.current.capital_accounts:,}",
            f"{row.current.securities_accounts:,}",
            _signed(row.change.capital_accounts),
            _signed(row.change.securities_accounts),
        ]
        for row in report.rows
    ]


def stats_table_text(report: StatsReport, lang: str) -> str:
    if lang == "zh":
        title = (
            f"账户规范统计表（基准日 {report.base_date.isoformat()}，"
            f"统计日 {report.as_of.isoformat()}）"
        )
    else:
        title = (
            f"Account standardization statistics (base date {report.base_date.isoformat()}, "
            f"as of {report.as_of.isoformat()})"
        )
    table = render_table(STATS_HEADERS[lang], stats_rows(report, lang), ["<"] + [">"] * 6)
    return f"{title}\n\n{table}\n"


def write_stats(report: StatsReport, fmt: str, out: Path | None, lang: str) -> None:
    if fmt == "xlsx":
        if out is None:
            raise SystemExit("counter-app: --format xlsx needs --out FILE")
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "stats"
        sheet.append(["class", *STATS_HEADERS[lang][1:]])
        for row in report.rows:
            sheet.append(
                [
                    row.account_class,
                    row.base.capital_accounts,
                    row.base.securities_accounts,
                    row.current.capital_accounts,
                    row.current.securities_accounts,
                    row.change.capital_accounts,
                    row.change.securities_accounts,
                ]
            )
        sheet.append([])
        sheet.append(["base_date", report.base_date.isoformat()])
        sheet.append(["as_of", report.as_of.isoformat()])
        book.save(out)
        return
    if fmt == "json":
        text = json.dumps(report.as_dict(), ensure_ascii=False) + "\n"
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            [
                "class",
                "base_capital_accounts",
                "base_securities_accounts",
                "current_capital_accounts",
                "current_securities_accounts",
                "change_capital_accounts",
                "change_securities_accounts",
            ]
        )
        for row in report.rows:
            writer.writerow(
                [
                    row.account_class,
                    row.base.capital_accounts,
                    row.base.securities_accounts,
                    row.current.capital_accounts,
                    row.current.securities_accounts,
                    row.change.capital_accounts,
                    row.change.securities_accounts,
                ]
            )
        text = buffer.getvalue()
    else:
        text = stats_table_text(report, lang)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")


def print_accounts(found: list[AccountView], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([asdict(v) for v in found], ensure_ascii=False, indent=2, default=str))
        return
    if not found:
        print("no account found", file=sys.stderr)
        return
    for view in found:
        cls_zh = CLASS_TEXT[view.account_class][0]
        dep_zh = DEPOSITORY_TEXT[DepositoryStatus(view.depository_status)][0]
        print(
            f"{view.capital_account}  {view.name}  {view.account_class.value} ({cls_zh})  "
            f"depository {view.depository_status.value} ({dep_zh})  [matched by {view.matched_by}]"
        )
        print(f"    ID {view.id_type} {view.id_number}   phone {view.phone}")
        print(f"    address {view.address}")
        for sec in view.securities:
            print(f"    {sec.market} {sec.account_no}  {sec.holder_name}  {sec.holder_id_number}")
        for reason in view.reasons:
            print(f"    - {reason.value}: {REASON_TEXT[reason][0]}")
