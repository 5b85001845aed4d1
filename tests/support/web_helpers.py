"""Browser delivery for tests: a real `kiosk web serve` process (as another uid where the
tests run as root) and headless Chromium from Debian's packages through Selenium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.service_helpers import env_with_repo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
NOBODY = 65534
REPO = Path(__file__).resolve().parents[2]

#: Records what the app sends to the page (the terminal's byte stream), so a test can read the
#: screen: xterm.js draws on a canvas, with no text in the DOM. Test-only; the product page
#: is unchanged.
SCREEN_HOOK = r"""
(() => {
  const Orig = window.WebSocket;
  const decoder = new TextDecoder();
  window.__kioskText = "";
  function Hooked(url, protocols) {
    const ws = protocols === undefined ? new Orig(url) : new Orig(url, protocols);
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") {
        window.__kioskText += decoder.decode(e.data, {stream: true});
      }
    });
    return ws;
  }
  Hooked.prototype = Orig.prototype;
  Hooked.CONNECTING = 0; Hooked.OPEN = 1; Hooked.CLOSING = 2; Hooked.CLOSED = 3;
  window.WebSocket = Hooked;
})();
"""
ANSI = re.compile(r"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>78]")


def browser_available() -> str | None:
    """None when the test can run, else the reason it skips."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} missing (apt-get install chromium chromium-driver)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def shared_dir() -> Path:
    """A directory the web server's uid can read (pytest's tmp_path is 0700 to root)."""
    d = Path(tempfile.mkdtemp(prefix="kiosk-web-", dir="/tmp"))
    d.chmod(0o755)
    return d


@dataclass
class WebServer:
    proc: subprocess.Popen[bytes]
    port: int
    cert: Path
    log: Path
    uid: int

    def url(self, path: str) -> str:
        return f"https://localhost:{self.port}{path}"

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.cert))
        return context

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url(path), context=self.client_context(),
                                        timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


@contextmanager
def web_server(centre: Path, sock: Path, *, language: str = "en", port: int | None = None
               ) -> Iterator[WebServer]:
    """`kiosk web serve` with copies of the certificate, its key and the seats file (where
    the docs put them for the web account). Where the tests run as root, every seat process
    runs as uid nobody (tests/support/web_seat.py), with the centre directory closed to it."""
    home = shared_dir()
    for src, name in ((centre / "tls" / "centre.crt", "tls.crt"),
                      (centre / "tls" / "centre-tls.key", "tls.key")):
        shutil.copy(src, home / name)
    link_seats(centre / "web-seats.json", home / "seats.json")
    port = port or free_port()
    log = home / "web.log"
    argv = [sys.executable, "-m", "kiosk", "web", "serve", "--centre", str(centre),
            "--socket", str(sock), "--port", str(port), "--cert", str(home / "tls.crt"),
            "--key", str(home / "tls.key"), "--seats-file", str(home / "seats.json"),
            "--lang", language, "--seat-module", "tests.support.web_seat",
            # the server itself runs as the test's user here (see tests/support/web_seat.py)
            "--demo"]
    env = env_with_repo()
    env["KIOSK_PASSPHRASE"] = "must-not-reach-the-seat-processes"
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=REPO, start_new_session=True)
    server = WebServer(proc, port, home / "tls.crt", log,
                       NOBODY if os.geteuid() == 0 else os.geteuid())
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")
            try:
                server.get("/")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.2)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if os.environ.get("KIOSK_WEB_LOG"):
            shutil.copy(log, os.environ["KIOSK_WEB_LOG"])
        shutil.rmtree(home, ignore_errors=True)


def link_seats(src: Path, dst: Path) -> None:
    """The seats file where the web account reads it (the docs' /srv/kiosk/web/seats.json)."""
    if src.exists():
        shutil.copy(src, dst)


def seat_processes(seat: str) -> list[int]:
    """pids of `kiosk sit … --seat SEAT` processes (read from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"sit" in args and b"--seat" in args and seat.encode() in args:
            out.append(int(entry.name))
    return out


def proc_uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid in /proc/{pid}/status")


def wait_for(cond: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


class Browser:
    """Headless Chromium (Debian's) at a 1366x768 viewport, trusting only the centre's
    certificate by its public key pin."""

    def __init__(self, spki_pin: str) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="kiosk-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync", "--window-size=1366,768",
                    f"--user-data-dir={self.profile}",
                    f"--ignore-certificate-errors-spki-list={spki_pin}"):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False})
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                    {"source": SCREEN_HOOK})

    def open(self, url: str) -> None:
        self.driver.get(url)

    def text(self) -> str:
        raw = self.driver.execute_script("return window.__kioskText || ''")
        return ANSI.sub("", raw)

    def wait_text(self, needle: str, timeout: float = 30.0) -> None:
        wait_for(lambda: needle in self.text(), timeout, f"{needle!r} on the page")

    def keys(self, *keys: str, pause: float = 0.3) -> None:
        """Type into the terminal (xterm.js's input element), as a person would."""
        from selenium.webdriver.common.by import By

        box = self.driver.find_element(By.CSS_SELECTOR, "textarea.xterm-helper-textarea")
        for key in keys:
            box.send_keys(key)
            time.sleep(pause)

    def body_class(self) -> str:
        return str(self.driver.execute_script("return document.body.className"))

    def screenshot(self, path: Path) -> None:
        self.driver.save_screenshot(str(path))

    def kill(self) -> None:
        """SIGKILL the browser (every process of this profile), as a crash or power cut would:
        no close frame, no unload handler."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if self.profile.encode() in cmd:
                try:
                    os.kill(int(entry.name), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            self.driver.service.process.kill()
        except Exception:
            pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
