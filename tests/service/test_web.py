"""Browser delivery without a browser: seat links, the server's refusals by attack class (an
unknown or revoked link, a second browser on a live seat, a cross-origin page, malformed
frames), TLS only, the trust checks of `kiosk web serve`, the centre certificate and the
seat sheet. The server is the real `WebKiosk` with real `kiosk sit` processes and a real
centre service; tests/service/test_web_browser.py drives the same through Chromium."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from click.testing import CliRunner

from kiosk.cli import build_cli
from kiosk.errors import KioskError
from kiosk.web import seats as W
from kiosk.web import tls
from kiosk.web.server import WebKiosk
from tests.support.candidate_helpers import exam_text, make_centre
from tests.support.service_helpers import env_with_repo, running_service, socket_dir
from tests.support.web_helpers import ANSI, free_port, seat_processes, wait_for

REPO = Path(__file__).resolve().parents[2]


# -- seat links (pure) --------------------------------------------------------------------------

def test_seat_links_keep_only_hashes_and_a_reissue_revokes(tmp_path: Path) -> None:
    book = tmp_path / "seats.json"
    first = W.issue("https://kiosk.lan:8443", "S1", ["B204-01", "B204-02"])
    assert first[0].url == f"https://kiosk.lan:8443/s/{first[0].token}"
    assert len({link.token for link in first}) == 2
    W.record(book, "S1", first)
    other = W.issue("https://kiosk.lan:8443", "S2", ["C1"])
    W.record(book, "S2", other)
    text = book.read_text()
    assert all(link.token not in text for link in first + other)  # hashes only
    reader = W.SeatBook(book)
    assert reader.seat_for(first[1].token) == "B204-02"
    again = W.issue("https://kiosk.lan:8443", "S1", ["B204-01"])
    W.record(book, "S1", again)
    assert reader.seat_for(first[0].token) is None  # revoked, re-read without a restart
    assert reader.seat_for(again[0].token) == "B204-01"
    assert reader.seat_for(other[0].token) == "C1"  # another sitting's links stay
    assert reader.seat_for("../../etc/passwd") is None
    assert reader.seat_for("") is None


@pytest.mark.parametrize("names", [["a b"], ["x;rm"], ["-rf"], ["B1", "B1"], [""], ["é"]])
def test_bad_seat_names_are_refused(names: list[str]) -> None:
    with pytest.raises(KioskError):
        W.check_seats(names)


def test_seat_names_are_numbered_and_padded() -> None:
    assert W.seat_names("B204-", 3) == ["B204-01", "B204-02", "B204-03"]
    assert W.seat_names("L", 120)[-1] == "L120"


def test_a_broken_seats_file_opens_no_seat(tmp_path: Path) -> None:
    book = tmp_path / "seats.json"
    links = W.issue("https://k:1", "S", ["A1"])
    W.record(book, "S", links)
    reader = W.SeatBook(book)
    assert reader.seat_for(links[0].token) == "A1"
    book.write_text("{not json")
    assert reader.seat_for(links[0].token) is None


# -- the certificate ----------------------------------------------------------------------------

def test_certificate_fingerprint_is_what_a_client_sees(tmp_path: Path) -> None:
    cert = tls.create(tmp_path / "tls", ["localhost", "127.0.0.1"], "Teszt")
    key = tmp_path / "tls" / tls.KEY
    assert key.stat().st_mode & 0o077 == 0
    assert set(tls.hosts_of(cert)) == {"localhost", "127.0.0.1"}
    with pytest.raises(KioskError):
        tls.create(tmp_path / "tls", ["localhost"])  # never overwritten silently
    context = tls.server_context(cert, key)
    port = free_port()
    server = socket.create_server(("127.0.0.1", port))

    def serve() -> None:
        conn, _ = server.accept()
        with context.wrap_socket(conn, server_side=True) as s:
            s.recv(1)

    import threading

    thread = threading.Thread(target=serve)
    thread.start()
    client = ssl.create_default_context(cafile=str(cert))
    with socket.create_connection(("127.0.0.1", port)) as raw, \
            client.wrap_socket(raw, server_hostname="localhost") as s:
        der = s.getpeercert(binary_form=True)
        s.send(b"x")
    thread.join()
    server.close()
    digest = hashlib.sha256(der).hexdigest().upper()
    assert tls.fingerprint(cert).replace(":", "") == digest


def test_kiosk_init_prints_both_fingerprints(tmp_path: Path) -> None:
    result = CliRunner().invoke(build_cli(), ["init", "--centre", str(tmp_path / "c"),
                                              "--tls-host", "kiosk.lan", "--tls-host",
                                              "10.0.0.5"])
    assert result.exit_code == 0, result.output
    assert "Key fingerprint: SHA256:" in result.output
    cert = tmp_path / "c" / "tls" / "centre.crt"
    assert f"TLS certificate SHA-256: {tls.fingerprint(cert)}" in result.output
    assert tls.hosts_of(cert) == ["kiosk.lan", "10.0.0.5"]
    again = CliRunner().invoke(build_cli(), ["web", "cert", "--centre", str(tmp_path / "c")])
    assert again.exit_code != 0 and "exists already" in str(again.exception)
    new = CliRunner().invoke(build_cli(), ["web", "cert", "--centre", str(tmp_path / "c"),
                                           "--replace", "--host", "kiosk2.lan"])
    assert new.exit_code == 0 and tls.hosts_of(cert) == ["kiosk2.lan"]


# -- kiosk sitting seats --urls ------------------------------------------------------------------

def test_sitting_seats_table_and_qr_sheet(tmp_path: Path) -> None:
    from pypdf import PdfReader

    setup = make_centre(tmp_path)
    tls.create(setup.centre / "tls", ["kiosk.lan"])
    with __import__("kiosk.ledger.centre", fromlist=["Centre"]).Centre.open(
            setup.centre).reader() as r:
        sitting = next(r.events(kind="sitting_created")).body["sitting"]
    pdf = tmp_path / "seats.pdf"
    result = CliRunner().invoke(build_cli(), [
        "sitting", "seats", sitting, "--centre", str(setup.centre), "--urls", "--count", "14",
        "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if line.startswith("B204-")]
    assert [r[0] for r in rows] == [f"B204-{n:02d}" for n in range(1, 15)]
    assert all(r[1].startswith("https://kiosk.lan:8443/s/") for r in rows)
    book = W.SeatBook(setup.centre / W.SEATS_FILE)
    assert book.seat_for(rows[6][1].rsplit("/", 1)[1]) == "B204-07"
    reader = PdfReader(pdf)
    assert len(reader.pages) == 2  # 12 cards a page
    images = sum(len(page.images) for page in reader.pages)
    assert images == 14
    text = "".join(page.extract_text() for page in reader.pages)
    assert "B204-14" in text and tls.fingerprint(setup.centre / "tls" / "centre.crt") in text
    listing = CliRunner().invoke(build_cli(), ["sitting", "seats", sitting, "--centre",
                                               str(setup.centre)])
    assert "14 seat link(s)" in listing.output and "https://" not in listing.output
    revoked = CliRunner().invoke(build_cli(), ["sitting", "seats", sitting, "--centre",
                                               str(setup.centre), "--revoke"])
    assert revoked.exit_code == 0 and "14 seat link(s)" in revoked.output
    assert book.seat_for(rows[6][1].rsplit("/", 1)[1]) is None


def test_sitting_seats_errors_are_one_line(tmp_path: Path) -> None:
    setup = make_centre(tmp_path)
    for args, words in ((["NOPE", "--urls", "--count", "2"], "no sitting"),):
        result = CliRunner().invoke(build_cli(), ["sitting", "seats", *args, "--centre",
                                                  str(setup.centre)])
        assert result.exit_code != 0 and words in str(result.exception or result.output)
    bad_pdf = tmp_path / "nodir" / "x.pdf"
    proc = subprocess.run([sys.executable, "-m", "kiosk", "sitting", "seats", _sitting(setup),
                           "--centre", str(setup.centre), "--urls", "--count", "2",
                           "--pdf", str(bad_pdf)], capture_output=True, text=True,
                          env=env_with_repo(), cwd=REPO)
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1 and "x.pdf" in proc.stderr and "Traceback" not in proc.stderr
    assert not (setup.centre / W.SEATS_FILE).exists()  # nothing issued when the sheet failed


def _sitting(setup: Any) -> str:
    from kiosk.ledger.centre import Centre

    with Centre.open(setup.centre).reader() as r:
        return str(next(r.events(kind="sitting_created")).body["sitting"])


# -- kiosk web serve refuses to run unsafely ----------------------------------------------------

def test_web_serve_refuses_an_account_that_reads_the_key_and_a_missing_certificate(
        tmp_path: Path) -> None:
    setup = make_centre(tmp_path)
    run = [sys.executable, "-m", "kiosk", "web", "serve", "--centre", str(setup.centre),
           "--port", str(free_port())]
    proc = subprocess.run(run, capture_output=True, text=True, env=env_with_repo(), cwd=REPO,
                          timeout=60)
    assert proc.returncode != 0 and "can read" in proc.stderr and "centre.key" in proc.stderr
    proc = subprocess.run([*run, "--demo"], capture_output=True, text=True,
                          env=env_with_repo(), cwd=REPO, timeout=60)
    assert proc.returncode != 0 and "kiosk web cert" in proc.stderr
    assert "Traceback" not in proc.stderr
    if os.geteuid() == 0:  # root reads everything: refused even where no key is in sight
        proc = subprocess.run([*run[:5], "--centre", str(tmp_path / "elsewhere")],
                              capture_output=True,
                              text=True, env=env_with_repo(), cwd=REPO, timeout=60)
        assert proc.returncode != 0 and "not as root" in proc.stderr


# -- the served page and its websocket, with real seat processes --------------------------------

class Served:
    def __init__(self, tmp: Path) -> None:
        self.setup = make_centre(tmp, exam_text([("1", "Questions", 30, ["geo-006"])]))
        centre = self.setup.centre
        tls.create(centre / "tls", ["localhost", "127.0.0.1"])
        self.links = W.issue("https://localhost", "S", ["B204-01", "B204-02"])
        W.record(centre / W.SEATS_FILE, "S", self.links)
        self.sock = socket_dir() / "service.sock"
        self.port = free_port()
        self.ssl = ssl.create_default_context(cafile=str(centre / "tls" / tls.CERT))

    def kiosk(self) -> WebKiosk:
        c = self.setup.centre
        return WebKiosk(socket_path=self.sock, seats_file=c / W.SEATS_FILE, port=self.port,
                        ssl_context=tls.server_context(c / "tls" / tls.CERT, c / "tls" / tls.KEY),
                        language="en")

    def url(self, path: str, scheme: str = "https") -> str:
        return f"{scheme}://localhost:{self.port}{path}"


async def _screen_until(ws: aiohttp.ClientWebSocketResponse, needle: str, seen: list[str],
                        timeout: float = 30.0) -> None:
    async def read() -> None:
        while needle not in ANSI.sub("", "".join(seen)):
            msg = await ws.receive()
            if msg.type == aiohttp.WSMsgType.BINARY:
                seen.append(msg.data.decode("utf-8", "replace"))
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                              aiohttp.WSMsgType.ERROR):
                raise AssertionError(f"closed before {needle!r}")

    await asyncio.wait_for(read(), timeout)


def test_the_server_refuses_by_attack_class(tmp_path: Path) -> None:
    served = Served(tmp_path)
    first, second = served.links

    async def scenario() -> None:
        server = served.kiosk()
        runner = await server.start()
        try:
            async with aiohttp.ClientSession() as http:
                async def get(path: str) -> tuple[int, str, Any]:
                    async with http.get(served.url(path), ssl=served.ssl) as r:
                        return r.status, await r.text(), r.headers

                status, body, headers = await get(f"/s/{first.token}")
                assert status == 200 and "B204-01" in body
                # before anyone chose a language, the page speaks every catalogue's
                assert "Kapcsolódás… / Connecting…" in body
                assert "Connection lost: reconnecting…" in body
                assert "default-src 'self'" in headers["Content-Security-Policy"]
                assert headers["Referrer-Policy"] == "no-referrer"
                assert "googleapis" not in body  # nothing from outside the LAN
                # unknown and malformed links
                status, body, _ = await get("/s/AAAAAAAAAAAAAAAAAAAAAA")
                assert status == 404 and '<p lang="hu">Ez a gép-hivatkozás nem érvényes' in body
                assert '<p lang="en">This seat link is not valid' in body
                assert (await get("/s/" + "A" * 200))[0] == 404
                assert (await get("/"))[0] == 200
                with pytest.raises(aiohttp.WSServerHandshakeError) as denied:
                    await http.ws_connect(served.url("/ws/AAAAAAAAAAAAAAAAAAAAAA", "wss"),
                                          ssl=served.ssl)
                assert denied.value.status == 404
                # a page of another origin cannot open a seat (cross-site websocket)
                with pytest.raises(aiohttp.WSServerHandshakeError) as denied:
                    await http.ws_connect(served.url(f"/ws/{first.token}", "wss"),
                                          ssl=served.ssl, origin="https://evil.example")
                assert denied.value.status == 403
                # plain HTTP on the TLS port gets nothing
                with pytest.raises(aiohttp.ClientError):
                    await http.get(served.url("/", "http"))
                # the seat's browser: a real kiosk sit behind the websocket
                ws = await http.ws_connect(served.url(f"/ws/{first.token}?width=100&height=30",
                                                      "wss"), ssl=served.ssl,
                                           origin=served.url(""))
                seen: list[str] = []
                await _screen_until(ws, "Candidate ID", seen)
                (pid,) = seat_processes("B204-01")
                environ = Path(f"/proc/{pid}/environ").read_bytes()
                assert b"KIOSK_PASSPHRASE" not in environ and b"KIOSK_SOCKET" not in environ
                # the same link from a second browser, while the first is live: refused
                status, body, _ = await get(f"/s/{first.token}")
                assert status == 409 and "in use" in body
                with pytest.raises(aiohttp.WSServerHandshakeError) as denied:
                    await http.ws_connect(served.url(f"/ws/{first.token}", "wss"),
                                          ssl=served.ssl)
                assert denied.value.status == 409
                # another seat's link is another seat
                assert (await get(f"/s/{second.token}"))[0] == 200
                # malformed frames and absurd sizes end nothing
                for junk in ("not json", "[]", "{}", '["stdin", 5]', '["resize", "x"]',
                             '["resize", {"width": 100000000, "height": -5}]', '[1, 2]'):
                    await ws.send_str(junk)
                await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
                await ws.send_str(json.dumps(["stdin", "C1"]))
                await _screen_until(ws, "C1", seen)
                assert server.processes["B204-01"].pid == pid
                # the seat's app dies (killed, crashed): the page's connection closes with it,
                # so that the page reconnects to a new app instead of showing a dead screen
                ws_b = await http.ws_connect(served.url(f"/ws/{second.token}", "wss"),
                                             ssl=served.ssl)
                await _screen_until(ws_b, "Candidate ID", [])
                (pid_b,) = seat_processes("B204-02")
                os.kill(pid_b, signal.SIGKILL)
                msg = await asyncio.wait_for(ws_b.receive(), 20)
                while msg.type == aiohttp.WSMsgType.BINARY:
                    msg = await asyncio.wait_for(ws_b.receive(), 20)
                assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
                # closing the browser frees the seat and ends its process
                await ws.close()
                await asyncio.sleep(0)
                deadline = asyncio.get_running_loop().time() + 20
                while "B204-01" in server.live or seat_processes("B204-01"):
                    assert asyncio.get_running_loop().time() < deadline, "seat still held"
                    await asyncio.sleep(0.1)
                assert (await get(f"/s/{first.token}"))[0] == 200
        finally:
            await runner.cleanup()

    with running_service(served.setup.centre, sock=served.sock):
        os.environ["KIOSK_PASSPHRASE"] = "server-secret"
        try:
            asyncio.run(scenario())
        finally:
            os.environ.pop("KIOSK_PASSPHRASE", None)
    wait_for(lambda: not seat_processes("B204-01"), 10, "no orphan seat process")


def test_with_a_seb_config_key_a_plain_browser_gets_no_seat_page(tmp_path: Path) -> None:
    served = Served(tmp_path)
    link = served.links[0]
    key = "a" * 64

    async def scenario() -> None:
        server = served.kiosk()
        server.seb_config_keys = (key,)
        runner = await server.start()
        try:
            async with aiohttp.ClientSession() as http:
                url = served.url(f"/s/{link.token}")

                async def status(headers: dict[str, str]) -> int:
                    async with http.get(url, ssl=served.ssl, headers=headers) as r:
                        return r.status

                assert await status({}) == 403
                wrong = hashlib.sha256((url + "b" * 64).encode()).hexdigest()
                assert await status({"X-SafeExamBrowser-ConfigKeyHash": wrong}) == 403
                other_url = hashlib.sha256((url + "x" + key).encode()).hexdigest()
                assert await status({"X-SafeExamBrowser-ConfigKeyHash": other_url}) == 403
                right = hashlib.sha256((url + key).encode()).hexdigest()
                assert await status({"X-SafeExamBrowser-ConfigKeyHash": right}) == 200
        finally:
            await runner.cleanup()

    asyncio.run(scenario())


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
                    reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools)")
def test_the_printed_qr_codes_scan_to_the_links(tmp_path: Path) -> None:
    """As a phone at each seat would: render the sheet, cut it into its cards, scan each card.
    (zbarimg on the whole page of 12 codes misses one now and then; a phone sees one card.)"""
    from PIL import Image

    from kiosk.web.sheet import card_rect
    setup = make_centre(tmp_path)
    pdf = tmp_path / "seats.pdf"
    result = CliRunner().invoke(build_cli(), [
        "sitting", "seats", _sitting(setup), "--centre", str(setup.centre), "--urls",
        "--count", "12", "--base-url", "https://kiosk.lan:8443", "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    links = {line.split()[1] for line in result.output.splitlines() if line.startswith("B204-")}
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    page = Image.open(tmp_path / "page-1.png")
    px = page.width / 210.0  # A4 is 210 mm wide
    scanned = set()
    for slot in range(12):
        x, y, w, h = card_rect(slot, 210.0, 297.0)
        card = tmp_path / f"card-{slot}.png"
        page.crop((round(x * px), round(y * px), round((x + w) * px), round((y + h) * px))
                  ).save(card)
        scan = subprocess.run(["zbarimg", "-q", str(card)], capture_output=True, text=True)
        codes = [line.removeprefix("QR-Code:") for line in scan.stdout.splitlines()]
        assert len(codes) == 1, (slot, scan.stdout, scan.stderr)
        scanned.add(codes[0])
    assert scanned == links and len(links) == 12


def test_demo_mode_starts_and_stops_its_own_service(tmp_path: Path) -> None:
    """One machine, practice: `kiosk web serve --demo` serves a centre no service serves yet."""
    import time
    import urllib.request

    from kiosk.service.spawn import listening

    setup = make_centre(tmp_path)
    centre = setup.centre
    tls.create(centre / "tls", ["localhost"])
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "web", "serve", "--centre",
                             str(centre), "--port", str(port), "--demo"], env=env_with_repo(),
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        context = ssl.create_default_context(cafile=str(centre / "tls" / tls.CERT))
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"https://localhost:{port}/", context=context,
                                            timeout=5) as r:
                    assert r.status == 200
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert listening(centre / "service.sock")
    finally:
        proc.terminate()
        proc.wait(30)
    assert not listening(centre / "service.sock")


def test_a_silent_network_frees_the_seat_and_ends_its_app(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A pulled cable sends no close: the heartbeat finds the silent browser, the seat's app
    ends (no clock ticks on) and the seat is free for the machine's next page."""
    import kiosk.web.server as server_module

    monkeypatch.setattr(server_module, "HEARTBEAT_S", 1.0)  # 10 s in production
    served = Served(tmp_path)
    link = served.links[0]

    async def scenario() -> None:
        server = served.kiosk()
        runner = await server.start()
        try:
            async with aiohttp.ClientSession() as http:
                # autoping off: this "browser" answers no ping, as one behind a dead cable
                ws = await http.ws_connect(served.url(f"/ws/{link.token}", "wss"),
                                           ssl=served.ssl, autoping=False)
                await _screen_until(ws, "Candidate ID", [])
                (pid,) = seat_processes("B204-01")
                assert "B204-01" in server.live
                loop = asyncio.get_running_loop()
                deadline = loop.time() + 20
                while "B204-01" in server.live or seat_processes("B204-01"):
                    assert loop.time() < deadline, "the silent browser still holds the seat"
                    await asyncio.sleep(0.2)
                async with http.get(served.url(f"/s/{link.token}"), ssl=served.ssl) as r:
                    assert r.status == 200
                await ws.close()
        finally:
            await runner.cleanup()

    with running_service(served.setup.centre, sock=served.sock):
        asyncio.run(scenario())


def test_a_taken_port_is_one_line(tmp_path: Path) -> None:
    setup = make_centre(tmp_path)
    tls.create(setup.centre / "tls", ["localhost"])
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "kiosk", "web", "serve", "--centre",
                               str(setup.centre), "--socket", str(tmp_path / "none.sock"),
                               "--port", str(port), "--demo"], capture_output=True, text=True,
                              env=env_with_repo(), cwd=REPO, timeout=60)
    assert proc.returncode != 0
    assert "cannot listen" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
