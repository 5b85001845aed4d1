"""Invigilator console benchmark: the cost of one room-view refresh with 50, 500 and 2,000
attempts.

One refresh is what the console does once a second in a live room: ask the room view
(`invigilation.room`, the use case the centre service runs: it folds the events appended since
the last refresh — a `time_tick` from a quarter of the terminals, as when every terminal
persists its clock every 4 s — and answers with the rows that changed, as JSON), fold the
answer, then compute every row (remaining time, staleness) and sort and filter them. The use
case runs in-process here (`LocalCalls`, the same function the service runs; no socket).
Measured twice:

1. the room view alone (`RoomFeed.poll` + `RemoteRoom.rows` + `sort_rows`), and
2. the whole screen (`RoomScreen.refresh_room` in a headless Textual app), where the clock moves
   a second between refreshes, so every running row's time-left cell is redrawn (the worst case).

Also the first build (folding every event of the sitting) for reference. Medians of several
runs; per-attempt cost and the ratio between sizes show whether growth is linear.

    python benchmarks/console_refresh.py [--runs 7] [--sizes 50,500,2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kiosk.ledger.store as store  # noqa: E402
from kiosk.console_feed import RoomFeed  # noqa: E402
from kiosk.domain import room as R  # noqa: E402
from kiosk.ledger.store import NewEvent  # noqa: E402
from kiosk.service.rooms import invigilation as room_calls  # noqa: E402
from kiosk.service.usecases import LocalCalls  # noqa: E402
from tests.support.invigilation_helpers import (  # noqa: E402
    PASSWORD,
    SITTING,
    USER,
    FrozenTime,
    answer,
    arrive,
    attempt_id,
    bulk_centre,
    console_app,
    settle,
)


def build(tmp: Path, n: int, clock: FrozenTime) -> tuple[Any, list[str]]:
    names = [(f"K{i:05d}", f"Candidate {i:05d}") for i in range(n)]
    centre = bulk_centre(tmp, names)
    clock.at(8, 1)
    with centre.ledger() as ledger:
        new: list[NewEvent] = []
        for i, (cid, _) in enumerate(names):
            new += arrive(cid, f"R-{i:05d}")
            new.append(answer(cid, "t:a1", 1000))
        ledger.append_many(new)
    return centre, [cid for cid, _ in names]


def ticks(ids: list[str], round_: int) -> list[NewEvent]:
    """A time_tick from every fourth terminal (a different quarter each round)."""
    return [NewEvent("time_tick", {"part": "1", "consumed_ms": 2000 + 1000 * round_},
                     f"candidate:{cid}", attempt_id(cid))
            for i, cid in enumerate(ids) if i % 4 == round_ % 4]


def bench_room(centre: Any, ids: list[str], runs: int) -> tuple[float, float, int]:
    """(median first build, median refresh) in seconds, and events applied per refresh."""
    builds, refreshes = [], []
    applied = 0
    calls = LocalCalls(centre)
    calls.login(USER, PASSWORD)
    with centre.ledger() as writer:
        for _ in range(3):
            room_calls._CACHES.clear()  # the service's first fold of the sitting
            t0 = time.perf_counter()
            feed = RoomFeed(calls, SITTING)
            feed.poll()
            feed.room.rows(time.time())
            builds.append(time.perf_counter() - t0)
        room = room_calls._CACHES[(str(centre.path), SITTING)].room
        for r in range(runs):
            writer.append_many(ticks(ids, r))
            before = room.applied
            t0 = time.perf_counter()
            feed.poll()
            rows = feed.room.rows(time.time())
            R.sort_rows((row for row in rows if R.matches(row, "", None)), "seat")
            refreshes.append(time.perf_counter() - t0)
            applied = room.applied - before
    calls.close()
    return statistics.median(builds), statistics.median(refreshes), applied


def bench_screen(centre: Any, ids: list[str], runs: int) -> tuple[float, int]:
    """Median `RoomScreen.refresh_room` in seconds, and cells redrawn per refresh."""
    from kiosk.apps.invigilator.screens.room import RoomScreen

    fake = [time.time()]
    app = console_app(centre, language="en", sitting=SITTING, now=lambda: fake[0],
                      timers=False)
    times: list[float] = []
    cells: list[int] = []

    async def go() -> None:
        async with app.run_test(size=(160, 50)) as pilot:
            app.screen.query_one("#user").value = USER
            app.screen.query_one("#password").value = PASSWORD
            app.screen.query_one("#password").focus()
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RoomScreen)
            with centre.ledger() as writer:
                for r in range(runs):
                    writer.append_many(ticks(ids, r + 100))
                    fake[0] += 1.0
                    before = screen.cells_updated
                    t0 = time.perf_counter()
                    screen.refresh_room()
                    await pilot.pause()  # let the table repaint
                    times.append(time.perf_counter() - t0)
                    cells.append(screen.cells_updated - before)

    asyncio.run(go())
    return statistics.median(times), int(statistics.median(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="50,500,2000")
    parser.add_argument("--no-screen", action="store_true", help="Skip the Textual part.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    clock = FrozenTime(datetime.now(UTC).replace(hour=8, minute=0))
    real_now = store.utc_now
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store.utc_now = clock  # fixed event times while building, the real clock after
            centre, ids = build(Path(tmp), n, clock)
            store.utc_now = real_now
            first, refresh, applied = bench_room(centre, ids, args.runs)
            screen, cells = (None, 0) if args.no_screen else bench_screen(centre, ids,
                                                                          args.runs)
            results.append((n, first, refresh, applied, screen, cells))
    print(f"{'attempts':>8} {'first build':>12} {'refresh':>10} {'per attempt':>12} "
          f"{'events':>7} {'screen refresh':>15} {'per attempt':>12} {'cells':>6}")
    for n, first, refresh, applied, screen, cells in results:
        line = (f"{n:>8} {first * 1000:>9.1f} ms {refresh * 1000:>7.2f} ms "
                f"{refresh / n * 1e6:>9.2f} µs {applied:>7}")
        if screen is not None:
            line += f" {screen * 1000:>12.1f} ms {screen / n * 1e6:>9.1f} µs {cells:>6}"
        print(line)
    print()
    for (n0, _, r0, _, s0, _), (n1, _, r1, _, s1, _) in zip(results, results[1:], strict=False):
        text = (f"{n0} -> {n1} attempts (×{n1 / n0:g}): room refresh ×{r1 / r0:.2f}")
        if s0 and s1:
            text += f", screen refresh ×{s1 / s0:.2f}"
        print(text + "  (linear growth would be ×%g)" % (n1 / n0))


if __name__ == "__main__":
    main()
