"""The service's hot path: what a login, a tick and a save cost it, and that the shortcuts taken
for speed keep the behaviour (a wrong code still costs a full check and fails)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from kiosk.client import ServiceUnavailable
from kiosk.crypto import passwords
from kiosk.service.candidate import CandidateRoom
from tests.support.session_helpers import Setup, import_roster, make_setup, new_sitting


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return make_setup(tmp_path)


@pytest.fixture
def kdf_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = passwords._kdf

    def counting(secret: str, salt: bytes, kdf: str = passwords.KDF_NAME) -> bytes:
        calls.append(secret)
        return real(secret, salt, kdf)

    monkeypatch.setattr(passwords, "_kdf", counting)
    return calls


def test_a_room_code_is_derived_once_and_a_wrong_code_still_costs_a_full_check(
        setup: Setup, kdf_calls: list[str]) -> None:
    ledger = setup.centre.ledger()
    try:
        room = CandidateRoom(setup.centre, ledger)
        found = [room.find(cid, setup.code) for cid in ("C1", "c2", "C3")]
        assert [f[1] for f in found] == ["C1", "C2", "C3"]
        assert all(f[0].id == setup.sitting for f in found)
        assert len(kdf_calls) == 1  # the room's one secret, verified once
        # the same code typed differently (lower case, no dash) is the same code
        assert room.find("C1", setup.code.lower().replace("-", ""))[1] == "C1"
        assert len(kdf_calls) == 1
        # a wrong code, an unknown candidate: the full scrypt check, and no match
        assert room.find("C2", "AAAA-BBBB") is None
        assert len(kdf_calls) == 2
        assert room.find("NOBODY", setup.code) is None
        assert len(kdf_calls) == 3
    finally:
        ledger.close()


def test_the_login_index_follows_new_registrations_and_sittings(
        setup: Setup, tmp_path: Path) -> None:
    ledger = setup.centre.ledger()
    try:
        room = CandidateRoom(setup.centre, ledger)
        assert room.find("C1", setup.code)[0].id == setup.sitting
        assert room.find("C4", setup.code) is None
        import_roster(setup.centre, "id;name;extra_minutes\nC4;Új Jelölt;\n")
        exam = room.find("C1", setup.code)[0].exam
        sitting, code = new_sitting(setup.centre, exam, candidates="C4")
        found = room.find("C4", code)
        assert found is not None and found[0].id == sitting and found[2] == "Új Jelölt"
        # the first room's code does not open the second room, cached or not
        assert room.find("C4", setup.code) is None
        # a closed sitting is seen as closed by the index (its candidates no longer get in)
        from kiosk.domain.sittings import CLOSED

        with setup.centre.ledger() as w:
            w.append(CLOSED, {"sitting": sitting}, actor="admin")
        assert room.find("C4", code) is None
    finally:
        ledger.close()


# --- time: charged per call, up to a staff action's moment ---------------------------------------


class FakeNow:
    """The service's real-time clock, moved by the test (the exam clock is what is tested)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_the_charged_clock_charges_calls_only_capped_and_never_before_the_first() -> None:
    from kiosk.service.candidate import TICK_CAP_S, ChargedClock

    now = FakeNow()
    clock = ChargedClock(now=now)
    now.t += 50
    clock.advance(at=now.t - 40)  # the first call: nothing before it is charged
    assert clock() == 0
    now.t += 1.5
    clock.advance()
    assert clock() == pytest.approx(1.5)
    now.t += 2
    clock.advance(at=now.t - 1)  # up to a moment between the calls
    assert clock() == pytest.approx(2.5)
    clock.advance(at=now.t - 5)  # a moment before the last charged one: nothing
    assert clock() == pytest.approx(2.5)
    clock.advance()
    assert clock() == pytest.approx(3.5)
    now.t += 600  # a stall: one capped step
    clock.advance()
    assert clock() == pytest.approx(3.5 + TICK_CAP_S)


def test_a_pause_stops_the_clock_where_the_invigilator_paused(setup: Setup) -> None:
    """Terminals call every few seconds now; a pause between two calls must not charge the
    time from the pause to the next call (nor a resume the time before it)."""
    from kiosk import invigilation as inv
    from kiosk.service.candidate import Peer

    ledger = setup.centre.ledger()
    now = FakeNow()
    try:
        room = CandidateRoom(setup.centre, ledger)
        room.now = now
        peer = Peer(uid=os.getuid(), pid=os.getpid())
        found = room.find("C1", setup.code)
        session = room.login("C1", setup.code, seat="S1", language=None, peer=peer,
                             found=found, checked=True)
        room.call(session.token, peer).start()
        full = room.call(session.token, peer).tick().remaining_s
        now.t += 2.0
        assert room.call(session.token, peer).tick().remaining_s == pytest.approx(full - 2.0)
        now.t += 1.0
        inv.pause(ledger, inv.Invigilator("Ildikó"), session.attempt_id, "fire alarm")
        room.version += 1
        now.t += 2.5  # the terminal's next call comes 2.5 s after the pause
        view = room.call(session.token, peer).tick()
        assert view.paused and view.remaining_s == pytest.approx(full - 3.0)
        now.t += 30
        assert room.call(session.token, peer).tick().remaining_s == pytest.approx(full - 3.0)
        now.t += 1.0
        inv.resume(ledger, inv.Invigilator("Ildikó"), session.attempt_id)
        room.version += 1
        now.t += 2.0  # charged from the resume on, not from the call before it
        view = room.call(session.token, peer).tick()
        assert not view.paused and view.remaining_s == pytest.approx(full - 5.0)
    finally:
        ledger.close()


# --- the terminal: a call every few seconds, its clock counted down in between ------------------


def test_the_terminal_asks_the_service_every_few_seconds_and_counts_down_in_between(
        setup: Setup) -> None:
    from kiosk.client import TICK_EVERY_S, RemoteSession
    from tests.support.service_helpers import running_service

    with running_service(setup.centre.path) as svc:
        session = RemoteSession.login(svc.path, "C1", setup.code, seat="S1")
        session.start()
        calls: list[str] = []
        request = session.client.request

        def spy(method: str, url: str, *args: object, **kw: object) -> object:
            calls.append(url)
            return request(method, url, *args, **kw)

        session.client.request = spy  # type: ignore[method-assign]
        assert session.tick() is not None and calls == []  # start() answered just now
        session.answered_at -= TICK_EVERY_S
        first = session.tick()
        assert calls == ["/v1/candidate/tick"]
        shown = [first.remaining_s]
        began = time.monotonic()
        while time.monotonic() - began < 2 * TICK_EVERY_S + 0.2:
            time.sleep(0.5)
            view = session.tick()
            assert view.warnings_due == []
            shown.append(view.remaining_s)
        ticks = calls.count("/v1/candidate/tick")
        assert 2 <= ticks <= 3, calls  # not one per call of tick()
        assert shown == sorted(shown, reverse=True) and shown[-1] < shown[0] - 2 * TICK_EVERY_S + 1
        # what the terminal shows stays within a second of what the service charged
        served = session.fetch_view().remaining_s
        assert abs(session.tick().remaining_s - served) < 1.0
        # a save is a call: the next tick is local again
        calls.clear()
        session.save_answer(session.parts[0].items[0].key, True)
        session.tick()
        assert calls == ["/v1/candidate/answer"]
        # while the service does not answer, every tick asks it (the app shows the outage)
        os.kill(svc.proc.pid, signal.SIGSTOP)
        try:
            session.client.timeout = 0.5
            session.answered_at -= TICK_EVERY_S
            for _ in range(2):
                with pytest.raises(ServiceUnavailable):
                    session.tick()
        finally:
            os.kill(svc.proc.pid, signal.SIGCONT)
        session.client.timeout = 5.0
        session.tick()
        session.close()


# --- a save folds its own events without reading them back, and misses nothing ------------------


def test_a_save_folds_its_own_events_and_still_sees_what_was_written_in_between(
        setup: Setup) -> None:
    from kiosk.domain import attempts as A
    from kiosk.service.candidate import Peer

    ledger = setup.centre.ledger()
    try:
        room = CandidateRoom(setup.centre, ledger)
        peer = Peer(uid=os.getuid(), pid=os.getpid())

        def login(cid: str) -> object:
            return room.login(cid, setup.code, seat=f"S-{cid}", language=None, peer=peer,
                              found=room.find(cid, setup.code), checked=True)

        one, two = login("C1"), login("C2")
        room.call(one.token, peer).start()
        room.call(two.token, peer).start()
        keys = [v.key for v in one.parts[0].items]
        room.call(one.token, peer).save_answer(keys[0], False)  # reads C2's start, written since
        statements: list[str] = []
        ledger.conn.set_trace_callback(statements.append)
        room.call(one.token, peer).save_answer(keys[0], True)
        ledger.conn.set_trace_callback(None)
        assert one.view().answers == {keys[0]: True}
        # nothing else was written since it last read: its own event is not read back
        assert not [q for q in statements if "FROM events" in q and "attempt" in q], statements
        # another candidate's save, and a message to C1's room written on the same connection
        # (no data_version change, no staff version bump): the next save must still see it
        room.call(two.token, peer).save_answer(two.parts[0].items[0].key, False)
        ledger.append(A.PAUSED, {"sitting": setup.sitting, "reason": "fire alarm"},
                      actor="invigilator:Ildikó")
        room.call(one.token, peer).save_answer(keys[1], False)
        view = one.view()
        assert view.paused and view.answers == {keys[0]: True, keys[1]: False}
    finally:
        ledger.close()


def test_a_benchmark_can_have_the_service_write_its_handling_times(
        setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Off unless asked for; then written when the service stops, per route."""
    import json

    from kiosk.client import RemoteSession
    from kiosk.service.server import TIMINGS_ENV
    from tests.support.service_helpers import running_service

    out = tmp_path / "timings.json"
    monkeypatch.setenv(TIMINGS_ENV, str(out))
    with running_service(setup.centre.path) as svc:
        session = RemoteSession.login(svc.path, "C1", setup.code, seat="S1")
        session.start()
        session.save_answer(session.parts[0].items[0].key, True)
        session.close()
    ms = json.loads(out.read_text(encoding="utf-8"))
    assert len(ms["/v1/candidate/answer"]) == 1 and ms["/v1/candidate/answer"][0] > 0
    assert len(ms["/v1/candidate/login"]) == 1


# --- a stall of the service is charged to nobody, whatever the tick interval ---------------------


def test_the_services_own_stalls_are_not_charged() -> None:
    from kiosk.service.candidate import ALIVE_EVERY_S, ChargedClock, Stalls

    now = FakeNow()
    stalls = Stalls(now)
    clock = ChargedClock(now=now, stalls=stalls)
    clock.advance()
    for _ in range(8):  # the loop notes it is alive, the terminal calls now and then
        now.t += ALIVE_EVERY_S
        stalls.alive()
    clock.advance()
    assert clock() == pytest.approx(8 * ALIVE_EVERY_S)
    now.t += 0.5
    stalls.alive()
    now.t += 30  # stopped: nothing runs, then a call arrives before the loop noted anything
    clock.advance()
    assert clock() == pytest.approx(8 * ALIVE_EVERY_S + 0.5)
    stalls.alive()  # now the stall is on record
    now.t += 1.0
    stalls.alive()
    clock.advance()
    assert clock() == pytest.approx(8 * ALIVE_EVERY_S + 1.5)


def test_a_stopped_service_charges_nothing_for_the_stop(setup: Setup) -> None:
    from kiosk.client import RemoteSession
    from kiosk.service.candidate import TICK_CAP_S
    from tests.support.service_helpers import running_service

    with running_service(setup.centre.path) as svc:
        session = RemoteSession.login(svc.path, "C1", setup.code, seat="S1")
        session.start()
        before = session.fetch_view().remaining_s
        os.kill(svc.proc.pid, signal.SIGSTOP)
        try:
            time.sleep(TICK_CAP_S + 3)
        finally:
            os.kill(svc.proc.pid, signal.SIGCONT)
        after = session.fetch_view().remaining_s
        session.close()
    # before: one capped step (5 s) of the stop was charged; now none of it (a margin of one
    # second for the calls themselves and the stall detection)
    assert before - after < 1.5, (before, after)
