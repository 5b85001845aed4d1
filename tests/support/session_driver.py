"""Child process for the crash test: drives a session with the real monotonic clock and prints
each answer on stdout only after save_answer returned (i.e. after COMMIT)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from kiosk.session import CandidateSession


def main() -> None:
    centre, candidate, code, seat = sys.argv[1:5]
    session = CandidateSession.login(Path(centre), candidate, code, seat=seat)
    session.start()
    keys = [v.key for v in session.parts[0].items]
    print(json.dumps({"ready": True}), flush=True)
    n = 0
    while True:
        key = keys[n % len(keys)]
        response = (n // len(keys)) % 2 == 0
        session.save_answer(key, response)
        view = session.view()
        print(json.dumps({"n": n, "item": key, "response": response,
                          "remaining": view.remaining_s}), flush=True)
        n += 1
        session.tick()
        time.sleep(0.1)


if __name__ == "__main__":
    main()
