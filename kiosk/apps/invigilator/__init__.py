"""The invigilator console (`kiosk invigilate`)."""

from __future__ import annotations

from typing import Any


def run_invigilator_app(*args: Any, **kwargs: Any) -> None:
    # Imported on call so that `import kiosk.apps.invigilator` stays cheap for the CLI.
    from kiosk.apps.invigilator.app import run_invigilator_app as run

    run(*args, **kwargs)
