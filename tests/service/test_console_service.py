"""The invigilator console as a client of the centre service (issue 12, points 3 and 8).

With a real service process: the console under another uid that cannot read the centre
directory still logs in, lists the sittings and acts; the service's failure counters (wrong exit
PINs, wrong access codes, per seat and candidate) show on the console as lockout alerts; and
`kiosk invigilate` starts a service for itself when none listens.

Attack classes tried on the invigilation use cases: a candidate's token (refused and recorded),
a staff token replayed from another uid, no token from a uid that is not the operator, an
invigilator calling the operator's or the examiner's calls, an attempt of another sitting."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from textual.widgets import Select, Static

from kiosk.apps.invigilator.app import InvigilatorApp
from kiosk.apps.invigilator.screens.dialogs import FormDialog
from kiosk.apps.invigilator.screens.room import RoomScreen
from kiosk.client import Client, RemoteCalls, RemoteSession
from kiosk.errors import KioskError
from kiosk.i18n import set_language
from kiosk.ledger.centre import Centre
from kiosk.minutes import minutes_text
from kiosk.session_errors import LoginFailed
from tests.support.invigilation_helpers import PASSWORD, USER, room_setup, settle
from tests.support.service_helpers import env_with_repo, running_service, socket_dir

NOBODY = 65534
REPO = Path(__file__).resolve().parents[2]
SIZES = [(80, 24), (120, 36)]


@pytest.fixture(autouse=True)
def _language() -> Any:
    yield
    set_language("hu")


def _events(centre: Centre, kind: str) -> list[Any]:
    with Centre.open(centre.path).reader() as r:
        return list(r.events(kind=kind))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the console as another uid")
def test_the_console_under_another_uid_works_through_the_socket_only(tmp_path: Path) -> None:
    setup = room_setup(tmp_path)
    centre = setup.centre.path
    centre.chmod(0o700)
    sock = socket_dir() / "service.sock"
    # Without a service, that account is told so in one line (it cannot start one itself).
    alone = subprocess.run([sys.executable, "-m", "tests.support.as_uid", str(NOBODY), "invigilate",
                            "--centre", str(centre)], capture_output=True, text=True,
                           timeout=120, cwd=REPO, env=env_with_repo(), stdin=subprocess.DEVNULL)
    assert alone.returncode != 0
    assert "may not open the centre" in alone.stderr and "Traceback" not in alone.stderr
    assert len(alone.stderr.strip().splitlines()) == 1, alone.stderr
    with running_service(centre, sock=sock):
        run = subprocess.run(
            [sys.executable, "-m", "tests.support.console_as_uid", str(NOBODY), str(sock), str(centre),
             USER, PASSWORD, "Fifteen minutes left."],
            capture_output=True, text=True, timeout=180, cwd=REPO, env=env_with_repo(),
            stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["uid"] == NOBODY
    assert not report["read_key"] and not report["read_ledger"]
    assert report["screen"] == "SittingScreen" and report["sittings"] == [setup.sitting]
    assert report["room"] == setup.sitting
    assert sorted(report["candidates"]) == ["C1", "C2", "C3"]
    sent = _events(setup.centre, "invigilator_message")
    assert [(e.actor, e.body["text"]) for e in sent] == [("invigilator:anna",
                                                          "Fifteen minutes left.")]
    assert "Message sent." in report["notices"]


def _nobody_login(sock: Path) -> str:
    """A staff login made by a process of another uid; its token."""
    code = ("import sys, os\n"
            "from kiosk.client import RemoteCalls\n"
            f"os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY})\n"
            "c = RemoteCalls(sys.argv[1]); c.login(sys.argv[2], sys.argv[3])\n"
            "print(c.client.token)\n")
    run = subprocess.run([sys.executable, "-c", code, str(sock), USER, PASSWORD],
                         capture_output=True, text=True, timeout=60, cwd=REPO,
                         env=env_with_repo())
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_hostile_calls_on_the_invigilation_room(tmp_path: Path) -> None:
    setup = room_setup(tmp_path)
    sock = socket_dir() / "service.sock"
    with running_service(setup.centre.path, sock=sock):
        c1 = RemoteSession.login(sock, "C1", setup.code, seat="B204-01")
        c2 = RemoteSession.login(sock, "C2", setup.code, seat="B204-02")
        # A candidate's token on the invigilator's calls: refused, and recorded.
        for name, args in (("invigilation.admit", {"attempt": c1.attempt_id}),
                           ("invigilation.force_submit", {"attempt": c2.attempt_id}),
                           ("invigilation.room", {"sitting": setup.sitting}),
                           ("invigilation.set_exit_pin", {"pin": "1111"}),
                           ("invigilation.clear_lockout", {"sitting": setup.sitting,
                                                           "seat": "B204-01"})):
            with pytest.raises(KioskError, match="refused"):
                c1.client.request("POST", f"/v1/call/{name}", args)
        # The invigilator's own token is good for the room …
        staff = RemoteCalls(sock)
        staff.login(USER, PASSWORD)
        assert staff.call("invigilation.room", sitting=setup.sitting)["rows"]
        # A version it never gave, or not a string: the whole room, not an internal error.
        for since in ("zzz:9", 12, ["x"]):
            assert staff.call("invigilation.room", sitting=setup.sitting, since=since)["full"]
        with pytest.raises(KioskError, match="no sitting"):
            staff.call("invigilation.room", sitting="S-nothing")
        with pytest.raises(KioskError, match="sitting"):
            staff.call("invigilation.room", sitting={"$ne": 1})
        # … but not for the operator's or the examiner's calls.
        with pytest.raises(KioskError, match="operator|admin"):
            staff.call("user.add", name="mallory", role="admin", password="x" * 12)
        with pytest.raises(KioskError, match="examiner"):
            staff.call("roster.import", filename="r.csv", data_b64="aWQ7bmFtZQo=")
        # A lockout is lifted for a seat or a candidate of the sitting, never blindly.
        with pytest.raises(KioskError, match="seat or the candidate"):
            staff.call("invigilation.clear_lockout", sitting=setup.sitting)
        with pytest.raises(KioskError, match="not in sitting"):
            staff.call("invigilation.clear_lockout", sitting=setup.sitting, candidate="Z9")
        # An attempt that is not this sitting's: no events leak.
        with pytest.raises(KioskError, match="no attempt|not in this sitting"):
            staff.call("invigilation.events", sitting=setup.sitting, attempt="A-nowhere")
        # A made-up token is nobody.
        forged = Client(sock)
        forged.token = "A" * 32
        with pytest.raises(KioskError, match="staff"):
            forged.request("POST", "/v1/call/invigilation.room", {"sitting": setup.sitting})
        if os.geteuid() == 0:
            # A staff token taken to another uid: refused (tokens are bound to the login's uid).
            token = _nobody_login(sock)
            stolen = Client(sock)
            stolen.token = token
            with pytest.raises(KioskError, match="not logged in as staff"):
                stolen.request("POST", "/v1/call/invigilation.void",
                               {"attempt": c2.attempt_id, "reason": "x"})
            stolen.close()
        staff.close(), forged.close(), c1.close(force=True), c2.close(force=True)
    refused = _events(setup.centre, "request_refused")
    whats = [e.body["what"] for e in refused]
    assert whats == ["staff call invigilation.admit", "staff call invigilation.force_submit",
                     "staff call invigilation.room", "staff call invigilation.set_exit_pin",
                     "staff call invigilation.clear_lockout"]
    assert all(e.actor == "candidate:C1" and "peer_uid" in e.body for e in refused)
    assert not _events(setup.centre, "attempt_voided")
    assert not _events(setup.centre, "attempt_submitted")
    assert not _events(setup.centre, "exit_pin_changed")
    assert not _events(setup.centre, "lockout_cleared")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_wrong_exit_pins_and_codes_at_a_seat_are_alerts_on_the_console(
        tmp_path: Path, size: tuple[int, int]) -> None:
    setup = room_setup(tmp_path)
    sock = socket_dir() / "service.sock"
    with running_service(setup.centre.path, sock=sock):
        c1 = RemoteSession.login(sock, "C1", setup.code, seat="B204-01")
        app = InvigilatorApp(RemoteCalls(sock), language="en", sitting=setup.sitting)

        async def scenario() -> None:
            async with app.run_test(size=size) as pilot:
                app.screen.query_one("#user").value = USER
                app.screen.query_one("#password").value = PASSWORD
                app.screen.query_one("#password").focus()
                await pilot.press("enter")
                await settle(pilot)
                screen = app.screen
                assert isinstance(screen, RoomScreen)
                box = screen.query_one("#room-alerts", Static)
                assert not box.display  # nothing to say: no line taken from the table
                # Someone at C1's terminal tries to leave the kiosk; someone at B204-02 tries
                # C2's access code.
                for _ in range(3):
                    assert c1.exit_with_pin("0000") is False
                for _ in range(3):
                    with pytest.raises(LoginFailed):
                        RemoteSession.login(sock, "C2", "WRONG-CODE", seat="B204-02")
                screen.poll()
                await settle(pilot)
                assert box.display
                text = str(box.render())
                pins = next(line for line in text.splitlines() if "exit PIN" in line)
                assert "3 wrong exit PINs" in pins and "C1" in pins and "B204-01" in pins
                assert "locked until" in pins
                # counted at the seat and for the id typed: one alert, naming both
                logins = [line for line in text.splitlines() if "failed logins" in line]
                assert len(logins) == 1, text
                assert "3 failed logins" in logins[0] and "C2" in logins[0]
                assert "B204-02" in logins[0]
                toasts = [str(n.message) for n in app._notifications]
                assert len([n for n in toasts if "wrong exit PINs" in n]) == 1, toasts
                assert any("3 wrong exit PINs" in n and "C1" in n for n in toasts)
                # Said once: the next poll with nothing new raises no second toast.
                count = len(toasts)
                screen.poll()
                await settle(pilot)
                assert len(app._notifications) == count
                # The alert line is on screen, not under the table.
                assert box.region.height >= 2 and box.region.y < screen.query_one(
                    "#room").region.y
                # The invigilator checks the person at B204-01 and lifts that lockout.
                await pilot.press("u")
                await settle(pilot)
                dialog = app.screen
                assert isinstance(dialog, FormDialog)
                which = dialog.query_one("#f-which", Select)
                which.value = next(value for label, value in dialog.fields[0].choices
                                   if "exit PIN" in label)
                await pilot.click("#ok")
                await settle(pilot)
                # At once another try (no wait: a fourth failure in a row would have waited),
                # and the alert for the PINs is gone; the one for the codes stays.
                assert c1.exit_with_pin("0000") is False
                screen.poll()
                await settle(pilot)
                text = str(box.render())
                assert "exit PIN" not in text and "failed logins" in text

        asyncio.run(scenario())
        c1.close(force=True)
    refused = _events(setup.centre, "kiosk_exit_refused")
    assert len(refused) == 4 and all(e.body["seat"] == "B204-01" for e in refused)
    lifted = _events(setup.centre, "lockout_cleared")
    assert [(e.actor, e.body["seat"], e.body["candidate"]) for e in lifted] == [
        ("invigilator:anna", "B204-01", "C1")]
    minutes = minutes_text(setup.centre, setup.sitting, language="en")
    assert any("lockout lifted" in line and "anna" in line for line in minutes.splitlines())


def test_kiosk_invigilate_starts_a_service_and_stops_it(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """No service listening: the command starts one for the console, which talks to it (never
    to the ledger), and stops it when the console exits."""
    from kiosk.service.spawn import listening

    setup = room_setup(tmp_path)
    monkeypatch.delenv("KIOSK_SOCKET", raising=False)
    seen: dict[str, Any] = {}

    def console(centre: Path, *, service: Path, language: str | None = None,
                sitting: str | None = None) -> None:
        seen["listening"] = listening(Path(service))
        calls = RemoteCalls(service)
        calls.login(USER, PASSWORD)
        seen["sittings"] = [s["sitting"] for s in calls.call("sitting.list")]
        calls.close()

    import kiosk.apps.invigilator as console_module
    from kiosk.apps.invigilator.command import invigilate_command

    monkeypatch.setattr(console_module, "run_invigilator_app", console)
    result = CliRunner().invoke(invigilate_command, ["--centre", str(setup.centre.path)])
    assert result.exit_code == 0, result.output
    assert seen == {"listening": True, "sittings": [setup.sitting]}
    from kiosk.client import socket_path

    assert not listening(socket_path(setup.centre.path))


def test_the_room_view_knows_the_live_terminals_from_the_service(tmp_path: Path) -> None:
    """Liveness is the service's word (the terminal called within the lease time), not a guess
    from the ledger's timestamps: a silent terminal turns stale and its clock stops on the
    console, as the service stops charging it."""
    import time

    from kiosk.console_feed import RoomFeed
    from kiosk.service.candidate import LEASE_TTL_S

    setup = room_setup(tmp_path)
    sock = socket_dir() / "service.sock"
    with running_service(setup.centre.path, sock=sock):
        staff = RemoteCalls(sock)
        staff.login(USER, PASSWORD)
        c1 = RemoteSession.login(sock, "C1", setup.code, seat="B204-01")
        staff.call("invigilation.admit", attempt=c1.attempt_id)
        staff.call("invigilation.start", attempt=c1.attempt_id)
        c1.tick()
        feed = RoomFeed(staff, setup.sitting)
        feed.poll()
        assert feed.room.live_known
        assert feed.room.data_of("C1").live is True
        assert feed.room.data_of("C2").live is None  # not arrived: no terminal to speak of
        assert not feed.room.row("C1", time.time()).stale
        # The terminal falls silent (no call for longer than the lease).
        deadline = time.monotonic() + LEASE_TTL_S + 20
        while feed.room.data_of("C1").live and time.monotonic() < deadline:
            time.sleep(0.5)
            feed.poll()
        assert feed.room.data_of("C1").live is False
        row = feed.room.row("C1", time.time())
        assert row.stale and row.status == "in_progress"
        assert feed.room.row("C1", time.time() + 60).remaining_s == row.remaining_s
        # Back: live again at its next call.
        c1.tick()
        feed.poll()
        assert feed.room.data_of("C1").live is True
        staff.close()
        c1.close(force=True)


def test_a_stalled_service_does_not_freeze_the_console(tmp_path: Path) -> None:
    """The room view's poll and the actions wait on worker threads: with the service stopped
    (SIGSTOP), the screen still filters and moves; when the service is back, the poll's answer
    shows."""
    import signal

    setup = room_setup(tmp_path)
    sock = socket_dir() / "service.sock"
    with running_service(setup.centre.path, sock=sock) as child:
        # (a short timeout for the calls, so that the test sees one give up)
        app = InvigilatorApp(RemoteCalls(sock, timeout=2.0), language="en",
                             sitting=setup.sitting, timers=False)

        async def scenario() -> None:
            async with app.run_test(size=(120, 36)) as pilot:
                app.screen.query_one("#user").value = USER
                app.screen.query_one("#password").value = PASSWORD
                app.screen.query_one("#password").focus()
                await pilot.press("enter")
                await settle(pilot)
                screen = app.screen
                assert isinstance(screen, RoomScreen)
                os.kill(child.proc.pid, signal.SIGSTOP)
                try:
                    screen.poll()  # the question goes out on a worker and hangs there
                    await pilot.pause()
                    assert screen._polling
                    await pilot.press("slash")
                    for key in "C2":
                        await pilot.press(key)
                    await pilot.pause()
                    assert screen._order == ["C2"]  # the UI answered meanwhile
                    screen.poll()  # not asked twice while the first is out
                    assert len([w for w in app.workers if w.group == "poll"
                                and not w.is_finished]) == 1
                    # The question times out: the screen says so, and keeps saying it.
                    await settle(pilot)
                    counts = screen.query_one("#room-counts")
                    assert "does not answer" in str(counts.render())
                    screen.redraw()
                    assert "does not answer" in str(counts.render())
                finally:
                    os.kill(child.proc.pid, signal.SIGCONT)
                screen.poll()
                await settle(pilot)
                assert not screen._polling
                assert "⚠" not in str(screen.query_one("#room-counts").render())

        asyncio.run(scenario())
