"""Rasch calibration across random papers vs. reading the same events from the ledger.

Builds a centre (benchmarks/results.py's builder) with C candidates, each sitting a random paper
of P items drawn from a pool of N, answered by the Rasch model (ability and difficulty
~ N(0, 1)), then times, as medians over --repeat runs (garbage collected before each):

  read        the events `compute_results` reads, from the ledger (SQLite → Event objects)
  calibrate   kiosk.domain.rasch.calibrate over every response (JML, reliability + bootstrap SE)
  stats       the whole `exam_stats` (classical figures, calibration, paper spread)

and prints the correlation of the estimated with the generating difficulties.

    python benchmarks/calibration.py [--candidates 10000] [--items 200] [--paper 50]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from kiosk.domain import rasch as R  # noqa: E402
from kiosk.domain.banks import all_items  # noqa: E402
from kiosk.domain.grading import merge_scales  # noqa: E402
from kiosk.exam_store import LOADED  # noqa: E402
from kiosk.plugins import registry  # noqa: E402
from kiosk.results import (  # noqa: E402
    RESULT_KINDS,
    fold_attempts,
    load_exams,
    results_from_events,
)
from kiosk.stats import exam_stats  # noqa: E402
from results import STATE_KINDS, build  # noqa: E402


def timed(fn: object, repeat: int) -> tuple[float, object, tuple[float, float]]:
    """(median seconds, last value, (fastest, slowest)) over `repeat` runs."""
    times, value = [], None
    for _ in range(repeat):
        value = None
        gc.collect()
        start = time.perf_counter()
        value = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times), value, (min(times), max(times))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--paper", type=int, default=50, help="items on each paper")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        truth: dict[str, float] = {}
        centre, exam, build_s = build(Path(tmp), args.candidates, args.items, args.seed,
                                      paper_size=args.paper, difficulty_out=truth)
        print(f"{args.candidates} candidates, random papers of {args.paper} from {args.items} "
              f"items (built in {build_s:.1f} s)")
        exams = load_exams(centre, [exam])
        reg = registry()
        scales = merge_scales(reg.grade_scales.values())
        kinds = RESULT_KINDS | {LOADED}

        def read() -> list:
            with centre.reader() as r:
                return list(r.events(kind=kinds))

        t_read, events, s_read = timed(read, args.repeat)
        assert isinstance(events, list)
        results = results_from_events(events, exams, exam_id=exam, registry=reg, scales=scales)
        responses = [(r.attempt, i.item, i.points / i.max_points) for r in results
                     for i in r.items]
        t_cal, cal, s_cal = timed(lambda: R.calibrate(responses), args.repeat)
        assert isinstance(cal, R.Calibration)
        items = all_items(exams[exam][1].values())
        states = fold_attempts(e for e in events if e.kind in STATE_KINDS)
        t_stats, st, s_stats = timed(lambda: exam_stats(exam, results, states, items),
                                     args.repeat)
        keys = sorted(cal.difficulty)
        r = R.pearson([truth[k] for k in keys], [cal.difficulty[k] for k in keys])
        spread = max((sp.spread for sp in st.spreads), default=float("nan"))  # type: ignore
        print(f"{len(events)} events, {len(responses)} responses; {cal.iterations} iterations; "
              f"r(estimated, true difficulty) = {r:.3f}; reliability {cal.reliability:.3f} ± "
              f"{cal.reliability_se:.3f}; paper difficulty spread {spread:.1%}")
        def ms(span: tuple[float, float]) -> str:
            return f"(runs {span[0] * 1000:.0f}–{span[1] * 1000:.0f} ms)"

        print(f"median of {args.repeat}:")
        print(f"  read events from the ledger   {t_read * 1000:9.0f} ms           {ms(s_read)}")
        print(f"  Rasch calibration             {t_cal * 1000:9.0f} ms "
              f"{t_cal / t_read:5.2f} × read {ms(s_cal)}")
        print(f"  exam_stats incl. calibration  {t_stats * 1000:9.0f} ms "
              f"{t_stats / t_read:5.2f} × read {ms(s_stats)}")
        print(f"  calibration per response: {t_cal / len(responses) * 1e6:.2f} µs")

if __name__ == "__main__":
    main()
