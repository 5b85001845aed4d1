"""The candidate app in a real browser: headless Chromium (Debian's chromium and
chromium-driver, through Selenium) drives the page `kiosk web serve` serves over TLS, as a
client of a real centre service. Log in at a seat link, answer, kill the browser, reopen it,
find the answers, submit, read the receipt."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.ledger.verify import find_receipt
from kiosk.web.seats import issue, record
from kiosk.web.tls import create, spki_pin
from tests.support.candidate_helpers import exam_text, make_centre
from tests.support.service_helpers import running_service, socket_dir
from tests.support.web_helpers import (
    Browser,
    browser_available,
    proc_uid,
    seat_processes,
    wait_for,
    web_server,
)

pytestmark = [pytest.mark.skipif(browser_available() is not None,
                                 reason=str(browser_available())),
              pytest.mark.usefixtures("english")]

SEAT = "B204-07"
try:
    from selenium.webdriver.common.keys import Keys
except ImportError:  # the module skips
    pass
GAP_S = 10.0
TIME_LEFT = re.compile(r"Time left: (\d+):(\d\d)")
RECEIPT = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def answers(centre: Path) -> dict[str, object]:
    from kiosk.ledger.centre import Centre

    with Centre.open(centre).reader() as r:
        return {e.body["item"]: e.body["response"] for e in r.events(kind="answer_saved")}


def test_whole_exam_in_chromium_survives_a_killed_browser(tmp_path: Path) -> None:
    setup = make_centre(tmp_path, exam_text([("1", "Questions", 30, ["geo-006", "sci-001"])]))
    centre = setup.centre
    create(centre / "tls", ["localhost", "127.0.0.1"], "Teszt")
    link = issue("https://localhost", "S", [SEAT])[0]
    record(centre / "web-seats.json", "S", [link])
    centre.chmod(0o700)  # the service's account only
    sock = socket_dir() / "service.sock"
    pin = spki_pin(centre / "tls" / "centre.crt")
    with running_service(centre, sock=sock), web_server(centre, sock) as web:
        url = web.url(f"/s/{link.token}")
        browser = Browser(pin)
        try:
            browser.open(url)
            browser.wait_text("Candidate ID")
            # The app runs as the web account, a client of the socket only.
            (pid,) = wait_for(lambda: seat_processes(SEAT), what="the seat's kiosk sit")
            assert proc_uid(pid) == web.uid
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            assert b"KIOSK_PASSPHRASE" not in environ  # the server's secrets stay behind
            if web.uid != os.geteuid() and shutil.which("setpriv"):
                for secret in ("centre.key", "ledger.db"):
                    denied = subprocess.run(["setpriv", f"--reuid={web.uid}",
                                             f"--regid={web.uid}", "--clear-groups", "--",
                                             "cat", str(centre / secret)], capture_output=True)
                    assert denied.returncode != 0, f"the seat's account can read {secret}"
            browser.keys("C1\n", setup.code + "\n")
            browser.wait_text(SEAT)  # the identity screen names the seat from the link
            browser.keys("\n")       # it is me
            browser.wait_text("Instructions")
            browser.keys("\n")
            if "Start" in browser.text() and "largest lake" not in browser.text():
                browser.keys("\n")   # self-start waiting room
            browser.wait_text("largest lake")
            browser.keys("Balaton", pause=0.1)
            wait_for(lambda: "Balaton" in answers(centre).values(), what="the save")
            browser.wait_text("Saved")
            time.sleep(1.5)
            left_before, at_kill = time_left(browser.text()), time.monotonic()
        finally:
            browser.kill()
        # A killed browser is a dropped terminal: its app process ends (no clock ticks on).
        wait_for(lambda: not seat_processes(SEAT), 20, "the seat's process to end")
        time.sleep(GAP_S)  # the candidate walks to the invigilator, the machine restarts…

        again = Browser(pin)
        try:
            again.open(url)
            again.wait_text("Candidate ID", timeout=40)
            again.keys("C1\n", setup.code + "\n")
            again.wait_text(SEAT)
            again.keys("\n")
            again.wait_text("largest lake")   # straight back to the question it was on
            again.wait_text("Balaton")        # the answer is there
            time.sleep(1.5)
            charged = left_before - time_left(again.text())
            elapsed = time.monotonic() - at_kill
            # the time without a terminal is not charged (a second or two of clock display lag)
            assert charged <= elapsed - GAP_S + 3, (charged, elapsed)
            again.keys(Keys.F6, pause=0.5)    # the next question
            again.wait_text("boil")
            again.keys("100", pause=0.1)
            wait_for(lambda: any(str(v) in ("100", "100.0") for v in answers(centre).values()),
                     what="the second save")
            again.keys(Keys.F9, pause=0.8)    # review
            again.wait_text("Submit")
            again.keys(Keys.TAB, Keys.ENTER, Keys.TAB, Keys.ENTER, pause=0.5)  # Submit… → Yes
            again.wait_text("Your exam is submitted")
            # the receipt, read off the screen
            receipt = wait_for(lambda: _receipt(again.text()), 30, "the receipt on screen")
        finally:
            again.quit()
    found = find_receipt(centre / "ledger.db", receipt)
    assert found is not None and found[1] == "attempt_submitted"
    assert "Balaton" in answers(centre).values()
    from kiosk.ledger.centre import Centre

    with Centre.open(centre).reader() as r:
        logins = list(r.events(kind="candidate_logged_in"))
    assert len(logins) == 2 and all(e.body.get("seat") == SEAT for e in logins)
    # the invigilator console's room view puts the candidate at the link's seat
    from kiosk.domain import sittings as S
    from kiosk.domain.room import build_room

    with Centre.open(centre).reader() as r:
        sitting = next(iter(S.sittings(r.events(kind=S.KINDS)).values()))
        room = build_room(sitting.id, sitting.candidates, r.events())
    assert room.seat_of("C1") == SEAT
    if os.geteuid() == 0:
        assert all(e.body.get("peer_uid") == web.uid for e in logins)


def _receipt(screen: str) -> str | None:
    tail = screen[screen.rfind("Receipt code"):] if "Receipt code" in screen else ""
    match = RECEIPT.search(tail)
    return match.group(0) if match else None


def test_browser_lockdown_keys_and_the_invigilator_pin_exit(tmp_path: Path) -> None:
    """Quit keys typed in the page reach the kiosk and do nothing; only the invigilator's PIN
    ends the seat's app, and the page then comes back to a fresh login screen by itself."""
    from kiosk.domain.attempts import KIOSK_EXIT
    from kiosk.ledger.centre import Centre
    from tests.support.candidate_helpers import PIN

    setup = make_centre(tmp_path, exam_text([("1", "Questions", 30, ["geo-006"])]))
    centre = setup.centre
    create(centre / "tls", ["localhost", "127.0.0.1"], "Teszt")
    link = issue("https://localhost", "S", ["B204-09"])[0]
    record(centre / "web-seats.json", "S", [link])
    sock = socket_dir() / "service.sock"
    with running_service(centre, sock=sock), web_server(centre, sock) as web:
        browser = Browser(spki_pin(centre / "tls" / "centre.crt"))
        try:
            browser.open(web.url(f"/s/{link.token}"))
            browser.wait_text("Candidate ID")
            (pid,) = wait_for(lambda: seat_processes("B204-09"), what="the seat's process")
            browser.keys(Keys.CONTROL + "q", Keys.CONTROL + "c", Keys.CONTROL + "z",
                         Keys.CONTROL + "\\", Keys.CONTROL + "p", pause=0.4)
            assert seat_processes("B204-09") == [pid]  # still the same app
            browser.keys(Keys.CONTROL + "e")
            browser.wait_text("PIN")
            browser.keys("000000\n", pause=0.8)  # a wrong PIN ends nothing
            assert seat_processes("B204-09") == [pid]
            browser.keys(Keys.CONTROL + "e")
            browser.keys(PIN + "\n")
            wait_for(lambda: pid not in seat_processes("B204-09"), 20, "the PIN exit")
            # the page reloads by itself: a new app, back at the login screen
            wait_for(lambda: [p for p in seat_processes("B204-09") if p != pid], 30,
                     "a fresh app after the exit")
            browser.wait_text("Candidate ID")
        finally:
            browser.quit()
    with Centre.open(centre).reader() as r:
        exits = [e.body for e in r.events(kind=KIOSK_EXIT)]
        refused = list(r.events(kind="kiosk_exit_refused"))
    assert len(exits) == 1 and exits[0].get("seat") == "B204-09"
    assert len(refused) == 1


def time_left(screen: str) -> int:
    """Seconds left as the page's clock shows them last."""
    found = TIME_LEFT.findall(screen)
    assert found, "no clock on the page"
    minutes, seconds = found[-1]
    return int(minutes) * 60 + int(seconds)


def test_the_page_comes_back_by_itself_after_the_server_was_gone(tmp_path: Path) -> None:
    """The lab network (or the web server) goes away under an open page: the page keeps
    trying without leaving the kiosk for the browser's error page, and shows the seat's login
    again once the server answers."""
    from tests.support.web_helpers import free_port

    setup = make_centre(tmp_path, exam_text([("1", "Questions", 30, ["geo-006"])]))
    centre = setup.centre
    create(centre / "tls", ["localhost", "127.0.0.1"], "Teszt")
    link = issue("https://localhost", "S", ["B204-11"])[0]
    record(centre / "web-seats.json", "S", [link])
    sock = socket_dir() / "service.sock"
    port = free_port()
    with running_service(centre, sock=sock):
        browser = Browser(spki_pin(centre / "tls" / "centre.crt"))
        try:
            with web_server(centre, sock, port=port) as web:
                browser.open(web.url(f"/s/{link.token}"))
                browser.wait_text("Candidate ID")
                (first,) = seat_processes("B204-11")
            # the server is gone (as behind a dead network): the page waits on itself
            wait_for(lambda: "-closed" in browser.body_class(), 20, "the page to notice")
            time.sleep(6)  # several retries into nothing
            assert browser.driver.current_url.endswith(f"/s/{link.token}")
            assert "-closed" in browser.body_class()  # still our page, not an error page
            with web_server(centre, sock, port=port):
                wait_for(lambda: [p for p in seat_processes("B204-11") if p != first], 30,
                         "a new app for the seat")
                browser.wait_text("Candidate ID")
        finally:
            browser.quit()
