"""Answers on their way to the ledger.

A response is "saved" only once `session.save_answer` has returned. Until then it waits here: for
typing to settle (essays, text fields), or — when the ledger cannot be written — for the next
retry. The candidate keeps seeing it on screen either way; nothing is dropped.
"""

from __future__ import annotations

import threading
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
        *,
        background: Callable[[Callable[[], None]], None] | None = None,
        on_ui: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        """With `background` (run a function on a worker thread) and `on_ui` (run one on the UI
        thread), saves never block the UI: the centre service is called from the worker."""
        self.session = session
        self._background = background
        self._on_ui = on_ui
        self._lock = threading.Lock()
        self._busy = False
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
        with self._lock:
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
        """Save everything pending, oldest first; False if something could not be saved (or, in
        the background mode, is still on its way: the state turns "saved" once acknowledged)."""
        if self._settle is not None:
            self._settle.stop()
            self._settle = None
        if self._background is not None:
            if not self.pending:
                return True
            if not self._busy:
                self._busy = True
                self._background(self._flush_worker)
            return False
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

    # -- background mode (the centre service is called from a worker thread) ----------------

    def _next(self) -> tuple[str, Any] | None:
        with self._lock:
            return next(iter(self.pending.items()), None)

    def flush_blocking(self) -> bool:
        """From a worker thread: save everything pending now; False if the service refused or
        did not answer (the answers stay pending)."""
        assert self._on_ui is not None
        ui = self._on_ui
        while (entry := self._next()) is not None:
            key, response = entry
            try:
                self.session.save_answer(key, response)
            except KioskError:
                return False
            with self._lock:
                if self.pending.get(key) is response:
                    del self.pending[key]
            ui(lambda k=key, r=response: self._on_saved(k, r))
        return True

    def _flush_worker(self) -> None:
        assert self._on_ui is not None
        ok = False
        try:
            ok = self.flush_blocking()
        finally:
            self._on_ui(lambda: self._worker_done(ok))

    def _worker_done(self, ok: bool) -> None:
        self._busy = False
        if not ok:
            self._set_state("failed")
            if self._retry is None:
                self._retry = self._set_timer(RETRY_SECONDS, self._retry_now)
        elif self.pending:
            self.flush()  # typed while the last save was on its way
        else:
            self._set_state("saved")
