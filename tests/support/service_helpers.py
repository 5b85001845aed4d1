"""A real centre service process for tests (`kiosk serve` as a child), and clients."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.client import Client
from kiosk.service.spawn import ChildService, start_service
from tests.support import world


@dataclass
class Served:
    """A test world (`setup`) with its centre service running as a child process; the socket is
    `service.path`."""

    setup: Any
    service: ChildService


def socket_dir() -> Path:
    """A directory any uid can traverse (pytest's tmp_path is 0700 to root)."""
    d = Path(tempfile.mkdtemp(prefix="kiosk-sock-", dir="/tmp"))
    d.chmod(0o755)
    return d


@contextmanager
def running_service(centre: Path, *, sock: Path | None = None, time_scale: float = 1.0,
                    log: Path | None = None) -> Iterator[ChildService]:
    sock = sock or socket_dir() / "service.sock"
    child = start_service(centre, sock, time_scale=time_scale,
                          log=log or centre.parent / "service.log")
    try:
        yield child
    finally:
        child.stop()


def staff_client(sock: Path, name: str, password: str) -> Client:
    client = Client(sock)
    client.token = client.request("POST", "/v1/staff/login",
                                  {"name": name, "password": password})["token"]
    return client


def add_user(centre: Path, name: str, role: str, password: str) -> None:
    world.add_user(centre, name, role, password, actor="admin")


def env_with_repo() -> dict[str, str]:
    env = dict(os.environ)
    repo = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = repo + os.pathsep + env.get("PYTHONPATH", "")
    return env
