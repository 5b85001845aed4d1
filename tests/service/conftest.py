"""Fixtures for the tests that run real processes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.ledger.centre import Centre
from kiosk.service.spawn import ChildService
from tests.support.service_helpers import running_service, socket_dir


@dataclass
class Served:
    """The `setup` world with its centre service running as a child process."""

    setup: Any
    service: ChildService
    sock: Path


@pytest.fixture
def served(setup: Any) -> Iterator[Served]:
    """`setup` (the module's `world` mark chooses it) served by a real `kiosk serve` process on a
    socket any uid can reach; stopped after the test."""
    centre = setup.centre.path if isinstance(setup.centre, Centre) else setup.centre
    sock = socket_dir() / "service.sock"
    with running_service(centre, sock=sock) as child:
        yield Served(setup, child, sock)
