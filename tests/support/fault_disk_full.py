"""Child process for the disk-full test: the disk "fills" mid-exam via RLIMIT_FSIZE (SIGXFSZ
ignored, so writes fail with EFBIG as on a full disk), then space returns.

Prints one JSON object per step on stdout. With `--die-full` the process SIGKILLs itself while
the disk is full and a change is pending (the crash the invigilator's power cut would cause).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from pathlib import Path

from kiosk.session import CandidateSession, NotSaved


def say(**data: object) -> None:
    print(json.dumps(data), flush=True)


def main() -> None:
    centre, candidate, code = sys.argv[1:4]
    die_full = "--die-full" in sys.argv
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    session = CandidateSession.login(Path(centre), candidate, code, seat="PC-full",
                                     busy_timeout=1.0)
    session.start()
    keys = [v.key for v in session.parts[0].items]
    session.save_answer(keys[0], True)
    say(step="saved_before", item=keys[0])

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    # Any write that extends a file past 1 KiB fails: the WAL's first frame already does.
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, hard))
    try:
        session.save_answer(keys[1], False)
        say(step="full", raised=None)
    except NotSaved as exc:
        view = session.view()
        say(step="full", raised="NotSaved", message=str(exc), unsaved=view.unsaved,
            shown=view.answers.get(keys[1]), item=keys[1])
    view = session.tick()  # never raises NotSaved
    say(step="tick_while_full", unsaved=view.unsaved, status=view.status)
    if die_full:
        os.kill(os.getpid(), signal.SIGKILL)

    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    ok = session.retry_pending()
    session.save_answer(keys[2], True)
    view = session.view()
    say(step="space_back", retried=ok, unsaved=view.unsaved,
        answers={k: view.answers.get(k) for k in keys[:3]})
    session.close()


if __name__ == "__main__":
    main()
