"""Ledger benchmark: durable signed append vs. a bare durable SQLite insert, and verification
throughput vs. a plain SHA-256 loop over the same stored bytes. Prints medians and ratios.

    python benchmarks/ledger.py [--events 20000]
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.ledger.canonical import canonical_json  # noqa: E402
from kiosk.ledger.centre import Centre  # noqa: E402
from kiosk.ledger.verify import verify_ledger  # noqa: E402

BODY = {"item": "q17", "response": ["b", "d"], "part": "1", "note": "válasz ő ű"}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bare_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, ts TEXT, actor TEXT, attempt TEXT,"
        " kind TEXT, body TEXT)"
    )
    return conn


def bare_insert(conn: sqlite3.Connection, i: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO events (ts, actor, attempt, kind, body) VALUES (?, ?, ?, ?, ?)",
        ("2026-11-21T08:00:00.000000Z", "candidate:C1", "A1", "answer_saved", canonical_json({**BODY, "i": i})),
    )
    conn.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--blocks", type=int, default=10)
    args = parser.parse_args()
    n, blocks = args.events, args.blocks
    per_block = n // blocks

    with tempfile.TemporaryDirectory() as tmp:
        centre, _ = Centre.init(Path(tmp) / "c", "Bench")
        ledger = centre.ledger()
        # A second centre for the sign-every-event variant keeps the verified ledger pure policy.
        each_centre, _ = Centre.init(Path(tmp) / "each", "Bench each")
        each = each_centre.ledger()
        bare = bare_db(Path(tmp) / "bare.db")
        signed_lat: list[float] = []
        bare_lat: list[float] = []
        every_lat: list[float] = []
        # Alternate blocks so machine noise hits both sides alike.
        for b in range(blocks):
            for i in range(per_block):
                t0 = time.perf_counter()
                bare_insert(bare, b * per_block + i)
                bare_lat.append(time.perf_counter() - t0)
            for i in range(per_block):
                t0 = time.perf_counter()
                ledger.append("answer_saved", {**BODY, "i": b * per_block + i}, actor="candidate:C1", attempt="A1")
                signed_lat.append(time.perf_counter() - t0)
            for i in range(per_block // 10):
                t0 = time.perf_counter()
                each.append("answer_saved", {**BODY, "i": i}, actor="candidate:C1", attempt="A1", seal=True)
                every_lat.append(time.perf_counter() - t0)
        ledger.close()
        each.close()
        bare.close()

        def ms(x: float) -> str:
            return f"{x * 1000:.3f} ms"

        bm, bp = statistics.median(bare_lat), percentile(bare_lat, 99)
        sm, sp = statistics.median(signed_lat), percentile(signed_lat, 99)
        em, ep = statistics.median(every_lat), percentile(every_lat, 99)
        print(f"events: {n} signed appends, {n} bare inserts, {len(every_lat)} appends signed each")
        print(f"bare durable insert      median {ms(bm)}  p99 {ms(bp)}")
        print(f"signed append (policy)   median {ms(sm)}  p99 {ms(sp)}   ratio median {sm / bm:.2f}x  p99 {sp / bp:.2f}x  (target <= 2.0x)")
        print(f"signed append (each)     median {ms(em)}  p99 {ms(ep)}   ratio median {em / bm:.2f}x  p99 {ep / bp:.2f}x")

        total = centre.ledger_path
        conn = sqlite3.connect(total)
        count = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        conn.close()
        runs_v, runs_b, runs_q = [], [], []
        for _ in range(5):
            t0 = time.perf_counter()
            report = verify_ledger(total, centre.public_key(), quick_check=False)
            runs_v.append(time.perf_counter() - t0)
            assert report.ok, report.problems
            t0 = time.perf_counter()
            verify_ledger(total, centre.public_key(), quick_check=True)
            runs_q.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            conn = sqlite3.connect(f"file:{total}?mode=ro", uri=True)
            for row in conn.execute(
                "SELECT seq, ts, actor, attempt, kind, body, prev_hash, hash FROM events ORDER BY seq"
            ):
                hashlib.sha256(f"{row[6]}{row[0]}{row[1]}{row[2]}{row[3]}{row[4]}{row[5]}".encode()).hexdigest()
            conn.close()
            runs_b.append(time.perf_counter() - t0)
        v, q, b = statistics.median(runs_v), statistics.median(runs_q), statistics.median(runs_b)
        print(f"verify ({count} events, {report.checkpoints} checkpoints)")
        print(f"  plain SHA-256 loop     {count / b:,.0f} events/s")
        print(f"  kiosk verify           {count / v:,.0f} events/s   ratio to the loop {b / v:.2f}   (target >= 100,000 events/s)")
        print(f"  with PRAGMA quick_check {count / q:,.0f} events/s")


if __name__ == "__main__":
    main()
