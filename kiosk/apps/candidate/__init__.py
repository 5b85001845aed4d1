"""The candidate kiosk app (`kiosk sit`)."""

from __future__ import annotations

from typing import Any


def run_candidate_app(*args: Any, **kwargs: Any) -> None:
    # Imported on call so that `import kiosk.apps.candidate` stays cheap for the CLI.
    from kiosk.apps.candidate.app import run_candidate_app as run

    run(*args, **kwargs)
