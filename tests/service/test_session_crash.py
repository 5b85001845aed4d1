"""A candidate process killed with SIGKILL mid-exam: a new session resumes with every
acknowledged answer and the same remaining time (±2 s); the time while it was down is free."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.session import CandidateSession
from tests.support.session_helpers import make_setup

HERE = Path(__file__).resolve().parents[1] / "support"


def test_sigkill_mid_exam_then_resume(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "session_driver.py"), str(s.centre.path), "C1", s.code,
         "PC1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE.parents[1])
    acks: list[dict] = []
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert json.loads(first) == {"ready": True}, proc.stderr.read() if proc.stderr else ""
        while len(acks) < 25:
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "driver ended"
            acks.append(json.loads(line))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    last_remaining = acks[-1]["remaining"]
    acked: dict[str, bool] = {}
    for ack in acks:
        acked[ack["item"]] = ack["response"]
    time.sleep(2.5)  # the terminal is down: not charged

    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC2")
    view = session.view()
    # Every acknowledged answer is there; at most the one save in flight at the kill is newer.
    differ = [k for k, v in acked.items() if view.answers.get(k) != v]
    keys = [v.key for v in session.parts[0].items]
    assert len(differ) <= 1
    if differ:
        assert differ[0] == keys[(acks[-1]["n"] + 1) % len(keys)]
    assert view.remaining_s == pytest.approx(last_remaining, abs=2.0)
    assert view.remaining_s < 600
    session.close()
