"""A small centre with a loaded exam, candidates and a sitting, for the session tests."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.ledger.centre import Centre
from kiosk.session import CandidateSession
from tests.support import world
from tests.support.world import ROSTER, import_roster, new_sitting

__all__ = ["BANK", "ONE_PART", "ROSTER", "TWO_PART", "Setup", "correct", "import_roster",
           "load_exam", "make_setup", "new_sitting", "simulate_crash"]

BANK = """
[bank]
id = "t"
title = "Test bank"
language = "hu"
""" + "".join(f"""
[[items]]
id = "a{i}"
type = "true_false"
topic = "A"
points = 1
stem = "A kérdés {i}: igaz ő ű?"
answer = {"true" if i % 2 else "false"}
""" for i in range(1, 7)) + "".join(f"""
[[items]]
id = "b{i}"
type = "single_choice"
topic = "B"
points = 2
stem = "B kérdés {i}"
options = [{{ id = "x", text = "jó", correct = true }}, {{ id = "y", text = "rossz" }}]
""" for i in range(1, 5))

ONE_PART = """
[exam]
id = "one"
title = "Egyrészes vizsga"
banks = ["bank.toml"]
grade_scale = "hu-szkr"
scoring = "all_or_nothing"
self_start = {self_start}
show_score = true
warnings = [5, 1]

[[parts]]
id = "1"
title = "Feladatsor"
minutes = 10
[[parts.draw]]
topic = "A"
count = 3
"""

TWO_PART = """
[exam]
id = "two"
title = "Kétrészes vizsga"
banks = ["bank.toml"]
grade_scale = "hu-szkr"
self_start = true
{accommodation}

[[parts]]
id = "p1"
title = "1. feladatsor"
minutes = 5
[[parts.draw]]
topic = "A"
count = 2

[[parts]]
id = "p2"
title = "2. feladatsor"
minutes = 5
[[parts.draw]]
topic = "B"
count = 2
"""

@dataclass
class Setup:
    centre: Centre
    sitting: str
    code: str


def load_exam(centre: Centre, tmp: Path, exam_text: str) -> str:
    return world.load_exam(centre, tmp, exam_text, {"bank.toml": BANK})


def make_setup(tmp: Path, *, two_parts: bool = False, self_start: bool = True,
               accommodation: str = "") -> Setup:
    """The session world: a centre with the one-part (or two-part) exam of the "t" bank,
    C1–C3 and an open sitting."""
    centre, _ = world.new_centre(tmp)
    if two_parts:
        acc = f'accommodation = "{accommodation}"' if accommodation else ""
        exam_id = load_exam(centre, tmp, TWO_PART.format(accommodation=acc))
    else:
        exam_id = load_exam(centre, tmp, ONE_PART.format(
            self_start="true" if self_start else "false"))
    import_roster(centre)
    sitting, code = new_sitting(centre, exam_id, self_start=self_start)
    return Setup(centre, sitting, code)


def simulate_crash(session: CandidateSession, seconds_ago: float = 60.0) -> None:
    """Drop a session as a crash would (nothing more written), with its lease gone stale."""
    session._closed = True
    session._ledger._closed = True
    session._ledger.conn.close()
    if session._lease is not None:
        session._lease.close()
        session._lease = None
    conn = sqlite3.connect(session.centre.ledger_path)
    conn.execute("UPDATE sessions SET heartbeat = ? WHERE attempt = ?",
                 (time.time() - seconds_ago, session.attempt_id))
    conn.commit()
    conn.close()


def correct(session: CandidateSession, key: str) -> object:
    from kiosk.plugins import registry

    item = next(v.item for p in session.parts for v in p.items if v.key == key)
    return registry().question_types[item.type].correct_response(item)
