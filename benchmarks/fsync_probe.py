"""The disk's durable-commit latency while a benchmark runs: the baseline measured in the same
minutes, on the same disk, as the figures it is compared with.

    python benchmarks/fsync_probe.py DIR OUT.json [--every 0.05]

Until SIGTERM: one bare durable SQLite insert (WAL, synchronous=FULL, BEGIN IMMEDIATE … COMMIT:
what every acknowledged save pays at least) every `--every` seconds into DIR/probe.db; at the
end the latencies (ms) are written to OUT.json. On a machine shared with other work the flush
time moves with their I/O by 10–100×, and the service's tail moves with it."""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


def run(directory: Path, out: Path, every: float) -> None:
    conn = sqlite3.connect(directory / "probe.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)")
    stop = False

    def on_term(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    ms: list[float] = []
    i = 0
    while not stop:
        i += 1
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", (f'{{"response":"v{i}"}}',))
        conn.execute("COMMIT")
        ms.append((time.perf_counter() - start) * 1000)
        time.sleep(every)
    conn.close()
    out.write_text(json.dumps(ms), encoding="utf-8")


class Probe:
    """Runs the probe as a child process (no thread: load.py forks its candidates)."""

    def __init__(self, directory: Path) -> None:
        self.out = directory / "probe.json"
        self.proc = subprocess.Popen([sys.executable, __file__, str(directory), str(self.out)])

    def stop(self) -> list[float]:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        return json.loads(self.out.read_text(encoding="utf-8")) if self.out.exists() else []


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--every", type=float, default=0.05)
    args = parser.parse_args()
    run(args.directory, args.out, args.every)


if __name__ == "__main__":
    main()
