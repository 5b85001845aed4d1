"""The real command line as a subprocess, for the tests that check what a user sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def kiosk(*args: str, input: str | None = None, env: dict[str, str] | None = None,
          timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m kiosk ARGS` from the repository root, output captured as text; `env` is added
    to this process's environment. The timeout only turns a hang into a failure."""
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True,
                          text=True, input=input, env={**os.environ, **(env or {})},
                          timeout=timeout)
