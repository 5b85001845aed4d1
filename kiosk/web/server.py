"""`kiosk web serve`: the candidate app in lab browsers, through textual-serve.

Each browser that opens its seat link (`/s/TOKEN`) gets its own `kiosk sit --socket … --seat
SEAT` process, run under this server's account, which is not the service's: the process holds
only what a terminal over SSH holds (its candidate's paper and answers, through the socket).
The seat comes from the token, never from the browser or the server's command line; one live
browser per seat. Closing the tab or losing the network ends that process as a dropped SSH
terminal would: nothing acknowledged is lost, and the service charges no time while it is gone.

textual-serve (1.1) provides the page's terminal (xterm.js + textual.js) and `AppService`, the
bridge between a websocket and an app process; this module replaces its routes (seat links
instead of one shared app), its process start (exec with a scrubbed environment, own process
group) and its stop (quit, then kill after a grace period)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import signal
import ssl
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager
from textual_serve.server import Server

from kiosk.errors import KioskError
from kiosk.i18n import languages, t
from kiosk.web.seats import SeatBook

HERE = Path(__file__).parent
#: Ping every 10 s, drop after 5 s without the pong: a pulled cable frees its seat within ~15 s,
#: and a loaded server (or browser) that answers late is not taken for a dead one.
HEARTBEAT_S = 10.0
#: After the browser is gone the app gets this long to quit cleanly (releasing its lease)
#: before its process group is killed.
QUIT_GRACE_S = 5.0
#: Environment a seat process inherits from the server; everything else (a passphrase, a
#: staff password, a socket override) stays behind.
ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTHONPATH", "VIRTUAL_ENV", "TMPDIR")
MAX_COLS, MAX_ROWS = 400, 200
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; font-src 'self' data:; "
                                "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                                "form-action 'none'"),
    "Referrer-Policy": "no-referrer",  # the seat token is in the URL
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class SeatProcess(AppService):
    """One browser's `kiosk sit`: exec'd (no shell), scrubbed environment, own session."""

    def __init__(self, argv: list[str], env: dict[str, str], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.base_env = env

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = dict(self.base_env)
        env.update({
            "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
            "TEXTUAL_FPS": "60",
            "TEXTUAL_COLOR_SYSTEM": "truecolor",
            "TERM_PROGRAM": "textual",
            "TERM_PROGRAM_VERSION": version("textual-serve"),
            "COLUMNS": str(width),
            "ROWS": str(height),
        })
        return env

    async def _open_app_process(self, width: int = 80, height: int = 24
                                ) -> asyncio.subprocess.Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width, height),
            cwd="/", start_new_session=True)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """Relay the app's output; when the app is gone for any reason (the PIN exit, a crash,
        a kill), close the browser's connection too, so that the page starts a new one."""
        try:
            await super().run()
        finally:
            try:
                await self.remote_close()
            except Exception:  # the browser may be gone already
                pass

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop(self) -> None:
        """Ask the app to quit (it releases its terminal lease); kill it if it does not."""
        task, process = self._task, self._process
        if task is None or process is None:
            return
        self._task = None
        await self.send_meta({"type": "quit"})
        try:
            await asyncio.wait_for(asyncio.shield(task), QUIT_GRACE_S)
        except TimeoutError:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await task
        try:
            await asyncio.wait_for(process.wait(), QUIT_GRACE_S)
        except TimeoutError:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await process.wait()


def seat_argv(socket_path: Path, seat: str, language: str | None, module: str = "kiosk"
              ) -> list[str]:
    argv = [sys.executable, "-m", module, "sit", "--socket", str(socket_path), "--seat", seat]
    if language:
        argv += ["--lang", language]
    return argv



def _in_every(key: str) -> str:
    """A string in every language the kiosk has ("Vizsga / Exam"): pages shown before anyone
    chose a language."""
    return " / ".join(t(key, language=lang) for lang in languages())


class WebKiosk(Server):
    def __init__(self, *, socket_path: Path, seats_file: Path, host: str = "127.0.0.1",
                 port: int = 8443, ssl_context: ssl.SSLContext | None = None,
                 language: str | None = None, title: str | None = None,
                 argv: Callable[[Path, str, str | None], list[str]] = seat_argv,
                 seb_config_keys: tuple[str, ...] = ()) -> None:
        super().__init__("kiosk sit", host=host, port=port, title=title or _in_every("web.title"),
                         templates_path=HERE / "templates")
        self.socket_path = socket_path
        self.book = SeatBook(seats_file)
        self.ssl_context = ssl_context
        self.language = language
        self.argv = argv
        #: seat -> the websocket of the browser holding it (one live browser per seat)
        self.live: dict[str, web.WebSocketResponse] = {}
        #: seat -> its app process (tests and the benchmark read the pid)
        self.processes: dict[str, SeatProcess] = {}
        #: Safe Exam Browser Config Keys: when given, a seat page opens only in a SEB configured
        #: with one of them (the X-SafeExamBrowser-ConfigKeyHash header), never in a plain
        #: browser.
        self.seb_config_keys = tuple(k.strip().lower() for k in seb_config_keys if k.strip())
        self.env = {k: v for k, v in os.environ.items() if k in ENV_KEEP}
        self.env.setdefault("LANG", "C.UTF-8")

    # -- the web application ---------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers], client_max_size=4096)
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path),
                             autoescape=True)
        app.add_routes([
            web.get("/", self.handle_root),
            web.get("/s/{token}", self.handle_seat_page),
            web.get("/ws/{token}", self.handle_seat_websocket),
            web.static("/static", self.statics_path, name="static"),
            web.static("/kiosk-static", HERE / "static", name="kiosk_static"),
        ])
        return app

    @web.middleware
    async def _headers(self, request: web.Request, handler: Any) -> web.StreamResponse:
        response = await handler(request)
        if not response.prepared:
            response.headers.update(SECURITY_HEADERS)
        return response

    def _message(self, request: web.Request, key: str, status: int,
                 refresh: int | None = None) -> web.Response:
        lines = [(lang, t(f"web.message.{key}", language=lang)) for lang in languages()]
        response = aiohttp_jinja2.render_template("message.html", request, {
            "key": key, "refresh": refresh, "lines": lines, "page_title": _in_every("web.title")})
        response.set_status(status)
        return response

    async def handle_root(self, request: web.Request) -> web.Response:
        return self._message(request, "no-seat", 200)

    async def handle_seat_page(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        seat = self.book.seat_for(token)
        if seat is None:
            return self._message(request, "unknown", 404)
        if self.seb_config_keys and not self._from_seb(request):
            return self._message(request, "not-seb", 403)
        if seat in self.live:
            return self._message(request, "in-use", 409, refresh=5)
        scheme = "wss" if request.secure else "ws"
        words = {k: [t(f"web.{k}", language=lang) for lang in languages()]
                 for k in ("connecting", "reconnecting", "kept")}
        return aiohttp_jinja2.render_template("kiosk.html", request, {
            "title": self.title, "seat": seat, "words": words,
            "websocket_url": f"{scheme}://{request.host}/ws/{token}"})

    def _from_seb(self, request: web.Request) -> bool:
        """SEB sends SHA-256(absolute URL without fragment + Config Key) with every request."""
        sent = request.headers.get("X-SafeExamBrowser-ConfigKeyHash", "").strip().lower()
        url = str(request.url.with_fragment(None))
        return any(hmac.compare_digest(sent, hashlib.sha256((url + key).encode()).hexdigest())
                   for key in self.seb_config_keys)

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser: the token alone decides
        scheme = "https" if request.secure else "http"
        return origin == f"{scheme}://{request.host}"

    async def handle_seat_websocket(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        seat = self.book.seat_for(token)
        if seat is None:
            raise web.HTTPNotFound(text="unknown seat link")
        if not self._same_origin(request):
            raise web.HTTPForbidden(text="cross-origin")
        if seat in self.live:
            # Another browser holds this seat: a copied link does not take it over.
            raise web.HTTPConflict(text="seat in use")
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=64 * 1024)
        # Claimed before the first await: two browsers racing for one seat cannot both pass.
        self.live[seat] = websocket
        process: SeatProcess | None = None
        try:
            await websocket.prepare(request)
            width = _clamp(request.query.get("width"), 80, MAX_COLS)
            height = _clamp(request.query.get("height"), 24, MAX_ROWS)
            process = SeatProcess(
                self.argv(self.socket_path, seat, self.language), self.env,
                write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=websocket.close, download_manager=DownloadManager())
            self.processes[seat] = process
            await process.start(width, height)
            await self._relay(websocket, process)
        except asyncio.CancelledError:
            pass
        except Exception as error:  # a broken browser ends its own seat, never the server
            print(f"kiosk web: seat {seat}: {error.__class__.__name__}: {error}",
                  file=sys.stderr)
        finally:
            if process is not None:
                await process.stop()
            if not websocket.closed:
                await websocket.close()
            if self.processes.get(seat) is process:
                del self.processes[seat]
            if self.live.get(seat) is websocket:
                del self.live[seat]
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, process: SeatProcess) -> None:
        """Browser -> app: keys, size, focus. Anything else or malformed is ignored."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not (isinstance(envelope, list) and envelope and isinstance(envelope[0], str)):
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await process.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await process.set_terminal_size(_clamp(data.get("width"), 80, MAX_COLS),
                                                _clamp(data.get("height"), 24, MAX_ROWS))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await process.blur()
            elif kind == "focus":
                await process.focus()

    # -- running -----------------------------------------------------------------------------

    async def start(self) -> web.AppRunner:
        """Listen (for tests and the benchmark, inside a running loop)."""
        runner = web.AppRunner(await self._make_app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=self.ssl_context)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise KioskError(f"cannot listen on {self.host}:{self.port} "
                             f"({exc.strerror or exc})") from exc
        return runner

    def run(self, ready: Callable[[str], None] | None = None) -> None:
        async def main() -> None:
            runner = await self.start()
            scheme = "https" if self.ssl_context is not None else "http"
            if ready is not None:
                ready(f"{scheme}://{self.host}:{self.port}")
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            await stop.wait()
            for ws in list(self.live.values()):
                await ws.close()
            await runner.cleanup()

        asyncio.run(main())


def _clamp(value: object, default: int, top: int) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default
    return max(10, min(top, number))
