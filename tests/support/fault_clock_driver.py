"""Child process for the clock test: the wall clock jumps by +1 hour and then by −1 hour (from
the true time) during an exam, while the session measures time with the real monotonic clock.

The jump is made the way a person or a bad NTP server makes it: everything that reads the wall
clock in this process (time.time, the ledger's timestamps) sees it, the monotonic clock does not.
Prints one JSON object per phase: remaining seconds, monotonic and wall time.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

_real_time = time.time
_offset = 0.0


def _fake_time() -> float:
    return _real_time() + _offset


class _FakeDatetime(dt.datetime):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _FakeDatetime:  # type: ignore[override]
        return cls.fromtimestamp(_fake_time(), tz)


def main() -> None:
    global _offset
    time.time = _fake_time  # type: ignore[assignment]
    import kiosk.ledger.store as store

    store.datetime = _FakeDatetime  # type: ignore[misc]
    from kiosk.session import CandidateSession

    centre, candidate, code = sys.argv[1:4]
    session = CandidateSession.login(Path(centre), candidate, code, seat="PC-clock")
    session.start()
    keys = [v.key for v in session.parts[0].items]

    def phase(name: str, seconds: float, answer: bool) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            session.tick()
            time.sleep(0.1)
        session.save_answer(keys[len(name) % len(keys)], answer)
        view = session.tick()
        print(json.dumps({"phase": name, "remaining": view.remaining_s, "status": view.status,
                          "mono": time.monotonic(), "wall": time.time(), "offset": _offset}),
              flush=True)

    phase("before", 0.5, True)
    _offset = 3600.0
    phase("plus_hour", 1.0, False)
    _offset = -3600.0
    phase("minus_hour", 1.0, True)
    session.close()


if __name__ == "__main__":
    main()
