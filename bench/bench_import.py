"""Import speed and memory, measured as a person runs it: a whole `counter-app import` process.

    python bench/bench_import.py --accounts 30432            # the seed branch's size
    python bench/bench_import.py --accounts 1000000 --floor  # and the plain-sqlite3 floor

For each size: generates the demo branch as a GB18030 counter export (once, cached in
bench/out/), imports it into a fresh SQLite file with the real command line, and reports
wall time and the child's peak RSS. With --floor it also times the same file decoded and
inserted by plain sqlite3 executemany with no checks: what any import costs at least.
Then it times `report stats` and `find` on the imported database.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
CLI = [sys.executable, "-m", "counter_app.cli.main"]


def ensure_export(accounts: int) -> Path:
    path = OUT / f"demo-{accounts}.csv"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        print(f"generating {path.name} ...", file=sys.stderr)
        subprocess.run(
            [*CLI, "demo", "--accounts", str(accounts), "--export", str(path)], check=True
        )
    return path


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _children_cpu() -> float:
    """CPU seconds (user + system) of every reaped descendant of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(args: list[str]) -> tuple[float, int, float]:
    """Wall seconds, the peak of the summed RSS (KiB) of the child and its workers, and
    their CPU seconds: on a machine shared with other work the CPU time is the steadier
    figure (the reading process is reaped by the child, so its time is counted too)."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_kib(process.pid))
        time.sleep(0.25)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{args} failed with exit code {process.returncode}")
    return elapsed, peak, _children_cpu() - cpu_before


def floor_import(path: Path, db_path: Path) -> float:
    """Decode the same file and insert its rows with plain sqlite3: no checks, no ORM."""
    db_path.unlink(missing_ok=True)
    start = time.perf_counter()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    with path.open(encoding="gb18030", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        cols = ", ".join(f"c{i}" for i in range(len(header)))
        conn.execute(f"CREATE TABLE raw ({cols})")
        marks = ", ".join("?" * len(header))
        conn.executemany(f"INSERT INTO raw VALUES ({marks})", reader)
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def time_finds(db_url: str, path: Path, samples: int = 200) -> dict[str, float]:
    """p99 (ms) of find_accounts in-process per key kind, on a warm connection."""
    from counter_app.db.engine import Database
    from counter_app.services.lookup import find_accounts

    rng = random.Random(1)
    keys: dict[str, list[str]] = {
        "capital_account": [],
        "id_number": [],
        "securities": [],
        "phone": [],
        "name": [],
    }
    with path.open(encoding="gb18030", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    for r in rng.sample(rows, min(samples, len(rows))):
        keys["capital_account"].append(r[0])
        keys["name"].append(r[1])
        if r[4]:
            keys["id_number"].append(r[4])
        if r[5]:
            keys["phone"].append(r[5])
        if r[11]:
            keys["securities"].append(r[11])
    db = Database(db_url)
    result = {}
    with db.read() as session:
        find_accounts(session, "warm-up")
        for kind, values in keys.items():
            times = []
            for value in values:
                start = time.perf_counter()
                find_accounts(session, value)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            result[kind] = times[max(0, int(len(times) * 0.99) - 1)]
    db.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=30432)
    parser.add_argument("--floor", action="store_true")
    args = parser.parse_args()
    path = ensure_export(args.accounts)
    db_path = OUT / f"bench-{args.accounts}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    url = f"sqlite:///{db_path}"
    subprocess.run([*CLI, "init-db", "--db", url], check=True, stdout=subprocess.DEVNULL)
    elapsed, peak_kib, cpu = run_child(
        [*CLI, "import", str(path), "--base-date", "2026-03-28", "--db", url]
    )
    print(
        f"import {args.accounts:,} accounts (GB18030 CSV, whole process): {elapsed:.2f} s, "
        f"peak RSS {peak_kib / 1024:.0f} MiB, CPU {cpu:.2f} s "
        f"({cpu / args.accounts * 1e6:.1f} µs a row, both processes)"
    )
    if args.floor:
        floor = floor_import(path, OUT / "floor.sqlite3")
        print(
            f"floor (csv decode + sqlite3 executemany, no checks): {floor:.2f} s; "
            f"ratio {elapsed / floor:.1f}x"
        )
    stats_times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(
            [*CLI, "report", "stats", "--format", "json", "--db", url],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        stats_times.append(time.perf_counter() - start)
    print(f"report stats, whole process: median {statistics.median(stats_times):.2f} s")
    from counter_app.db.engine import Database
    from counter_app.services.stats import stats_report

    db = Database(url)
    with db.read() as session:
        start = time.perf_counter()
        stats_report(session)
        print(f"stats_report query alone: {time.perf_counter() - start:.3f} s")
    db.dispose()
    for kind, p99 in time_finds(url, path).items():
        print(f"find by {kind}: p99 {p99:.2f} ms")
    print(f"machine: {os.cpu_count()} cores, {sys.platform}, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
