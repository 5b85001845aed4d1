"""PDF documents: a sitting's minutes and a candidate's result sheet (fpdf2, DejaVu fonts).

The fonts ship in kiosk/assets/fonts (Bitstream Vera licence, see LICENSE there): the PDF
viewers' built-in fonts have no ő or ű, so Hungarian names would print wrong without them.
The minutes PDF prints every line of `kiosk.minutes.minutes_text` (the one source of the
minutes' content) in a monospaced face, so its columns line up as in the text, and adds
signature lines to sign on paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF

FONT_DIR = Path(__file__).parent / "assets" / "fonts"
SANS, MONO = "DejaVuSans", "DejaVuSansMono"

LABELS: dict[str, dict[str, str]] = {
    "hu": {
        "minutes_signatures": "Aláírások",
        "invigilator": "Felügyelő tanár",
        "commissioner": "Vizsgabiztos / a vizsgabizottság elnöke",
        "place_date": "Kelt (hely, dátum)",
        "sheet_title": "EREDMÉNYLAP",
        "candidate": "Vizsgázó",
        "candidate_id": "Azonosító",
        "exam": "Vizsga",
        "centre": "Vizsgaközpont",
        "attempt": "Vizsgadolgozat",
        "submitted": "A vizsga napja",
        "part": "Vizsgarész",
        "points": "Pont",
        "percent": "Százalék",
        "grade": "Érdemjegy",
        "passed": "Megfelelt",
        "outcome": "Eredmény",
        "total": "Összesen",
        "receipt": "Nyugtakód",
        "latest_receipt": "Nyugtakód az utolsó változás (javítás, érvénytelenítés, fellebbezés) után",
        "fingerprint": "A vizsgaközpont kulcsának ujjlenyomata",
        "chair": "A vizsgabizottság elnöke",
        "examiner": "Vizsgáztató",
        "yes": "igen",
        "no": "nem",
        "pending": "nincs még eredmény",
        "passed_outcome": "megfelelt",
        "failed_outcome": "nem felelt meg",
        "certificate": "bizonyítvány",
        "outstanding": "pótolandó",
        "provisional": "ideiglenes: értékelés még folyamatban",
        "original": "eredeti pontszám (felülbírálat előtt)",
        "page": "oldal",
    },
    "en": {
        "minutes_signatures": "Signatures",
        "invigilator": "Invigilator",
        "commissioner": "Exam commissioner / chair of the board",
        "place_date": "Place and date",
        "sheet_title": "RESULT SHEET",
        "candidate": "Candidate",
        "candidate_id": "Candidate id",
        "exam": "Exam",
        "centre": "Centre",
        "attempt": "Attempt",
        "submitted": "Exam date",
        "part": "Part",
        "points": "Points",
        "percent": "Percent",
        "grade": "Grade",
        "passed": "Passed",
        "outcome": "Outcome",
        "total": "Total",
        "receipt": "Receipt code",
        "latest_receipt": "Receipt code after the latest change (mark, void, appeal)",
        "fingerprint": "Centre key fingerprint",
        "chair": "Chair of the examination board",
        "examiner": "Examiner",
        "yes": "yes",
        "no": "no",
        "pending": "no result yet",
        "passed_outcome": "passed",
        "failed_outcome": "failed",
        "certificate": "certificate",
        "outstanding": "to retake",
        "provisional": "provisional: marking still outstanding",
        "original": "original points (before the appeal decision)",
        "page": "page",
    },
}


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self._footer_text = footer_text
        self.add_font(SANS, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(SANS, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(MONO, "", str(FONT_DIR / "DejaVuSansMono.ttf"))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_creator("kiosk")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(SANS, size=7)
        self.cell(0, 5, f"{self._footer_text}   {self.page_no()}/{{nb}}", align="C")


def _signature_block(pdf: FPDF, labels: Sequence[str]) -> None:
    """A ruled line above each label, two to a row, kept together on one page."""
    rows = (len(labels) + 1) // 2
    if pdf.get_y() + rows * 22 + 8 > pdf.h - pdf.b_margin:
        pdf.add_page()
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 10) / 2
    for row in range(rows):
        pdf.ln(14)
        y = pdf.get_y()
        for col in range(2):
            i = row * 2 + col
            if i >= len(labels):
                break
            x = pdf.l_margin + col * (width + 10)
            pdf.line(x, y, x + width, y)
            pdf.set_xy(x, y + 1)
            pdf.set_font(SANS, size=8)
            pdf.cell(width, 4, labels[i], align="C")
        pdf.set_xy(pdf.l_margin, y + 5)


def minutes_pdf(text: str, *, language: str = "hu") -> bytes:
    """The minutes text as a PDF: first line as the title, the rest line for line, then the
    signature lines."""
    lab = LABELS.get(language, LABELS["hu"])
    lines = text.rstrip("\n").split("\n")
    pdf = _Document(lines[0] if lines else "")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(SANS, "B", 13)
    pdf.multi_cell(0, 7, lines[0] if lines else "", align="L")
    pdf.ln(2)
    pdf.set_font(MONO, size=8)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for line in lines[1:]:
        # Long intervention lines wrap under themselves rather than run off the page.
        pdf.multi_cell(width, 3.8, line if line else " ", align="L", wrapmode="CHAR",
                       new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(SANS, "B", 10)
    pdf.cell(0, 6, lab["minutes_signatures"])
    _signature_block(pdf, [lab["invigilator"], lab["invigilator"], lab["commissioner"],
                           lab["place_date"]])
    return bytes(pdf.output())


def _fmt(value: Any, lab: Mapping[str, str]) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return lab["yes"] if value else lab["no"]
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _first(record: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if record.get(key) not in (None, ""):
            return record[key]
    return None


def result_sheet_pdf(record: Mapping[str, Any], *, centre: str, fingerprint: str,
                     exam_title: str = "", language: str = "hu",
                     printed: datetime | None = None) -> bytes:
    """One candidate's result sheet from a results record (see kiosk.result_source)."""
    lab = LABELS.get(language, LABELS["hu"])
    pdf = _Document(f"{centre} – {lab['sheet_title'].capitalize()}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(SANS, "B", 15)
    pdf.cell(0, 9, lab["sheet_title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    exam = str(record.get("exam", ""))
    head = [
        (lab["centre"], centre),
        (lab["exam"], f"{exam_title or record.get('exam_title') or exam} ({exam})"),
        (lab["candidate"], _first(record, "name", "candidate_name") or ""),
        (lab["candidate_id"], record.get("candidate")),
        (lab["attempt"], record.get("attempt")),
        (lab["submitted"], _first(record, "date", "submitted", "submitted_at")),
    ]
    for label, value in head:
        pdf.set_font(SANS, "B", 10)
        pdf.cell(50, 6.5, f"{label}:")
        pdf.set_font(SANS, size=10)
        pdf.multi_cell(0, 6.5, _fmt(value, lab), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    parts = record.get("parts") or []
    widths = (70, 30, 25, 30, 25)
    heads = (lab["part"], lab["points"], lab["percent"], lab["grade"], lab["passed"])
    pdf.set_font(SANS, "B", 9)
    for w, h in zip(widths, heads, strict=True):
        pdf.cell(w, 7, h, border=1, align="C")
    pdf.ln()
    pdf.set_font(SANS, size=9)
    rows = [_part_row(p, lab) for p in parts if isinstance(p, Mapping)]
    rows.append((lab["total"], _points(record, lab), _fmt(_first(record, "percent"), lab),
                 _fmt(_first(record, "grade_name", "grade"), lab),
                 _fmt(_first(record, "passed"), lab)))
    for i, row in enumerate(rows):
        if i == len(rows) - 1:
            pdf.set_font(SANS, "B", 9)
        for w, cell in zip(widths, row, strict=True):
            pdf.cell(w, 6.5, cell, border=1, align="L" if w == widths[0] else "C")
        pdf.ln()
    pdf.ln(4)

    outcome = _outcome_text(record, lab)
    facts = [
        (lab["outcome"], outcome),
        (lab["receipt"], record.get("receipt")),
        *([(lab["latest_receipt"], record["latest_receipt"])] if record.get("latest_receipt") else []),
        (lab["fingerprint"], fingerprint),
    ]
    for label, value in facts:
        pdf.set_font(SANS, "B", 10)
        pdf.cell(0, 6, f"{label}:", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(MONO if label != lab["outcome"] else SANS, size=10)
        pdf.multi_cell(0, 6, _fmt(value, lab), new_x="LMARGIN", new_y="NEXT")
    when = (printed or datetime.now()).strftime("%Y-%m-%d")
    pdf.ln(2)
    pdf.set_font(SANS, size=9)
    pdf.cell(0, 6, f"{lab['place_date']}: ____________________, {when}",
             new_x="LMARGIN", new_y="NEXT")
    _signature_block(pdf, [lab["chair"], lab["examiner"]])
    return bytes(pdf.output())


def _outcome_text(record: Mapping[str, Any], lab: Mapping[str, str]) -> str:
    if record.get("error"):
        return str(record["error"])
    if record.get("passed") is None and record.get("points") is None:
        return lab["pending"]
    text = lab["passed_outcome"] if record.get("passed") else lab["failed_outcome"]
    if record.get("certificate") is not None:
        text += f"; {lab['certificate']}: {_fmt(record['certificate'], lab)}"
    if record.get("outstanding"):
        text += f"; {lab['outstanding']}: {', '.join(map(str, record['outstanding']))}"
    if record.get("original_points") is not None:
        text += f"; {lab['original']}: {_fmt(record['original_points'], lab)}"
    if record.get("provisional"):
        text += f" ({lab['provisional']})"
    return text


def _points(record: Mapping[str, Any], lab: Mapping[str, str]) -> str:
    points, maximum = _first(record, "points"), _first(record, "max_points")
    if points is None:
        return "–"
    return f"{_fmt(points, lab)} / {_fmt(maximum, lab)}" if maximum is not None else _fmt(points, lab)


def _part_row(part: Mapping[str, Any], lab: Mapping[str, str]) -> tuple[str, ...]:
    title = str(_first(part, "title", "part_id", "id") or "")
    return (title, _points(part, lab), _fmt(_first(part, "percent"), lab),
            _fmt(_first(part, "grade_name", "grade"), lab), _fmt(_first(part, "passed"), lab))


def write_pdf(data: bytes, out: Path) -> None:
    from kiosk.errors import KioskError

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        raise KioskError(f"{out}: cannot write the PDF ({exc.strerror or exc})") from exc
