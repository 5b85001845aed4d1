"""The result sheet a board signs (issues 15 and 20), read as a person reads it: every page
rendered to an image (poppler's pdftoppm) and checked — the body is on the page and nothing
crosses the margins, a long part title wraps — and its text: every part with its grade and
pass/fail, subject grades and the certificate's condition, the appeal (original → final), the
póttétel, the reasons for a failed result in words, one language, no internal ids."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from kiosk import marking
from kiosk.commands.documents import write_result_sheet
from kiosk.domain import attempts as A
from tests.support.marking_helpers import EXAM, essay_answers, mark_setup, sit
from tests.unit.test_oral_results import iskolai, run
from tests.unit.test_oral_rules import szakvizsga

pytestmark = pytest.mark.usefixtures("examiner_password")

LONG_TITLE = ("Írásbeli vizsgarész: közigazgatási eljárásjog, ügyfélkapcsolatok, elektronikus "
              "ügyintézés és adatvédelem a hatósági gyakorlatban – esettanulmányokkal")
MARGIN_MM = 18.0
DPI = 60


def pages(pdf: Path, out_dir: Path) -> list[Image.Image]:
    """Every page as a greyscale image, rendered by poppler as a PDF viewer would."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; .ci/run installs it")
    prefix = out_dir / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(prefix)],
                   check=True, capture_output=True)
    return [Image.open(p).convert("L") for p in sorted(out_dir.glob(f"{pdf.stem}-*.png"))]


def check_layout(images: list[Image.Image]) -> None:
    """Ink only inside the margins (2 mm slack for antialiasing), and a real body on page 1."""
    assert images
    for n, img in enumerate(images, start=1):
        width, height = img.size
        px = DPI / 25.4
        left, right = (MARGIN_MM - 2) * px, width - (MARGIN_MM - 2) * px
        dark = img.point(lambda v: 255 if v < 200 else 0)
        box = dark.getbbox()
        assert box is not None, f"page {n} is blank"
        assert box[0] >= left and box[2] <= right, (n, box, left, right)
        if n == 1:
            # the body starts on the first page: ink in its upper half under the title
            upper = dark.crop((0, int(40 * px), width, height // 2)).getbbox()
            assert upper is not None and upper[2] - upper[0] > width * 0.5


def text(pdf: Path) -> str:
    """The text layer, whitespace collapsed (lines wrap wherever the page needs)."""
    raw = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    return " ".join(raw.split())


def appealed_failed(tmp: Path):  # noqa: ANN201
    exam = EXAM.format(exam_id="essay", extra="review_allowed = true",
                       items='["e1", "e2", "q1", "q2", "q3", "q4", "s1"]')
    s = mark_setup(tmp, exam=exam.replace('title = "Írásbeli"', f'title = "{LONG_TITLE}"'))
    answers = dict(essay_answers())
    answers.update({"s1": "y", "q1": False})
    attempt = sit(s, "C1", answers)
    with s.centre.ledger() as ledger:
        ctx = marking.load_context(s.centre, ledger)
        marking.record_mark(ledger, ctx, attempt, "m:e1", "anna", points=2)
        marking.record_mark(ledger, ctx, attempt, "m:e2", "anna", points=0)
        marking.open_review(ledger, ctx, s.exam, "anna")
        appeal = marking.lodge_appeal(ledger, ctx, attempt, "m:e1", "Több pont jár.",
                                      actor="candidate:C1")
        marking.decide_appeal(ledger, ctx, appeal.seq, 4.5, "bela")
    return s, attempt


def test_failed_result_with_an_appeal_and_a_long_title_hu_and_en(tmp_path: Path) -> None:
    s, attempt = appealed_failed(tmp_path)
    hu, en = tmp_path / "hu.pdf", tmp_path / "en.pdf"
    write_result_sheet(s.centre, "C1", hu, language="hu")
    write_result_sheet(s.centre, "C1", en, language="en")
    for pdf in (hu, en):
        (tmp_path / pdf.stem).mkdir()
        check_layout(pages(pdf, tmp_path / pdf.stem))
    t_hu, t_en = text(hu), text(en)
    # 3 true/false + e1 4.5 (after the appeal, 2 before) = 7.5 / 26 = 28.8 % → 28 % (truncated)
    assert "7,5 / 26" in t_hu and "28 %" in t_hu and "28,8" not in t_hu
    assert "nem felelt meg" in t_hu and "elégtelen (1)" in t_hu and "igen" not in t_hu
    assert "2 → 4,5 pont" in t_hu and "5 → 7,5 pont" in t_hu  # item and part
    assert "Az eredmény indoka" in t_hu and "a vizsgarész nem sikerült" in t_hu
    assert "esettanulmányokkal" in t_hu  # the long title is all there, wrapped
    # English: English words only, no Hungarian grade names
    assert "7.5 / 26" in t_en and "fail (1)" in t_en and "failed" in t_en
    assert "2 → 4.5 points" in t_en and "Reasons" in t_en
    for hungarian in ("elégtelen", "nem felelt meg", "pótolandó", "Összesen", "igen"):
        assert hungarian not in t_en, hungarian
    # no internal ids
    for t in (t_hu, t_en):
        assert attempt not in t and "m:e1" not in t and s.exam + ")" not in t


def test_a_sheet_is_in_its_own_language_whatever_the_process_speaks(tmp_path: Path) -> None:
    """The interface language is process-wide; a document takes its language per call."""
    from kiosk.i18n import current_language, set_language

    s, _ = appealed_failed(tmp_path)
    set_language("en")
    try:
        write_result_sheet(s.centre, "C1", tmp_path / "hu.pdf", language="hu")
        assert current_language() == "en"
    finally:
        set_language("hu")
    t_hu = text(tmp_path / "hu.pdf")
    assert "EREDMÉNYLAP" in t_hu and "elégtelen (1)" in t_hu and "Az eredmény indoka" in t_hu
    for english in ("RESULT SHEET", "fail (1)", "Reasons", "points"):
        assert english not in t_hu, english


def test_szakvizsga_sheet_has_subject_grades_certificate_condition_and_reasons(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = szakvizsga(tmp_path)
    attempt = sit(s, "C1", {"k1": "k", "v1": "v"})
    with s.centre.ledger() as ledger:
        ctx = marking.load_context(s.centre, ledger)
        marking.record_mark(ledger, ctx, attempt, "szv:k1", "anna", points=75)
        marking.record_mark(ledger, ctx, attempt, "szv:v1", "anna", points=50)
    c = str(s.centre.path)
    for part in ("k-oral", "v-oral"):
        for args in (("draw",), ("record", "--grade", "4")):
            rc, _, err = run(capsys, "oral", args[0], "--exam", s.exam, "--candidate", "C1",
                             "--part", part, *args[1:], "--user", "bela", "--centre", c)
            assert rc == 0, err
    pdf = tmp_path / "szv.pdf"
    write_result_sheet(s.centre, "C1", pdf, language="hu")
    (tmp_path / "img").mkdir()
    check_layout(pages(pdf, tmp_path / "img"))
    t = text(pdf)
    assert "Vizsgatárgyak" in t and "közepes (3)" in t  # kötelező: (3 + 4) // 2
    assert "Bizonyítvány: nem adható ki" in t and "minden vizsgarész" in t
    assert "Választott tárgy – írásbeli: elégtelen – a vizsgarész nem sikerült" in t
    assert "pótolandó: Választott tárgy – írásbeli" in t
    assert "valasztott:written" not in t and "kotelezo" not in t and "elective" not in t


def test_pottetel_is_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = iskolai(tmp_path)
    c = str(s.centre.path)
    sit(s, "C1", {"q1": True, "q2": False, "q3": True, "q4": False, "s1": "x"})
    for args in (("draw",), ("draw", "--replacement"), ("record", "--points", "15")):
        rc, _, err = run(capsys, "oral", args[0], "--exam", "iskolai", "--candidate", "C1",
                         *args[1:], "--user", "anna", "--centre", c)
        assert rc == 0, err
    pdf = tmp_path / "pot.pdf"
    write_result_sheet(s.centre, "C1", pdf, language="hu")
    (tmp_path / "img").mkdir()
    check_layout(pages(pdf, tmp_path / "img"))
    assert "póttétel – a 15 pont felezve, felfelé kerekítve 8 pont" in text(pdf)


def test_a_voided_candidate_gets_a_sheet_saying_so(tmp_path: Path) -> None:
    s = mark_setup(tmp_path)
    attempt = sit(s, "C2", essay_answers())
    with s.centre.ledger() as ledger:
        ledger.append(A.VOIDED, {"reason": "puska"}, actor="invigilator:x", attempt=attempt)
    pdf = tmp_path / "void.pdf"
    write_result_sheet(s.centre, "C2", pdf, language="en")
    (tmp_path / "img").mkdir()
    check_layout(pages(pdf, tmp_path / "img"))
    t = text(pdf)
    assert "The attempt was voided; there is no result." in t and "Nagy" in t


def test_exemption_and_absence_are_stated(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.ledger.centre import Centre
    from tests.support.marking_helpers import MarkSetup, add_examiners, load
    from tests.support.session_helpers import import_roster, new_sitting
    from tests.unit.test_oral_results import SZAKVIZSGA, SZV_BANK

    exam_text = SZAKVIZSGA.replace('kind = "elective"', 'kind = "elective"\nexempt = true')
    centre, _ = Centre.init(tmp_path / "centre", "Kormányhivatal")
    exam_id = load(centre, tmp_path, exam_text, bank=SZV_BANK)
    import_roster(centre)
    add_examiners(centre)
    sitting, code = new_sitting(centre, exam_id)
    s = MarkSetup(centre, exam_id, sitting, code, tmp_path)
    attempt = sit(s, "C1", {"k1": "k", "v1": "v"})
    with centre.ledger() as ledger:
        ctx = marking.load_context(centre, ledger)
        marking.record_mark(ledger, ctx, attempt, "szv:k1", "anna", points=95)
        marking.record_mark(ledger, ctx, attempt, "szv:v1", "anna", points=10)
    c = str(centre.path)
    for args in (("draw",), ("record", "--grade", "5")):
        rc, _, err = run(capsys, "oral", args[0], "--exam", exam_id, "--candidate", "C1",
                         "--part", "k-oral", *args[1:], "--user", "bela", "--centre", c)
        assert rc == 0, err
    with centre.ledger() as ledger:
        ledger.append("sitting_closed", {"sitting": sitting}, actor="invigilator:x")
    pdf = tmp_path / "ex.pdf"
    write_result_sheet(centre, "C1", pdf, language="hu")
    (tmp_path / "img").mkdir()
    check_layout(pages(pdf, tmp_path / "img"))
    t = text(pdf)
    assert "felmentve" in t and "kiváló eredménnyel teljesítettnek számít" in t
    assert "Bizonyítvány: kiadható" in t
    absent = tmp_path / "absent.pdf"
    write_result_sheet(centre, "C2", absent, language="hu")
    (tmp_path / "img2").mkdir()
    check_layout(pages(absent, tmp_path / "img2"))
    assert "A vizsgázó nem jelent meg" in text(absent)


def test_a_long_sheet_flows_onto_more_pages_inside_the_margins(tmp_path: Path) -> None:
    from kiosk.documents import result_sheet_pdf
    from kiosk.results import CandidateResult, PartScore

    parts = [PartScore(part_id=f"p{i}", title=f"{i}. {LONG_TITLE} {'nagyon ' * (i % 5)}hosszú",
                       kind="written", points=i / 3, max_points=10.0, percent=100 * i / 30,
                       grade=1 if i % 4 == 0 else 4, grade_name="elégtelen" if i % 4 == 0
                       else "jó", passed=i % 4 != 0) for i in range(1, 31)]
    result = CandidateResult(
        candidate="K0001", name="Árvíztűrő Tükörfúrógép Ödönné", exam="x",
        exam_title="Hosszú vizsga " * 8, regime="generic", attempt="A-secret", parts=parts,
        points=sum(p.points or 0 for p in parts), max_points=300.0, percent=51.6667, grade=1,
        grade_name="elégtelen", passed=False, rounding="truncate", outstanding=["p4", "p8"])
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(result_sheet_pdf(result, centre="Vizsgaközpont", fingerprint="SHA256:AB",
                                     receipt="ABCD-EFGH-JKMN", language="hu"))
    (tmp_path / "img").mkdir()
    images = pages(pdf, tmp_path / "img")
    assert len(images) >= 2
    check_layout(images)
    t = text(pdf)
    assert "A-secret" not in t and "51 %" in t and "0,33 / 10" in t
    assert t.count("Vizsgarész Pont Százalék") >= 2  # the table's heading repeats on page 2
