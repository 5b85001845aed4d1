"""Real processes on one ledger: SIGKILL at random moments, and many concurrent writers."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from kiosk.ledger.centre import Centre
from kiosk.ledger.verify import verify_ledger

REPO = Path(__file__).resolve().parents[2]
WRITER = [sys.executable, "-m", "tests.support.ledger_writer"]


def spawn(centre: Centre, writer: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*WRITER, str(centre.path), writer, str(count)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_sigkill_never_loses_an_acknowledged_append(centre: Centre) -> None:
    rng = random.Random(20261121)
    acknowledged: list[tuple[str, int]] = []
    kills = 50
    for k in range(kills):
        writer = f"W{k}"
        proc = spawn(centre, writer, 100_000)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        lines: list[str] = []
        reader = threading.Thread(target=lines.extend, args=(proc.stdout,))
        reader.start()
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        reader.join()
        acknowledged += [(writer, int(line)) for line in lines if line.strip().isdigit()]
    assert len(acknowledged) > kills  # the kills landed mid-stream, not before any append
    # Every commit was signed in its own transaction: a kill leaves no unsigned tail, and the
    # next writer opens without signing anything it did not write.
    with centre.ledger() as ledger:
        stored = {(e.body["writer"], e.body["i"]) for e in ledger.events(kind="answer_saved")}
    missing = [a for a in acknowledged if a not in stored]
    assert missing == []
    report = verify_ledger(centre.ledger_path, centre.public_key())
    assert report.ok, report.problems


def test_eight_processes_append_concurrently_into_one_chain(centre: Centre) -> None:
    writers, per_writer = 8, 500
    procs = [spawn(centre, f"P{w}", per_writer) for w in range(writers)]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all(out.splitlines()[-1] == str(per_writer - 1) for out in outputs)
    with centre.reader() as ledger:
        events = list(ledger.events())
    answers = Counter((e.body["writer"], e.body["i"]) for e in events if e.kind == "answer_saved")
    assert len(answers) == writers * per_writer
    assert set(answers.values()) == {1}
    # One line: contiguous sequence numbers, each event linked to the one before it.
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    report = verify_ledger(centre.ledger_path, centre.public_key())
    assert report.ok, report.problems


def test_verify_and_new_writers_see_a_consistent_head_while_others_commit(centre: Centre) -> None:
    """The head and the newest checkpoint are read in one snapshot: a commit by another
    process between the two reads must not look like events written behind the centre's back."""
    procs = [spawn(centre, f"L{w}", 3000) for w in range(2)]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for i in range(40):
            report = verify_ledger(centre.ledger_path, centre.public_key(), quick_check=False)
            assert report.ok, report.problems
            if i % 4 == 0:
                with centre.ledger() as ledger:  # a writer opening mid-stream
                    ledger.append("note", {"probe": True}, actor="system")
    finally:
        for p in procs:
            p.communicate(timeout=600)
    assert all(p.returncode == 0 for p in procs)
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok
