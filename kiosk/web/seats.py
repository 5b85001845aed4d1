"""Seat links: the invigilator gives each lab machine its seat identity as a URL with a token.

Only SHA-256 hashes of the tokens are kept (in the seats file the web server reads), so the file
is not a secret and a token is shown once, on the invigilator's table and PDF sheet. Issuing the
links of a sitting again replaces that sitting's earlier links (they stop working)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError

#: Seat names go into a command line and onto the invigilator console: a short, plain charset.
SEAT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SEATS_FILE = "web-seats.json"


@dataclass(frozen=True)
class SeatLink:
    seat: str
    token: str
    url: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def seat_names(prefix: str, count: int, start: int = 1) -> list[str]:
    """`B204-01` … for a room of `count` machines (zero-padded to the widest number)."""
    if count < 1 or count > 500:
        raise KioskError("--count: between 1 and 500 seats")
    width = max(2, len(str(start + count - 1)))
    return check_seats([f"{prefix}{n:0{width}d}" for n in range(start, start + count)])


def check_seats(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        name = name.strip()
        if not SEAT_NAME.match(name):
            raise KioskError(f"seat {name!r}: use 1-32 letters, digits, '.', '_' or '-'")
        if name in out:
            raise KioskError(f"seat {name!r} is named twice")
        out.append(name)
    if not out:
        raise KioskError("no seats given (--seats NAME,NAME or --count N)")
    return out


def issue(base_url: str, sitting: str, seats: list[str]) -> list[SeatLink]:
    """A fresh 128-bit token per seat and its URL under `base_url`."""
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise KioskError(f"--base-url {base_url!r}: give the kiosk's address, "
                         "e.g. https://kiosk.lan:8443")
    base = base_url.rstrip("/")
    links = []
    for seat in check_seats(seats):
        token = secrets.token_urlsafe(16)
        links.append(SeatLink(seat, token, f"{base}/s/{token}"))
    return links


def read_book(path: Path) -> dict[str, dict[str, str]]:
    """token hash -> {"seat", "sitting"}; an absent file is an empty book."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise KioskError(f"{path}: not a seats file ({exc})") from exc
    seats = data.get("seats") if isinstance(data, dict) else None
    if not isinstance(seats, dict):
        raise KioskError(f"{path}: not a seats file (no \"seats\" table)")
    return {h: v for h, v in seats.items()
            if isinstance(v, dict) and isinstance(v.get("seat"), str)
            and SEAT_NAME.match(v["seat"])}


def record(path: Path, sitting: str, links: list[SeatLink]) -> None:
    """Replace `sitting`'s links in the seats file (atomically: the server never reads half)."""
    book = {h: v for h, v in read_book(path).items() if v.get("sitting") != sitting}
    for link in links:
        book[token_hash(link.token)] = {"seat": link.seat, "sitting": sitting}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".seats-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"format": 1, "seats": book}, handle, indent=1, sort_keys=True)
        # Readable by the web server's account (hashes only: nothing secret in it).
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SeatBook:
    """The web server's view of the seats file, re-read when it changes (new links for the
    next sitting need no restart)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._book: dict[str, dict[str, str]] = {}

    def seat_for(self, token: str) -> str | None:
        if not TOKEN.match(token):
            return None
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_ino)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            try:
                self._book = read_book(self.path)
            except KioskError:
                self._book = {}  # fail closed: an unreadable file opens no seat
            self._stamp = stamp
        entry = self._book.get(token_hash(token))
        return entry["seat"] if entry else None
