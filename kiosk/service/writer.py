"""One writer: every piece of ledger work of the service runs on one dedicated thread, and the
jobs that queue up while a COMMIT is being made are grouped into the next transaction.

Group commit: a batch is one `Ledger.transaction()` (BEGIN IMMEDIATE … one checkpoint … COMMIT).
Each job runs inside its own SAVEPOINT, so a job that fails is undone alone and the others still
commit. A job's result is handed back only after the COMMIT returned (synchronous=FULL: on
disk), so an acknowledgement always means durable. When the COMMIT itself fails, every job of
the batch fails with `NotDurable` and `on_batch_failed` is told which jobs were in it (their
in-memory state may include events that were rolled back).
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.errors import KioskError
from kiosk.ledger.store import Ledger

#: Upper bound of jobs per transaction: keeps one batch's latency bounded under a burst.
MAX_BATCH = 256


class NotDurable(KioskError):
    """The transaction holding this request could not be committed: nothing of it is saved."""


@dataclass
class _Job:
    fn: Callable[[], Any]
    future: asyncio.Future[Any] | None
    loop: asyncio.AbstractEventLoop | None
    tag: Any = None
    result: Any = None
    error: BaseException | None = None
    #: set when the job is finished; only `Writer.call` (a plain thread) waits on it: an
    #: asyncio caller awaits its future, and an Event per request is measurable under load
    done: threading.Event | None = None


class Writer:
    def __init__(self, ledger: Ledger, *, on_batch_failed: Callable[[list[Any]], None] | None = None
                 ) -> None:
        self.ledger = ledger
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._on_batch_failed = on_batch_failed
        self._thread = threading.Thread(target=self._run, name="kiosk-writer", daemon=True)
        self.batches = 0
        self.jobs = 0
        self._thread.start()

    # -- submitting ------------------------------------------------------------------------

    async def run(self, fn: Callable[[], Any], *, tag: Any = None) -> Any:
        """Run `fn` on the writer thread inside the next transaction; returns its result after
        the COMMIT (raises what `fn` raised, or NotDurable)."""
        loop = asyncio.get_running_loop()
        job = _Job(fn, loop.create_future(), loop, tag)
        self._queue.put(job)
        assert job.future is not None
        return await job.future

    def call(self, fn: Callable[[], Any], *, tag: Any = None) -> Any:
        """The same from a plain thread (start-up, tests)."""
        job = _Job(fn, None, None, tag, done=threading.Event())
        self._queue.put(job)
        assert job.done is not None
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Job]) -> None:
        conn = self.ledger.conn
        try:
            with self.ledger.transaction():
                for i, job in enumerate(batch):
                    if job.future is not None and job.future.cancelled():
                        continue  # its caller hung up: nobody waits for this (never acked)
                    conn.execute(f"SAVEPOINT job{i}")
                    try:
                        job.result = job.fn()
                    except KioskError as exc:
                        # A refusal of the domain (not saved, part closed, login failed …):
                        # what the job wrote before refusing is consistent with its state.
                        job.error = exc
                    except BaseException as exc:  # noqa: BLE001 - reported to the caller
                        # A failure of ours (a bug): undo the job's writes, and forget the
                        # session's memory, which may already hold them.
                        job.error = exc
                        conn.execute(f"ROLLBACK TO job{i}")
                        if self._on_batch_failed is not None:
                            self._on_batch_failed([job.tag])
                    conn.execute(f"RELEASE job{i}")
        except (sqlite3.Error, OSError) as exc:
            for job in batch:
                job.result, job.error = None, NotDurable(
                    f"the centre could not save this ({exc}); your answer is kept and retried")
            if self._on_batch_failed is not None:
                self._on_batch_failed([job.tag for job in batch])
        self.batches += 1
        self.jobs += len(batch)
        # One wake-up of the event loop for the whole batch: every hand-over between the two
        # threads costs a GIL switch, and they add up under load.
        loops: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
        for job in batch:
            if job.done is not None:
                job.done.set()
            if job.future is not None and job.loop is not None:
                loops.setdefault(job.loop, []).append(job)
        for loop, jobs in loops.items():
            try:
                loop.call_soon_threadsafe(_settle_all, jobs)
            except RuntimeError:
                pass  # the loop is gone (shutting down)


def _settle_all(jobs: list[_Job]) -> None:
    for job in jobs:
        future = job.future
        if future is None or future.done():
            continue
        if job.error is not None:
            future.set_exception(job.error)
        else:
            future.set_result(job.result)
