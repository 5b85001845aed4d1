"""One terminal's durable, acknowledged save through the centre service, against a bare durable
SQLite insert on the same disk, measured in the same run.

    python benchmarks/service_save.py [--saves 300] [--rounds 5]
    python benchmarks/service_save.py --quick      # 3 rounds of 100

Bare insert: one row per transaction into a WAL database with synchronous=FULL (the ledger's
settings): the floor any durable save pays. API save: `RemoteSession.save_answer` with a new
response each time, i.e. HTTP over the Unix socket, the service's fold and checks, the event
append, a signed checkpoint and the COMMIT, then the reply. The two alternate save by save (a
shared machine's load swings within seconds; both sides see the same swings). Medians per round;
the figure is the median of the rounds' medians, with their spread, and the median of the
rounds' ratios. Target: ratio ≤ 3×.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.session_helpers import make_setup  # noqa: E402


def bare_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)")
    return conn


def bare_insert(conn: sqlite3.Connection, i: int) -> float:
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t (body) VALUES (?)", (f'{{"response":"v{i}"}}',))
    conn.execute("COMMIT")
    return time.perf_counter() - start


def api_save(session: object, key: str, i: int) -> float:
    start = time.perf_counter()
    session.save_answer(key, i % 2 == 0)  # type: ignore[attr-defined]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 100")
    args = parser.parse_args()
    if args.quick:
        args.saves, args.rounds = 100, 3
    from kiosk.client import RemoteSession
    from kiosk.service.spawn import start_service

    tmp = Path(tempfile.mkdtemp(prefix="kiosk-save-"))
    s = make_setup(tmp)
    service = start_service(s.centre.path, tmp / "svc.sock", log=tmp / "service.log")
    try:
        session = RemoteSession.login(service.path, "C1", s.code, seat="bench")
        session.start()
        key = session.parts[0].items[0].key
        conn = bare_db(tmp / "bare.db")
        for i in range(20):  # warm-up
            api_save(session, key, i)
            bare_insert(conn, i)
        load0 = os.getloadavg()[0]
        bare_r, api_r, ratios = [], [], []
        n = 0
        for _ in range(args.rounds):
            bare, api = [], []
            for _ in range(args.saves):
                n += 1
                bare.append(bare_insert(conn, n))
                api.append(api_save(session, key, n))
            bare_r.append(statistics.median(bare))
            api_r.append(statistics.median(api))
            ratios.append(api_r[-1] / bare_r[-1])
        conn.close()
        session.close()
    finally:
        service.stop()
    b, a = statistics.median(bare_r), statistics.median(api_r)

    def spread(xs: list[float]) -> str:
        return f"{min(xs) * 1000:.2f}–{max(xs) * 1000:.2f}"

    print(f"bare durable SQLite insert: median {b * 1000:.2f} ms (round medians {spread(bare_r)})")
    print(f"acknowledged save through the service: median {a * 1000:.2f} ms "
          f"(round medians {spread(api_r)})")
    print(f"ratio: {a / b:.2f}× (round ratios {min(ratios):.2f}–{max(ratios):.2f}, median "
          f"{statistics.median(ratios):.2f}×; target ≤ 3×); {args.rounds} rounds of {args.saves}, "
          f"alternating; load average {load0:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
