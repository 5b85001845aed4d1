"""Fuzz every parser of untrusted input with Hypothesis: 10,000 examples each by default.

    python benchmarks/fuzz.py [--examples 10000] [--only bank,gift]

Prints per parser how many inputs were accepted, how many were refused with a clear error
(KioskError), and any other exception (a bug: the run then exits 1 with the smallest input).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.support.fuzz_targets import TARGETS, Target, check  # noqa: E402


def fuzz(target: Target, examples: int) -> tuple[Counter[str], str | None]:
    counts: Counter[str] = Counter()

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: Any) -> None:
        counts[check(target, data.draw(target.strategy()))] += 1

    try:
        run()
    except Exception as exc:  # the falsifying example is in the message Hypothesis prints
        return counts, f"{type(exc).__name__}: {exc}"
    return counts, None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    wanted = {n for n in args.only.split(",") if n}
    failed = False
    print(f"{'parser':22} {'examples':>9} {'accepted':>9} {'refused':>9} {'crashes':>8} {'s':>6}")
    for target in TARGETS:
        if wanted and target.name not in wanted:
            continue
        if not target.available():
            print(f"{target.name:22} (module not in this build)")
            continue
        start = time.monotonic()
        counts, crash = fuzz(target, args.examples)
        total = counts["ok"] + counts["error"]
        print(f"{target.name:22} {total:9} {counts['ok']:9} {counts['error']:9} "
              f"{1 if crash else 0:8} {time.monotonic() - start:6.1f}", flush=True)
        if crash:
            failed = True
            print(f"  CRASH: {crash[:2000]}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
