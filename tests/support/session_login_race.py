"""Child process for the login race: logs in at an agreed moment and prints WON or ELSEWHERE."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kiosk.session import CandidateSession, SessionElsewhere


def main() -> None:
    centre, candidate, code, seat, start_at = sys.argv[1:6]
    time.sleep(max(0.0, float(start_at) - time.time()))
    try:
        session = CandidateSession.login(Path(centre), candidate, code, seat=seat)
    except SessionElsewhere:
        print("ELSEWHERE", flush=True)
        return
    print("WON", flush=True)
    # Stay alive (and the lease with us) until the other process has certainly tried.
    time.sleep(4)
    session.close()


if __name__ == "__main__":
    main()
