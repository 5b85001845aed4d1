"""The centre service killed with SIGKILL at random moments, many times, while candidate client
processes keep saving unique answers (each acknowledged save logged by the client before the
next). After every kill the ledger must verify (every commit signed, no unsigned tail); at the
end every acknowledged answer must be in the ledger.

    python benchmarks/service_kills.py [--kills 200] [--clients 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.service.test_service_processes import kill_run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kiosk-kills-") as tmp:
        counts = kill_run(Path(tmp), kills=args.kills, clients=args.clients, seed=args.seed)
    if counts["acknowledged"] == 0:
        sys.exit("no save was acknowledged: the clients never got through")
    print(f"{counts['kills']} SIGKILLs of the service, {args.clients} clients: "
          f"{counts['acknowledged']} acknowledged saves, 0 lost, verify OK after every kill "
          f"({time.monotonic() - start:.0f} s)")


if __name__ == "__main__":
    main()
