"""Start a centre service as a child process when none is listening (`kiosk sit`, `kiosk demo`:
the embedded default stays one command), and stop it again when we started it.

Everything under one user like this is fine for practice and demos; it draws no trust boundary
(the candidate's process could read the centre directory itself). Exams run the service under
its own account (docs/deployment.md)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kiosk.errors import KioskError

START_TIMEOUT_S = 30.0


def listening(path: Path) -> bool:
    from kiosk.client import Client

    if not path.exists():
        return False
    client = Client(path, timeout=2.0)
    try:
        client.health()
        return True
    except KioskError:
        return False
    finally:
        client.close()


class ChildService:
    def __init__(self, proc: subprocess.Popen[bytes], path: Path) -> None:
        self.proc = proc
        self.path = path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_service(centre_dir: Path, socket_path: Path, *, time_scale: float = 1.0,
                  log: Path | None = None, with_parent: bool = True,
                  passphrase: str | None = None) -> ChildService:
    read_fd, write_fd = os.pipe()
    cmd = [sys.executable, "-m", "kiosk", "serve", "--centre", str(centre_dir),
           "--socket", str(socket_path), "--ready-fd", str(write_fd)]
    if time_scale != 1.0:
        cmd += ["--time-scale", str(time_scale)]
    if with_parent:
        cmd.append("--with-parent")
    # A file, not a pipe: nobody reads a pipe while the service runs, and a full one would
    # block it.
    out = open(log, "ab") if log is not None else tempfile.TemporaryFile()  # noqa: SIM115
    try:
        env = dict(os.environ)
        if passphrase:
            env["KIOSK_PASSPHRASE"] = passphrase  # the child cannot prompt: no terminal
        proc = subprocess.Popen(cmd, pass_fds=(write_fd,), stdin=subprocess.DEVNULL,
                                stdout=out, stderr=out, start_new_session=True, env=env)
    finally:
        os.close(write_fd)
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([read_fd], [], [], 0.2)
            if ready:
                if os.read(read_fd, 4096):
                    out.close()
                    return ChildService(proc, socket_path)
                break  # closed without a line: it failed
            if proc.poll() is not None:
                break
    finally:
        os.close(read_fd)
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    out.seek(0) if log is None else None
    err = out.read() if log is None else log.read_bytes()
    out.close()
    lines = [ln for ln in err.decode(errors="replace").splitlines() if ln.strip()]
    raise KioskError(f"{centre_dir}: the centre service did not start"
                     + (f" ({lines[-1]})" if lines else ""))


def ensure_service(centre_dir: Path, socket_path: Path | None = None) -> ChildService | None:
    """The socket path is listening afterwards; returns the child when we started one."""
    from kiosk.client import socket_path as default_path

    path = default_path(centre_dir, socket_path)
    if listening(path):
        return None
    return start_service(centre_dir, path)
