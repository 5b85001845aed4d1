"""PDF documents: a candidate's result sheet (fpdf2, typeset with kiosk.pdf_layout, DejaVu
fonts); the sitting's minutes are typeset in kiosk.minutes.

The fonts ship in kiosk/assets/fonts (Bitstream Vera licence, see LICENSE there): the PDF
viewers' built-in fonts have no ő or ű, so Hungarian names would print wrong without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

FONT_DIR = Path(__file__).parent / "assets" / "fonts"
SANS, MONO = "DejaVuSans", "DejaVuSansMono"

# --- the result sheet -------------------------------------------------------------------------

#: The sheet's labels are the catalogue's `sheet.*` strings, in the sheet's own language.
SHEET = "sheet"


def result_sheet_pdf(result: Any, *, centre: str, fingerprint: str, receipt: str = "",
                     latest_receipt: str = "", language: str = "hu", printed: datetime | None = None) -> bytes:
    """One candidate's result sheet (a kiosk.results.CandidateResult), in one language: every
    part with its grade and pass/fail, subject grades and the certificate's condition, appeals
    (original → final), póttétel and exemptions, the reasons for a failed result in words, the
    receipt code and the centre's key fingerprint, and signature lines. No internal ids."""
    from kiosk import pdf_layout as L
    from kiosk.domain.numbers import percent_text, points_text, score_text
    from kiosk.i18n import Labels
    from kiosk.results import failure_reasons

    lab = Labels(SHEET, language)
    lang = lab.language
    pdf = L.Document(f"{centre} – {lab['title'].capitalize()}")
    pdf.add_page()
    L.title(pdf, lab["title"])
    L.facts(pdf, [
        (lab["centre"], centre),
        (lab["exam"], result.exam_title or result.exam),
        (lab["candidate"], result.name),
        (lab["candidate_id"], result.candidate),
        (lab["date"], result.date),
    ])

    def pts(value: float | None) -> str:
        return points_text(value, lang)

    def status(passed: bool, exempt: bool = False) -> str:
        return lab["exempt"] if exempt else lab["passed" if passed else "failed"]

    if result.status:
        L.heading(pdf, lab["outcome"])
        L.paragraph(pdf, lab[result.status], bold=True)
    else:
        L.heading(pdf, lab["parts"])
        rows = []
        for p in result.parts:
            grade = f"{p.grade_name} ({p.grade})" if p.grade is not None and p.grade_name \
                else ("" if p.grade is None else str(p.grade))
            rows.append((p.title or p.part_id, score_text(p.points, p.max_points, lang),
                         percent_text(p.percent, result.rounding, lang), grade,
                         status(p.passed, p.exempt)))
        overall_grade = (f"{result.grade_name} ({result.grade})" if result.grade is not None
                         else "")
        rows.append((lab["total"], score_text(result.points, result.max_points, lang),
                     percent_text(result.percent, result.rounding, lang), overall_grade,
                     status(result.passed)))
        L.table(pdf, (lab["part"], lab["points"], lab["percent"], lab["grade"], lab["result"]),
                rows, shares=(36, 15, 12, 19, 18), bold_last=True)
        if result.subjects:
            L.heading(pdf, lab["subjects"])
            L.table(pdf, (lab["subject"], lab["grade"], lab["result"]), [
                (sub.title or sub.subject_id,
                 lab["exempt"] if sub.exempt else (f"{sub.grade_name} ({sub.grade})"
                                                   if sub.grade is not None else ""),
                 status(sub.passed, sub.exempt)) for sub in result.subjects],
                shares=(56, 26, 18))
        L.heading(pdf, lab["outcome"])
        L.paragraph(pdf, f"{lab['result']}: {status(result.passed)}"
                    + (f" – {overall_grade}" if overall_grade else ""), bold=True)
        if result.certificate is not None:
            L.paragraph(pdf, f"{lab['certificate']}: "
                        f"{lab['certificate_yes' if result.certificate else 'certificate_no']} "
                        f"({lab['certificate_rule']})")
        if result.provisional:
            L.paragraph(pdf, lab["provisional"], bold=True)
        reasons = [] if result.passed else failure_reasons(result, lang)
        if reasons:
            L.heading(pdf, lab["reasons"])
            for reason in reasons:
                L.paragraph(pdf, f"• {reason}")
        notes = _sheet_notes(result, lab, pts)
        if notes:
            L.heading(pdf, lab["appeals"] if result.appealed else lab["notes"])
            for note in notes:
                L.paragraph(pdf, f"• {note}")
    pdf.ln(3)
    L.facts(pdf, [(lab["receipt"], receipt or "–"),
                  *([(lab["latest_receipt"], latest_receipt)] if latest_receipt else []),
                  (lab["fingerprint"], fingerprint)])
    when = (printed or datetime.now()).strftime("%Y-%m-%d")
    pdf.ln(3)
    L.paragraph(pdf, f"{lab['place_date']}: ____________________, {when}", size=9)
    L.signature_block(pdf, [lab["chair"], lab["examiner"]])
    return bytes(pdf.output())


def _sheet_notes(result: Any, lab: Mapping[str, str], pts: Any) -> list[str]:
    """Appeals (item and part: original → final), póttétel halving and exemptions."""
    titles = {p.part_id: p.title or p.part_id for p in result.parts}
    numbers = {i.item: n for n, i in enumerate(result.items, start=1)}
    notes = [lab["appeal_row"].format(part=titles.get(i.part, ""), n=numbers[i.item],
                                      original=pts(i.original), final=pts(i.points))
             for i in result.appealed]
    for p in result.parts:
        if p.original_points is not None:
            notes.append(lab["part_after_appeal"].format(
                part=titles[p.part_id], original=pts(p.original_points), final=pts(p.points)))
    for p in result.parts:
        if p.replacement_card and p.raw_points is not None:
            notes.append(lab["replacement"].format(part=titles[p.part_id], raw=pts(p.raw_points),
                                                   points=pts(p.points)))
        if p.exempt:
            notes.append(lab["exempt_note"].format(part=titles[p.part_id]))
    return notes


def write_pdf(data: bytes, out: Path) -> None:
    from kiosk.errors import KioskError

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        raise KioskError(f"{out}: cannot write the PDF ({exc.strerror or exc})") from exc
