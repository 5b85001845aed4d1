"""PDF minutes and result sheets: the text extracted from the PDF, Hungarian letters included."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.commands.documents import write_minutes_pdf, write_result_sheet
from kiosk.documents import FONT_DIR
from kiosk.errors import KioskError
from kiosk.minutes import Minutes, minutes_pdf, minutes_text
from tests.support.export_helpers import Sat, centre_with_results

REPO = Path(__file__).resolve().parents[2]
CENTRE = "Győri Műszaki Vizsgaközpont – ŐŰ"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def sat(tmp_path_factory: pytest.TempPathFactory) -> Sat:
    return centre_with_results(tmp_path_factory.mktemp("docs"), CENTRE)


def test_the_font_ships_with_the_package() -> None:
    assert (FONT_DIR / "DejaVuSans.ttf").stat().st_size > 100_000
    assert "Bitstream" in (FONT_DIR / "LICENSE").read_text()


def test_minutes_pdf_has_every_line_of_the_text_minutes_and_signatures(sat: Sat,
                                                                        tmp_path: Path) -> None:
    out = tmp_path / "minutes.pdf"
    write_minutes_pdf(sat.centre, sat.sitting, out)
    text = pdf_text(out.read_bytes())
    minutes = minutes_text(sat.centre, sat.sitting)
    # every line's words of the text minutes are in the PDF (there as table cells)
    for line in minutes.splitlines():
        for word in line.split():
            word = word.strip(":")
            if word and not set(word) <= {"_"}:
                assert word in text, word
    for exact in (CENTRE, "Nagy Gergő", "Szűcs Réka", "JEGYZŐKÖNYV", sat.receipts["C1"],
                  sat.receipts["C2"]):
        assert exact in text, exact
    assert "Felügyelő tanár" in text and "Kelt (hely, dátum)" in text
    assert "Aláírások" in text


def test_minutes_pdf_through_the_minutes_command(sat: Sat, tmp_path: Path) -> None:
    out = tmp_path / "m.pdf"
    run = subprocess.run([sys.executable, "-m", "kiosk", "minutes", sat.sitting, "--pdf",
                          str(out), "--centre", str(sat.centre.path), "--lang", "en"],
                         cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    text = pdf_text(out.read_bytes())
    assert "Nagy Gergő" in text and "Invigilator" in text


def test_result_sheet_has_candidate_exam_points_grade_receipt_and_fingerprint(
        sat: Sat, tmp_path: Path) -> None:
    out = tmp_path / "C2.pdf"
    record = write_result_sheet(sat.centre, "C2", out)
    text = pdf_text(out.read_bytes())
    assert record["points"] == 2
    for exact in ("EREDMÉNYLAP", CENTRE, "Nagy Gergő", "C2", "Egyrészes vizsga",
                  "Feladatsor", "2 / 3", str(record["grade_name"]), sat.receipts["C2"],
                  sat.fingerprint, "A vizsgabizottság elnöke", "Vizsgáztató"):
        assert exact in text, exact


def test_result_sheet_cli_and_unknown_candidate(sat: Sat, tmp_path: Path) -> None:
    out = tmp_path / "C1.pdf"
    run = subprocess.run([sys.executable, "-m", "kiosk", "documents", "result-sheet",
                          "--candidate", "C1", "--out", str(out), "--centre",
                          str(sat.centre.path)], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Kovács Anna" in pdf_text(out.read_bytes())
    with pytest.raises(KioskError, match="has no result"):
        write_result_sheet(sat.centre, "C3", tmp_path / "C3.pdf")
    assert not (tmp_path / "C3.pdf").exists()


def test_hungarian_letters_survive_exactly() -> None:
    line = "Árvíztűrő tükörfúrógép ÁRVÍZTŰRŐ TÜKÖRFÚRÓGÉP őű ŐŰ"
    doc = Minutes(language="hu", title="Cím", facts=[("Név", line)], tables=[],
                  irregularities_heading="Szabálytalanságok", irregularities=[], none="nincs",
                  signatures=("Felügyelő",), signatures_heading="Aláírások")
    text = pdf_text(minutes_pdf(doc))
    assert line in text
