"""The service's kept room views (`invigilation.room`, kiosk/service/rooms/invigilation.py) are
bounded — closed sittings leave first — and a view notices a ledger that is not the one it was
folded from. Before: every sitting ever read stayed in memory for the life of the process, and
a centre restored from a backup (or otherwise replaced) under the same path went on showing
events its ledger no longer held."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from kiosk import invigilation as inv
from kiosk.client import RemoteCalls
from kiosk.ledger.centre import Centre
from kiosk.service.rooms import invigilation as rooms
from kiosk.service.usecases import LocalCalls
from tests.support import world
from tests.support.invigilation_helpers import PASSWORD, USER, room_setup
from tests.support.service_helpers import running_service


def poll(calls: Any, sitting: str, since: str | None = None) -> dict[str, Any]:
    return calls.call("invigilation.room", sitting=sitting, since=since)


def test_the_service_keeps_a_bounded_number_of_rooms_closed_ones_leaving_first(
        tmp_path: Path) -> None:
    setup = room_setup(tmp_path)
    centre = setup.centre
    with centre.ledger() as ledger:
        exam = inv.sitting(ledger, setup.sitting).exam
    extra = [world.new_sitting(centre, exam)[0] for _ in range(rooms.MAX_ROOM_VIEWS)]
    closed = extra[0]
    with centre.ledger() as ledger:
        inv.close_sitting(ledger, inv.Invigilator(USER, "invigilator"), closed)
    with running_service(centre.path) as child:
        calls = RemoteCalls(child.path)
        calls.login(USER, PASSWORD, ("invigilator",))
        # The first room read, then a closed one, then open ones up to one over the bound.
        first = poll(calls, setup.sitting)
        shut = poll(calls, closed)
        assert first["open"] and not shut["open"]
        seen = {}
        for sitting in extra[1:]:
            seen[sitting] = poll(calls, sitting)
            assert seen[sitting]["full"]
        # The closed room went, though the first room was read before it.
        assert poll(calls, setup.sitting, first["version"]) == {
            "version": first["version"], "unchanged": True}
        again = poll(calls, closed, shut["version"])
        assert not again.get("unchanged"), "the closed room's view was kept past the bound"
        assert again["full"] and again["version"] != shut["version"]
        assert sorted(r["candidate"] for r in again["rows"]) == ["C1", "C2", "C3"]
        # Reading it again passed the bound once more; the closed room was the newest, so the
        # least recently read open room went instead; the next one is still kept.
        oldest, next_oldest = extra[1], extra[2]
        assert poll(calls, oldest, seen[oldest]["version"])["full"]
        assert poll(calls, next_oldest, seen[next_oldest]["version"])["unchanged"]
        calls.close()


def test_a_view_notices_a_ledger_restored_under_it(tmp_path: Path) -> None:
    """A centre restored from a backup at the same path: the view the process kept folded a
    close that the restored ledger does not hold; it is made again from the ledger there."""
    setup = room_setup(tmp_path)
    path = setup.centre.path
    backup = tmp_path / "backup"
    shutil.copytree(path, backup)

    calls = LocalCalls(Centre.open(path))
    before = poll(calls, setup.sitting)
    assert before["open"]
    with Centre.open(path).ledger() as ledger:
        inv.close_sitting(ledger, inv.Invigilator(USER, "invigilator"), setup.sitting)
    closed = poll(calls, setup.sitting, before["version"])
    assert not closed["open"]
    calls.close()

    # The backup comes back, and the centre goes on: other events take the close's numbers.
    shutil.rmtree(path)
    shutil.copytree(backup, path)
    for n in range(3):
        world.add_user(Centre.open(path), f"extra{n}", "invigilator", PASSWORD)

    calls = LocalCalls(Centre.open(path))
    after = poll(calls, setup.sitting, closed["version"])
    assert not after.get("unchanged") and after["open"], (
        "the room still shows a close its ledger does not hold")
    assert after["full"] and after["version"] != closed["version"]
    assert sorted(r["candidate"] for r in after["rows"]) == ["C1", "C2", "C3"]
    calls.close()


def test_a_view_notices_a_ledger_cut_back_under_it(tmp_path: Path) -> None:
    """The same with nothing appended after the restore (the ledger is shorter than the view)."""
    setup = room_setup(tmp_path)
    path = setup.centre.path
    backup = tmp_path / "backup"
    shutil.copytree(path, backup)
    calls = LocalCalls(Centre.open(path))
    with Centre.open(path).ledger() as ledger:
        inv.close_sitting(ledger, inv.Invigilator(USER, "invigilator"), setup.sitting)
    assert not poll(calls, setup.sitting)["open"]
    calls.close()
    shutil.rmtree(path)
    shutil.copytree(backup, path)
    calls = LocalCalls(Centre.open(path))
    assert poll(calls, setup.sitting)["open"]
    calls.close()
