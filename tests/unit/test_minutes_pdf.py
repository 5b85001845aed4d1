"""The minutes PDF as a person sees it: every page rendered to an image with poppler's pdftoppm
(the engine of the usual Linux PDF viewers) and checked to lie inside the page margins, plus the
content a board needs (relogins and lost time, accommodations, irregularities with the
candidate's signature line), in one language per document."""

from __future__ import annotations

import inspect
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk import invigilation as inv
from kiosk.demo import prepare_demo
from kiosk.domain.timing import ManualClock
from kiosk.ledger.centre import Centre
from kiosk.minutes import collect_minutes, minutes_pdf, minutes_text
from kiosk.session import CandidateSession, record_kiosk_exit

MM_PER_INCH = 25.4
DPI = 60
MARGIN_MM = 18
LONG = ("A vizsgázó az áramszünet után a tartalék gépen folytatta, a felügyelő a teremben "
        "tartózkodott és mindvégig figyelemmel kísérte a munkáját; Áramszünet-"
        "megszakításjelentés-kiegészítés")
pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                reason="pdftoppm (poppler-utils) is not installed; .ci/run "
                                       "installs it")


@pytest.fixture(scope="module")
def sat(tmp_path_factory: pytest.TempPathFactory) -> tuple[Centre, str]:
    """A demo centre's sitting with a crash and relogin, an irregularity with long statements,
    a wrong exit PIN, an accommodation (DEMO4: +5 minutes) and submissions."""
    demo = prepare_demo(tmp_path_factory.mktemp("minutes") / "centre")
    centre = demo.centre
    user = inv.Invigilator("anna")
    s1 = CandidateSession.login(centre.path, "DEMO1", demo.code, seat="B204-01",
                                clock=ManualClock())
    s1.start()
    key = s1.parts[0].items[0].key
    s1.save_answer(key, "a")
    s1.close(force=True)  # the terminal dies
    s1 = CandidateSession.login(centre.path, "DEMO1", demo.code, seat="B204-05",
                                clock=ManualClock())
    s1.submit()
    s1.close()
    s2 = CandidateSession.login(centre.path, "DEMO2", demo.code, seat="B204-02",
                                clock=ManualClock())
    s2.start()
    with centre.ledger() as ledger:
        suspended = inv.suspend(ledger, user, s2.attempt_id)
        extra = ({"informed": True} if "informed" in
                 inspect.signature(inv.record_irregularity).parameters else {})
        inv.record_irregularity(ledger, user, s2.attempt_id, nature="puska a padon " + LONG,
                                candidate_statement="Nem az enyém. " + LONG,
                                supervisor_statement="A puskát elvettem. " + LONG,
                                suspended_seq=suspended.seq, **extra)
        inv.extend(ledger, user, s2.attempt_id, 4, "a felfüggesztés ideje " + LONG)
    record_kiosk_exit(centre, "000000", "B204-02", attempt=s2.attempt_id)
    s2.close(force=True)
    s4 = CandidateSession.login(centre.path, "DEMO4", demo.code, seat="B204-04",
                                clock=ManualClock())
    s4.close()
    return centre, demo.sitting


def pages(pdf: bytes, tmp: Path) -> list[tuple[int, int, bytes]]:
    """Each page as (width, height, 8-bit grey pixels), rendered by pdftoppm."""
    src = tmp / "doc.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(src), str(tmp / "page")],
                   check=True, capture_output=True)
    out = []
    for path in sorted(tmp.glob("page*.pgm")):
        data = path.read_bytes()
        # P5 header: magic, width, height, maxval, each separated by whitespace.
        fields = data.split(maxsplit=4)
        assert fields[0] == b"P5"
        width, height = int(fields[1]), int(fields[2])
        out.append((width, height, fields[4][-width * height:]))
    return out


def ink_box(width: int, height: int, pixels: bytes, below: int = 200
            ) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom) of every pixel darker than `below`."""
    rows = [y for y in range(height) if min(pixels[y * width:(y + 1) * width]) < below]
    if not rows:
        return None
    cols = [x for x in range(width) if min(pixels[x::width]) < below]
    return cols[0], rows[0], cols[-1], rows[-1]


def mm(px: int) -> float:
    return px / DPI * MM_PER_INCH


@pytest.mark.parametrize("language", ["hu", "en"])
def test_every_page_lies_within_the_margins_and_the_body_starts_on_page_one(
        sat: tuple[Centre, str], tmp_path: Path, language: str) -> None:
    centre, sitting = sat
    pdf = minutes_pdf(collect_minutes(centre, sitting, language=language))
    rendered = pages(pdf, tmp_path)
    assert rendered
    for n, (width, height, pixels) in enumerate(rendered, start=1):
        box = ink_box(width, height, pixels)
        assert box is not None, f"page {n} is blank"
        left, top, right, bottom = box
        page_w, page_h = mm(width), mm(height)
        # Tables and text inside the 18 mm margins (1.5 mm for anti-aliasing); the footer
        # sits in the bottom margin.
        assert mm(left) >= MARGIN_MM - 1.5, (n, mm(left))
        assert mm(right) <= page_w - MARGIN_MM + 1.5, (n, page_w - mm(right))
        assert mm(top) >= MARGIN_MM - 1.5, (n, mm(top))
        assert mm(bottom) <= page_h - 6, (n, page_h - mm(bottom))
    # Page one carries the body, not just a title: ink in most of its height.
    width, height, pixels = rendered[0]
    inked_rows = sum(1 for y in range(height) if min(pixels[y * width:(y + 1) * width]) < 200)
    assert inked_rows > height * 0.3


def test_the_minutes_carry_relogins_accommodations_and_the_irregularity_signature(
        sat: tuple[Centre, str]) -> None:
    centre, sitting = sat
    hu = minutes_text(centre, sitting, language="hu")
    en = minutes_text(centre, sitting, language="en")
    # The crash and the relogin at another seat, with the (uncharged) interruption.
    assert "Gépleállások és újrabejelentkezések (1)" in hu
    assert "Terminal interruptions and relogins (1)" in en
    relogin = next(line for line in en.splitlines() if "DEMO1" in line and "B204-05" in line)
    assert ":" in relogin
    # DEMO4's accommodation.
    assert "Engedélyezett kedvezmények (1)" in hu and "+5 perc" in hu
    # The irregularity: the candidate signs it.
    assert "A vizsgázó aláírása: ____" in hu
    assert "Candidate's signature: ____" in en
    assert "A vizsgázót tájékoztatták az eljárásról és következményeiről" in hu
    # A wrong exit PIN typed at a terminal is the terminal's, not "[invigilator]"'s.
    wrong = next(line for line in en.splitlines() if "wrong exit PIN" in line)
    assert "terminal at B204-02" in wrong and "invigilator" not in wrong.replace(
        "wrong exit PIN", "")
    # An open sitting: no "ended" beside "still open".
    assert "the sitting is still open" in en and "Ended" not in en
    # One language per document: no English kind, reason or actor in the Hungarian one.
    for english in ("admitted", "suspended", "time extended", "wrong exit PIN", "terminal at",
                    "invigilator", "Ended", "Seat", "irregularity"):
        assert english not in hu, english


def test_the_pdf_text_wraps_at_words(sat: tuple[Centre, str]) -> None:
    centre, sitting = sat
    pdf = minutes_pdf(collect_minutes(centre, sitting, language="hu"))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    words = {w.strip(".,;:()") for w in text.split()}
    # A word of the long statements is never split across lines ("Áramszün/et").
    assert "Áramszünet" not in {w for w in words if w.startswith("Áramszün") and w !=
                                "Áramszünet"}
    assert not any(w.startswith("Áramszün") and w not in ("Áramszünet", "Áramszünet-")
                   and not w.startswith("Áramszünet") for w in words)


def test_the_signatures_heading_is_never_left_alone_at_the_foot_of_a_page(
        sat: tuple[Centre, str]) -> None:
    """Seen in a rendered page: "Aláírások" at the bottom of page 1, its lines on page 2."""
    from dataclasses import replace

    centre, sitting = sat
    base = collect_minutes(centre, sitting, language="hu")
    # Push the closing block down the page a line at a time: wherever the page breaks, the
    # heading and its signature lines share a page.
    for extra in range(0, 40, 3):
        m = replace(base, signed_head=[*base.signed_head, *(["·"] * extra)])
        for page in PdfReader(io.BytesIO(minutes_pdf(m))).pages:
            text = page.extract_text()
            if "Aláírások" in text:
                assert "Vizsgabiztos / a vizsgabizottság elnöke" in text, extra
