"""Fault drill at scale: candidates killed with SIGKILL at random moments, again and again, while
the rest keep saving; then every acknowledged answer is looked for in the ledger and the ledger
is verified. The CI-sized version is tests/service/test_faults.py.

    python benchmarks/faults.py [--candidates 60] [--kill 0.5] [--kills-each 4] [--speed 60]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.ledger.centre import Centre  # noqa: E402
from kiosk.ledger.verify import verify_ledger  # noqa: E402
from kiosk.simulation import prepare, simulate  # noqa: E402

EXAM = Path(__file__).resolve().parents[1] / "question_banks" / "practice_en.exam.toml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=60)
    parser.add_argument("--kill", type=float, default=0.5)
    parser.add_argument("--kills-each", type=int, default=4)
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kiosk-faults-") as tmp:
        setup = prepare(Path(tmp) / "centre", str(EXAM), args.candidates)
        report = simulate(setup, speed=args.speed, seed=args.seed, kill_fraction=args.kill,
                          kills_per_candidate=args.kills_each, verify=False)
        centre = Centre.open(setup.centre)
        with centre.ledger():
            pass  # the next process to open the ledger signs what a kill left unsigned
        result = verify_ledger(centre.ledger_path, centre.public_key())
        for line in report.lines():
            print(line)
        print(f"after recovery, ledger verify: {'OK' if result.ok else result.problems[:3]}")
        sys.exit(0 if result.ok and not report.lost else 1)


if __name__ == "__main__":
    main()
