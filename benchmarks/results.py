"""Results and item statistics for many candidates vs. reading the same events from the ledger.

Builds a centre with one exam of N items (single choice, four options) and C candidates who
each sat it (attempt_created, login, start, N answers, part and attempt submitted: N + 5 events,
written with append_many in large batches and one checkpoint at the end), then times, as
medians over --repeat runs:

  read     the events `compute_results` reads, from the ledger (SQLite → Event objects)
  results  `results_from_events` over those events in memory (scoring, regime, grades)
  stats    the attempt fold and `exam_stats` (facility, point-biserial, 27 %, KR-20, alpha)
  total    `compute_results(centre, exam)` end to end (read, decrypt the exam, compute)

    python benchmarks/results.py [--candidates 10000] [--items 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.demo import load_exam_file  # noqa: E402
from kiosk.domain import roster as rosters  # noqa: E402
from kiosk.domain.banks import all_items  # noqa: E402
from kiosk.domain.grading import merge_scales  # noqa: E402
from kiosk.exam_store import LOADED  # noqa: E402
from kiosk.ledger.centre import Centre  # noqa: E402
from kiosk.ledger.store import NewEvent  # noqa: E402
from kiosk.plugins import registry  # noqa: E402
from kiosk.results import (  # noqa: E402
    RESULT_KINDS,
    compute_results,
    fold_attempts,
    load_exams,
    results_from_events,
)
from kiosk.service.rooms.sittings import create_sitting  # noqa: E402
from kiosk.stats import exam_stats  # noqa: E402

BATCH = 50_000
STATE_KINDS = ("attempt_created", "answer_saved", "part_submitted", "attempt_submitted",
               "attempt_voided")


def bank_text(n_items: int) -> str:
    out = ['[bank]\nid = "b"\ntitle = "Teljesítménymérés"\nlanguage = "hu"\n']
    for i in range(1, n_items + 1):
        out.append(
            f'[[items]]\nid = "q{i}"\ntype = "single_choice"\ntopic = "T"\npoints = 1\n'
            f'stem = "{i}. kérdés: melyik igaz? ő ű"\n'
            'options = [{ id = "a", text = "jó", correct = true }, { id = "b", text = "rossz 1" },'
            ' { id = "c", text = "rossz 2" }, { id = "d", text = "rossz 3" }]\n')
    return "\n".join(out)


def exam_text(n_items: int) -> str:
    return (f'[exam]\nid = "bench"\ntitle = "Mérés"\nbanks = ["bank.toml"]\n'
            f'grade_scale = "hu-szkr"\nself_start = true\n\n'
            f'[[parts]]\nid = "1"\ntitle = "Feladatsor"\nminutes = 60\n'
            f'[[parts.draw]]\ntopic = "T"\ncount = {n_items}\n')


def build(root: Path, n_candidates: int, n_items: int, seed: int, paper_size: int | None = None,
          difficulty_out: dict[str, float] | None = None,
          name: str = "Benchmark központ") -> tuple[Centre, str, float]:
    """`paper_size` items of the `n_items` pool on each candidate's (random) paper; every item
    when None. `difficulty_out` receives the generating difficulties."""
    rng = random.Random(seed)
    centre, _ = Centre.init(root / "centre", name)
    content = root / "content"
    content.mkdir()
    (content / "bank.toml").write_text(bank_text(n_items), encoding="utf-8")
    (content / "exam.toml").write_text(exam_text(paper_size or n_items), encoding="utf-8")
    exam = load_exam_file(centre, content / "exam.toml")
    ids = [f"K{i:05d}" for i in range(n_candidates)]
    roster_text = "id;name;extra_minutes\n" + "".join(f"{c};Vizsgázó Ődön {c};\n" for c in ids)
    parsed = rosters.parse_roster(roster_text, "roster.csv")
    assert parsed.ok, parsed.errors[:3]
    started = time.perf_counter()
    with centre.ledger() as ledger:
        ledger.append_many([NewEvent(k, b, "examiner") for k, b in rosters.import_bodies(
            parsed, "roster.csv", hashlib.sha256(roster_text.encode()).hexdigest())])
        sitting, _code = create_sitting(ledger, exam, room="Aula", candidates="all",
                                        self_start=True)
        keys = [f"b:q{i}" for i in range(1, n_items + 1)]
        difficulty = {k: rng.gauss(0.0, 1.0) for k in keys}
        if difficulty_out is not None:
            difficulty_out.update(difficulty)
        pending: list[NewEvent] = []
        for n, cid in enumerate(ids):
            attempt = f"A-{n:012x}"
            paper = rng.sample(keys, paper_size or n_items)
            actor = f"candidate:{cid}"
            pending.append(NewEvent("attempt_created", {
                "attempt": attempt, "candidate": cid, "exam": exam, "paper": [paper],
                "parts": ["1"], "presentation": {k: {} for k in paper},
                "seed": f"{n:016x}", "sitting": sitting.id}, "system", attempt))
            pending.append(NewEvent("candidate_logged_in", {"language": "hu", "seat": f"PC{n}",
                                                            "session": f"{n:016x}"}, actor, attempt))
            pending.append(NewEvent("attempt_started", {"part": "1"}, actor, attempt))
            ability = rng.gauss(0.3, 1.0)
            for k in paper:
                p = 1 / (1 + math.exp(difficulty[k] - ability))
                answer = "a" if rng.random() < p else rng.choice("bcd")
                pending.append(NewEvent("answer_saved", {"consumed_ms": 1000, "item": k,
                                                         "part": "1", "response": answer},
                                        actor, attempt))
            pending.append(NewEvent("part_submitted", {"consumed_ms": 60_000, "part": "1",
                                                       "reason": "candidate"}, actor, attempt))
            pending.append(NewEvent("attempt_submitted", {"reason": "candidate"}, actor, attempt))
            if len(pending) >= BATCH:
                ledger.append_many(pending)
                pending = []
        if pending:
            ledger.append_many(pending)
    return centre, exam, time.perf_counter() - started


def timed(fn: object, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        # The previous run's half a million objects would otherwise be scanned by the
        # collector during this one, charging one measurement for another's garbage.
        value = None
        gc.collect()
        start = time.perf_counter()
        value = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        centre, exam, build_s = build(Path(tmp), args.candidates, args.items, args.seed)
        with centre.reader() as r:
            total_events = r.count()
        print(f"{args.candidates} candidates × {args.items} items: {total_events} events "
              f"(built in {build_s:.1f} s)")

        exams = load_exams(centre, [exam])
        reg = registry()
        scales = merge_scales(reg.grade_scales.values())
        kinds = RESULT_KINDS | {LOADED}

        def read() -> list:
            with centre.reader() as r:
                return list(r.events(kind=kinds))

        t_read, events = timed(read, args.repeat)
        assert isinstance(events, list)
        t_results, results = timed(lambda: results_from_events(
            events, exams, exam_id=exam, registry=reg, scales=scales), args.repeat)
        assert isinstance(results, list) and len(results) == args.candidates
        items = all_items(exams[exam][1].values())

        def stats() -> object:
            states = fold_attempts(e for e in events if e.kind in STATE_KINDS)
            return exam_stats(exam, results, states, items)

        t_stats, st = timed(stats, args.repeat)
        t_total, _ = timed(lambda: compute_results(centre, exam, exams=exams), args.repeat)

        alpha = st.common.alpha if st.common else None  # type: ignore[attr-defined]
        print(f"events read for results: {len(events)}; mean score "
              f"{statistics.mean(r.percent or 0 for r in results):.1f} %; alpha "
              f"{alpha if alpha is None else round(alpha, 3)}")
        print(f"median of {args.repeat}:")
        print(f"  read events from the ledger   {t_read * 1000:9.0f} ms")
        print(f"  results (in memory)           {t_results * 1000:9.0f} ms   "
              f"{t_results / t_read:5.2f} × read")
        print(f"  item statistics (in memory)   {t_stats * 1000:9.0f} ms   "
              f"{t_stats / t_read:5.2f} × read")
        print(f"  compute_results end to end    {t_total * 1000:9.0f} ms   "
              f"{t_total / t_read:5.2f} × read")


if __name__ == "__main__":
    main()
