"""The centre service's API, against a real `kiosk serve` process: a whole exam through the
socket, the one result path, and what the API refuses (by attack class)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kiosk.client import Client, Refused, RemoteSession, SessionLost
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.receipts import receipt_code
from kiosk.ledger.store import NewEvent
from kiosk.ledger.verify import verify_ledger
from kiosk.results import compute_results
from kiosk.session import LoginFailed, LoginThrottled, NotInProgress
from tests.support.service_helpers import add_user, running_service, staff_client
from tests.support.session_helpers import make_setup


def _events(centre: Centre, kind: str) -> list:
    with centre.reader() as r:
        return list(r.events(kind=kind))


def test_whole_exam_through_the_service(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    with running_service(s.centre.path) as svc:
        r = RemoteSession.login(svc.path, "C1", s.code, seat="PC1")
        assert r.identity.candidate == "C1" and r.last_view.status == "logged_in"
        r.start()
        items = [v.key for v in r.parts[0].items]
        for key in items:
            r.save_answer(key, True)
        assert set(r.tick().answers) == set(items)
        receipt = r.submit()
        result = r.result()
        r.close()
    submitted = _events(s.centre, "attempt_submitted")
    assert receipt == receipt_code(submitted[0].hash)
    # The candidate's screen shows what `kiosk results` computes: the same function.
    expected = next(x for x in compute_results(s.centre, "one") if x.attempt == r.attempt_id)
    assert result is not None
    assert (result.points, result.max_points, result.grade) == (
        expected.points, expected.max_points, expected.grade)
    logged_in = _events(s.centre, "candidate_logged_in")
    assert logged_in[0].body["peer_uid"] == os.getuid()
    assert verify_ledger(s.centre.ledger_path, s.centre.public_key()).ok


def test_the_paper_carries_no_answer_keys(tmp_path: Path) -> None:
    s = make_setup(tmp_path, two_parts=True)
    with running_service(s.centre.path) as svc:
        client = Client(svc.path)
        data = client.request("POST", "/v1/candidate/login",
                              {"candidate": "C1", "code": s.code, "seat": "PC1"})
    text = json.dumps(data["paper"], ensure_ascii=False)
    # single_choice options keep their text but lose `correct`; true_false loses `answer`
    assert '"correct"' not in text and '"answer"' not in text
    assert "jó" in text and "rossz" in text


def test_the_api_refuses_by_attack_class(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    add_user(s.centre.path, "ivy", "invigilator", "invigilator-pass-1")
    with running_service(s.centre.path) as svc:
        mine = RemoteSession.login(svc.path, "C1", s.code, seat="PC1")
        other = RemoteSession.login(svc.path, "C2", s.code, seat="PC2")
        mine.start()
        other.start()
        c = mine.client
        # another attempt's events
        with pytest.raises(Refused):
            c.request("GET", f"/v1/attempts/{other.attempt_id}/events")
        own = c.request("GET", f"/v1/attempts/{mine.attempt_id}/events")["events"]
        assert own and all(e["kind"] for e in own)
        # answer keys
        with pytest.raises(Refused):
            c.request("GET", "/v1/exams/one/key")
        # staff actions with a candidate token
        with pytest.raises(Refused):
            c.request("POST", "/v1/call/invigilation.force_submit",
                      {"attempt": other.attempt_id})
        # candidate actions with a wrong token, and with none
        forged = Client(svc.path)
        forged.token = "not-a-token"
        with pytest.raises(SessionLost):
            forged.request("POST", "/v1/candidate/answer",
                           {"item": mine.parts[0].items[0].key, "response": True})
        forged.token = None
        with pytest.raises(SessionLost):
            forged.request("GET", "/v1/candidate/view")
        # a staff token is not a candidate
        staff = staff_client(svc.path, "ivy", "invigilator-pass-1")
        with pytest.raises(Refused):
            staff.request("POST", "/v1/candidate/answer", {"item": "x", "response": True})
        # a save after the invigilator force-submitted: refused, and the candidate is told
        key = mine.parts[0].items[0].key
        mine.save_answer(key, True)
        staff.request("POST", "/v1/call/invigilation.force_submit",
                      {"attempt": mine.attempt_id, "reason": "test"})
        with pytest.raises(NotInProgress):
            mine.save_answer(key, False)
        # a force-submit by another process writing the ledger is seen inside the transaction
        with s.centre.ledger() as direct:
            direct.append_many([NewEvent("part_submitted", {"part": "1", "reason": "forced"},
                                         "invigilator:x", other.attempt_id),
                                NewEvent("attempt_submitted", {"reason": "forced"},
                                         "invigilator:x", other.attempt_id)])
        with pytest.raises(NotInProgress):
            other.save_answer(other.parts[0].items[0].key, True)
    refused = _events(s.centre, "request_refused")
    assert [e.body["what"].split()[0] for e in refused] == ["events", "answer", "staff"]
    assert all(e.actor == "candidate:C1" and "peer_uid" in e.body for e in refused)
    answers = [e for e in _events(s.centre, "answer_saved") if e.attempt == mine.attempt_id]
    assert [e.body["response"] for e in answers] == [True]


def test_wrong_codes_are_recorded_and_throttled(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    with running_service(s.centre.path) as svc:
        for _ in range(3):
            with pytest.raises(LoginFailed):
                RemoteSession.login(svc.path, "C1", "WRONG-CODE", seat="PC9")
        with pytest.raises(LoginThrottled):
            RemoteSession.login(svc.path, "C1", s.code, seat="PC9")
        # the candidate is throttled from another seat too (counted per candidate)
        with pytest.raises(LoginThrottled):
            RemoteSession.login(svc.path, "C1", s.code, seat="PC8")
        ok = RemoteSession.login(svc.path, "C2", s.code, seat="PC7")
        # a wrong exit PIN is recorded as refused
        assert not ok.exit_with_pin("000000")
    failed = _events(s.centre, "login_failed")
    assert len(failed) == 3 and all("peer_uid" in e.body for e in failed)
    assert "WRONG" not in json.dumps([e.body for e in failed])
    assert len(_events(s.centre, "kiosk_exit_refused")) == 1


def _other_terminal(sock: Path, code: str) -> str:
    """Log in as C1 from another process; its outcome (an attempt id or an error class)."""
    import subprocess
    import sys

    script = ("import sys\nfrom kiosk.client import RemoteSession\n"
              "try:\n    r = RemoteSession.login(sys.argv[1], 'C1', sys.argv[2], seat='PC2')\n"
              "    print(r.attempt_id)\n"
              "except Exception as exc:\n    print(type(exc).__name__)\n")
    out = subprocess.run([sys.executable, "-c", script, str(sock), code], capture_output=True,
                         text=True, timeout=60)
    return out.stdout.strip()


def test_one_live_terminal_per_attempt(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    with running_service(s.centre.path) as svc:
        first = RemoteSession.login(svc.path, "C1", s.code, seat="PC1")
        first.tick()
        # this terminal (the test process) is alive and ticked just now: another is refused
        assert _other_terminal(svc.path, s.code) == "SessionElsewhere"
        # the same terminal logging in again (a lost reply, a restart) gets its attempt back
        again = RemoteSession.login(svc.path, "C1", s.code, seat="PC1")
        assert again.attempt_id == first.attempt_id
        again.close()
        # once it logged out, another terminal takes the attempt over
        assert _other_terminal(svc.path, s.code) == first.attempt_id


def test_the_service_refuses_unsigned_events_behind_its_back(tmp_path: Path) -> None:
    import sqlite3

    from kiosk.ledger.canonical import event_hash
    from kiosk.ledger.store import utc_now

    s = make_setup(tmp_path)
    conn = sqlite3.connect(s.centre.ledger_path)
    seq, prev = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    for ts in ("2099-01-01T00:00:00.000000Z", utc_now()):  # future-dated and current
        seq += 1
        body = '{"x":1}'
        digest = event_hash(prev, seq, ts, "intruder", None, "note", body)
        conn.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?)",
                     (seq, ts, "intruder", None, "note", body, prev, digest))
        prev = digest
    conn.commit()
    conn.close()
    with pytest.raises(KioskError, match="not covered by any signature.*kiosk verify"):
        with running_service(s.centre.path):
            pass
    with s.centre.reader() as r:
        assert r.head_seq() == seq  # nothing was signed or added
    assert not verify_ledger(s.centre.ledger_path, s.centre.public_key()).ok


def test_a_child_service_gets_the_passphrase_of_an_encrypted_key(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    from kiosk.client import Client as C
    from kiosk.service.spawn import start_service

    monkeypatch.delenv("KIOSK_PASSPHRASE", raising=False)
    centre, _ = Centre.init(tmp_path / "enc", "Titkos", passphrase="correct horse 42")
    with pytest.raises(KioskError, match="did not start"):
        start_service(centre.path, tmp_path / "a.sock", log=tmp_path / "a.log")
    child = start_service(centre.path, tmp_path / "b.sock", passphrase="correct horse 42",
                          log=tmp_path / "b.log")
    try:
        assert C(child.path).health()["centre"] == "Titkos"
    finally:
        child.stop()


def test_wrong_exit_pins_are_throttled_per_seat_and_attempt(tmp_path: Path) -> None:
    from kiosk.client import seat_exit

    s = make_setup(tmp_path)
    with running_service(s.centre.path) as svc:
        r = RemoteSession.login(svc.path, "C1", s.code, seat="PC1")
        for _ in range(3):
            assert not r.exit_with_pin("000000")
        # the fourth try waits, even with the right PIN (no PIN is set here: any is wrong)
        with pytest.raises(LoginThrottled):
            r.exit_with_pin("000000")
        # the seat is throttled from the login screen too
        with pytest.raises(LoginThrottled):
            seat_exit(svc.path, "000000", "PC1")
        assert not seat_exit(svc.path, "000000", "PC2")  # another seat is not
    assert len(_events(s.centre, "kiosk_exit_refused")) == 4


def test_a_deep_centre_directory_gets_a_short_socket(tmp_path: Path) -> None:
    from kiosk.client import socket_path
    from kiosk.service.spawn import ensure_service

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    s = make_setup(deep)
    path = socket_path(s.centre.path)
    assert len(str(path)) < 100 and path != s.centre.path / "service.sock"
    child = ensure_service(s.centre.path)
    assert child is not None
    try:
        r = RemoteSession.login(path, "C1", s.code, seat="PC1")
        assert r.identity.candidate == "C1"
        assert ensure_service(s.centre.path) is None  # it is listening: nothing more started
    finally:
        child.stop()


def _raw_post(sock: Path, url: str, token: str, raw: bytes) -> tuple[int, dict]:
    import http.client

    from kiosk.client import _UnixConnection

    conn = _UnixConnection(str(sock), 30)
    try:
        conn.request("POST", url, body=raw, headers={"Content-Type": "application/json",
                                                      "Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}")
    except (OSError, http.client.HTTPException) as exc:  # the service hung up: a failure too
        raise AssertionError(f"the service did not answer: {exc}") from None
    finally:
        conn.close()


def test_hostile_bodies_are_refused_and_the_service_carries_on(tmp_path: Path) -> None:
    """By attack class: numbers the ledger cannot store (NaN, Infinity, 1e400), a nesting bomb,
    an oversized body, not JSON. Each is one clear refusal; nothing reaches the ledger; the same
    terminal then saves normally."""
    s = make_setup(tmp_path)
    with running_service(s.centre.path) as svc:
        r = RemoteSession.login(svc.path, "C1", s.code, seat="PC1")
        r.start()
        key = r.parts[0].items[0].key
        token = r.client.token
        payloads = {
            "nan": b'{"item": "%s", "response": NaN}' % key.encode(),
            "infinity": b'{"item": "%s", "response": -Infinity}' % key.encode(),
            "overflow": b'{"item": "%s", "response": 1e400}' % key.encode(),
            "deep": b'{"item": "%s", "response": ' % key.encode() + b"[" * 100_000
                    + b"]" * 100_000 + b"}",
            "huge": b'{"item": "%s", "response": "' % key.encode() + b"x" * 2_000_000 + b'"}',
            "not json": b"{'item': 1}",
        }
        for name, raw in payloads.items():
            status, data = _raw_post(svc.path, "/v1/candidate/answer", token, raw)
            assert 400 <= status < 500, (name, status, data)
            assert data.get("message") and "\n" not in data["message"], name
        assert Client(svc.path).health()["ok"]
        r.save_answer(key, True)
        r.close()
    answers = [e.body["response"] for e in _events(s.centre, "answer_saved")]
    assert answers == [True]
    assert verify_ledger(s.centre.ledger_path, s.centre.public_key()).ok


def test_a_served_terminal_knows_its_candidates_own_time(tmp_path: Path) -> None:
    """The instructions show the candidate's own time (accommodation included): the paper a
    terminal gets from the service carries each part's extra minutes."""
    s = make_setup(tmp_path)
    with running_service(s.centre.path) as svc:
        plain = RemoteSession.login(svc.path, "C1", s.code, seat="PC1")
        extra = RemoteSession.login(svc.path, "C3", s.code, seat="PC3")
        assert [p.extra_minutes for p in plain.parts] == [0.0]
        assert [p.extra_minutes for p in extra.parts] == [10.0]
        plain.close()
        extra.close()
