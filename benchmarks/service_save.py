"""One terminal's durable, acknowledged save through the centre service, against a bare durable
SQLite insert on the same disk, measured in the same run.

    python benchmarks/service_save.py [--saves 300] [--rounds 3]

Bare insert: one row per transaction into a WAL database with synchronous=FULL (the ledger's
settings): the floor any durable save pays. API save: `RemoteSession.save_answer` with a new
response each time, i.e. HTTP over the Unix socket, the service's fold and checks, the event
append, a signed checkpoint and the COMMIT, then the reply. Medians per round; the figure is the
median of the rounds' medians, with their spread. Target: ratio ≤ 3×.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.session_helpers import make_setup  # noqa: E402


def bare_inserts(path: Path, n: int) -> list[float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)")
    out = []
    for i in range(n):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", (f'{{"response":"v{i}"}}',))
        conn.execute("COMMIT")
        out.append(time.perf_counter() - start)
    conn.close()
    return out


def api_saves(session: object, key: str, n: int, offset: int) -> list[float]:
    out = []
    for i in range(n):
        start = time.perf_counter()
        session.save_answer(key, (offset + i) % 2 == 0)  # type: ignore[attr-defined]
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from kiosk.client import RemoteSession
    from kiosk.service.spawn import start_service

    tmp = Path(tempfile.mkdtemp(prefix="kiosk-save-"))
    s = make_setup(tmp)
    service = start_service(s.centre.path, tmp / "svc.sock", log=tmp / "service.log")
    try:
        session = RemoteSession.login(service.path, "C1", s.code, seat="bench")
        session.start()
        key = session.parts[0].items[0].key
        api_saves(session, key, 20, 1)  # warm-up
        bare_r, api_r = [], []
        for r in range(args.rounds):
            bare_r.append(statistics.median(bare_inserts(tmp / "bare.db", args.saves)))
            api_r.append(statistics.median(api_saves(session, key, args.saves, r)))
        session.close()
    finally:
        service.stop()
    b, a = statistics.median(bare_r), statistics.median(api_r)

    def spread(xs: list[float]) -> str:
        return f"{min(xs) * 1000:.2f}–{max(xs) * 1000:.2f}"

    print(f"bare durable SQLite insert: median {b * 1000:.2f} ms (round medians {spread(bare_r)})")
    print(f"acknowledged save through the service: median {a * 1000:.2f} ms "
          f"(round medians {spread(api_r)})")
    print(f"ratio: {a / b:.2f}× (target ≤ 3×); {args.rounds} rounds of {args.saves}")


if __name__ == "__main__":
    main()
