"""Fixtures for every folder under tests/ (tests/README.md lists them)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.ledger.centre import Centre
from tests.support import world
from tests.support.candidate_helpers import make_centre
from tests.support.invigilation_helpers import room_setup
from tests.support.marking_helpers import mark_setup
from tests.support.session_helpers import make_setup

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

#: The worlds `setup` builds, by the name a module's `world` mark gives (default "session").
WORLDS: dict[str, Callable[..., Any]] = {
    "session": make_setup,
    "candidate": make_centre,
    "room": room_setup,
    "marking": mark_setup,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "world(name, **options): the world the `setup` fixture builds "
        f"({', '.join(WORLDS)}; default session), options passed to its builder")


@pytest.fixture
def centre(tmp_path: Path) -> Centre:
    c, _ = Centre.init(tmp_path / "centre", "Teszt központ")
    return c


@pytest.fixture
def python() -> str:
    return sys.executable


@pytest.fixture
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A centre in tmp_path with an exam loaded, a roster and an open sitting (real ledger,
    in-process). Which one: `pytestmark = pytest.mark.world("candidate")` in the module (or on
    the test); see tests/support/world.py for what each world holds."""
    mark = request.node.get_closest_marker("world")
    name, options = ("session", {}) if mark is None else (mark.args[0], mark.kwargs)
    return WORLDS[name](tmp_path, **options)


@pytest.fixture
def examiner_password(monkeypatch: pytest.MonkeyPatch) -> str:
    """The staff commands read the password from KIOSK_PASSWORD: the marking world's examiners'."""
    monkeypatch.setenv("KIOSK_PASSWORD", world.EXAMINER_PASSWORD)
    return world.EXAMINER_PASSWORD


@pytest.fixture
def english() -> Iterator[None]:
    """The interface in English for the test (the root conftest restores the language after)."""
    from kiosk.i18n import set_language

    set_language("en")
    yield
