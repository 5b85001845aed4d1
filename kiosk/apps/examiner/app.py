"""The examiner app: log in → the marking queue by item → mark one response against the rubric;
item statistics per exam.

A client of the centre service, like the candidate kiosk: no ledger, no centre key, no exam
content of its own. The queue, the response to mark (item, model answer, the question type's
checks, earlier marks for a third marker) and every save are the service's `marking.*` use
cases (kiosk/service/rooms/marking.py), called from worker threads, never on the UI thread.
The marker's name is the logged-in examiner's, taken by the service from the session token.

Markers see an anonymous code per attempt, the item and the response — never a candidate's name
or id (kiosk.domain.marking.anon_code): the attempt behind a code is resolved in the service.
When no service listens on the centre's socket the app starts one as a child process (the
single-user setup; `kiosk mark` does it before the screen is taken, to ask the passphrase) and
stops it on exit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from kiosk.apps.typeahead import TypeAheadApp
from kiosk.errors import KioskError
from kiosk.i18n import centre_language, set_language


@dataclass(frozen=True)
class Entry:
    """One response waiting in the queue, as the marker knows it: its code, never its attempt."""

    exam: str
    item: str
    code: str
    round: int


@dataclass
class Group:
    exam: str
    item: str
    done: int = 0
    entries: list[Entry] = field(default_factory=list)


def groups_from(data: list[dict[str, Any]]) -> list[Group]:
    return [Group(g["exam"], g["item"], int(g["done"]),
                  [Entry(g["exam"], g["item"], str(e["code"]), int(e["round"]))
                   for e in g["waiting"]]) for g in data]


@dataclass(frozen=True)
class Response:
    """What `marking.response` answers: the entry, the item and the marking view."""

    entry: Entry
    item: Any
    view: Any


def response_from(data: dict[str, Any]) -> Response:
    import base64

    from kiosk import media
    from kiosk.domain.items import Item
    from kiosk.domain.marking_view import EarlierMark, MarkingView

    media.register({sha: base64.b64decode(b64) for sha, b64 in data.get("media", {}).items()})
    c = dict(data["content"])
    c["tags"] = tuple(c.get("tags") or ())
    c["enemies"] = tuple(c.get("enemies") or ())
    c["attachments"] = tuple(c.get("attachments") or ())
    # The bank's files are the service's: attachments come registered by hash above.
    c["source"] = ""
    v = dict(data["view"])
    v["check_rows"] = tuple(tuple(r) for r in v.get("check_rows") or ())
    v["earlier"] = tuple(EarlierMark(m["round"], m["marker"], m["points"],
                                     tuple(tuple(x) for x in m["criteria"]), m["comment"])
                         for m in v.get("earlier") or ())
    entry = Entry(data["exam"], data["item"], data["code"], int(data["round"]))
    return Response(entry, Item(**c), MarkingView(**v))


class LoginRefused(KioskError):
    """A wrong name or password, or not an examiner: the screen says so in one generic line."""


def _language(centre: Path, language: str | None) -> str:
    """The centre's language when this account may read its config (the examiner's account
    often may not: then the default, or --lang). The app opens nothing else of the centre."""
    import tomllib

    try:
        config = tomllib.loads((centre / "centre.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        config = {}
    return centre_language(config, language)


class ExaminerApp(TypeAheadApp, App[None]):
    CSS_PATH = "examiner.tcss"
    TITLE = "kiosk – examiner"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, centre: Path | str, *, language: str | None = None,
                 socket: Path | str | None = None,
                 calls: Callable[[], Any] | None = None) -> None:
        """`socket`: the centre service's (default: $KIOSK_SOCKET or CENTRE/service.sock).
        `calls`: makes the calls object instead (tests: `LocalCalls` in this process)."""
        super().__init__()
        self.centre_dir = Path(centre)
        self.language = _language(self.centre_dir, language)
        set_language(self.language)
        self.socket = socket
        self._make_calls = calls
        self.calls: Any = None
        self.user: str | None = None
        self.groups: list[Group] = []
        self._child: Any = None
        self._lock = threading.Lock()
        # Kept for one purpose: after a service restart (its tokens are gone) the app logs in
        # again by itself, as the candidate's terminal does, instead of losing a typed mark.
        self._credentials: tuple[str, str] | None = None

    def on_mount(self) -> None:
        from kiosk.apps.examiner.screens import LoginScreen

        # Keys typed before the login form has the focus wait for it (kiosk/apps/typeahead.py).
        self.hold_keys()
        self.push_screen(LoginScreen())

    # -- blocking calls: only ever from worker threads ----------------------------------------

    def _connect(self) -> Any:
        if self._make_calls is not None:
            return self._make_calls()
        from kiosk.client import RemoteCalls
        from kiosk.client import socket_path as resolve
        from kiosk.service.spawn import listening, start_service

        path = resolve(self.centre_dir, self.socket)
        if not listening(path):
            with self._lock:
                if self._child is None and not listening(path):
                    # Nobody serves this centre: start one for this app (the single-user
                    # setup; $KIOSK_PASSPHRASE gives an encrypted key's passphrase).
                    self._child = start_service(self.centre_dir, path)
        return RemoteCalls(path)

    def login(self, name: str, password: str) -> None:
        """Log in through the service and read the queue. Blocking (a worker's): raises
        KioskError on a wrong name or password or a non-examiner account."""
        from kiosk.client import ServiceUnavailable

        if self.calls is None:
            self.calls = self._connect()
        try:
            caller = self.calls.login(name.strip(), password, ("examiner",))
        except ServiceUnavailable:
            raise
        except KioskError as exc:
            raise LoginRefused(str(exc)) from None
        if caller.role != "examiner":
            raise LoginRefused("an examiner account is needed")
        self.user = caller.name
        self._credentials = (name.strip(), password)
        self.reload()

    def call(self, use_case: str, /, **args: Any) -> Any:
        """One use case; after a service restart, logs in again once and repeats it (every
        call the app makes is safe to repeat: a mark already made is refused, not doubled)."""
        from kiosk.client import SessionLost

        try:
            return self.calls.call(use_case, **args)
        except SessionLost:
            if self._credentials is None:
                raise
            self.calls.login(*self._credentials, ("examiner",))
            return self.calls.call(use_case, **args)

    def reload(self) -> list[Group]:
        """The examiner's queue from the service. Blocking (a worker's)."""
        self.groups = groups_from(self.call("marking.queue"))
        return self.groups

    def open_response(self, entry: Entry) -> Response:
        return response_from(self.call("marking.response", exam=entry.exam, item=entry.item,
                                        code=entry.code))

    def save_mark(self, entry: Entry, points: float | None, criteria: dict[str, float],
                  comment: str) -> tuple[dict[str, Any], Response | None]:
        """Save one mark (acknowledged after the service's commit), then the next response of
        the same item for this marker, if any. Blocking (a worker's)."""
        done = self.call("marking.mark", attempt=entry.code, item=entry.item, points=points,
                         criteria=criteria, comment=comment)
        # Saved from here on, whatever happens on the way on: a failure now (the next response
        # taken meanwhile, the service gone) only means back to the queue instead of straight on.
        try:
            self.reload()
            following = next((g.entries for g in self.groups
                              if g.exam == entry.exam and g.item == entry.item), [])
            return done, self.open_response(following[0]) if following else None
        except KioskError:
            return done, None

    def stats(self, exam: str) -> dict[str, Any]:
        return dict(self.call("results.stats", exam=exam))

    def exams(self) -> list[str]:
        return list(self.call("marking.exams"))

    # -- the end -----------------------------------------------------------------------------

    def on_unmount(self) -> None:
        if self.calls is not None:
            self.calls.close()
        if self._child is not None:
            self._child.stop()
            self._child = None
