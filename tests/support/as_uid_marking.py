"""`tests.support.as_uid` for the examiner's commands: also imports, as root, what their output needs
(the results' formatting), since the interpreter's files are not readable after the drop."""

from __future__ import annotations

import csv  # noqa: F401
import datetime  # noqa: F401

import kiosk.apps.examiner.app  # noqa: F401
import kiosk.commands.results_cmd  # noqa: F401
import kiosk.domain.numbers  # noqa: F401
import kiosk.domain.regimes  # noqa: F401
import kiosk.results  # noqa: F401
from tests.support.as_uid import main

if __name__ == "__main__":
    main()
