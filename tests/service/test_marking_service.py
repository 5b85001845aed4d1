"""The examiner's side through the centre service: marking, review, appeals, oral marks,
records and results as use cases (kiosk/service/rooms/), called by thin commands and by the
marking app, with the examiner's name from the login, never from the arguments.

Attack classes tried: a candidate's token on every examiner call (refused and recorded), an
invigilator's token (refused by role), an examiner naming another marker in the arguments, a
second marker asking for a response they already marked, a third party's code; and an examiner
account that cannot read the centre directory doing its marking through the socket only."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Static

from kiosk.apps.examiner.app import ExaminerApp
from kiosk.apps.examiner.screens import LoginScreen, MarkScreen, QueueScreen
from kiosk.client import Client, RemoteCalls
from kiosk.errors import KioskError
from kiosk.i18n import set_language
from kiosk.service.spawn import listening
from kiosk.service.usecases import LocalCalls
from tests.apps.test_examiner_app import log_in, settle
from tests.support.marking_helpers import PASSWORD, essay_answers, mark_setup, sit
from tests.support.service_helpers import add_user, env_with_repo, running_service, socket_dir

NOBODY = 65534
REPO = Path(__file__).resolve().parents[2]
DOUBLE = "double_marking = true\ndouble_marking_threshold = 2"


@pytest.fixture(autouse=True)
def _language() -> Any:
    yield
    set_language("hu")


def kiosk_as(uid: int, *args: str, sock: Path, password: str | None = PASSWORD
             ) -> subprocess.CompletedProcess[str]:
    env = env_with_repo()
    env.pop("KIOSK_PASSPHRASE", None)
    env["KIOSK_SOCKET"] = str(sock)
    env["HOME"] = "/tmp"
    if password is not None:
        env["KIOSK_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "tests.support.as_uid_marking", str(uid), *args],
                          capture_output=True, text=True, timeout=120, env=env, cwd=REPO,
                          stdin=subprocess.DEVNULL)


def shown(app: ExaminerApp) -> str:
    """The screen's text as the terminal shows it (toasts included)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


def events(s: Any, kind: str) -> list[Any]:
    with s.centre.reader() as r:
        return list(r.events(kind=kind))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run commands as another uid")
def test_an_examiner_who_cannot_read_the_centre_marks_through_the_socket(tmp_path: Path
                                                                         ) -> None:
    s = mark_setup(tmp_path)
    attempt = sit(s, "C1", essay_answers("Az én esszém"))
    centre = s.centre.path
    centre.chmod(0o700)
    sock = socket_dir() / "service.sock"
    c = str(centre)
    alone = kiosk_as(NOBODY, "mark-set", attempt, "e2", "4", "--user", "anna", "--centre", c,
                     sock=sock)
    assert alone.returncode != 0 and "no centre service listens" in alone.stderr
    assert "Traceback" not in alone.stderr
    with running_service(centre, sock=sock):
        queue = kiosk_as(NOBODY, "mark-queue", "--user", "anna", "--centre", c, sock=sock)
        assert queue.returncode == 0, queue.stderr
        code = queue.stdout.split("\n")[1].split()[0]  # "  CODE  round 1"
        assert attempt not in queue.stdout and "C1" not in queue.stdout
        marked = kiosk_as(NOBODY, "mark-set", code, "e1", "--criterion", "Tartalom=5",
                          "--criterion", "Nyelvhelyesség=3", "--user", "anna",
                          "--centre", c, sock=sock)
        assert marked.returncode == 0, marked.stderr
        assert marked.stdout.startswith(f"Marked {code} m:e1: 8 points, round 1")
        again = kiosk_as(NOBODY, "mark-set", code, "e2", "4", "--user", "anna", "--centre", c,
                         sock=sock)
        assert again.returncode == 0, again.stderr
        results = kiosk_as(NOBODY, "results", "--user", "anna", "--lang", "en", "--centre", c,
                           sock=sock)
        assert results.returncode == 0, results.stderr
        assert "C1" in results.stdout and "overall" in results.stdout
        wrong = kiosk_as(NOBODY, "mark-set", code, "e2", "5", "--user", "bela", "--centre", c,
                         sock=sock, password="not-his-password")
        assert wrong.returncode != 0 and "wrong password" in wrong.stderr
        # Without a login the foreign account is not the operator: one line, refused.
        anon = kiosk_as(NOBODY, "mark-queue", "--centre", c, sock=sock, password=None)
        assert anon.returncode != 0 and len(anon.stderr.strip().splitlines()) == 1
    # The app's command with no service: one line, no traceback, nothing started.
    app = kiosk_as(NOBODY, "mark", "--centre", c, sock=sock)
    assert app.returncode != 0 and "no centre service listens" in app.stderr
    assert len(app.stderr.strip().splitlines()) == 1, app.stderr
    marks = events(s, "marked")
    assert [(e.body["item"], e.body["marker"], e.actor) for e in marks] == [
        ("m:e1", "anna", "examiner:anna"), ("m:e2", "anna", "examiner:anna")]
    assert all(e.attempt == attempt for e in marks)
    failed = events(s, "staff_login_failed")
    assert failed and failed[-1].body["peer_uid"] == NOBODY


EXAMINER_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("marking.mark", {"attempt": "X", "item": "e1", "points": 1}),
    ("marking.remark", {"seq": 1, "points": 1}),
    ("marking.response", {"exam": "essay", "item": "m:e1", "code": "X"}),
    ("marking.queue", {}),
    ("review.open", {"exam": "essay"}),
    ("appeal.decide", {"appeal": 1, "points": 1}),
    ("appeal.lodge", {"exam": "essay", "candidate": "C1", "item": "e1", "text": "x"}),
    ("oral.draw", {"exam": "essay", "candidate": "C1"}),
    ("oral.record", {"exam": "essay", "candidate": "C1", "grade": 5}),
    ("record.absence", {"exam": "essay", "candidate": "C1", "reason": "x"}),
    ("results.compute", {}),
]


def test_candidate_and_invigilator_tokens_are_refused_and_names_come_from_the_token(
        tmp_path: Path) -> None:
    s = mark_setup(tmp_path, DOUBLE)
    attempt = sit(s, "C1", essay_answers("Válasz"))
    add_user(s.centre.path, "ivan", "invigilator", "ivan-password-1")
    sock = socket_dir() / "service.sock"
    with running_service(s.centre.path, sock=sock):
        cand = Client(sock)
        cand.token = cand.request("POST", "/v1/candidate/login",
                                  {"candidate": "C2", "code": s.code, "seat": "PC2"})["token"]
        for name, args in EXAMINER_CALLS:
            with pytest.raises(KioskError, match="refused"):
                cand.request("POST", f"/v1/call/{name}", args)
        ivan = RemoteCalls(sock)
        ivan.login("ivan", "ivan-password-1")
        for name, args in EXAMINER_CALLS:
            if name == "appeal.list":
                continue
            with pytest.raises(KioskError, match="examiner|operator|admin"):
                ivan.call(name, **args)
        anna, bela = RemoteCalls(sock), RemoteCalls(sock)
        anna.login("anna", PASSWORD)
        bela.login("bela", PASSWORD)
        [group] = [g for g in anna.call("marking.queue") if g["item"] == "m:e1"]
        code = group["waiting"][0]["code"]
        # The marker is the token's examiner: naming another is not an argument at all.
        with pytest.raises(KioskError, match="marker"):
            anna.call("marking.mark", attempt=code, item="e1", points=5, marker="bela")
        done = anna.call("marking.mark", attempt=code, item="e1",
                         criteria={"Tartalom": 4, "Nyelvhelyesség": 2})
        assert done["round"] == 1 and done["code"] == code
        # Double marking stays blind and independent: anna's queue no longer holds it, she
        # may not open it again, and bela's view shows no earlier mark.
        assert not any(g["item"] == "m:e1" and g["waiting"]
                       for g in anna.call("marking.queue"))
        with pytest.raises(KioskError, match="not waiting for a mark from anna"):
            anna.call("marking.response", exam=s.exam, item="m:e1", code=code)
        view = bela.call("marking.response", exam=s.exam, item="m:e1", code=code)
        assert view["round"] == 2 and view["view"]["earlier"] == []
        assert "Válasz" in view["view"]["answer"] and attempt not in str(view)
        assert view["content"]["source"] == "" and str(tmp_path) not in str(view)
        with pytest.raises(KioskError, match="already marked"):
            anna.call("marking.mark", attempt=code, item="e1", points=6)
        bela.call("marking.mark", attempt=code, item="e1", points=7)
        cand.close(), ivan.close(), anna.close(), bela.close()
    marks = events(s, "marked")
    assert [(e.body["marker"], e.actor, e.body["round"]) for e in marks] == [
        ("anna", "examiner:anna", 1), ("bela", "examiner:bela", 2)]
    refused = [e.body.get("what", "") for e in events(s, "request_refused")]
    for name, _args in EXAMINER_CALLS:
        assert f"staff call {name}" in refused, name


def test_the_embedded_and_the_service_paths_compute_the_same_results(tmp_path: Path) -> None:
    s = mark_setup(tmp_path)
    sit(s, "C1", essay_answers())
    sit(s, "C2", essay_answers("Más"))
    local = LocalCalls(s.centre)
    local.login("anna", PASSWORD)
    local.call("marking.mark", attempt=local.call("marking.queue")[0]["waiting"][0]["code"],
               item="e1", criteria={"Tartalom": 6, "Nyelvhelyesség": 4})
    embedded = local.call("results.compute", language="en")
    local.close()
    sock = socket_dir() / "service.sock"
    with running_service(s.centre.path, sock=sock):
        remote = RemoteCalls(sock)
        served = remote.call("results.compute", language="en")
        remote.close()
    assert served == embedded
    assert {r["candidate"] for r in served["results"]} >= {"C1", "C2"}


# --- the marking app against a real service ---------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_the_app_marks_through_a_running_service_and_leaves_it_running(
        tmp_path: Path, size: tuple[int, int]) -> None:
    s = mark_setup(tmp_path)
    sit(s, "C1", essay_answers("Első"))
    sit(s, "C2", essay_answers("Második"))
    sock = socket_dir() / "service.sock"
    with running_service(s.centre.path, sock=sock):
        async def body() -> None:
            app = ExaminerApp(s.centre.path, language="en", socket=sock)
            async with app.run_test(size=size, notifications=True) as pilot:
                await log_in(pilot)
                assert isinstance(app.screen, QueueScreen)
                await pilot.press("m")
                await settle(pilot)
                mark = app.screen
                assert isinstance(mark, MarkScreen) and mark.entry.item == "m:e1"
                assert mark.entry.code in shown(app)
                mark.query_one("#crit-0", Input).value = "6"
                mark.query_one("#crit-1", Input).value = "2,5"
                assert "✓ Saved" not in shown(app)
                mark.save()
                await settle(pilot)
                assert isinstance(app.screen, MarkScreen) and app.screen is not mark
                # the acknowledgement, after the service's commit, on the screen that follows
                assert f"✓ Saved: {mark.entry.code} m:e1 (8.5)" in shown(app)
            assert app.calls is not None and app._child is None

        asyncio.run(body())
        assert listening(sock)  # not the app's to stop
    [ev] = events(s, "marked")
    assert ev.body["points"] == 8.5 and ev.actor == "examiner:anna"


def test_a_save_the_service_does_not_acknowledge_stays_on_screen(tmp_path: Path) -> None:
    """No "✓ Saved" without the service's commit: the marks stay typed, Save stays usable."""
    s = mark_setup(tmp_path)
    sit(s, "C1", essay_answers())
    sock = socket_dir() / "service.sock"

    async def body() -> None:
        with running_service(s.centre.path, sock=sock) as service:
            app = ExaminerApp(s.centre.path, language="en", socket=sock)
            async with app.run_test(size=(120, 36), notifications=True) as pilot:
                await log_in(pilot)
                await pilot.press("m")
                await settle(pilot)
                mark = app.screen
                assert isinstance(mark, MarkScreen)
                mark.query_one("#crit-0", Input).value = "5"
                mark.query_one("#crit-1", Input).value = "3"
                await pilot.pause()
                service.stop()
                mark.save()
                # until the service answers: saving, and no second save
                assert mark.query_one("#save", Button).disabled and mark.saving
                await settle(pilot)
                assert app.screen is mark
                message = str(mark.query_one("#mark-message", Static).render())
                assert "does not answer" in message and "✓" not in message
                assert "✓ Saved" not in shown(app)
                assert mark.query_one("#crit-0", Input).value == "5"
                assert not mark.query_one("#save", Button).disabled

    asyncio.run(body())
    assert events(s, "marked") == []


def test_the_app_starts_a_service_when_none_listens_and_stops_it_on_exit(tmp_path: Path,
                                                                         monkeypatch: Any
                                                                         ) -> None:
    s = mark_setup(tmp_path)
    sit(s, "C1", essay_answers())
    sock = socket_dir() / "service.sock"
    monkeypatch.setenv("KIOSK_SOCKET", str(sock))
    seen: dict[str, Any] = {}

    async def body() -> None:
        app = ExaminerApp(s.centre.path, language="en")
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, password="wrong-password")
            assert isinstance(app.screen, LoginScreen)
            await log_in(pilot)
            assert isinstance(app.screen, QueueScreen)
            seen["child"] = app._child
            seen["listening"] = listening(sock)

    asyncio.run(body())
    assert seen["child"] is not None and seen["listening"]
    assert seen["child"].proc.poll() is not None and not listening(sock)


def test_a_mark_read_first_is_refused_when_the_attempt_was_voided_meanwhile(tmp_path: Path
                                                                            ) -> None:
    """The marking context is read off the writer (read_first), a moment before the write:
    the write itself re-checks the attempt, so a void in between is not marked over."""
    from kiosk.service.usecases import Caller, Context, lookup

    s = mark_setup(tmp_path)
    attempt = sit(s, "C1", essay_answers())
    mark = lookup("marking.mark")
    assert mark.read_first is not None
    anna = Caller("anna", "examiner")
    with s.centre.reader() as reader:
        snapshot = mark.read_first(Context(s.centre, reader, anna), {})
    with s.centre.ledger() as ledger:
        ledger.append("attempt_voided", {"reason": "copied"}, actor="invigilator:ivan",
                      attempt=attempt)
        with pytest.raises(KioskError, match="voided"), ledger.transaction():
            mark.fn(Context(s.centre, ledger, anna, extra={"first": snapshot}),
                    attempt=attempt, item="e1", points=5)
    assert events(s, "marked") == []


def test_after_a_service_restart_the_app_logs_in_again_and_saves(tmp_path: Path) -> None:
    s = mark_setup(tmp_path)
    sit(s, "C1", essay_answers())
    sock = socket_dir() / "service.sock"

    async def body() -> None:
        service = running_service(s.centre.path, sock=sock)
        service.__enter__()
        try:
            app = ExaminerApp(s.centre.path, language="en", socket=sock)
            async with app.run_test(size=(80, 24)) as pilot:
                await log_in(pilot)
                await pilot.press("m")
                await settle(pilot)
                mark = app.screen
                assert isinstance(mark, MarkScreen)
                mark.query_one("#crit-0", Input).value = "4"
                mark.query_one("#crit-1", Input).value = "4"
                await pilot.pause()
                service.__exit__(None, None, None)  # the service restarts: tokens are gone
                service = running_service(s.centre.path, sock=sock)
                service.__enter__()
                mark.save()
                await settle(pilot)
                assert isinstance(app.screen, QueueScreen)
        finally:
            service.__exit__(None, None, None)

    asyncio.run(body())
    [ev] = events(s, "marked")
    assert ev.body["points"] == 8 and ev.actor == "examiner:anna"


def test_kiosk_mark_starts_a_service_for_the_app_and_stops_it(tmp_path: Path, monkeypatch: Any,
                                                               capsys: Any) -> None:
    from kiosk.cli import main

    s = mark_setup(tmp_path)
    sock = socket_dir() / "service.sock"
    monkeypatch.setenv("KIOSK_SOCKET", str(sock))
    seen: dict[str, Any] = {}

    def run(app: ExaminerApp) -> None:  # the app itself is the pilot tests' business
        seen["listening"], seen["socket"] = listening(sock), app.socket

    monkeypatch.setattr(ExaminerApp, "run", run)
    with pytest.raises(SystemExit) as done:
        main(["mark", "--centre", str(s.centre.path)])
    assert not done.value.code
    assert seen == {"listening": True, "socket": sock}
    assert not listening(sock)
    with pytest.raises(SystemExit) as done:
        main(["mark", "--centre", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "no centre service listens" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the app as another uid")
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_the_marking_app_under_another_uid_marks_through_the_socket(
        tmp_path: Path, size: tuple[int, int]) -> None:
    import json

    s = mark_setup(tmp_path)
    sit(s, "C1", essay_answers("Az én esszém"))
    centre = s.centre.path
    centre.chmod(0o700)
    sock = socket_dir() / "service.sock"
    env = env_with_repo()
    env.pop("KIOSK_PASSPHRASE", None)
    env["HOME"] = "/tmp"
    with running_service(centre, sock=sock):
        run = subprocess.run([sys.executable, "-m", "tests.support.examiner_app_as_uid", str(NOBODY),
                              str(centre), str(sock), "anna", PASSWORD, *map(str, size)],
                             capture_output=True, text=True, timeout=180, env=env, cwd=REPO,
                             stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["centre_readable"] is False  # the app's account cannot read the centre
    assert seen["queue"] and seen["mark"] and not seen["child"]
    assert "Az én esszém" in seen["response"]
    assert seen["screen"] == "QueueScreen"  # saved; nothing left of that item to mark
    [ev] = events(s, "marked")
    assert ev.actor == "examiner:anna" and ev.body["points"] == 9
    assert code_of(s, ev.attempt) == seen["code"]


def code_of(s: Any, attempt: str | None) -> str:
    from kiosk.domain import marking as M

    with s.centre.reader() as r:
        return M.anon_code(str(attempt), r.get(1).hash)  # type: ignore[union-attr]


def test_a_stalled_service_keeps_the_screen_answering_and_the_save_lands_later(
        tmp_path: Path) -> None:
    """SIGSTOP the service during a save: the app still answers keys (back to the queue), and
    when the service goes on the mark is acknowledged and the queue shows it."""
    import signal

    s = mark_setup(tmp_path)
    sit(s, "C1", essay_answers())
    sock = socket_dir() / "service.sock"

    async def body() -> None:
        with running_service(s.centre.path, sock=sock) as service:
            app = ExaminerApp(s.centre.path, language="en", socket=sock)
            async with app.run_test(size=(80, 24), notifications=True) as pilot:
                await log_in(pilot)
                await pilot.press("m")
                await settle(pilot)
                mark = app.screen
                assert isinstance(mark, MarkScreen)
                mark.query_one("#crit-0", Input).value = "2"
                mark.query_one("#crit-1", Input).value = "2"
                await pilot.pause()
                os.kill(service.proc.pid, signal.SIGSTOP)
                try:
                    mark.save()
                    await pilot.pause(0.3)
                    assert mark.saving and "✓ Saved" not in shown(app)
                    await pilot.press("escape")  # the UI answers while the save waits
                    await pilot.pause()
                    assert isinstance(app.screen, QueueScreen)
                finally:
                    os.kill(service.proc.pid, signal.SIGCONT)
                await settle(pilot)
                assert isinstance(app.screen, QueueScreen)
                assert "✓ Saved" in shown(app)
                from textual.widgets import DataTable

                rows = app.screen.query_one("#groups", DataTable)
                assert rows.get_row_at(0)[2:] == ["0", "1"]  # m:e1: none waiting, one done

    asyncio.run(body())
    [ev] = events(s, "marked")
    assert ev.body["points"] == 4


def test_a_mark_saved_is_shown_saved_even_when_the_next_response_cannot_be_read(
        tmp_path: Path, monkeypatch: Any) -> None:
    """Once the service acknowledged the mark, a failure on the way to the next response only
    sends the marker back to the queue: never "not saved" for a mark that is saved."""
    s = mark_setup(tmp_path)
    sit(s, "C1", essay_answers())
    sit(s, "C2", essay_answers())

    async def body() -> None:
        app = ExaminerApp(s.centre.path, language="en", calls=lambda: LocalCalls(s.centre))
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await log_in(pilot)
            await pilot.press("m")
            await settle(pilot)
            mark = app.screen
            assert isinstance(mark, MarkScreen)
            mark.query_one("#crit-0", Input).value = "1"
            mark.query_one("#crit-1", Input).value = "1"
            await pilot.pause()

            def gone(*_a: Any, **_k: Any) -> Any:
                raise KioskError("the centre service does not answer")

            monkeypatch.setattr(app, "open_response", gone)
            mark.save()
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            assert "✓ Saved" in shown(app)

    asyncio.run(body())
    assert len(events(s, "marked")) == 1
