"""A candidate terminal as a separate process (the proof tests and benchmarks/load.py run it).

    python -m tests.support.service_client SOCKET CANDIDATE CODE SEAT [--as-uid N] [--centre DIR]
        [--saves N] [--ack-log FILE] [--no-submit]

It logs in through the centre service, starts, answers every item (short texts get a unique
value per save), submits and prints one JSON line: receipt, acknowledged saves, and whether it
could read the centre's files. With --as-uid it drops to that uid right after the imports,
before touching the socket, so the whole sitting runs as an unprivileged user. With --ack-log
every acknowledged save is appended (flushed) to FILE as `item\\tresponse` before the next one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import kiosk.domain.items  # noqa: F401 - imported before dropping privileges
import kiosk.session  # noqa: F401
from kiosk.client import RemoteSession
from kiosk.errors import KioskError


def can_read(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            f.read(1)
        return True
    except OSError:
        return False


def answer_for(item: object, n: int) -> object:
    kind = getattr(item, "type", "")
    if kind == "true_false":
        return n % 2 == 0
    if kind == "single_choice":
        return "x"
    return f"v{n}"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("socket")
    p.add_argument("candidate")
    p.add_argument("code")
    p.add_argument("seat")
    p.add_argument("--as-uid", type=int, default=None)
    p.add_argument("--centre", default=None)
    p.add_argument("--saves", type=int, default=1)
    p.add_argument("--ack-log", default=None)
    p.add_argument("--no-submit", action="store_true")
    p.add_argument("--pace", type=float, default=0.0)
    args = p.parse_args()
    if args.as_uid is not None:
        os.setgroups([])
        os.setgid(args.as_uid)
        os.setuid(args.as_uid)
    report: dict[str, object] = {"uid": os.getuid()}
    if args.centre:
        centre = Path(args.centre)
        report["read_key"] = can_read(centre / "centre.key")
        report["read_ledger"] = can_read(centre / "ledger.db")
    ack = open(args.ack_log, "a", encoding="utf-8") if args.ack_log else None  # noqa: SIM115
    session = None
    for _ in range(100):
        try:
            # patience: calls the service does not answer (restarting) are retried for 60 s
            session = RemoteSession.login(args.socket, args.candidate, args.code, seat=args.seat,
                                          patience=60.0)
            break
        except KioskError as exc:  # the old terminal's lease
            report["login_retry"] = str(exc)
            time.sleep(0.3)
    if session is None:
        print(json.dumps(report))
        return 2
    session.start()
    saves = 0
    items = [v for part in session.parts for v in part.items]
    for n in range(args.saves):
        for view in items:
            value = answer_for(view.item, n)
            while True:
                try:
                    session.save_answer(view.key, value)
                    break
                except KioskError as exc:
                    if "submitted" in str(exc) or "not open" in str(exc):
                        raise
                    time.sleep(0.1)  # not saved: retry, as the app does
            saves += 1
            if ack is not None:
                ack.write(f"{session.attempt_id}\t{view.key}\t{json.dumps(value)}\n")
                ack.flush()
            if args.pace:
                time.sleep(args.pace)
    report["saves"] = saves
    report["attempt"] = session.attempt_id
    if not args.no_submit:
        report["receipt"] = session.submit()
    session.close(force=True)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
