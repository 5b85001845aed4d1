"""The centre service's HTTP API: aiohttp on a Unix domain socket, JSON in and out.

Why aiohttp: a well-kept asyncio HTTP server (Textual's own family uses it in textual-serve)
that speaks Unix sockets natively; HTTP framing, keep-alive and JSON come from it, not from us.
Clients need nothing but the standard library (`kiosk.client`).

Who may call what is decided per route (`ROLE` below) from the token the caller presents:
a candidate token is bound to one attempt (and to the Unix uid that logged in with it), a staff
token to a user and role. The Unix peer's uid and pid (SO_PEERCRED) are taken from the socket
of every request and recorded in the events that name a caller (logins, refusals, exits).
All ledger work runs on the writer thread (`Writer`), so the event loop never waits on SQLite.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import os
import secrets
import signal
import socket
import struct
import sys
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from kiosk.errors import KioskError
from kiosk.json_limits import nesting_within
from kiosk.ledger.centre import Centre
from kiosk.service.candidate import (
    ALIVE_EVERY_S,
    CandidateRoom,
    Peer,
    Refused,
    ServiceSession,
    SessionLost,
)
from kiosk.service.writer import NotDurable, Writer
from kiosk.session import (
    LoginFailed,
    LoginThrottled,
    NotInProgress,
    NotSaved,
    PartClosed,
    SessionElsewhere,
    SittingClosed,
)

STAFF_ROLES = ("invigilator", "examiner", "admin")


def default_socket(centre_dir: Path) -> Path:
    from kiosk.client import socket_path

    return socket_path(centre_dir)


@dataclass
class Staff:
    name: str
    role: str
    uid: int | None


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


#: SO_PEERCRED per connection: the peer of a connection never changes, and a terminal keeps
#: its connection open for the whole exam (asked once, not on every tick).
_PEERS: weakref.WeakKeyDictionary[Any, tuple[int, int]] = weakref.WeakKeyDictionary()


def peer_of(request: web.Request) -> Peer:
    """uid and pid of the process at the other end of the Unix socket (SO_PEERCRED)."""
    transport = request.transport
    if transport is None:
        return Peer()
    known = _PEERS.get(transport)
    if known is not None:
        return Peer(uid=known[1], pid=known[0])
    sock = transport.get_extra_info("socket")
    if sock is None or getattr(sock, "family", None) != socket.AF_UNIX:
        return Peer()
    try:
        raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return Peer()
    pid, uid, _gid = struct.unpack("3i", raw)
    try:
        _PEERS[transport] = (pid, uid)
    except TypeError:
        pass  # a transport that cannot be weakly referenced: asked every time
    return Peer(uid=uid, pid=pid)


#: What one request may carry: an essay is a few KiB, a code answer a few dozen.
MAX_BODY_BYTES = 256 * 1024
#: How deeply a request's JSON may nest (the richest response, a matching, nests 3 deep).
MAX_BODY_DEPTH = 32


def _finite(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {text[:20]}")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number the ledger can store")


def parse_body(raw: bytes) -> dict[str, Any]:
    """A request body as the ledger can store it, or KioskError: JSON, an object, no NaN or
    infinities (`1e400` included), nesting at most MAX_BODY_DEPTH deep. A hostile terminal's
    body is refused here, before any session or the writer sees it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise KioskError("the request body is not UTF-8") from None
    # The depth first: json.loads would recurse into a bomb.
    if not nesting_within(text, MAX_BODY_DEPTH):
        raise KioskError(f"the request nests deeper than {MAX_BODY_DEPTH} levels")
    try:
        data = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise KioskError(f"the request body is not JSON the ledger can store: {exc}"[:200]
                         ) from None
    if not isinstance(data, dict):
        raise KioskError("the request body must be a JSON object")
    return data


def _error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": code, "message": message, **extra}, status=status)


def _kiosk_error(exc: KioskError) -> web.Response:
    extra: dict[str, Any] = {"exit_code": exc.exit_code}
    if exc.errors:
        extra["errors"] = exc.errors[:1000]
    return _error(400, "error", str(exc), **extra)


def error_response(exc: BaseException) -> web.Response:
    msg = str(exc)
    if isinstance(exc, LoginThrottled):
        return _error(429, "throttled", msg, seconds=exc.seconds)
    if isinstance(exc, SittingClosed):
        return _error(401, "sitting_closed", msg)
    if isinstance(exc, LoginFailed):
        return _error(401, "login_failed", msg)
    if isinstance(exc, SessionLost):
        return _error(401, "session_lost", msg)
    if isinstance(exc, Refused):
        return _error(403, "refused", msg)
    if isinstance(exc, SessionElsewhere):
        return _error(409, "elsewhere", msg)
    if isinstance(exc, PartClosed):
        return _error(409, "part_closed", msg)
    if isinstance(exc, NotInProgress):
        return _error(409, "not_in_progress", msg)
    if isinstance(exc, NotSaved | NotDurable):
        return _error(503, "not_saved", msg)
    from kiosk.service.usecases import NotAllowed

    if isinstance(exc, NotAllowed):
        return _error(403, "refused", msg)
    if isinstance(exc, KioskError):
        return _kiosk_error(exc)
    return _error(500, "internal", f"internal error ({type(exc).__name__})")


#: A file to write the service's per-route handling times to when it stops (benchmarks: the
#: service's own latency, apart from the simulated terminals' scheduling on a shared machine).
TIMINGS_ENV = "KIOSK_SERVICE_TIMINGS"
#: Kept per route at most (a benchmark's worth; the oldest are not dropped, later ones are).
MAX_TIMINGS = 500_000


class Timings:
    """Milliseconds from the handler's start to its response being ready, per route. Off by
    default; no route exposes them (they are written to a file at the end)."""

    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = {}
        # Garbage collections pause every thread: their durations, by generation.
        self._gc_start = 0.0
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            samples = self.ms.setdefault(f"gc{info.get('generation')}", [])
            if len(samples) < MAX_TIMINGS:
                samples.append((time.perf_counter() - self._gc_start) * 1000)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        start = time.perf_counter()
        try:
            return await handler(request)
        finally:
            resource = request.match_info.route.resource
            name = resource.canonical if resource is not None else "?"
            samples = self.ms.setdefault(name, [])
            if len(samples) < MAX_TIMINGS:
                samples.append((time.perf_counter() - start) * 1000)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.ms), encoding="utf-8")


class Service:
    def __init__(self, centre: Centre, *, passphrase: str | None = None,
                 time_scale: float = 1.0) -> None:
        self.centre = centre
        self.passphrase = passphrase
        refuse_unsigned_tail(centre)
        # The one writer: the ledger is opened here and nowhere else in the service.
        self.ledger = centre.ledger(passphrase)
        self.room = CandidateRoom(centre, self.ledger, passphrase=passphrase,
                                  time_scale=time_scale)
        self.writer = Writer(self.ledger, on_batch_failed=self.room.drop)
        self.staff: dict[str, Staff] = {}
        #: per-route handling times, only when a benchmark asks for them (TIMINGS_ENV)
        self.timings = Timings() if os.environ.get(TIMINGS_ENV) else None

    def close(self) -> None:
        def close_all() -> None:
            for session in list(self.room.sessions.values()):
                try:
                    session.close(force=True)
                except KioskError:
                    pass

        try:
            self.writer.call(close_all)
        finally:
            self.writer.stop()
            self.ledger.close()

    # -- plumbing ----------------------------------------------------------------------------

    def call_extra(self) -> dict[str, Any]:
        """What a use case may know of the service beyond the ledger: the candidates' room
        (live terminals, failure counters) for the invigilator's room view."""
        return {"room": self.room}

    async def body(self, request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        raw = await request.content.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise KioskError(f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB")
        return parse_body(raw)

    def token(self, request: web.Request) -> str:
        auth = request.headers.get("Authorization", "")
        return auth[7:].strip() if auth.startswith("Bearer ") else ""

    async def candidate_call(self, request: web.Request,
                             fn: Callable[[ServiceSession], Any]) -> Any:
        """Run `fn(session)` in the next group commit, after folding what others wrote: a save
        after a force-submit is refused inside the same write transaction."""
        token, peer = self.token(request), peer_of(request)
        if token in self.staff:
            raise Refused("a staff token cannot act as a candidate")

        def job() -> Any:
            return fn(self.room.call(token, peer))

        return await self.writer.run(job, tag=token)

    def staff_of(self, request: web.Request, roles: tuple[str, ...]) -> Staff:
        staff = self.staff.get(self.token(request))
        peer = peer_of(request)
        if staff is None or staff.uid != peer.uid:
            raise SessionLost("not logged in as staff")
        if staff.role not in roles:
            raise Refused(f"this needs the {' or '.join(roles)} role")
        return staff

    async def refuse(self, request: web.Request, what: str, attempt: str | None = None) -> None:
        """Record a refused request that matters for security, then raise Refused."""
        peer = peer_of(request)
        token = self.token(request)
        session = self.room.sessions.get(token)
        actor = session._actor if session is not None else "unknown"
        await self.writer.run(lambda: self.room.refused(what, peer=peer, attempt=attempt,
                                                        actor=actor))
        raise Refused(f"refused: {what}")

    # -- the app -------------------------------------------------------------------------------

    def app(self) -> web.Application:
        @web.middleware
        async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
            try:
                return await handler(request)
            except web.HTTPException:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is one JSON line
                return error_response(exc)

        middlewares: list[Any] = [errors]
        if self.timings is not None:
            middlewares.insert(0, self.timings.middleware)
        app = web.Application(middlewares=middlewares, client_max_size=4 * 1024 * 1024)
        from kiosk.service import routes

        routes.add_routes(app, self)
        from kiosk.service.calls import add_call_routes

        add_call_routes(app, self)
        return app


def refuse_unsigned_tail(centre: Centre) -> None:
    """Every commit of the service signs its head in the same transaction, so events that no
    checkpoint covers were written behind its back: report them and stop, never sign them."""
    with centre.reader() as reader:
        head = reader.head_seq()
        row = reader.conn.execute(
            "SELECT upto_seq FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()
    covered = int(row[0]) if row else 0
    if head > covered:
        raise KioskError(
            f"{centre.ledger_path}: events {covered + 1}–{head} are not covered by any "
            "signature (written behind the service's back?); the service will not sign them. "
            f"Run `kiosk verify --centre {centre.path}` and call the centre administrator.")


def _prepare_socket(path: Path) -> None:
    if path.exists() or path.is_symlink():
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.settimeout(1.0)
            probe.connect(str(path))
        except OSError:
            path.unlink()  # a stale socket of a service that died
        else:
            raise KioskError(f"{path}: a centre service is already listening here")
        finally:
            probe.close()


def _report_delivery(centre: Centre, passphrase: str | None) -> None:
    """At start, one line on stderr per loaded exam this machine cannot deliver in exam mode
    (code items without OS isolation); such an exam's logins are refused (fail closed)."""
    from kiosk.delivery import require_delivery
    from kiosk.exam_store import LOADED, exam_and_banks, latest_loads

    with centre.reader() as reader:
        loaded = list(latest_loads(reader.events(kind=LOADED)))
    for exam_id in loaded:
        try:
            exam, banks = exam_and_banks(centre, exam_id, passphrase)
            for warning in require_delivery(exam, banks):
                print(f"kiosk serve: {exam_id}: {warning}", file=sys.stderr)
        except KioskError as exc:
            print(f"kiosk serve: refused: {exc}", file=sys.stderr)


def serve(centre_dir: Path, *, socket_path: Path | None = None, passphrase: str | None = None,
          time_scale: float = 1.0, ready: Callable[[Path], None] | None = None,
          parent: int | None = None) -> None:
    """Run the service until SIGTERM/SIGINT. The socket is made 0666: authentication is the
    access code or the staff password, and who connected is recorded (SO_PEERCRED); who may
    reach the socket at all is decided by the permissions of its directory."""
    centre = Centre.open(centre_dir)
    path = Path(socket_path) if socket_path else default_socket(centre_dir)
    _prepare_socket(path)
    service = Service(centre, passphrase=passphrase, time_scale=time_scale)
    _report_delivery(centre, passphrase)

    # Two busy threads (the event loop and the writer) hand work to each other hundreds of times
    # a second; the default 5 ms GIL switch interval would make each hand-over wait that long.
    sys.setswitchinterval(0.0005)
    # The service holds a large, long-lived heap (every session's paper and state, the exam
    # content, the login index) and allocates briefly-lived objects per request. With the
    # default thresholds short-lived objects reached the old generations and full collections
    # of that heap paused every request for up to 200 ms (2,000 terminals). Young collections
    # every 50,000 allocations instead of 700 let them die young; full ones become rare.
    gc.set_threshold(50_000, 20, 100)

    async def main() -> None:
        # handler_cancellation: a terminal that hung up (a timeout, a kill) cancels its request,
        # and the writer skips it instead of working for nobody (load shedding when busy).
        runner = web.AppRunner(service.app(), access_log=None, handle_signals=False,
                               handler_cancellation=True)
        await runner.setup()
        # A room of terminals reconnects at once after a restart: a deep accept queue.
        site = web.UnixSite(runner, str(path), backlog=1024)
        await site.start()
        os.chmod(path, 0o666)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        async def note_alive() -> None:
            # A stall of the whole service (SIGSTOP, a frozen VM) shows as a gap here, and no
            # candidate is charged for it (CandidateRoom.stalls).
            while True:
                service.room.stalls.alive()
                await asyncio.sleep(ALIVE_EVERY_S)

        alive = asyncio.create_task(note_alive())
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        if ready is not None:
            ready(path)

        async def watch_parent() -> None:
            # A child service of `kiosk sit`/`kiosk demo` ends with its parent, even when the
            # parent was SIGKILLed and could not stop it.
            while os.getppid() == parent:
                await asyncio.sleep(0.5)
            stop.set()

        watcher = asyncio.create_task(watch_parent()) if parent is not None else None
        try:
            await stop.wait()
        finally:
            alive.cancel()
            if watcher is not None:
                watcher.cancel()
            await runner.cleanup()

    try:
        asyncio.run(main())
    finally:
        service.close()
        try:
            path.unlink()
        except OSError:
            pass
        if service.timings is not None:
            service.timings.write(Path(os.environ[TIMINGS_ENV]))


def new_token() -> str:
    return secrets.token_urlsafe(24)


def as_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value
