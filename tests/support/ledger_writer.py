"""Child process for the crash and concurrency tests: appends events and reports each one
on stdout only after append() returned (i.e. after COMMIT)."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.ledger.centre import Centre


def main() -> None:
    centre_dir, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with Centre.open(Path(centre_dir)).ledger() as ledger:
        print("ready", flush=True)
        for i in range(count):
            ledger.append(
                "answer_saved",
                {"writer": writer, "i": i, "response": "válasz ő ű"},
                actor=f"candidate:{writer}",
                attempt=f"A-{writer}",
            )
            print(i, flush=True)


if __name__ == "__main__":
    main()
