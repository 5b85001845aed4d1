"""The terminal's side of the centre service: a small synchronous HTTP+JSON client over the
service's Unix socket, standard library only (`http.client`), so `kiosk sit` starts fast and a
terminal needs no rights on the centre directory.

`RemoteSession` offers the method names of `kiosk.session.CandidateSession` that the candidate
app uses, so the screens stay the same; the app calls it only from worker threads. Errors come
back as the same exception classes (`LoginFailed`, `NotSaved`, `PartClosed`, …) with the
service's message. A lost connection is `ServiceUnavailable` (a `NotSaved`: the app keeps the
answer on screen and retries). When the service restarted (its tokens are gone) the session logs
in again with the credentials typed at the start, transparently.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.session_errors import NotSaved

SOCKET_NAME = "service.sock"
SOCKET_ENV = "KIOSK_SOCKET"
MAX_SOCKET_PATH = 100
#: A call that takes longer than this is treated as "no service" (the app retries).
CALL_TIMEOUT_S = 5.0
#: A terminal asks the service for its view (and so is charged its time) at least this often;
#: between two calls its clock counts down locally from the last answer. The service charges
#: only the time between calls it received (capped a little above this), so the interval
#: bounds what a stall can cost, and it sets how many requests a room makes: 2,000 terminals
#: ticking every second were 2,000 requests a second, which one service process cannot serve.
TICK_EVERY_S = 3.0
#: A tick this close to the interval calls already (the app ticks about once a second, with
#: jitter): the interval is kept, not rounded up to the next whole second.
TICK_SLACK_S = 0.3
#: A login waits longer: it checks the code (scrypt) and may assemble a paper; giving up early
#: and asking again would only add work to a busy service.
LOGIN_TIMEOUT_S = 30.0


def socket_path(centre: Path | str | None = None, explicit: Path | str | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get(SOCKET_ENV)
    if env:
        return Path(env)
    if centre is None:
        raise KioskError("no centre service socket given (--socket or $KIOSK_SOCKET)")
    path = Path(centre) / SOCKET_NAME
    if len(os.fsencode(path.absolute())) > MAX_SOCKET_PATH:
        # AF_UNIX paths are limited (108 bytes on Linux): a deep centre directory gets its
        # socket under the temporary directory, named after the centre's absolute path.
        import hashlib
        import tempfile

        digest = hashlib.sha256(os.fsencode(Path(centre).resolve())).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"kiosk-{digest}.sock"
    return path


#: The attempt statuses in which the exam clock runs (time away from the room counts).
RUNNING = ("in_progress", "away")


class ServiceUnavailable(NotSaved):
    """The centre service did not answer (not running, stalled, restarting): nothing of this
    call is known to be saved; the caller keeps it and retries."""


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock

    def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
        # http.client sends the head and the body in two writes: the service then wakes up
        # twice per request (and on this VM each wake-up is a cross-CPU interrupt). A JSON body
        # is small: one write.
        if isinstance(message_body, bytes) and not encode_chunked:
            self._buffer.extend((b"", b""))  # type: ignore[attr-defined]
            head = b"\r\n".join(self._buffer)  # type: ignore[attr-defined]
            del self._buffer[:]  # type: ignore[attr-defined]
            self.send(head + message_body)
            return
        super()._send_output(message_body, encode_chunked)  # type: ignore[misc]


class Client:
    """One keep-alive connection; thread-safe (one request at a time)."""

    def __init__(self, path: Path | str, *, timeout: float = CALL_TIMEOUT_S) -> None:
        self.path = str(path)
        self.timeout = timeout
        self.token: str | None = None
        self._conn: _UnixConnection | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def request(self, method: str, url: str, body: dict[str, Any] | None = None, *,
                timeout: float | None = None, retry: bool = True) -> dict[str, Any]:
        """One call. `retry=False` for a call that must not run twice (a staff action): it
        goes on a fresh connection, so a failure is never a stale keep-alive one, and it is
        not repeated when the connection breaks after it may have been sent."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        with self._lock:
            if not retry and self._conn is not None:
                self._conn.close()
                self._conn = None
            for attempt in ((1, 2) if retry else (2,)):
                wait = timeout or self.timeout
                if self._conn is None:
                    self._conn = _UnixConnection(self.path, wait)
                self._conn.timeout = wait
                if self._conn.sock is not None:
                    self._conn.sock.settimeout(wait)
                try:
                    self._conn.request(method, url, body=payload, headers=headers)
                    resp = self._conn.getresponse()
                    raw = resp.read()
                    status = resp.status
                    break
                except (OSError, http.client.HTTPException) as exc:
                    self._conn.close()
                    self._conn = None
                    # A keep-alive connection the service closed: retry once on a fresh one.
                    # (Safe: every candidate call is idempotent on the service's side.)
                    if attempt == 2 or isinstance(exc, TimeoutError):
                        raise ServiceUnavailable(
                            "The centre service does not answer. Please call the invigilator."
                        ) from None
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            raise ServiceUnavailable(f"the centre service answered {status} without JSON") from None
        if status >= 400:
            raise _exception(status, data)
        return data

    def health(self) -> dict[str, Any]:
        return self.request("GET", "/v1/health", timeout=2.0)


def _exception(status: int, data: dict[str, Any]) -> KioskError:
    from kiosk import session_errors as S

    code = data.get("error", "")
    msg = str(data.get("message", f"HTTP {status}"))
    if code == "throttled":
        return S.LoginThrottled(float(data.get("seconds", 0)))
    classes: dict[str, type[KioskError]] = {
        "login_failed": S.LoginFailed, "sitting_closed": S.SittingClosed,
        "elsewhere": S.SessionElsewhere,
        "part_closed": S.PartClosed, "not_in_progress": S.NotInProgress,
        "not_saved": S.NotSaved, "session_lost": SessionLost, "refused": Refused,
    }
    exc = classes.get(code, KioskError)(msg)
    errors = data.get("errors")
    if isinstance(errors, list):
        exc.errors = [str(e) for e in errors]
    if isinstance(data.get("exit_code"), int):
        exc.exit_code = data["exit_code"]
    return exc


class SessionLost(KioskError):
    """The service no longer knows this token (it restarted): log in again."""


class Refused(KioskError):
    """The service refused the call for this caller."""


# --- the candidate's session, remote -----------------------------------------------------------


@dataclass(frozen=True)
class RemoteExam:
    id: str
    title: str
    show_score: bool
    language: str
    review_allowed: bool


def _view(d: dict[str, Any]) -> Any:
    from kiosk.session import AttemptView

    d = dict(d)
    d["flags"] = set(d.get("flags") or [])
    d["submitted_parts"] = tuple(d.get("submitted_parts") or ())
    return AttemptView(**d)


def _item(d: dict[str, Any]) -> Any:
    from kiosk.domain.items import Item

    d = dict(d)
    d["tags"] = tuple(d.get("tags") or ())
    d["enemies"] = tuple(d.get("enemies") or ())
    return Item(**d)


@dataclass
class RemoteSession:
    """A candidate's session held by the centre service."""

    client: Client
    candidate_id: str
    code: str
    seat: str
    language_wanted: str | None
    parts: list[Any] = field(default_factory=list)
    identity: Any = None
    exam: Any = None
    attempt_id: str = ""
    language: str = "hu"
    can_self_start: bool = False
    last_view: Any = None
    receipt_code: str | None = None
    #: the candidate app calls a remote session from worker threads only
    remote: bool = True
    #: seconds to keep retrying a call the service does not answer (0: the caller retries)
    patience: float = 0.0
    #: the service's exam seconds per real second (compressed exams in tests and benchmarks)
    time_scale: float = 1.0
    #: monotonic time of the last call the service answered (its view is from then)
    answered_at: float = 0.0

    @classmethod
    def login(cls, path: Path | str, candidate_id: str, code: str, *, seat: str,
              language: str | None = None, timeout: float = CALL_TIMEOUT_S,
              patience: float = 0.0) -> RemoteSession:
        session = cls(Client(path, timeout=timeout), candidate_id, code, seat, language,
                      patience=patience)
        session._patient(session._login)
        return session

    def _patient(self, fn: Any) -> Any:
        deadline = time.monotonic() + self.patience
        while True:
            try:
                return fn()
            except ServiceUnavailable:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)

    def _login(self) -> None:
        from kiosk.session import Identity, PaperItemView, SessionPart

        self.client.token = None
        data = self.client.request("POST", "/v1/candidate/login", {
            "candidate": self.candidate_id, "code": self.code, "seat": self.seat,
            "language": self.language_wanted}, timeout=max(self.client.timeout, LOGIN_TIMEOUT_S))
        self.client.token = data["token"]
        paper = data["paper"]
        self.identity = Identity(**paper["identity"])
        self.exam = RemoteExam(**paper["exam"])
        self.attempt_id = paper["attempt"]
        self.language = paper["language"]
        self.can_self_start = bool(paper["can_self_start"])
        self.time_scale = float(paper.get("time_scale") or 1.0)
        self.parts = [SessionPart(p["id"], p["title"], float(p["minutes"]),
                                  [PaperItemView(i["key"], _item(i["item"]), i["presentation"])
                                   for i in p["items"]],
                                  float(p.get("extra_minutes") or 0.0))
                      for p in paper["parts"]]
        self._fetch_media()
        self._took(data)

    def _fetch_media(self) -> None:
        """The paper's attachments (images, passages) from the service, checked by hash, for
        the widgets (kiosk.media); a terminal has no exam store of its own."""
        wanted = {str(a.get("sha256")) for p in self.parts for v in p.items
                  for a in v.item.attachments if a.get("sha256")}
        if not wanted:
            return
        import base64

        from kiosk import media

        for sha in sorted(wanted):
            try:
                data = self.client.request("GET", f"/v1/candidate/media/{sha}")["data"]
                media.register({sha: base64.b64decode(data)})  # ignored unless it matches
            except (KioskError, ValueError, KeyError):
                continue  # the widget shows the caption and says the image is not available

    def _took(self, data: dict[str, Any]) -> Any:
        if "view" in data:
            self.answered_at = time.monotonic()
            self.last_view = _view(data["view"])
            if self.last_view.receipt:
                self.receipt_code = self.last_view.receipt
        return self.last_view

    def _call(self, method: str, url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        def once() -> dict[str, Any]:
            try:
                return self.client.request(method, url, body)
            except SessionLost:
                # The service restarted: its memory of this terminal is gone, the ledger not.
                self._login()
                return self.client.request(method, url, body)

        return self._patient(once)

    # The methods the candidate app calls (same names as CandidateSession).

    def view(self) -> Any:
        """The view of the last answer (cheap: the app calls it on the UI thread)."""
        return self.last_view

    def fetch_view(self) -> Any:
        return self._took(self._call("GET", "/v1/candidate/view"))

    def refresh(self) -> bool:
        return False  # tick() folds what others wrote, in the service

    def tick(self) -> Any:
        """The view, once a second for the app. The service is asked every `TICK_EVERY_S`
        (and whenever the last call failed, so an outage shows at once); in between, the
        last view with its clock counted down here."""
        local = self._local_view()
        if local is not None:
            return local
        return self._took(self._call("POST", "/v1/candidate/tick"))

    def _local_view(self) -> Any:
        view = self.last_view
        elapsed = time.monotonic() - self.answered_at
        if view is None or elapsed >= TICK_EVERY_S - TICK_SLACK_S or view.unsaved:
            return None
        from dataclasses import replace

        # Time warnings come once, from the service: never repeated by a local view.
        if view.status in RUNNING and view.part_id is not None:
            remaining = view.remaining_s - elapsed * self.time_scale
            if remaining <= 0:
                return None  # the service submits at zero: ask it
            return replace(view, remaining_s=remaining, warnings_due=[])
        return replace(view, warnings_due=[])

    def start(self) -> None:
        self._took(self._call("POST", "/v1/candidate/start"))

    def save_answer(self, item_key: str, response: Any) -> None:
        self._took(self._call("POST", "/v1/candidate/answer",
                              {"item": item_key, "response": response}))

    def set_flag(self, item_key: str, flagged: bool) -> None:
        self._took(self._call("POST", "/v1/candidate/flag", {"item": item_key,
                                                              "flagged": bool(flagged)}))

    def goto(self, index: int) -> None:
        self._took(self._call("POST", "/v1/candidate/goto", {"index": index}))

    def submit_part(self, reason: str = "candidate") -> None:
        part = self.last_view.part_id if self.last_view is not None else None
        self._took(self._call("POST", "/v1/candidate/submit-part", {"part": part}))

    def submit(self, reason: str = "candidate") -> str:
        data = self._call("POST", "/v1/candidate/submit")
        self._took(data)
        self.receipt_code = data["receipt"]
        return str(data["receipt"])

    @property
    def receipt(self) -> str | None:
        return self.receipt_code

    def result(self) -> Any:
        from kiosk.session import PartResult, Result

        data = self._call("GET", "/v1/candidate/result").get("result")
        if data is None:
            return None
        data["parts"] = [PartResult(**p) for p in data.get("parts", [])]
        return Result(**data)

    def review_offered(self) -> bool:
        return bool(self._call("GET", "/v1/candidate/review").get("offered"))

    def paper_review(self) -> Any:
        from kiosk.paper_review import Objection, PaperReview, ReviewItem

        data = self._call("GET", "/v1/candidate/review?paper=1").get("paper")
        if data is None:
            from kiosk.marking import Refused as MarkingRefused

            raise MarkingRefused("the review window is not open")
        items = []
        for it in data["items"]:
            it["objections"] = tuple(Objection(**o) for o in it["objections"])
            it["criteria"] = tuple(tuple(c) for c in it["criteria"])
            it["comments"] = tuple(it["comments"])
            items.append(ReviewItem(**it))
        data["items"] = tuple(items)
        return PaperReview(**data)

    def lodge_objection(self, item: str, text: str) -> None:
        self._call("POST", "/v1/candidate/objection", {"item": item, "text": text})

    def exit_with_pin(self, pin: str) -> bool:
        return bool(self._call("POST", "/v1/candidate/exit", {"pin": pin}).get("ok"))

    def close(self, *, force: bool = False) -> None:
        try:
            self.client.request("POST", "/v1/candidate/logout")
        except KioskError:
            if not force:
                raise
        finally:
            self.client.close()


def seat_exit(path: Path | str, pin: str, seat: str) -> bool:
    """The invigilator's exit PIN on a terminal where nobody is logged in."""
    client = Client(path)
    try:
        return bool(client.request("POST", "/v1/seat/exit", {"pin": pin, "seat": seat}).get("ok"))
    finally:
        client.close()


# --- staff and operator calls ------------------------------------------------------------------

#: A staff call may compute a room's results or import a roster: patient, but not forever.
STAFF_CALL_TIMEOUT_S = 120.0


class RemoteCalls:
    """The staff's use cases through the service (`POST /v1/call/{name}`): the same interface as
    `kiosk.service.usecases.LocalCalls`. Without `login` the caller is the operator when its
    account is the service's own, and refused otherwise."""

    remote = True

    def __init__(self, path: Path | str, *, timeout: float = STAFF_CALL_TIMEOUT_S) -> None:
        self.client = Client(path, timeout=timeout)
        self.role: str | None = None
        self.name: str | None = None

    def login(self, name: str, password: str, roles: tuple[str, ...] = ()) -> Any:
        from kiosk.service.usecases import Caller

        data = self.client.request("POST", "/v1/staff/login",
                                   {"name": name, "password": password}, timeout=LOGIN_TIMEOUT_S)
        if roles and data.get("role") not in roles:
            raise KioskError(f"{name}: this needs the {' or '.join(roles)} role")
        self.client.token = str(data["token"])
        self.name, self.role = str(data["name"]), str(data["role"])
        return Caller(self.name, self.role)

    def call(self, use_case: str, /, **args: Any) -> Any:
        try:
            # Never twice: a staff action whose reply was lost may already be done (an
            # extension given twice is not harmless); the person sees the error and looks.
            return self.client.request("POST", f"/v1/call/{use_case}", args,
                                       retry=False)["result"]
        except ServiceUnavailable:
            raise KioskError(f"{self.client.path}: the centre service does not answer "
                             "(is `kiosk serve` running?)") from None

    def close(self) -> None:
        self.client.close()
