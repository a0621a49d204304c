"""Benchmark: read and parse a large GB18030 counter export.

    /work/venv/bin/python bench/bench_reader.py [--rows 1000000] [--xlsx]

Writes a synthetic export (widths like the real samples) to a temporary directory,
then reports, each in its own phase (times are CPU time of this process, so that other work
on a shared machine does not blur them):
- the encoding check alone (the streaming first pass over the whole file);
- ExportReader + parse_row + DuplicateTracker over every row: rows/s;
- parse_row alone on a sample of rows: µs per row;
- the DuplicateTracker's memory for all accounts (tracemalloc);
- peak RSS of the process after the full pass (resource.getrusage).
With --xlsx the export is an .xlsx workbook instead (openpyxl read-only; much slower,
so use fewer rows), with numbers and dates stored as such.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from counter_app.importing.encoding import detect_encoding
from counter_app.importing.parse import DuplicateTracker, ParsedRow, parse_row
from counter_app.importing.reader import ExportReader, RawRow

HEADER = (
    "资金账号,客户姓名,客户类型,证件类型,证件号码,联系电话,联系地址,开户日期,资金余额,持仓市值,"
    "最近交易日期,沪A股东账号,沪A账户姓名,沪A账户证件号码,深A股东账号,深A账户姓名,深A账户证件号码,"
    "存管银行,银行账号,存管状态,纸质档案"
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鑫斌宇浩凯"
    "健俊帆帅旭宁龙林欢阳建国堃䶮"
)
CITIES = ["长沙市天心区", "北京市朝阳区", "上海市徐汇区", "广州市天河区", "大连市中山区"]
STREETS = ["中山路", "韶山北路", "解放西路", "五一大道", "人民东路", "八一路", "建设路"]
BANKS = ["招商银行", "工商银行", "农业银行", "中国银行", "建设银行", "交通银行", ""]
STATUSES = ["未签约", "已签约", "待银行确认", "已确认"]


def _row(rng: random.Random, index: int) -> str:
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
    id_number = f"{rng.choice(('430102', '110105', '310104', '210202'))}{rng.randint(1940, 2003)}"
    id_number += f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 9999):04d}"
    address = (
        f"{rng.choice(CITIES)}{rng.choice(STREETS)}{rng.randint(1, 500)}号"
        f"{rng.randint(1, 30)}栋{rng.randint(100, 2999)}室"
    )
    balance = rng.randint(0, 100_000_000)
    balance_text = f"{balance // 100}.{balance % 100:02d}"
    if index % 10 == 0:
        balance_text = f'"{balance // 100:,}.{balance % 100:02d}"'
    has_sz = index % 3 != 0
    bank = rng.choice(BANKS)
    return ",".join(
        (
            str(10_000_000 + index),
            name,
            "个人",
            "身份证",
            id_number,
            f"1{rng.randint(3000000000, 9999999999)}",
            address,
            f"{rng.randint(1995, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            balance_text,
            f"{rng.randint(0, 500_000_000) / 100:.2f}",
            "" if index % 7 == 0 else f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            f"A{100_000_000 + index}",
            name,
            id_number,
            f"00{10_000_000 + index}" if has_sz else "",
            name if has_sz else "",
            id_number if has_sz else "",
            bank,
            f"6222{rng.randint(10**14, 10**15 - 1)}" if bank else "",
            rng.choice(STATUSES) if bank else "未签约",
            "有",
        )
    )


def write_export(path: Path, rows: int) -> None:
    rng = random.Random(20240101)
    with path.open("w", encoding="gb18030", newline="") as out:
        out.write(HEADER + "\r\n")
        batch: list[str] = []
        for index in range(rows):
            batch.append(_row(rng, index))
            if len(batch) == 10_000:
                out.write("\r\n".join(batch) + "\r\n")
                batch.clear()
        if batch:
            out.write("\r\n".join(batch) + "\r\n")


def write_xlsx(path: Path, rows: int) -> None:
    """Like Excel does: shared strings and a <dimension> (write_only mode writes
    neither, and openpyxl then parses a sheet twice to size it). Run in a child
    process: the normal mode holds every cell in memory."""
    import openpyxl

    rng = random.Random(20240101)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    for index in range(rows):
        (cells,) = csv.reader([_row(rng, index)])
        values: list[object] = list(cells)
        values[0] = int(cells[0])  # capital account stored as a number
        values[7] = dt.date.fromisoformat(cells[7])  # opening date as a date cell
        values[8] = float(cells[8].replace(",", ""))  # balance as a number
        sheet.append(values)
    book.save(path)


def _peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx", action="store_true", help="bench an .xlsx export")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("export.xlsx" if args.xlsx else "export.csv")
        started = time.perf_counter()  # wall: the xlsx is written by a child
        if args.xlsx:
            child = multiprocessing.Process(target=write_xlsx, args=(path, args.rows))
            child.start()
            child.join()
        else:
            write_export(path, args.rows)
        size = path.stat().st_size
        print(
            f"wrote {args.rows:,} rows, {size / 1e6:.1f} MB {path.suffix} "
            f"in {time.perf_counter() - started:.1f} s (wall)"
        )
        print(f"RSS after writing: {_peak_rss_mb():.0f} MB")

        if not args.xlsx:
            with path.open("rb") as stream:
                started = time.process_time()
                encoding = detect_encoding(stream)
                check = time.process_time() - started
            print(
                f"encoding check (first pass): {encoding}, {check:.2f} s, "
                f"{size / 1e6 / check:.0f} MB/s"
            )

        started = time.process_time()
        tracker = DuplicateTracker()
        good = bad = 0
        with ExportReader.open(path) as reader:
            opened = time.process_time() - started
            for raw in reader:
                parsed = parse_row(raw)
                if isinstance(parsed, ParsedRow):
                    good += 1
                    if tracker.see(parsed.capital_account, parsed.line_no) is not None:
                        bad += 1
                else:
                    bad += 1
        total = time.process_time() - started
        print(
            f"open (csv: incl. encoding check) {opened:.2f} s; full pass {total:.2f} s: "
            f"{args.rows / total:,.0f} rows/s ({total / args.rows * 1e6:.1f} µs/row), "
            f"{good:,} good, {bad:,} bad"
        )
        print(f"peak RSS after the full pass: {_peak_rss_mb():.0f} MB")

        started = time.process_time()
        with ExportReader.open(path) as reader:
            count = sum(1 for _ in reader)
        read_only = time.process_time() - started
        print(f"reader alone: {read_only:.2f} s, {read_only / count * 1e6:.1f} µs/row")

        sample: list[RawRow] = []
        with ExportReader.open(path) as reader:
            for raw in reader:
                sample.append(raw)
                if len(sample) == 100_000:
                    break
    started = time.process_time()
    for raw in sample:
        parse_row(raw)
    per_row = (time.process_time() - started) / len(sample)
    print(f"parse_row alone: {per_row * 1e6:.2f} µs/row ({len(sample):,} rows)")
    del sample

    del tracker
    tracemalloc.start()
    tracker = DuplicateTracker()
    for index in range(args.rows):
        tracker.see(str(10_000_000 + index), index + 2)
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"DuplicateTracker with {len(tracker):,} accounts: {current / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
