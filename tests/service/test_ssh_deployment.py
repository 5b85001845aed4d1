"""The centre-server deployment of docs/deployment.md, for real: an OpenSSH server on 127.0.0.1
whose ForceCommand runs `kiosk sit` (no shell), and a candidate at a "lab terminal" (`ssh -tt`
inside tmux) who logs in, answers and submits, and sees the receipt the ledger confirms.

Skipped (with the reason) when sshd, ssh, ssh-keygen or tmux is missing. In CI:
    apt-get install -y openssh-server openssh-client tmux
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.ledger.centre import Centre
from kiosk.ledger.receipts import receipt_code
from kiosk.service.spawn import start_service
from tests.support.candidate_helpers import exam_text, make_centre
from tests.support.service_helpers import socket_dir

REPO = Path(__file__).resolve().parents[2]
SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
MISSING = [name for name, path in (("sshd", SSHD), ("ssh", shutil.which("ssh")),
                                   ("ssh-keygen", shutil.which("ssh-keygen")),
                                   ("tmux", shutil.which("tmux"))) if not path]

pytestmark = pytest.mark.skipif(bool(MISSING), reason=(
    f"{', '.join(MISSING)} not installed (apt-get install -y openssh-server openssh-client tmux)"))

SSHD_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {tmp}/host_ed25519
PidFile {tmp}/sshd.pid
AuthorizedKeysFile {tmp}/authorized_keys
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
PermitUserEnvironment no
AcceptEnv KIOSK_SEAT
PrintMotd no
PrintLastLog no
Banner none
Subsystem sftp internal-sftp
Match User {user}
    ForceCommand {tmp}/kiosk-sit
    PermitTTY yes
"""

WRAPPER = """\
#!/bin/sh
# The only program a lab terminal gets: the candidate kiosk, a client of the centre service.
# It runs as the candidates' account ({cand_uid}), which is not the service's account and cannot
# read the centre directory; it reaches the service through its socket only.
seat="${{KIOSK_SEAT:-ssh-${{SSH_CLIENT%% *}}}}"
export PYTHONPATH="{repo}" PYTHONDONTWRITEBYTECODE=1 LANG=C.UTF-8 HOME=/tmp
exec {drop} "{python}" -m kiosk sit --centre "{centre}" --socket "{sock}" --seat "$seat" --lang en
"""
CANDIDATE_UID = 65534  # nobody
DROP = f"setpriv --reuid={CANDIDATE_UID} --regid={CANDIDATE_UID} --clear-groups --"


def candidate_account_problem() -> str | None:
    """Why this machine cannot run the client as the candidates' account (None: it can)."""
    if os.geteuid() != 0:
        return "needs root to run sshd's candidate account and the service under different uids"
    if not shutil.which("setpriv"):
        return "setpriv (util-linux) missing"
    probe = subprocess.run([*DROP.split(), sys.executable, "-c", "import textual.app"],
                           capture_output=True, text=True, env={**os.environ, "HOME": "/tmp",
                                                                "PYTHONPATH": str(REPO)})
    if probe.returncode != 0:
        return (f"the test Python ({sys.executable}) is not usable by uid {CANDIDATE_UID} "
                "(install Python and the packages system-wide to run this test)")
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Tmux:
    def __init__(self, tmp: Path) -> None:
        self.socket = str(tmp / "tmux.sock")

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True,
                              text=True, timeout=10).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "lab")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "lab", *keys)

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            assert time.monotonic() < deadline, f"{text!r} not on the screen:\n{screen}"
            time.sleep(0.2)


def test_a_candidate_sits_an_exam_over_ssh_with_forcecommand(tmp_path: Path) -> None:
    """The candidates' account is not the service's, cannot read centre.key or ledger.db, and
    still sits a whole exam through the service's socket."""
    problem = candidate_account_problem()
    if problem:
        pytest.skip(problem)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation dir
    setup = make_centre(tmp_path, exam_text([("1", "Questions", 10, ["geo-003"])]))
    setup.centre.chmod(0o700)  # the service's account only
    sock = socket_dir() / "service.sock"
    for secret in ("centre.key", "ledger.db"):
        denied = subprocess.run([*DROP.split(), "cat", str(setup.centre / secret)],
                                capture_output=True)
        assert denied.returncode != 0, f"the candidates' account can read {secret}"
    service = start_service(setup.centre, sock, log=tmp_path / "service.log",
                            with_parent=False)
    tmp = tmp_path / "ssh"
    tmp.mkdir()
    os.chmod(tmp, 0o700)
    user = getpass.getuser()
    port = free_port()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    str(tmp / "host_ed25519")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / "client")],
                   check=True)
    shutil.copy(tmp / "client.pub", tmp / "authorized_keys")
    wrapper = tmp / "kiosk-sit"
    wrapper.write_text(WRAPPER.format(repo=REPO, python=sys.executable, centre=setup.centre,
                                      sock=sock, drop=DROP, cand_uid=CANDIDATE_UID))
    wrapper.chmod(0o755)
    config = tmp / "sshd_config"
    config.write_text(SSHD_CONFIG.format(port=port, tmp=tmp, user=user))
    check = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True)  # type: ignore[list-item]
    assert check.returncode == 0, check.stderr
    sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.PIPE,  # type: ignore[list-item]
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    tmux = Tmux(tmp)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert sshd.poll() is None, sshd.stdout.read() if sshd.stdout else ""
                assert time.monotonic() < deadline, "sshd did not start listening"
                time.sleep(0.1)
        ssh = (f"ssh -tt -i {tmp}/client -p {port} -o StrictHostKeyChecking=no "
               f"-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o SetEnv=KIOSK_SEAT=LAB-07 "
               f"{user}@127.0.0.1")
        tmux.run("new-session", "-d", "-s", "lab", "-x", "100", "-y", "32",
                 f"env TERM=xterm-256color {ssh}; sleep 30")

        tmux.wait_for("Candidate ID", timeout=30)
        tmux.keys("C1", "Enter")
        time.sleep(0.3)
        tmux.keys(setup.code, "Enter")
        tmux.wait_for("Kovács Anna")  # the identity screen
        tmux.keys("Enter")
        tmux.wait_for("F9")  # the instructions (keys listed)
        tmux.keys("Enter")
        time.sleep(1.0)
        if "Questions" not in tmux.screen() or "Start" in tmux.screen():
            tmux.keys("Enter")  # the waiting room's self-start button
        tmux.wait_for("A. True")
        tmux.keys("Space")  # true/false: the first choice
        deadline = time.monotonic() + 15
        while not answers(setup.centre):
            assert time.monotonic() < deadline, tmux.screen()
            time.sleep(0.2)
        tmux.keys("F9")
        tmux.wait_for("Review before submitting")
        tmux.keys("Tab", "Enter")  # from "Back" to "Submit the exam"
        tmux.wait_for("Yes, submit")
        tmux.keys("Tab", "Enter")  # the dialog's safe default is "No"
        screen = tmux.wait_for("Receipt code")
        with Centre.open(setup.centre).reader() as reader:
            events = list(reader.events())
        submitted = [e for e in events if e.kind == "attempt_submitted"]
        assert len(submitted) == 1
        assert receipt_code(submitted[0].hash) in screen
        logged_in = [e for e in events if e.kind == "candidate_logged_in"]
        assert logged_in[0].body["seat"] == "LAB-07"  # the terminal's seat came over ssh
        assert logged_in[0].body["peer_uid"] == CANDIDATE_UID  # as the candidates' account
    finally:
        tmux.run("kill-server")
        os.killpg(sshd.pid, signal.SIGTERM)
        sshd.wait(timeout=10)
        service.stop()


def answers(centre: Path) -> list[object]:
    with Centre.open(centre).reader() as reader:
        return [e.body for e in reader.events(kind="answer_saved")]


def test_the_forced_command_gives_no_shell(tmp_path: Path) -> None:
    """Whatever command the client asks for, the server runs `kiosk sit` (which refuses to run
    without a terminal here) and never the client's command."""
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    tmp = tmp_path / "ssh"
    tmp.mkdir()
    os.chmod(tmp, 0o700)
    user = getpass.getuser()
    port = free_port()
    for name in ("host_ed25519", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / name)],
                       check=True)
    shutil.copy(tmp / "client.pub", tmp / "authorized_keys")
    marker = tmp_path / "pwned"
    wrapper = tmp / "kiosk-sit"
    wrapper.write_text("#!/bin/sh\necho FORCED\n")
    wrapper.chmod(0o755)
    config = tmp / "sshd_config"
    config.write_text(SSHD_CONFIG.format(port=port, tmp=tmp, user=user))
    sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,  # type: ignore[list-item]
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        proc = subprocess.run(
            ["ssh", "-i", str(tmp / "client"), "-p", str(port), "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", f"{user}@127.0.0.1",
             f"touch {marker}; sh -i"], capture_output=True, text=True, timeout=30,
            stdin=subprocess.DEVNULL)
        assert proc.stdout.strip() == "FORCED", (proc.stdout, proc.stderr)
        assert not marker.exists()
        # The effective settings for that account: the forced command, no forwarding of any kind.
        effective = subprocess.run(
            [SSHD, "-T", "-f", str(config), "-C", f"user={user},host=lab,addr=127.0.0.1"],  # type: ignore[list-item]
            capture_output=True, text=True, timeout=10).stdout
        for line in (f"forcecommand {wrapper}", "allowtcpforwarding no", "x11forwarding no",
                     "permittunnel no", "allowagentforwarding no", "passwordauthentication no"):
            assert line in effective, line
    finally:
        os.killpg(sshd.pid, signal.SIGTERM)
        sshd.wait(timeout=10)
