"""Plugins hear attempt lifecycle points after the events are durable; a broken listener never
disturbs the candidate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.hookspecs import hookimpl
from kiosk.plugins import pm
from kiosk.session import CandidateSession
from tests.support.session_helpers import correct, make_setup


class Listener:
    def __init__(self) -> None:
        self.heard: list[tuple[str, str, str]] = []

    @hookimpl
    def attempt_lifecycle(self, point: str, attempt: str, event: dict[str, Any]) -> None:
        self.heard.append((point, attempt, event["kind"]))


class Broken:
    @hookimpl
    def attempt_lifecycle(self, point: str, attempt: str, event: dict[str, Any]) -> None:
        raise RuntimeError("listener bug")


@pytest.fixture
def listeners() -> Any:
    listener, broken = Listener(), Broken()
    pm.register(broken, name="test-broken-listener")
    pm.register(listener, name="test-listener")
    yield listener
    pm.unregister(name="test-listener")
    pm.unregister(name="test-broken-listener")


def test_lifecycle_points_reach_plugins_in_order(tmp_path: Path, listeners: Listener) -> None:
    setup = make_setup(tmp_path)
    session = CandidateSession.login(setup.centre, "C1", setup.code, seat="S1")
    session.start()
    key = session.parts[0].items[0].key
    session.save_answer(key, correct(session, key))
    receipt = session.submit()
    session.close(force=True)
    assert receipt
    points = [p for p, attempt, _ in listeners.heard if attempt == session.attempt_id]
    assert points == ["started", "answer_saved", "part_submitted", "submitted"]
    # The session went on despite the broken listener: the submission is in the ledger.
    with setup.centre.reader() as ledger:
        assert [e.kind for e in ledger.events(kind="attempt_submitted")] == ["attempt_submitted"]
