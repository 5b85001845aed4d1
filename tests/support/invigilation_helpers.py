"""Centres, accounts and candidate processes for the invigilator console tests."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.crypto import passwords
from kiosk.domain import sittings as S
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import NewEvent
from tests.support import world
from tests.support.session_helpers import ONE_PART, Setup, import_roster, load_exam, make_setup

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("invigilation_driver.py")
USER = "anna"
PASSWORD = "titok-1234"


def add_user(centre: Centre, name: str = USER, password: str = PASSWORD,
             role: str = "invigilator") -> None:
    world.add_user(centre, name, role, password)


def room_setup(tmp: Path) -> Setup:
    """The room world: a centre with the one-part (10-minute) exam, C1–C3 (C3 has 10 extra
    minutes), a sitting the invigilator starts, and the invigilator account anna."""
    setup = make_setup(tmp, self_start=False)
    add_user(setup.centre)
    return setup


Line = dict[str, Any]


class Candidate:
    """A candidate terminal in its own process (tests/support/invigilation_driver.py), a client of the
    centre service at `sock`."""

    def __init__(self, setup: Setup, candidate: str, seat: str, sock: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(DRIVER), str(sock), candidate, setup.code, seat],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=ROOT)
        self.lines: list[Line] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                continue
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()

    def wait_for(self, pred: Callable[[Line], bool], timeout: float = 15.0,
                 after: int = 0) -> Line:
        """The first line (from index `after`) satisfying `pred`."""
        deadline = time.monotonic() + timeout
        seen = after
        with self._cond:
            while True:
                for line in self.lines[seen:]:
                    if pred(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None and seen == len(self.lines):
                    err = self.proc.stderr.read() if self.proc.poll() is not None and \
                        self.proc.stderr else ""
                    raise AssertionError(f"no matching line in {timeout} s; last: "
                                         f"{self.lines[-3:]} {err}")
                self._cond.wait(min(left, 0.05))

    def mark(self) -> int:
        with self._cond:
            return len(self.lines)

    def last(self) -> Line:
        return self.wait_for(lambda line: "status" in line, after=max(0, self.mark() - 1))

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def console_app(centre: Path | Centre, **kwargs: Any) -> Any:
    """The console on the embedded path: the same use cases in this process (`LocalCalls`),
    so tests that freeze the ledger's clock see their own times. The service path is
    tests/service/test_console_service.py's."""
    from kiosk.apps.invigilator.app import InvigilatorApp
    from kiosk.i18n import centre_language
    from kiosk.service.usecases import LocalCalls

    c = centre if isinstance(centre, Centre) else Centre.open(Path(centre))
    language = kwargs.pop("language", None) or centre_language(c.config())
    return InvigilatorApp(LocalCalls(c), centre_name=c.name, language=language, **kwargs)


async def settle(pilot: Any) -> None:
    """Until the console's calls (worker threads) have answered and their effect is shown."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


# -- rooms built from events appended directly (snapshots, the 500-attempt test, benchmarks) ----

SITTING = "S-20250602-B204"
PAPER = [["t:a1", "t:a2", "t:a3"]]


class FrozenTime:
    """Replaces kiosk.ledger.store.utc_now: events get the time set with `at`, 1 ms apart."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def at(self, hh: int, mm: int, ss: int = 0) -> None:
        self.now = self.now.replace(hour=hh, minute=mm, second=ss, microsecond=0)

    def epoch(self, hh: int, mm: int, ss: int = 0) -> float:
        return self.now.replace(hour=hh, minute=mm, second=ss, microsecond=0).timestamp()

    def __call__(self) -> str:
        self.now += timedelta(milliseconds=1)
        return self.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def bulk_centre(tmp: Path, names: list[tuple[str, str]], *,
                seats: dict[str, str] | None = None) -> Centre:
    """A centre with the one-part 10-minute exam, these candidates and sitting SITTING (fixed
    id, so screens and minutes are reproducible)."""
    centre, _ = world.new_centre(tmp)
    exam = load_exam(centre, tmp, ONE_PART.format(self_start="false"))
    import_roster(centre, "id;name;extra_minutes\n"
                  + "".join(f"{cid};{name};\n" for cid, name in names))
    body = S.sitting_body(SITTING, exam, room="B204", date="2025-06-02",
                          candidates=[cid for cid, _ in names], code_hash=passwords.hash_code("ACDE-FGHJ"),
                          self_start=False, seats=seats or {})
    with centre.ledger() as ledger:
        ledger.append(S.CREATED, body, actor="invigilator:anna")
    add_user(centre)
    return centre


def attempt_id(candidate: str) -> str:
    return f"A-{candidate}"


def arrive(candidate: str, seat: str, *, admitted: bool = True, started: bool = True
           ) -> list[NewEvent]:
    """The events of a candidate logging in at `seat`, being admitted and started."""
    a = attempt_id(candidate)
    out = [NewEvent("attempt_created", {"attempt": a, "sitting": SITTING, "exam": "one",
                                        "candidate": candidate, "seed": "0", "parts": ["1"],
                                        "paper": PAPER, "presentation": {}}, "system", a),
           NewEvent("candidate_logged_in", {"seat": seat, "session": "s", "language": "hu"},
                    f"candidate:{candidate}", a)]
    if admitted:
        out.append(NewEvent("candidate_admitted", {}, "invigilator:anna", a))
    if started:
        out.append(NewEvent("attempt_started", {"part": "1"}, "invigilator:anna", a))
    return out


def answer(candidate: str, item: str, consumed_ms: int) -> NewEvent:
    return NewEvent("answer_saved", {"part": "1", "item": item, "response": True,
                                     "consumed_ms": consumed_ms},
                    f"candidate:{candidate}", attempt_id(candidate))


def invigilate(candidate: str, kind: str, body: dict[str, Any] | None = None) -> NewEvent:
    return NewEvent(kind, body or {}, "invigilator:anna", attempt_id(candidate))
