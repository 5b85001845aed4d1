"""`kiosk merge` of many centres' sealed bundles, against verifying the same bundles alone
(the floor: every bundle must be verified in full before it is merged). Prints medians over
--runs and the ratio, measured in the same run.

Each of --bundles centres (its own key) has --candidates candidates who sat a --items item exam
(built in bulk with benchmarks/results.py's builder; not timed), exported with
`kiosk export --sealed`.

    python benchmarks/merge.py [--bundles 100] [--candidates 30] [--items 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from kiosk.federation import merge_bundles  # noqa: E402
from kiosk.sealed import export_sealed, verify_bundle  # noqa: E402
from results import build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundles", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=30)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bundles: list[Path] = []
        trust = ["[centres]"]
        t0 = time.perf_counter()
        for i in range(args.bundles):
            # Each centre its own name (the trust file is by name).
            centre, _exam, _ = build(root / f"c{i}", args.candidates, args.items, seed=i,
                                     name=f"Központ {i}")
            out = root / "bundles" / f"c{i}.zip"
            done = export_sealed(centre, out)
            trust.append(f'"{verify_bundle(out).centre}" = "{done.fingerprint}"')
            bundles.append(out)
        (root / "trusted-keys.toml").write_text("\n".join(trust) + "\n", encoding="utf-8")
        size = sum(b.stat().st_size for b in bundles)
        events = verify_bundle(bundles[0]).events
        print(f"{args.bundles} bundles ({size / 1e6:.1f} MB, {events} events each), built in "
              f"{time.perf_counter() - t0:.0f} s")
        merges, verifies = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            for b in bundles:
                assert verify_bundle(b).ok
            verifies.append(time.perf_counter() - t0)
            into = root / "org"
            shutil.rmtree(into, ignore_errors=True)
            t0 = time.perf_counter()
            report = merge_bundles(bundles, into, root / "trusted-keys.toml")
            merges.append(time.perf_counter() - t0)
            assert not report.rejected and report.results == args.bundles * args.candidates
        m, v = statistics.median(merges), statistics.median(verifies)
        print(f"verify each bundle alone  median {v:.2f} s (runs {min(verifies):.2f}-"
              f"{max(verifies):.2f})")
        print(f"kiosk merge of all        median {m:.2f} s (runs {min(merges):.2f}-"
              f"{max(merges):.2f})   ratio {m / v:.2f}x verify   "
              f"{args.bundles / m:.1f} bundles/s, {report.results} results")


if __name__ == "__main__":
    main()
