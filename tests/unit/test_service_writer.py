"""The service's writer: group commit with a savepoint per job, over the real ledger."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.verify import verify_ledger
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
