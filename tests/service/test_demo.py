"""`kiosk demo --no-app`: an idempotent demo centre whose printed ids and code log in."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from kiosk.domain import attempts as A
from kiosk.ledger.centre import Centre
from kiosk.session import CandidateSession

REPO = Path(__file__).resolve().parents[2]


def demo(centre: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "kiosk", "demo", "--no-app", "--centre",
                           str(centre)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def counts(centre: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    with Centre.open(centre).reader() as r:
        for e in r.events():
            out[e.kind] = out.get(e.kind, 0) + 1
    return out


def test_demo_is_idempotent_and_its_code_works(tmp_path: Path) -> None:
    centre = tmp_path / "demo"
    first = demo(centre)
    ids = re.findall(r"^\s+(DEMO\d)\s", first, re.M)
    code = re.search(r"Access code: (\S+)", first)
    pin = re.search(r"exit PIN: (\d{6})", first)
    assert ids == ["DEMO1", "DEMO2", "DEMO3", "DEMO4"] and code and pin
    before = counts(centre)
    assert before["sitting_created"] == 1 and before["candidate_registered"] == 4
    assert before["exam_loaded"] == 1
    second = demo(centre)
    assert "nothing to change" in second
    assert f"Access code: {code.group(1)}" in second and f"exit PIN: {pin.group(1)}" in second
    assert re.findall(r"^\s+(DEMO\d)\s", second, re.M) == ids
    assert counts(centre) == before

    session = CandidateSession.login(centre, "DEMO2", code.group(1), seat="PC1")
    assert session.identity.name == "Nagy Gergő" and session.can_self_start
    session.start()
    assert session.view().status == A.IN_PROGRESS
    assert len(session.parts[0].items) == 7
    assert session.exit_with_pin(pin.group(1))
    session.close()
