"""`kiosk bank check` on banks of 1k, 10k and 100k items: time, time per item, and the ratio
to tomllib.loads of the same text measured in the same run (the parse is the floor).

Items mix inline option arrays and `[[items.options]]` sub-tables, and every 50th item has a
mistake, so the line lookups for errors are exercised too. Linear growth shows as a flat time
per item.

    python benchmarks/bank_check.py [--sizes 1000 10000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.loading import check_bank_files  # noqa: E402


def bank_text(n_items: int) -> str:
    out = ['[bank]\nid = "b"\ntitle = "Teljesítménymérés"\nlanguage = "hu"\n']
    for i in range(1, n_items + 1):
        points = '"sok"' if i % 50 == 0 else "1"  # a mistake every 50th item
        if i % 2:
            out.append(
                f'[[items]]\nid = "q{i}"\ntype = "single_choice"\ntopic = "T{i % 7}"\n'
                f'points = {points}\nstem = "{i}. kérdés: melyik igaz? ő ű"\n'
                'options = [{ id = "a", text = "jó", correct = true }, { id = "b", text = "rossz 1" },'
                ' { id = "c", text = "rossz 2" }, { id = "d", text = "rossz 3" }]\n')
        else:
            out.append(
                f'[[items]]\nid = "q{i}"\ntype = "single_choice"\ntopic = "T{i % 7}"\n'
                f'points = {points}\nstem = "{i}. kérdés"\n'
                '[[items.options]]\nid = "a"\ntext = "jó"\ncorrect = true\n'
                '[[items.options]]\nid = "b"\ntext = "rossz"\n')
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cli", action="store_true",
                        help="also time the `kiosk bank check` command end to end (one run)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'items':>8} {'check (median)':>15} {'runs':>17} {'µs/item':>8} "
              f"{'tomllib.loads':>14} {'ratio':>6}")
        for n in args.sizes:
            path = Path(tmp) / f"bank{n}.toml"
            text = bank_text(n)
            path.write_text(text, encoding="utf-8")
            checks, parses = [], []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                tomllib.loads(text)
                parses.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                result = check_bank_files([path])
                checks.append(time.perf_counter() - t0)
            assert len(result.errors) == n // 50, len(result.errors)
            c, p = statistics.median(checks), statistics.median(parses)
            print(f"{n:>8} {c:>14.2f}s {min(checks):>7.2f}-{max(checks):.2f} s "
                  f"{c / n * 1e6:>8.1f} {p:>13.2f}s {c / p:>5.1f}x")
            if args.cli:
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "kiosk", "bank", "check", str(path)],
                               cwd=ROOT, capture_output=True, check=False)
                print(f"{'':>8} kiosk bank check (whole command, one run): "
                      f"{time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
