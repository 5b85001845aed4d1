"""Staff and operator use cases through the centre service (`POST /v1/call/{name}`): the
writing commands are clients of the service, by the same functions as the embedded path.

Attack classes tried: a candidate's token on a staff call (refused and recorded), no token from
a foreign uid (not the operator), a staff token replayed from another uid, a staff role calling
an operator/admin use case, a forged password hash smuggled into `user.add`, an unknown call,
wrong arguments; and a staff account that cannot read the centre directory still doing its work
through the socket while the operator's commands are refused to it."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.client import Client, RemoteCalls
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.service.usecases import LocalCalls
from tests.support.service_helpers import add_user, env_with_repo, running_service, socket_dir
from tests.support.session_helpers import make_setup

NOBODY = 65534
REPO = Path(__file__).resolve().parents[2]


def kiosk_as(uid: int | None, *args: str, sock: Path | None = None,
             password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = env_with_repo()
    env.pop("KIOSK_PASSPHRASE", None)
    if sock is not None:
        env["KIOSK_SOCKET"] = str(sock)
    if password is not None:
        env["KIOSK_PASSWORD"] = password
    env["HOME"] = "/tmp"
    cmd = ([sys.executable, "-m", "tests.support.as_uid", str(uid)] if uid is not None
           else [sys.executable, "-m", "kiosk"])
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120, env=env,
                          cwd=REPO, stdin=subprocess.DEVNULL)


def test_embedded_and_service_paths_give_the_same_answers(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    local = LocalCalls(s.centre)
    try:
        local_sittings = local.call("sitting.list")
        local_roster = local.call("roster.list")
    finally:
        local.close()
    sock = socket_dir() / "service.sock"
    with running_service(s.centre.path, sock=sock):
        remote = RemoteCalls(sock)
        try:
            assert remote.call("sitting.list") == local_sittings
            assert remote.call("roster.list") == local_roster
        finally:
            remote.close()


def test_the_commands_go_through_a_running_service(tmp_path: Path) -> None:
    """With a service listening, `kiosk user add` is the service's write: its events are in
    the service's transactions (the writer's counters move), not a second writer's."""
    s = make_setup(tmp_path)
    sock = socket_dir() / "service.sock"
    with running_service(s.centre.path, sock=sock):
        env_pw = "correct horse battery"
        run = kiosk_as(None, "user", "add", "vera", "--role", "invigilator", "--centre",
                       str(s.centre.path), sock=sock)
        assert run.returncode != 0  # no password: asked, and stdin is closed
        env = {"KIOSK_NEW_PASSWORD": env_pw}
        os.environ.update(env)
        try:
            run = kiosk_as(None, "user", "add", "vera", "--role", "invigilator", "--centre",
                           str(s.centre.path), sock=sock)
        finally:
            os.environ.pop("KIOSK_NEW_PASSWORD")
        assert run.returncode == 0, run.stderr
        assert "User vera (invigilator) added" in run.stdout
        listed = kiosk_as(None, "user", "list", "--centre", str(s.centre.path), sock=sock)
        assert "vera" in listed.stdout
    with s.centre.reader() as r:
        added = [e for e in r.events(kind="user_added") if e.body["user"] == "vera"]
    assert len(added) == 1 and added[0].body["password_hash"].startswith("scrypt")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run commands as another uid")
def test_staff_under_another_uid_work_through_the_socket_only(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    centre = s.centre.path
    add_user(centre, "ildi", "invigilator", "ildi-password-1")
    centre.chmod(0o700)
    sock = socket_dir() / "service.sock"
    sitting = s.sitting
    # Without a service, an account that cannot open the centre is told so in one line.
    alone = kiosk_as(NOBODY, "sitting", "seat", sitting, "C1", "B204-01", "--user", "ildi",
                     "--centre", str(centre), sock=sock, password="ildi-password-1")
    assert alone.returncode != 0
    assert "no centre service listens" in alone.stderr and "Traceback" not in alone.stderr
    with running_service(centre, sock=sock):
        seat = kiosk_as(NOBODY, "sitting", "seat", sitting, "C1", "B204-01", "--user", "ildi",
                        "--centre", str(centre), sock=sock, password="ildi-password-1")
        assert seat.returncode == 0, seat.stderr
        assert "C1 -> seat B204-01" in seat.stdout
        # The operator's administration is not theirs, with or without a password.
        for args in (["user", "add", "mallory", "--role", "examiner"],
                     ["user", "disable", "ildi", "--reason", "x"],
                     ["user", "list"]):
            run = kiosk_as(NOBODY, *args, "--centre", str(centre), sock=sock)
            assert run.returncode != 0, args
            assert "Traceback" not in run.stderr
            assert len(run.stderr.strip().splitlines()) == 1, run.stderr
        wrong = kiosk_as(NOBODY, "sitting", "open", sitting, "--user", "ildi", "--centre",
                         str(centre), sock=sock, password="not-her-password")
        assert wrong.returncode != 0 and "wrong password" in wrong.stderr
    with s.centre.reader() as r:
        seats = [e for e in r.events(kind="seat_assigned")]
        users = {e.body["user"] for e in r.events(kind="user_added")}
        failed = list(r.events(kind="staff_login_failed"))
    assert seats and "ildi" in seats[-1].actor
    assert "mallory" not in users
    assert failed and failed[-1].body["peer_uid"] == NOBODY


def test_hostile_calls_are_refused(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    add_user(s.centre.path, "ildi", "invigilator", "ildi-password-1")
    sock = socket_dir() / "service.sock"
    with running_service(s.centre.path, sock=sock):
        # A candidate's token: refused, and the attempt is recorded as a security event.
        cand = Client(sock)
        login = cand.request("POST", "/v1/candidate/login",
                             {"candidate": "C1", "code": s.code, "seat": "PC1"})
        cand.token = login["token"]
        with pytest.raises(KioskError, match="refused"):
            cand.request("POST", "/v1/call/user.add",
                         {"name": "evil", "role": "admin", "password": "x" * 12})
        with pytest.raises(KioskError, match="refused"):
            cand.request("POST", "/v1/call/sitting.close", {"sitting": s.sitting})
        # A made-up token is nobody.
        forged = Client(sock)
        forged.token = "A" * 32
        with pytest.raises(KioskError, match="staff"):
            forged.request("POST", "/v1/call/sitting.list", {})
        # An invigilator may not do the operator's or admin's work.
        staff = RemoteCalls(sock)
        staff.login("ildi", "ildi-password-1")
        with pytest.raises(KioskError, match="operator|admin"):
            staff.call("user.add", name="evil", role="admin", password="x" * 12)
        with pytest.raises(KioskError, match="no such call"):
            staff.call("ledger.drop")
        with pytest.raises(KioskError, match="sitting.open: got an unexpected keyword "
                                             "argument 'extra_field'"):
            staff.call("sitting.open", sitting=s.sitting, extra_field=1)
        with pytest.raises(KioskError, match="sitting.open: missing a required argument"):
            staff.call("sitting.open")
        # The operator (this test's own uid) cannot hand in a hash of its own choosing.
        operator = RemoteCalls(sock)
        with pytest.raises(KioskError, match="password"):
            operator.call("user.add", name="smuggled", role="admin",
                          password_hash="scrypt$1$1$1$AAAA$AAAA")
        operator.call("user.add", name="honest", role="examiner", password="a-long-password")
        staff.close(), operator.close(), cand.close(), forged.close()
    with s.centre.reader() as r:
        refused = [e for e in r.events(kind="request_refused")]
        names = {e.body["user"] for e in r.events(kind="user_added")}
    assert any("staff call user.add" in e.body.get("what", "") for e in refused)
    assert any("staff call sitting.close" in e.body.get("what", "") for e in refused)
    assert "evil" not in names and "smuggled" not in names and "honest" in names


def test_roster_import_errors_travel_line_by_line(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("id;name\nZ1;\nZ2;Zoe\nZ2;Zed\n", encoding="utf-8")
    sock = socket_dir() / "service.sock"
    with running_service(s.centre.path, sock=sock):
        run = kiosk_as(None, "roster", "import", str(bad), "--centre", str(s.centre.path),
                       sock=sock)
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert lines[-1].startswith(f"kiosk: {bad}:") and "nothing imported" in lines[-1]
    assert any(f"{bad}:2" in line for line in lines[:-1]), run.stderr
    with Centre.open(s.centre.path).reader() as r:
        ids = {e.body["candidate"] for e in r.events(kind="candidate_registered")}
    assert not ids & {"Z1", "Z2"}
    assert base64  # (the file travels as base64: bytes judged by the service, as locally)


def test_load_and_sealed_export_run_in_the_service(tmp_path: Path) -> None:
    """With a service listening, `kiosk load` and `kiosk export` are the service's writes, an
    examiner may not make them, and the bundle verifies."""
    from tests.service.test_packages import EXAM_TEXT, PASSPHRASE, bank_text, package

    s = make_setup(tmp_path)
    (tmp_path / "src" / "banks").mkdir(parents=True)
    (tmp_path / "src" / "banks" / "foldrajz.toml").write_text(bank_text(), encoding="utf-8")
    src = tmp_path / "src" / "proba.exam.toml"
    src.write_text(EXAM_TEXT, encoding="utf-8")
    pkg = package(src, tmp_path / "p.kpkg")
    add_user(s.centre.path, "ex", "examiner", "ex-password-12")
    sock = socket_dir() / "service.sock"
    out = tmp_path / "bundle.zip"
    with running_service(s.centre.path, sock=sock):
        load = kiosk_as(None, "load", str(pkg), "--centre", str(s.centre.path), "--passphrase",
                        PASSPHRASE, sock=sock)
        assert load.returncode == 0, load.stderr
        assert "Loaded exam" in load.stdout
        export = kiosk_as(None, "export", "--sealed", str(out), "--centre",
                          str(s.centre.path), sock=sock)
        assert export.returncode == 0, export.stderr
        staff = RemoteCalls(sock)
        staff.login("ex", "ex-password-12")
        with pytest.raises(KioskError, match="operator"):
            staff.call("results.export", out=str(tmp_path / "other.zip"))
        with pytest.raises(KioskError, match="operator"):
            staff.call("exam.load", package=str(pkg), package_passphrase=PASSPHRASE,
                       replace=True)
        staff.close()
    assert not (tmp_path / "other.zip").exists()
    verify = kiosk_as(None, "verify", str(out))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    with s.centre.reader() as r:
        kinds = [e.kind for e in r.events()]
    assert kinds.count("exam_loaded") == 2 and kinds.count("exported") == 1
