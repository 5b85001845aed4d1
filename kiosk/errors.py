"""Errors the user sees as one line on stderr, never as a traceback."""

from __future__ import annotations


class KioskError(Exception):
    """A clear, user-facing failure. `exit_code` 2 = unusable input/state, 1 = check failed."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None, *,
                 errors: list[str] | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
        #: Every line of a refused input (one per bad row or broken rule), shown before the
        #: one-line summary; they travel with the error through the centre service.
        # (A subclass may have set its own list before calling this: keep it.)
        if errors is not None or "errors" not in self.__dict__:
            self.errors: list[str] = list(errors or [])
