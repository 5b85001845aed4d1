"""The invigilator console under another uid, headless (Textual's pilot):

    python -m tests.support.console_as_uid UID SOCKET CENTRE USER PASSWORD TEXT

The interpreter lives where only root may read (pyenv under /root), and Textual imports much of
itself lazily, so the console first runs once as root against a stand-in (imports only: nothing
of it is asserted), then the process drops to UID and runs the real thing through the centre
service at SOCKET: the staff login, the sittings list, the room view, and one action (a message
to the room, TEXT). Prints one JSON line of what it saw, and whether it could read the centre's
files."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kiosk.apps.invigilator.app import InvigilatorApp
from kiosk.apps.invigilator.screens.room import RoomScreen
from kiosk.apps.invigilator.screens.sittings import SittingScreen
from kiosk.client import RemoteCalls
from kiosk.domain import room as R
from kiosk.service.usecases import Caller


class _StandIn:
    """Canned answers, only so that every module the scenario needs is imported as root."""

    def login(self, name: str, password: str, roles: tuple[str, ...] = ()) -> Caller:
        return Caller(name, "invigilator")

    def call(self, use_case: str, /, **args: Any) -> Any:
        if use_case == "sitting.list":
            return [{"sitting": "S-1", "exam": "x", "room": "", "date": "", "candidates": ["C"],
                     "open": True, "seq": 1}]
        if use_case == "invigilation.room":
            row = R.RowData("C", "N", "", R.NOT_ARRIVED, 0, 0, None, None, None, 0)
            return {"version": "a:1", "full": True, "rows": [asdict(row)], "open": True,
                    "alerts": [], "pin_set": True, "live_known": True,
                    "sitting": {"id": "S-1", "exam": "x", "candidates": ["C"]},
                    "exam_title": ""}
        return {"seq": 1, "ts": "2025-01-01T00:00:00.000Z", "kind": "x"}

    def close(self) -> None:
        pass


def can_read(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            f.read(1)
        return True
    except OSError:
        return False


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def scenario(calls: Any, user: str, password: str, text: str) -> dict[str, Any]:
    app = InvigilatorApp(calls, centre_name="", language="en")
    seen: dict[str, Any] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#user").value = user
        app.screen.query_one("#password").value = password
        app.screen.query_one("#password").focus()
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        seen["screen"] = type(screen).__name__
        if isinstance(screen, SittingScreen):
            seen["sittings"] = [s["sitting"] for s in screen.sittings]
            await pilot.press("enter")
            await settle(pilot)
        room = app.screen
        if isinstance(room, RoomScreen):
            seen["room"] = room.feed.sitting.id
            seen["candidates"] = [r.candidate for r in room.room.rows(0)]
            await pilot.press("N")
            await settle(pilot)
            app.screen.query_one("#f-text").text = text
            await pilot.click("#ok")
            await settle(pilot)
        seen["notices"] = [str(n.message) for n in app._notifications]
    return seen


def main() -> None:
    uid, sock, centre, user, password, text = sys.argv[1:7]
    os.environ["HOME"] = "/tmp"
    asyncio.run(scenario(_StandIn(), user, password, text))
    os.setgroups([])
    os.setgid(int(uid))
    os.setuid(int(uid))
    report: dict[str, Any] = {"uid": os.getuid(),
                              "read_key": can_read(Path(centre) / "centre.key"),
                              "read_ledger": can_read(Path(centre) / "ledger.db")}
    report.update(asyncio.run(scenario(RemoteCalls(sock), user, password, text)))
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
