"""Centres with essay exams, examiner accounts and submitted attempts, for the marking,
appeal, oral, results and stats tests (real ledger, real CandidateSession attempts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.domain.timing import ManualClock
from kiosk.ledger.centre import Centre
from kiosk.session import CandidateSession
from tests.support import world
from tests.support.world import import_roster, new_sitting

PASSWORD = world.EXAMINER_PASSWORD
EXAMINERS = ("anna", "bela", "cecil")

BANK = """
[bank]
id = "m"
title = "Marking bank"

[[items]]
id = "e1"
type = "essay"
topic = "E"
points = 10
stem = "Mutassa be a közigazgatási eljárás alapelveit!"
rubric = [{ criterion = "Tartalom", points = 6 }, { criterion = "Nyelvhelyesség", points = 4 }]
model_answer = "Törvényesség, hatékonyság…"

[[items]]
id = "e2"
type = "essay"
topic = "E"
points = 10
stem = "Elemezze az esetet!"
rubric = [{ criterion = "Elemzés", points = 10 }]
""" + "".join(f"""
[[items]]
id = "q{i}"
type = "true_false"
topic = "T"
points = 1
stem = "Állítás {i}"
answer = {"true" if i % 2 else "false"}
""" for i in range(1, 5)) + """
[[items]]
id = "s1"
type = "single_choice"
topic = "S"
points = 2
stem = "Melyik a helyes?"
options = [{ id = "x", text = "jó", correct = true }, { id = "y", text = "rossz" },
           { id = "z", text = "nagyon rossz" }]
"""

ITEMS = ["e1", "e2", "q1", "q2", "q3", "q4", "s1"]

EXAM = """
[exam]
id = "{exam_id}"
title = "Esszés vizsga"
banks = ["bank.toml"]
regime = "generic"
grade_scale = "hu-szkr"
scoring = "all_or_nothing"
shuffle_questions = false
shuffle_options = false
self_start = true
pass_percent = 40
{extra}

[[parts]]
id = "1"
title = "Írásbeli"
minutes = 60
[[parts.draw]]
fixed = {items}
"""


@dataclass
class MarkSetup:
    centre: Centre
    exam: str
    sitting: str
    code: str
    tmp: Path


def add_examiners(centre: Centre, names: tuple[str, ...] = EXAMINERS) -> None:
    for name in names:
        world.add_user(centre, name, "examiner", PASSWORD)


def load(centre: Centre, tmp: Path, exam_text: str, bank: str = BANK) -> str:
    # Numbered exam files: a test may load several exams into one centre.
    d = tmp / "content"
    n = len(set(d.iterdir()) | {d / "bank.toml"}) if d.is_dir() else 1
    return world.load_exam(centre, tmp, exam_text, {"bank.toml": bank}, exam_name=f"exam-{n}.toml")


def exam_text(exam_id: str = "essay", extra: str = "", items: list[str] | None = None) -> str:
    return EXAM.format(exam_id=exam_id, extra=extra,
                       items="[" + ", ".join(f'"{i}"' for i in (items or ITEMS)) + "]")


def mark_setup(tmp: Path, extra: str = "", *, exam: str | None = None,
               roster: str | None = None) -> MarkSetup:
    """The marking world: an essay exam, C1–C3, examiners anna, bela and cecil, a sitting."""
    centre, _ = world.new_centre(tmp, "Javító központ")
    exam_id = load(centre, tmp, exam if exam is not None else exam_text(extra=extra))
    if roster is None:
        import_roster(centre)
    else:
        import_roster(centre, roster)
    add_examiners(centre)
    sitting, code = new_sitting(centre, exam_id)
    return MarkSetup(centre, exam_id, sitting, code, tmp)


def sit(setup: MarkSetup, candidate: str, answers: Mapping[str, Any]) -> str:
    """A real attempt: log in, answer (by plain item id), submit. Returns the attempt id."""
    session = CandidateSession.login(setup.centre.path, candidate, setup.code,
                                     seat=f"PC-{candidate}", clock=ManualClock())
    try:
        if not session.state.started:
            session.start()
        for i, part in enumerate(session.parts):
            for view in part.items:
                plain = view.key.split(":", 1)[-1]
                if plain in answers:
                    session.save_answer(view.key, answers[plain])
            if i + 1 < len(session.parts):
                session.submit_part()  # parts open one after the other
        session.submit()
        return session.attempt_id
    finally:
        session.close()


def events(setup: MarkSetup, kind: str) -> list[Any]:
    """The events of `kind` in the setup's ledger, in order."""
    with setup.centre.reader() as reader:
        return list(reader.events(kind=kind))


def essay_answers(text: str = "Válaszom szövege", tf: bool = True, choice: str = "x"
                  ) -> dict[str, Any]:
    return {"e1": text + " 1", "e2": text + " 2", "q1": tf, "q2": not tf, "q3": tf,
            "q4": not tf, "s1": choice}
