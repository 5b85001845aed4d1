"""Run the marking app (Textual pilot, headless) as another uid against a centre service:
`python -m tests.support.examiner_app_as_uid UID CENTRE SOCKET USER PASSWORD WIDTH HEIGHT`.

The interpreter's files are readable only by root, so the whole flow is run once as root first
(log in, open a response, go back: nothing written), which imports everything it needs; then
the process drops to UID and marks one response for real, printing what happened as JSON."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any


async def _flow(centre: Path, sock: Path, user: str, password: str, size: tuple[int, int],
                save: bool) -> dict[str, Any]:
    from textual.widgets import Input

    from kiosk.apps.examiner.app import ExaminerApp
    from kiosk.apps.examiner.screens import MarkScreen, QueueScreen

    async def settle(pilot: Any) -> None:
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    out: dict[str, Any] = {}
    app = ExaminerApp(centre, language="en", socket=sock)
    async with app.run_test(size=size, notifications=True) as pilot:
        screen = pilot.app.screen
        screen.query_one("#user", Input).value = user
        screen.query_one("#password", Input).value = password
        screen.query_one("#password", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        out["queue"] = isinstance(app.screen, QueueScreen)
        await pilot.press("m")
        await settle(pilot)
        mark = app.screen
        out["mark"] = isinstance(mark, MarkScreen)
        if isinstance(mark, MarkScreen):
            out["code"] = mark.entry.code
            out["response"] = mark.query_one("#response").text  # type: ignore[attr-defined]
            if save:
                mark.query_one("#crit-0", Input).value = "6"
                mark.query_one("#crit-1", Input).value = "3"
                await pilot.pause()
                mark.save()
                await settle(pilot)
            else:
                await pilot.press("escape")
                await settle(pilot)
        out["screen"] = type(app.screen).__name__
        out["child"] = app._child is not None
    return out


def main() -> None:
    uid = int(sys.argv[1])
    centre, sock, user, password = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], sys.argv[5]
    size = (int(sys.argv[6]), int(sys.argv[7]))
    warm = asyncio.run(_flow(centre, sock, user, password, size, save=False))
    assert warm["mark"], warm
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    try:
        (centre / "ledger.db").stat()
        readable = True
    except PermissionError:
        readable = False
    result = asyncio.run(_flow(centre, sock, user, password, size, save=True))
    result["centre_readable"] = readable
    print(json.dumps(result))


if __name__ == "__main__":
    main()
