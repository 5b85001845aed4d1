"""Child process for the console tests: one candidate's terminal, a client of the centre
service listening at SOCKET (as `kiosk sit` is).

    python tests/support/invigilation_driver.py SOCKET CANDIDATE CODE SEAT

Ticks every 0.1 s (real monotonic clock) and prints its view as a JSON line after every tick,
stamped with the wall time, so the test can tell when an invigilator's action arrived. Reads
commands from stdin: `submit`, `answer`, `quit`.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from queue import Empty, Queue

from kiosk.client import RemoteSession
from kiosk.errors import KioskError
from kiosk.session_errors import SessionElsewhere


def say(**data: object) -> None:
    print(json.dumps({"t": time.time(), **data}), flush=True)


def main() -> None:
    sock, candidate, code, seat = sys.argv[1:5]
    try:
        session = RemoteSession.login(sock, candidate, code, seat=seat)
    except KioskError as exc:
        say(login_error=type(exc).__name__, message=str(exc))
        return
    say(ready=True, attempt=session.attempt_id)
    commands: Queue[str] = Queue()

    def read() -> None:
        for line in sys.stdin:
            commands.put(line.strip())

    threading.Thread(target=read, daemon=True).start()
    while True:
        try:
            view = session.tick()
        except SessionElsewhere as exc:
            say(elsewhere=str(exc))
            return
        say(status=view.status, remaining=view.remaining_s, paused=view.paused,
            suspended=view.suspended, away=view.away, receipt=view.receipt)
        try:
            command = commands.get(timeout=0.1)
        except Empty:
            continue
        if command == "quit":
            session.close(force=True)
            return
        try:
            if command == "submit":
                say(submitted=session.submit())
            elif command == "answer":
                session.save_answer(session.parts[0].items[0].key, True)
                say(answered=True)
        except KioskError as exc:
            say(error=type(exc).__name__, message=str(exc))


if __name__ == "__main__":
    main()
