"""The steps every test world is built from: a centre (real ledger), an exam loaded from bank and
exam files, a roster, staff accounts and a sitting.

The worlds themselves (what `setup` in tests/conftest.py builds) are recipes over these steps:
  session   session_helpers.make_setup   one- or two-part exam of true/false and single-choice
                                         items, C1–C3 (C3 has 10 extra minutes), a sitting;
  candidate candidate_helpers.make_centre one item of every built-in type from the English
                                         practice bank, C1–C3, a sitting, the exit PIN;
  room      invigilation_helpers.room_setup  the session world with an invigilator-started
                                         sitting and the invigilator account anna;
  marking   marking_helpers.mark_setup   an essay exam, C1–C3, examiners anna, bela, cecil;
and, for exports and documents, export_helpers.centre_with_results (attempts submitted).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from kiosk.crypto.passwords import hash_password
from kiosk.demo import load_exam_file
from kiosk.domain import roster as rosters
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import NewEvent
from kiosk.service.rooms.sittings import create_sitting

CENTRE_NAME = "Teszt központ"
ROOM = "B204"
ROSTER = (
    "id;name;extra_minutes\n"
    "C1;Kovács Anna;\n"
    "C2;Nagy Gergő;\n"
    "C3;Szűcs Réka;10\n"
)
#: The password of the marking world's examiners (KIOSK_PASSWORD for the staff commands).
EXAMINER_PASSWORD = "javito-1234"


def new_centre(tmp: Path, name: str = CENTRE_NAME, passphrase: str | None = None
               ) -> tuple[Centre, str]:
    """A new centre in `tmp`/centre: the centre and its key's fingerprint."""
    return Centre.init(tmp / "centre", name, passphrase)


def load_exam(centre: Centre, tmp: Path, exam_text: str, banks: dict[str, str | Path],
              exam_name: str = "exam.toml") -> str:
    """Write the banks (text, or a file to copy) and the exam into `tmp`/content and load the
    exam as `kiosk exam load` does; the exam id."""
    d = tmp / "content"
    d.mkdir(exist_ok=True)
    for name, bank in banks.items():
        if isinstance(bank, Path):
            shutil.copy(bank, d / name)
        else:
            (d / name).write_text(bank, encoding="utf-8")
    exam = d / exam_name
    exam.write_text(exam_text, encoding="utf-8")
    return load_exam_file(centre, exam)


def import_roster(centre: Centre, text: str = ROSTER) -> None:
    parsed = rosters.parse_roster(text, "roster.csv")
    assert parsed.ok, parsed.errors
    with centre.ledger() as ledger:
        ledger.append_many([NewEvent(k, b, "examiner") for k, b in rosters.import_bodies(
            parsed, "roster.csv", hashlib.sha256(text.encode()).hexdigest())])


def new_sitting(centre: Centre, exam_id: str, *, self_start: bool = True,
                candidates: str = "all", passphrase: str | None = None) -> tuple[str, str]:
    """A sitting of `exam_id` in room B204: its id and access code."""
    with centre.ledger(passphrase) as ledger:
        sitting, code = create_sitting(ledger, exam_id, room=ROOM, candidates=candidates,
                                       self_start=self_start)
    return sitting.id, code


def add_user(centre: Centre | Path, name: str, role: str, password: str, *,
             actor: str = "system", passphrase: str | None = None) -> None:
    """A staff account, as `kiosk users add` records it (scrypt hash only)."""
    c = centre if isinstance(centre, Centre) else Centre.open(centre)
    with c.ledger(passphrase) as ledger:
        ledger.append("user_added", {"user": name, "role": role,
                                     "password_hash": hash_password(password)},
                      actor=actor)
