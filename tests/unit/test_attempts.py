"""The attempt fold and sittings' access codes (pure domain code, no ledger)."""

from __future__ import annotations

from typing import Any

from kiosk.crypto import passwords
from kiosk.domain import attempts as A
from kiosk.domain import sittings as S
from kiosk.domain.attempts import fold_events, seen_items
from kiosk.ledger.store import Event

ATT = "A-1"


class Stream:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, kind: str, body: dict[str, Any] | None = None, attempt: str | None = ATT,
            actor: str = "candidate:C1") -> Stream:
        seq = len(self.events) + 1
        self.events.append(Event(seq, "2026-01-01T00:00:00.000000Z", actor, attempt, kind,
                                 body or {}, "", f"h{seq}"))
        return self


def created(parts: int = 2) -> Stream:
    paper = [["t:a1", "t:a2"], ["t:b1", "t:b2"]][:parts]
    return Stream().add(A.ATTEMPT_CREATED, {
        "attempt": ATT, "sitting": "S1", "exam": "x", "candidate": "C1", "seed": "s",
        "parts": ["p1", "p2"][:parts], "paper": paper}, actor="system")


def test_status_goes_from_created_to_in_progress() -> None:
    s = created()
    assert fold_events(s.events).status == A.CREATED
    s.add(A.LOGGED_IN, {"seat": "PC1", "session": "x", "language": "hu"})
    state = fold_events(s.events)
    assert state.status == A.LOGGED_IN_STATUS and state.seat == "PC1"
    s.add(A.ADMITTED, actor="invigilator:I")
    assert fold_events(s.events).status == A.ADMITTED_STATUS
    s.add(A.STARTED, {"part": "p1"})
    state = fold_events(s.events)
    assert state.status == A.IN_PROGRESS and state.clock_runs and state.current_part == "p1"


def test_answers_last_write_wins_and_flags_and_navigation() -> None:
    s = created().add(A.STARTED, {"part": "p1"})
    s.add(A.ANSWER, {"part": "p1", "item": "t:a1", "response": True, "consumed_ms": 1000})
    s.add(A.ANSWER, {"part": "p1", "item": "t:a1", "response": False, "consumed_ms": 2000})
    s.add(A.FLAG, {"part": "p1", "item": "t:a2", "flagged": True, "consumed_ms": 2500})
    s.add(A.FLAG, {"part": "p1", "item": "t:a1", "flagged": True, "consumed_ms": 2600})
    s.add(A.FLAG, {"part": "p1", "item": "t:a1", "flagged": False, "consumed_ms": 2700})
    s.add(A.NAVIGATED, {"part": "p1", "index": 1, "consumed_ms": 3000})
    s.add(A.NAVIGATED, {"part": "p1", "index": 7, "consumed_ms": 3100})  # out of range
    state = fold_events(s.events)
    assert state.answers == {"t:a1": False}
    assert state.flags == {"t:a2"}
    assert state.index == 1
    assert state.consumed_ms == {"p1": 3100}


def test_consumed_time_never_goes_back() -> None:
    s = created().add(A.STARTED, {"part": "p1"})
    s.add(A.TICK, {"part": "p1", "consumed_ms": 9000})
    s.add(A.TICK, {"part": "p1", "consumed_ms": 4000})
    assert fold_events(s.events).consumed_ms["p1"] == 9000


def test_submitted_part_is_closed_and_the_next_opens() -> None:
    s = created().add(A.STARTED, {"part": "p1"})
    s.add(A.ANSWER, {"part": "p1", "item": "t:a1", "response": True})
    s.add(A.PART_SUBMITTED, {"part": "p1", "reason": "timeout", "consumed_ms": 300000})
    s.add(A.ANSWER, {"part": "p1", "item": "t:a1", "response": False})  # stale writer
    s.add(A.ANSWER, {"part": "p2", "item": "t:a2", "response": True})  # item of another part
    s.add(A.ANSWER, {"part": "p2", "item": "t:b1", "response": "x"})
    state = fold_events(s.events)
    assert state.current_part == "p2" and state.part_index == 1 and state.index == 0
    assert state.answers == {"t:a1": True, "t:b1": "x"}
    assert state.submitted_parts == {"p1": "timeout"}
    assert state.status == A.IN_PROGRESS


def test_attempt_submitted_and_timed_out() -> None:
    s = created(1).add(A.STARTED, {"part": "p1"})
    s.add(A.PART_SUBMITTED, {"part": "p1", "reason": "timeout"})
    s.add(A.SUBMITTED, {"reason": "timeout"})
    s.add(A.ANSWER, {"part": "p1", "item": "t:a1", "response": True})
    state = fold_events(s.events)
    assert state.status == A.TIMED_OUT and state.finished and not state.clock_runs
    assert state.answers == {} and state.submitted_hash == "h4" and state.submitted_seq == 4
    s2 = created(1).add(A.STARTED).add(A.SUBMITTED, {"reason": "candidate"})
    assert fold_events(s2.events).status == A.SUBMITTED_STATUS


def test_invigilator_events_and_status_priority() -> None:
    s = created().add(A.STARTED, {"part": "p1"})
    s.add(A.LEFT_ROOM, actor="invigilator:I")
    state = fold_events(s.events)
    assert state.status == A.AWAY and state.clock_runs  # time away counts (Szkr 278. §)
    s.add(A.PAUSED, {"reason": "fire drill"}, actor="invigilator:I")
    assert fold_events(s.events).status == A.PAUSED_STATUS
    s.add(A.SUSPENDED, {"reason": "irregularity"}, actor="invigilator:I")
    state = fold_events(s.events)
    assert state.status == A.SUSPENDED_STATUS and not state.clock_runs
    s.add(A.UNSUSPENDED).add(A.RESUMED).add(A.RETURNED)
    assert fold_events(s.events).status == A.IN_PROGRESS
    s.add(A.SEAT_MOVED, {"seat": "PC9"}, actor="invigilator:I")
    assert fold_events(s.events).moved_to == "PC9"
    s.add(A.VOIDED, {"reason": "cheating"}, actor="invigilator:I")
    state = fold_events(s.events)
    assert state.status == A.VOIDED_STATUS and state.current_part is None


def test_sitting_wide_events_apply_to_their_sitting_only() -> None:
    s = Stream()
    s.add(A.STARTED, {"sitting": "S1"}, attempt=None, actor="invigilator:I")
    # The room was started before this candidate's attempt existed (a latecomer).
    s.add(A.ATTEMPT_CREATED, created().events[0].body, actor="system")
    s.add(A.PAUSED, {"sitting": "S2"}, attempt=None)
    state = fold_events(s.events, sitting="S1")
    assert state.started and not state.paused
    s.add(A.PAUSED, {"sitting": "S1"}, attempt=None)
    s.add(A.RESUMED, {"reason": "x"})  # the attempt's own resume does not lift the room pause
    state = fold_events(s.events, sitting="S1")
    assert state.paused and state.sitting_paused and not state.clock_runs
    s.add(A.EXTENDED, {"sitting": "S1", "minutes": 3}, attempt=None)
    s.add(A.RESUMED, {"sitting": "S1"}, attempt=None)
    state = fold_events(s.events, sitting="S1")
    assert not state.paused and state.extensions_ms == {"p1": 180000}


def test_extension_goes_to_the_named_or_current_part() -> None:
    s = created().add(A.STARTED, {"part": "p1"})
    s.add(A.EXTENDED, {"minutes": 2, "reason": "power cut"})
    s.add(A.EXTENDED, {"part": "p2", "minutes": 1.5, "reason": "x"})
    s.add(A.EXTENDED, {"minutes": "lots"})  # ignored
    assert fold_events(s.events).extensions_ms == {"p1": 120000, "p2": 90000}


def test_seen_items_collects_a_candidates_papers() -> None:
    s = created()
    s.add(A.ATTEMPT_CREATED, {"attempt": "A-2", "candidate": "C2", "paper": [["t:z"]]},
          attempt="A-2")
    assert seen_items(s.events, "C1") == {"t:a1", "t:a2", "t:b1", "t:b2"}
    assert seen_items(s.events, "C2") == {"t:z"}


# --- sittings and access codes --------------------------------------------------------------


def test_access_codes_look_right_and_only_a_hash_is_kept() -> None:
    codes = {passwords.generate_code() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert all(c in S.CODE_ALPHABET for c in code.replace("-", ""))
        assert not set(code) & set("0O1IL5S8B")
    code = "KX7M-3QRT"
    body = S.sitting_body("S1", "x", room="B", date="2026-01-01", candidates=["C1"],
                          code_hash=passwords.hash_code(code), self_start=False)
    text = repr(body)
    assert "KX7M" not in text and "3QRT" not in text
    sitting = S.sittings(Stream().add(S.CREATED, body, attempt=None).events)["S1"]
    assert passwords.code_matches(sitting, "kx7m 3qrt")
    assert passwords.code_matches(sitting, "KX7M3QRT")
    assert not passwords.code_matches(sitting, "KX7M-3QRA")
    assert not passwords.check_code(code, "zz", "zz")  # damaged hash: refused, no exception


def test_sitting_open_close() -> None:
    body = S.sitting_body("S1", "x", room="", date="", candidates=["C1"],
                          code_hash=passwords.hash_code("AAAA-AAAA"),
                          self_start=True)
    s = Stream().add(S.CREATED, body, attempt=None)
    s.add(S.CLOSED, {"sitting": "S1"}, attempt=None)
    found = S.sittings(s.events)
    assert not found["S1"].open and found["S1"].self_start and found["S1"].has("C1")
    s.add(S.OPENED, {"sitting": "S1"}, attempt=None)
    assert S.sittings(s.events)["S1"].open
