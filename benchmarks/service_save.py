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

Both sides are measured in their steady state. A WAL database's first 1,000 pages extend the
-wal file, and a commit that extends a file flushes its size too: on this VM that made the bare
insert 0.30–0.36 ms until its first checkpoint and 0.17–0.21 ms after it, when the -wal file is
reused (figures before 2026-12-01 21:00 compared the service's steady ledger with a bare
database still growing). So the bare database is filled past its first checkpoint and the
ledger past its own before timing starts.

A third side, measured in the same run, is the floor of any HTTP+JSON service on this machine:
an aiohttp application on a Unix socket in its own process whose handler parses the same JSON,
does the bare durable insert and answers a small JSON view, called through the terminal's own
client (`kiosk.client.Client`). The service's save is printed against it too: that ratio is what
the service adds (sessions, checks, fold, the signed checkpoint, the heads file) to the cheapest
acknowledged save a client of another process can have.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.session_helpers import make_setup  # noqa: E402

#: warm-up counts: past the first WAL checkpoint of each side (1,000 pages)
WARM_BARE = 1_100
WARM_API = 300


def bare_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)")
    return conn


def insert(conn: sqlite3.Connection, body: str) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t (body) VALUES (?)", (body,))
    conn.execute("COMMIT")


def bare_insert(conn: sqlite3.Connection, i: int) -> float:
    start = time.perf_counter()
    insert(conn, f'{{"response":"v{i}"}}')
    return time.perf_counter() - start


def floor_server(sock: str, db: str) -> None:
    """The cheapest HTTP+JSON durable save: parse, insert, answer (no sessions, no signing)."""
    import json

    from aiohttp import web

    conn = bare_db(Path(db))
    for i in range(WARM_BARE):
        insert(conn, f"warm {i}")

    async def save(request: web.Request) -> web.Response:
        data = await request.json()
        insert(conn, json.dumps(data))
        return web.json_response({"view": {"status": "in_progress",
                                           "answers": {data["item"]: data["response"]}}})

    app = web.Application()
    app.router.add_post("/v1/save", save)
    web.run_app(app, path=sock, print=None, access_log=None)


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 100")
    parser.add_argument("--verbose", action="store_true", help="print each round")
    args = parser.parse_args()
    if args.quick:
        args.saves, args.rounds = 100, 3
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-save-"))
    # Started first, before this process has threads (it forks).
    floor_sock = tmp / "floor.sock"
    floor = multiprocessing.Process(target=floor_server, args=(str(floor_sock), str(tmp / "floor.db")),
                                    daemon=True)
    floor.start()

    from kiosk.client import Client, RemoteSession
    from kiosk.service.spawn import start_service

    s = make_setup(tmp)
    service = start_service(s.centre.path, tmp / "svc.sock", log=tmp / "service.log")
    try:
        session = RemoteSession.login(service.path, "C1", s.code, seat="bench")
        session.start()
        key = session.parts[0].items[0].key
        conn = bare_db(tmp / "bare.db")
        deadline = time.monotonic() + 30
        while not floor_sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        plain = Client(floor_sock)
        # Warm-up into the steady state (above): the bare database writes one WAL page per
        # insert and checkpoints at 1,000; the ledger ~5 pages per save.
        for i in range(WARM_BARE):
            bare_insert(conn, i)
        for i in range(WARM_API):
            session.save_answer(key, i % 2 == 0)
            plain.request("POST", "/v1/save", {"item": key, "response": i % 2 == 0})
        load0 = os.getloadavg()[0]
        sides: dict[str, list[float]] = {"bare": [], "floor": [], "api": []}
        n = 0
        for _ in range(args.rounds):
            got: dict[str, list[float]] = {side: [] for side in sides}
            for _ in range(args.saves):
                n += 1
                got["bare"].append(bare_insert(conn, n))
                answer = n % 2 == 0
                got["floor"].append(timed(lambda a=answer: plain.request(
                    "POST", "/v1/save", {"item": key, "response": a})))
                got["api"].append(timed(lambda a=answer: session.save_answer(key, a)))
            for side, xs in got.items():
                sides[side].append(statistics.median(xs))
            if args.verbose:
                b, f, a = (sides[x][-1] * 1000 for x in ("bare", "floor", "api"))
                print(f"  round {len(sides['bare'])}: bare {b:.3f} ms, HTTP floor {f:.3f} ms "
                      f"({f / b:.2f}×), save {a:.3f} ms ({a / b:.2f}×, {a / f:.2f}× the floor)")
        conn.close()
        session.close()
        plain.close()
    finally:
        service.stop()
        floor.terminate()
        floor.join(10)
    med = {side: statistics.median(xs) for side, xs in sides.items()}

    def spread(xs: list[float]) -> str:
        return f"{min(xs) * 1000:.2f}–{max(xs) * 1000:.2f}"

    def round_ratios(top: str, bottom: str) -> str:
        rs = [t / b for t, b in zip(sides[top], sides[bottom], strict=True)]
        return f"rounds {min(rs):.2f}–{max(rs):.2f}, median {statistics.median(rs):.2f}×"

    print(f"bare durable SQLite insert: median {med['bare'] * 1000:.2f} ms "
          f"(round medians {spread(sides['bare'])})")
    print(f"HTTP floor (aiohttp service doing only the bare insert): median "
          f"{med['floor'] * 1000:.2f} ms (round medians {spread(sides['floor'])}); "
          f"{med['floor'] / med['bare']:.2f}× the bare insert ({round_ratios('floor', 'bare')})")
    print(f"acknowledged save through the service: median {med['api'] * 1000:.2f} ms "
          f"(round medians {spread(sides['api'])}); "
          f"{med['api'] / med['floor']:.2f}× the HTTP floor ({round_ratios('api', 'floor')})")
    print(f"ratio: {med['api'] / med['bare']:.2f}× the bare insert ({round_ratios('api', 'bare')}; "
          f"target ≤ 3×); {args.rounds} rounds of {args.saves}, alternating; load average "
          f"{load0:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
