"""How long one mark holds the centre service's writer (the one thread every candidate's save
waits on), with and without the marking context read first off the writer (`read_first`).

Builds a centre of C candidates who each sat an exam of N items, one of them an essay waiting
for a human mark (benchmarks/results.py's builder, with the last item an essay), then times, as
medians over --repeat runs, each in its own write transaction as the service runs it:

  baseline   one durable signed event: `Ledger.transaction()` + one append
  inside     `marking.mark` with the context folded inside the transaction (without read_first)
  split      `marking.mark` with the context read first (read_first), the transaction only
  first      the read_first step itself (on a reader connection, off the writer thread)
  queue      the marker's queue after a new event, and again at the same ledger head

    python benchmarks/marking_writer.py [--candidates 300] [--items 50] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import results as builder  # noqa: E402
from kiosk.domain import marking as M  # noqa: E402
from kiosk.service.usecases import Caller, Context, lookup  # noqa: E402

ESSAY = ('[[items]]\nid = "q{n}"\ntype = "essay"\ntopic = "T"\npoints = 10\n'
         'stem = "Fejtse ki!"\nrubric = [{{ criterion = "Tartalom", points = 10 }}]\n')


def bank_with_an_essay(n_items: int) -> str:
    text = builder.bank_text(n_items - 1)
    return text + "\n" + ESSAY.format(n=n_items)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plain_bank = builder.bank_text
    builder.bank_text = lambda n: bank_with_an_essay(n) if n == args.items else plain_bank(n)
    with tempfile.TemporaryDirectory() as tmp:
        centre, exam, _ = builder.build(Path(tmp), args.candidates, args.items, 6)
        with centre.ledger() as ledger:
            ledger.append("user_added", {"user": "anna", "role": "examiner",
                                         "password_hash": "x"}, actor="system")
        caller = Caller("anna", "examiner")
        mark = lookup("marking.mark")
        with centre.reader() as r:
            total = r.count()
            key = r.get(1).hash  # type: ignore[union-attr]
            attempts = [e.attempt for e in r.events(kind="attempt_submitted")]
        codes = iter([M.anon_code(a, key) for a in attempts])
        essay = f"b:q{args.items}"
        print(f"{args.candidates} candidates × {args.items} items: {total} events")
        times: dict[str, list[float]] = {"baseline": [], "inside": [], "split": [],
                                         "first": []}
        with centre.ledger() as ledger:
            for _ in range(args.repeat):
                start = time.perf_counter()
                with ledger.transaction():
                    ledger.append("bench_noop", {}, actor="system")
                times["baseline"].append(time.perf_counter() - start)

                start = time.perf_counter()
                with ledger.transaction():
                    mark.fn(Context(centre, ledger, caller), attempt=next(codes), item=essay,
                            points=5)
                times["inside"].append(time.perf_counter() - start)

                code = next(codes)
                start = time.perf_counter()
                with centre.reader() as reader:
                    assert mark.read_first is not None
                    snapshot = mark.read_first(Context(centre, reader, caller), {})
                times["first"].append(time.perf_counter() - start)
                start = time.perf_counter()
                with ledger.transaction():
                    mark.fn(Context(centre, ledger, caller, extra={"first": snapshot}),
                            attempt=code, item=essay, points=5)
                times["split"].append(time.perf_counter() - start)
        # The marker's queue: folded once per ledger head, then shared (the response they open
        # and the mark's read-first step hit the same fold while nothing else was written).
        queue = lookup("marking.queue")
        times["queue_new"], times["queue_again"] = [], []
        for _ in range(args.repeat):
            with centre.ledger() as ledger:
                ledger.append("bench_noop", {}, actor="system")  # a new head: a new fold
            with centre.reader() as reader:
                start = time.perf_counter()
                queue.fn(Context(centre, reader, caller))
                times["queue_new"].append(time.perf_counter() - start)
                start = time.perf_counter()
                queue.fn(Context(centre, reader, caller))
                times["queue_again"].append(time.perf_counter() - start)
        base = statistics.median(times["baseline"])
        print(f"median of {args.repeat} (min–max); the first three: how long the writer is held")
        for name, label in (("baseline", "one signed event (baseline)"),
                            ("inside", "mark, context inside the write"),
                            ("split", "mark, context read first"),
                            ("first", "  the read-first step (not the writer)"),
                            ("queue_new", "queue, after a new event (a fold)"),
                            ("queue_again", "queue again at the same head (shared)")):
            ts = times[name]
            med = statistics.median(ts)
            print(f"  {label:40s} {med * 1000:8.1f} ms ({min(ts) * 1000:.1f}–"
                  f"{max(ts) * 1000:.1f})  {med / base:7.1f} × baseline")


if __name__ == "__main__":
    main()
