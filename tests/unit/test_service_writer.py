"""The service's writer: group commit with a savepoint per job, over the real ledger."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.verify import verify_ledger
from kiosk.service.server import SETTLE_TURNS
from kiosk.service.writer import NotDurable, Writer


def test_concurrent_jobs_share_one_signed_commit_and_a_failing_job_is_undone_alone(
        tmp_path: Path) -> None:
    centre, _ = Centre.init(tmp_path / "c", "W")
    ledger = centre.ledger()
    dropped: list[object] = []
    writer = Writer(ledger, on_batch_failed=dropped.extend)
    release = __import__("threading").Event()

    def blocker() -> None:
        release.wait(5)  # holds the writer so that the next jobs queue up together

    def append(n: int) -> int:
        return ledger.append("note", {"n": n}, actor="t").seq

    def broken() -> None:
        ledger.append("note", {"n": "broken"}, actor="t")
        raise RuntimeError("a bug")

    def refused() -> None:
        ledger.append("note", {"n": "refused-but-kept"}, actor="t")
        raise KioskError("a domain refusal")

    async def main() -> list[object]:
        first = asyncio.ensure_future(writer.run(blocker))
        await asyncio.sleep(0.1)
        jobs = [writer.run(lambda n=n: append(n), tag=f"t{n}") for n in range(5)]
        jobs.insert(2, writer.run(broken, tag="bad"))
        jobs.insert(4, writer.run(refused, tag="refused"))
        tasks = [asyncio.ensure_future(j) for j in jobs]
        await asyncio.sleep(0.1)
        release.set()
        await first
        return await asyncio.gather(*tasks, return_exceptions=True)

    before = _checkpoints(centre)
    results = asyncio.run(main())
    writer.stop()
    ledger.close()
    assert isinstance(results[2], RuntimeError) and isinstance(results[4], KioskError)
    assert dropped == ["bad"]  # the session behind a failed job is forgotten
    with centre.reader() as r:
        notes = [e.body["n"] for e in r.events(kind="note")]
    assert notes == [0, 1, 2, "refused-but-kept", 3, 4]
    # the five appends and the refusal went into one transaction: one checkpoint for them
    assert _checkpoints(centre) == before + 1
    assert writer.batches == 2 and writer.jobs == 8
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok


def _checkpoints(centre: Centre) -> int:
    with centre.reader() as r:
        return int(r.conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0])


def test_a_failed_commit_fails_every_job_of_the_batch(tmp_path: Path) -> None:
    centre, _ = Centre.init(tmp_path / "c", "W")
    ledger = centre.ledger()
    dropped: list[object] = []
    writer = Writer(ledger, on_batch_failed=dropped.extend)
    import sqlite3

    def poison() -> None:
        ledger.append("note", {"n": 1}, actor="t")
        # the transaction's own checkpoint cannot be written: the COMMIT never happens
        ledger.conn.execute("PRAGMA query_only=1")

    try:
        with pytest.raises(NotDurable):
            writer.call(poison, tag="s1")
        assert dropped == ["s1"]
    finally:
        writer.stop()
        try:
            ledger.conn.execute("PRAGMA query_only=0")
        except sqlite3.Error:
            pass
        ledger.close()
    with centre.reader() as r:
        assert [e for e in r.events(kind="note")] == []


def test_a_lone_request_commits_on_the_loop_thread_and_company_goes_to_the_writer(
        tmp_path: Path) -> None:
    """A request alone in the service skips the two thread hand-overs (it commits on the event
    loop's thread, durably, one signed checkpoint); requests in company are grouped by the
    writer thread as before; a lone request that finds the writer busy waits for it instead of
    committing beside it (one transaction at a time)."""
    import threading

    centre, _ = Centre.init(tmp_path / "c", "W")
    ledger = centre.ledger()
    inflight = [0]

    async def alone() -> bool:
        # as Service.alone does with more than one connection open
        if inflight[0] > 1:
            return False
        for _ in range(SETTLE_TURNS):
            await asyncio.sleep(0)
        return inflight[0] <= 1

    writer = Writer(ledger, alone=alone)
    loop_thread = threading.get_ident()

    def append(n: int) -> tuple[int, int]:
        return ledger.append("note", {"n": n}, actor="t").seq, threading.get_ident()

    async def request(n: int) -> tuple[int, int]:
        inflight[0] += 1
        try:
            return await writer.run(lambda: append(n))
        finally:
            inflight[0] -= 1

    async def main() -> tuple[tuple[int, int], list[tuple[int, int]], tuple[int, int], float]:
        lone = await request(0)
        crowd = await asyncio.gather(*(request(n) for n in range(1, 6)))
        # A job of a plain thread holds the writer: the lone request must not commit beside it.
        release, started = threading.Event(), threading.Event()

        def hold() -> None:
            started.set()
            release.wait(5)

        holder = threading.Thread(target=writer.call, args=(hold,))
        holder.start()
        started.wait(5)
        asyncio.get_running_loop().call_later(0.2, release.set)
        t0 = asyncio.get_running_loop().time()
        after = await request(6)
        waited = asyncio.get_running_loop().time() - t0
        holder.join(5)
        return lone, crowd, after, waited

    cps_before = _checkpoints(centre)
    batches_before, inline_before = writer.batches, writer.inline
    lone, crowd, after, waited = asyncio.run(main())
    writer.stop()
    ledger.close()
    assert lone[1] == loop_thread  # committed on the loop's own thread
    assert all(thread != loop_thread for _, thread in crowd)  # in company: the writer thread
    assert after[1] != loop_thread and waited >= 0.15  # queued behind the busy writer
    assert writer.inline - inline_before == 1
    # the crowd of five shared fewer transactions than jobs (grouped), every one signed
    crowd_batches = writer.batches - batches_before - 1 - 2  # minus the lone one, hold, after
    assert 1 <= crowd_batches < 5
    assert _checkpoints(centre) == cps_before + 1 + crowd_batches + 1
    with centre.reader() as r:
        notes = [e.body["n"] for e in r.events(kind="note")]
    # concurrent requests have no order among themselves; the lone ones come where they were
    assert notes[0] == 0 and sorted(notes[1:6]) == [1, 2, 3, 4, 5] and notes[6] == 6
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok
