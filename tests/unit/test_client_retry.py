"""The terminal's client repeats a call once when its kept-alive connection breaks (every
candidate call is idempotent in the service); a staff call is never repeated: it may already
have been carried out when the reply was lost."""

from __future__ import annotations

import socket
import tempfile
import threading
from pathlib import Path

import pytest

from kiosk.client import Client, RemoteCalls, ServiceUnavailable
from kiosk.errors import KioskError


def hanging_up_server(path: Path) -> tuple[list[bytes], threading.Thread]:
    """Accepts connections, reads each request and closes without answering."""
    seen: list[bytes] = []
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(8)
    srv.settimeout(5)

    def serve() -> None:
        try:
            while True:
                conn, _ = srv.accept()
                with conn:
                    conn.settimeout(2)
                    data = conn.recv(65536)
                    if data:
                        seen.append(data)
        except OSError:
            pass
        finally:
            srv.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return seen, thread


@pytest.fixture
def sock() -> Path:
    return Path(tempfile.mkdtemp(prefix="kiosk-retry-", dir="/tmp")) / "s.sock"


def test_a_candidate_call_is_tried_twice(sock: Path) -> None:
    seen, _ = hanging_up_server(sock)
    with pytest.raises(ServiceUnavailable):
        Client(sock, timeout=2).request("POST", "/v1/candidate/tick", {})
    assert len(seen) == 2


def test_a_staff_call_is_sent_once(sock: Path) -> None:
    seen, _ = hanging_up_server(sock)
    calls = RemoteCalls(sock, timeout=2)
    with pytest.raises(KioskError, match="does not answer"):
        calls.call("invigilation.extend", attempt="A1", minutes=10, reason="x")
    assert len(seen) == 1
    assert b"/v1/call/invigilation.extend" in seen[0]


def test_a_request_goes_out_in_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """http.client writes the head and the body separately: the service then woke up twice
    per request. The terminal's connection sends a JSON request in one write."""
    from kiosk import client as client_module

    writes: list[bytes] = []
    real_send = client_module._UnixConnection.send

    def send(self: client_module._UnixConnection, data: bytes) -> None:
        writes.append(bytes(data))
        real_send(self, data)

    monkeypatch.setattr(client_module._UnixConnection, "send", send)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.sock"
        seen, _ = hanging_up_server(path)
        c = Client(path, timeout=2)
        with pytest.raises(ServiceUnavailable):
            c.request("POST", "/v1/candidate/answer", {"item": "q1", "response": "Balaton"})
    assert writes, "nothing was sent"
    for data in writes:  # the first try and the retry on a fresh connection
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"POST /v1/candidate/answer HTTP/1.1")
        assert body == b'{"item": "q1", "response": "Balaton"}'
