"""Answers on their way to the ledger.

A response is "saved" only once `session.save_answer` has returned. Until then it waits here: for
typing to settle (essays, text fields), or — when the ledger cannot be written — for the next
retry. The candidate keeps seeing it on screen either way; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from textual.timer import Timer

from kiosk.errors import KioskError

#: Seconds of quiet after the last keystroke before a typed answer is saved (the issue allows 2).
SETTLE_SECONDS = 1.0
RETRY_SECONDS = 2.0

SaveState = Literal["idle", "pending", "saved", "failed"]


class AnswerSaver:
    def __init__(
        self,
        session: Any,
        set_timer: Callable[[float, Callable[[], None]], Timer],
        on_state: Callable[[SaveState], None],
        on_saved: Callable[[str, Any], None],
    ) -> None:
        self.session = session
        self._set_timer = set_timer
        self._on_state = on_state
        self._on_saved = on_saved
        self.pending: dict[str, Any] = {}
        self.state: SaveState = "idle"
        self._settle: Timer | None = None
        self._retry: Timer | None = None

    def _set_state(self, state: SaveState) -> None:
        self.state = state
        self._on_state(state)

    def change(self, key: str, response: Any, *, settle: bool) -> None:
        self.pending.pop(key, None)
        self.pending[key] = response
        if self.state != "failed":
            self._set_state("pending")
        if settle:
            if self._settle is not None:
                self._settle.stop()
            self._settle = self._set_timer(SETTLE_SECONDS, self.flush)
        else:
            self.flush()

    def response_for(self, key: str, saved: Any) -> Any:
        return self.pending.get(key, saved)

    def flush(self) -> bool:
        """Save everything pending, oldest first; False if something could not be saved."""
        if self._settle is not None:
            self._settle.stop()
            self._settle = None
        while self.pending:
            key = next(iter(self.pending))
            response = self.pending[key]
            try:
                self.session.save_answer(key, response)
            except KioskError:
                # NotSaved, or the ledger refusing for another reason: keep it and try again.
                self._set_state("failed")
                if self._retry is None:
                    self._retry = self._set_timer(RETRY_SECONDS, self._retry_now)
                return False
            if self.pending.get(key) is response:
                del self.pending[key]
            self._on_saved(key, response)
        self._set_state("saved")
        return True

    def _retry_now(self) -> None:
        self._retry = None
        self.flush()
