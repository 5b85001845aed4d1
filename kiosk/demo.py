"""The demo centre, prepared idempotently (`kiosk demo`, kiosk/apps/candidate/demo.py, then
starts the candidate app on it).

The demo centre holds the English practice exam, four demo candidates and a self-start sitting.
Unlike a real centre it keeps the sitting's access code and the exit PIN in clear text in
`demo.toml`, so that running `kiosk demo` again can show them again: never copy that file's
habit to a real centre.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from kiosk.crypto import passwords
from kiosk.domain import roster as rosters
from kiosk.domain import sittings as S
from kiosk.errors import KioskError
from kiosk.exam_store import LOADED, latest_loads, load_package
from kiosk.exit_pin import check_pin, set_pin
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import NewEvent
from kiosk.packages import build_payload, seal
from kiosk.service.rooms.sittings import create_sitting

DEMO_FILE = "demo.toml"
DEMO_EXAM = Path(__file__).resolve().parents[1] / "question_banks" / "practice_en.exam.toml"
DEMO_ROSTER = (
    "id;name;extra_minutes;note\n"
    "DEMO1;Kovács Anna;;\n"
    "DEMO2;Nagy Gergő;;\n"
    "DEMO3;Szűcs Réka;;\n"
    "DEMO4;Tóth Bálint;5;demo: 5 extra minutes (accommodation)\n"
)
DEMO_ROOM = "Demo"


@dataclass(frozen=True)
class DemoCentre:
    centre: Centre
    exam: str
    candidates: list[tuple[str, str, int]]  # id, name, extra minutes
    sitting: str
    code: str
    pin: str | None
    actions: list[str]


def load_exam_file(centre: Centre, exam_path: Path, *, replace: bool = False) -> str:
    """Seal an exam file in memory under a throwaway passphrase and load it like a package."""
    payload, errors = build_payload(exam_path)
    if payload is None:
        raise KioskError(errors[0] + (f" (and {len(errors) - 1} more problems)"
                                      if len(errors) > 1 else ""))
    passphrase = secrets.token_urlsafe(24)
    blob = seal(payload.to_bytes(), passphrase, n=2**14)
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as tmp:
        package = Path(tmp) / f"{payload.exam}.kpkg"
        package.write_bytes(blob)
        load_package(centre, package, passphrase, replace=replace, actor="system")
    return payload.exam


def _exam_id(exam_path: Path) -> str:
    try:
        return str(tomllib.loads(exam_path.read_text(encoding="utf-8"))["exam"]["id"])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        raise KioskError(f"{exam_path}: not a readable exam file") from None


def exam_language(exam_path: Path) -> str | None:
    """The demo exam's language: its candidates read the login screen in it too."""
    try:
        lang = tomllib.loads(exam_path.read_text(encoding="utf-8"))["exam"].get("language")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError,
            AttributeError):
        return None
    return lang if isinstance(lang, str) else None


def _read_state(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)}


def prepare_demo(centre_dir: Path, exam_path: Path = DEMO_EXAM) -> DemoCentre:
    """Make `centre_dir` a ready demo centre; running it again changes nothing that works."""
    actions: list[str] = []
    if (centre_dir / "ledger.db").exists():
        centre = Centre.open(centre_dir)
    else:
        centre, _ = Centre.init(centre_dir, "Demo vizsgaközpont")
        actions.append(f"created the demo centre in {centre_dir}")
    if not exam_path.is_file():
        raise KioskError(f"{exam_path}: the demo exam is missing (give --exam PATH)")
    exam_id = _exam_id(exam_path)

    with centre.reader() as reader:
        loaded = exam_id in latest_loads(reader.events(kind=LOADED))
    if not loaded:
        load_exam_file(centre, exam_path)
        actions.append(f"loaded exam {exam_id}")

    parsed = rosters.parse_roster(DEMO_ROSTER, "demo-roster.csv")
    assert parsed.ok, parsed.errors
    state_path = centre.path / DEMO_FILE
    state = _read_state(state_path)
    with centre.ledger() as ledger:
        registered = rosters.roster_registrations(ledger)
        missing = rosters.RosterFile(parsed.name, [r for r in parsed.rows
                                                   if r.candidate.id not in registered])
        if missing.rows:
            sha = hashlib.sha256(DEMO_ROSTER.encode()).hexdigest()
            ledger.append_many([NewEvent(kind, body, "system") for kind, body in
                                rosters.import_bodies(missing, "demo-roster.csv", sha)])
            actions.append(f"registered {len(missing.rows)} demo candidates")
        ids = [r.candidate.id for r in parsed.rows]
        found = S.sittings(ledger.events(kind=S.KINDS))
        sitting = found.get(state.get("sitting", ""))
        code = state.get("code", "")
        usable = (sitting is not None and sitting.open and sitting.exam == exam_id
                  and all(sitting.has(c) for c in ids) and passwords.code_matches(sitting, code))
        if not usable:
            sitting, code = create_sitting(ledger, exam_id, room=DEMO_ROOM, candidates=ids,
                                           self_start=True, actor="system")
            actions.append(f"created the self-start sitting {sitting.id}")
    assert sitting is not None

    pin: str | None = state.get("pin")
    if not pin or not check_pin(centre, pin):
        pin = f"{secrets.randbelow(10**6):06d}"
        set_pin(centre, pin)
        actions.append("set a new invigilator exit PIN")
    new_state = {"note": "DEMO ONLY: a real centre never keeps codes or PINs in clear text",
                 "sitting": sitting.id, "code": code, "pin": pin}
    if new_state != state:
        state_path.write_text(tomli_w.dumps(new_state), encoding="utf-8")
    candidates = [(r.candidate.id, r.candidate.name, r.candidate.accommodations.extra_minutes)
                  for r in parsed.rows]
    return DemoCentre(centre, exam_id, candidates, sitting.id, code, pin, actions)
