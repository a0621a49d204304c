"""Many clerks on one PostgreSQL server: step latency and throughput.

    python bench/bench_shared_db.py                       # 20 clerks, 1,000 cases
    python bench/bench_shared_db.py --clerks 8 --cases 400

Creates a scratch database on the local server (``$COUNTER_APP_TEST_PG``, default the
trust-auth postgres@127.0.0.1), loads accounts and clerks, then starts one process per
clerk (bench/clerk_sim.py): each opens cases and moves them through data filling,
signing, audit and bank posting until all are DONE. Every call of the service layer
is one "case step" (open, claim, save, forward, sign, approve, confirm), timed in the
clerk's process from call to return. Reports the median and tail latency per step
and overall, and total steps per second over the run's wall time (from the moment all
clerks, signed in, start together); checks that every case is DONE and the audit
chain verifies. The target (issue "shared database"): median step <= 50 ms and >= 200
steps/s with 20 clerks.

``--think-ms`` is the time a clerk spends between two steps (reading the screen,
typing). The target's own numbers imply one: 200 steps/s from 20 clerks is one step
per clerk every 100 ms, of which a 50 ms step leaves 50 ms. With ``--think-ms 0``
the clerks never pause, the run is a saturation test, and by Little's law the median
step is about 20 / (steps per second): both figures are printed in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.clerk_sim import account_numbers, hall_posts, prepare_branch, run_clerks
from counter_app.db.engine import Database
from counter_app.db.models import Case
from counter_app.db.schema import init_db
from counter_app.services.audit import verify_chain

ADMIN_URL = os.environ.get(
    "COUNTER_APP_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with create_engine(ADMIN_URL).connect() as conn:
        server = conn.execute(text("SHOW server_version")).scalar_one()
    return f"{os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, PostgreSQL {server}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clerks", type=int, default=20)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument(
        "--accounts", type=int, default=30432, help="accounts in the branch (the seed's size)"
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=50,
        help="a clerk's pause between steps (0: never pause, a saturation test)",
    )
    parser.add_argument(
        "--hall",
        action="store_true",
        help="seat each clerk at one post, in proportion to the posts' work (20 clerks: "
        "2 diversion, 6 data filling, 4 signing, 4 audit, 4 bank posting); by default "
        "every clerk works at every post",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    name = f"ca_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        db = Database(url)
        init_db(db)
        clerks = prepare_branch(db, args.cases, args.clerks, args.accounts)
        print(
            f"{_machine()}\n{args.clerks} clerks, {args.cases} cases, {args.accounts} "
            f"accounts, {args.think_ms:g} ms between a clerk's steps, "
            f"{'each clerk at one post' if args.hall else 'every clerk at every post'}; "
            "running...",
            flush=True,
        )
        reports = run_clerks(
            url,
            clerks,
            account_numbers(args.cases),
            think_s=args.think_ms / 1000,
            posts=hall_posts(args.clerks) if args.hall else None,
        )
        # from the moment all clerks, signed in, start together to the last one's end
        wall = max(r.wall_s for r in reports)
        errors = [e for r in reports for e in r.errors]
        if errors:
            print("errors:\n" + "\n".join(errors[:3]), file=sys.stderr)
            return 1
        by_kind: dict[str, list[float]] = defaultdict(list)
        for report in reports:
            for _, step, seconds in report.steps:
                by_kind[step.split(":")[0]].append(seconds)
        every = [s for values in by_kind.values() for s in values]
        retries = sum(sum(r.retries.values()) for r in reports)
        print(f"\n{'step':<10}{'count':>8}{'median ms':>11}{'p90 ms':>9}{'p99 ms':>9}")
        for kind in ("open", "claim", "save", "forward", "sign", "approve", "confirm"):
            values = by_kind.get(kind, [])
            if values:
                print(
                    f"{kind:<10}{len(values):>8}{statistics.median(values) * 1e3:>11.1f}"
                    f"{_percentile(values, 0.9) * 1e3:>9.1f}{_percentile(values, 0.99) * 1e3:>9.1f}"
                )
        median_ms = statistics.median(every) * 1e3
        rate = len(every) / wall
        print(
            f"{'all':<10}{len(every):>8}{median_ms:>11.1f}{_percentile(every, 0.9) * 1e3:>9.1f}"
            f"{_percentile(every, 0.99) * 1e3:>9.1f}"
        )
        empty = sum(r.empty_claims for r in reports)
        client_cpu = sum(r.cpu_s for r in reports)
        print(
            f"\nclerk processes' CPU: {client_cpu:.1f} s in all, "
            f"{client_cpu / len(every) * 1e3:.2f} ms per step (with their queue polls and "
            "empty claims)"
        )
        print(
            f"\n{len(every)} steps in {wall:.1f} s: {rate:.0f} steps/s; {retries} retried; "
            f"{empty} claims found an empty queue (not counted as steps)"
        )
        with db.read() as session:
            done = session.execute(select(func.count()).where(Case.state == "DONE")).scalar_one()
            checked, broken = verify_chain(session)
        print(
            f"cases DONE: {done}/{args.cases}; audit chain: {checked} entries, "
            f"{'intact' if broken is None else f'BROKEN at {broken.entry_id}'}"
        )
        ok = done == args.cases and broken is None
        print(
            f"target (median <= 50 ms, >= 200 steps/s): "
            f"{'met' if median_ms <= 50 and rate >= 200 else 'NOT met'}"
        )
        db.dispose()
        return 0 if ok else 1
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
