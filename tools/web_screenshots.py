"""Screenshots of browser delivery for the docs: the login page and a question, in headless
Chromium (Debian's) at a 1366x768 window, served by a real `kiosk web serve` over TLS.

    python tools/web_screenshots.py [OUT_DIR]      (default: docs/)

Writes web-login.png and web-question.png. Look at them before committing."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kiosk.web.seats import issue, record  # noqa: E402
from kiosk.web.tls import create, spki_pin  # noqa: E402
from tests.support.service_helpers import running_service, socket_dir  # noqa: E402
from tests.support.web_helpers import Browser, web_server  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs"
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    centre = tmp / "centre"
    subprocess.run([sys.executable, "-m", "kiosk", "demo", "--centre", str(centre), "--no-app"],
                   check=True, cwd=REPO, capture_output=True)
    demo = (centre / "demo.toml").read_text(encoding="utf-8")
    code = next(line.split('"')[1] for line in demo.splitlines() if line.startswith("code"))
    create(centre / "tls", ["localhost"], "Demo")
    link = issue("https://localhost", "S", ["B204-07"])[0]
    record(centre / "web-seats.json", "S", [link])
    sock = socket_dir() / "service.sock"
    with running_service(centre, sock=sock), web_server(centre, sock) as web:
        browser = Browser(spki_pin(centre / "tls" / "centre.crt"))
        try:
            browser.open(web.url(f"/s/{link.token}"))
            browser.wait_text("Candidate ID")
            time.sleep(1.0)
            browser.screenshot(out / "web-login.png")
            browser.keys("DEMO1\n", code + "\n")
            browser.wait_text("B204-07")
            browser.keys("\n")
            browser.wait_text("Instructions")
            browser.keys("\n")
            time.sleep(1.0)
            if "Waiting room" in browser.text():
                browser.keys("\n")
            browser.wait_text("Question 1")
            # show a single-choice question with an answer chosen (the draw order varies)
            for n in range(2, 9):
                if "Choose one" in browser.text()[-3000:]:
                    break
                browser.keys("\ue036", pause=0.2)  # F6: next question
                browser.wait_text(f"Question {n}")
            browser.keys("\ue015", "\ue015", " ", pause=0.6)  # down, down, choose
            browser.wait_text("Saved")
            time.sleep(1.0)
            browser.screenshot(out / "web-question.png")
        finally:
            browser.quit()
    print(f"wrote {out / 'web-login.png'} and {out / 'web-question.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
