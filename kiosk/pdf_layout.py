"""Typesetting helpers for the documents a board signs (fpdf2, DejaVu fonts): an A4 page with a
footer, headings, label–value blocks, tables whose cells wrap at word boundaries, and signature
lines. Shared by the result sheet (kiosk.documents); a document module only decides what to say.

Everything stays inside the margins: text is wrapped by fpdf2 (multi_cell / table cells, word
mode), tables take the full text width and their column widths are fractions of it, so a long
part title grows its row instead of running into the next column. The rendered-page tests
(tests/unit/test_result_sheet.py) check that on images of the pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TableBordersLayout
from fpdf.fonts import FontFace

FONT_DIR = Path(__file__).parent / "assets" / "fonts"
SANS = "DejaVuSans"
MONO = "DejaVuSansMono"
MARGIN = 18.0  # mm, on every side
BODY_PT = 10
SMALL_PT = 8


class Document(FPDF):
    """An A4 document with the DejaVu fonts (ő and ű print right) and a footer line."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self._footer_text = footer_text
        self.add_font(SANS, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(SANS, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(MONO, "", str(FONT_DIR / "DejaVuSansMono.ttf"))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 4)
        self.set_creator("kiosk")
        self.alias_nb_pages()

    @property
    def text_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self) -> None:
        self.set_y(-MARGIN + 4)
        self.set_font(SANS, size=7)
        self.cell(0, 4, f"{self._footer_text}   {self.page_no()}/{{nb}}", align="C")


def title(pdf: Document, text: str) -> None:
    pdf.set_font(SANS, "B", 15)
    pdf.multi_cell(0, 8, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def heading(pdf: Document, text: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 25:  # never a heading alone at a page's foot
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(SANS, "B", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def paragraph(pdf: Document, text: str, *, size: int = BODY_PT, bold: bool = False,
              mono: bool = False) -> None:
    pdf.set_font(MONO if mono else SANS, "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")


def facts(pdf: Document, rows: Sequence[tuple[str, str]], label_share: float = 0.32) -> None:
    """Label: value lines; values wrap under themselves."""
    label_w = pdf.text_width * label_share
    for label, value in rows:
        pdf.set_font(SANS, "B", BODY_PT)
        # A label that wraps is taller than its value: the next row starts below both.
        label_lines = pdf.multi_cell(label_w, 5.5, f"{label}:", dry_run=True, output="LINES")
        if pdf.get_y() + 5.5 * len(label_lines) > pdf.h - pdf.b_margin:
            pdf.add_page()
        y = pdf.get_y()
        pdf.multi_cell(label_w, 5.5, f"{label}:", align="L", new_x="RIGHT", new_y="TOP")
        pdf.set_font(SANS, "", BODY_PT)
        pdf.multi_cell(pdf.text_width - label_w, 5.5, value or "–", align="L", new_x="LMARGIN",
                       new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), y + 5.5 * len(label_lines)))


def table(pdf: Document, headers: Sequence[str], rows: Sequence[Sequence[str]],
          shares: Sequence[float], aligns: Sequence[str] | None = None,
          bold_last: bool = False) -> None:
    """A full-width table; `shares` are the columns' fractions of the text width."""
    widths = [pdf.text_width * s / sum(shares) for s in shares]
    aligns = list(aligns or ["LEFT"] + ["CENTER"] * (len(headers) - 1))
    pdf.set_font(SANS, "", 9)
    with pdf.table(col_widths=widths, width=pdf.text_width, text_align=aligns,
                   line_height=5, padding=1.2, first_row_as_headings=True,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
                   borders_layout=TableBordersLayout.ALL, align="LEFT") as t:
        head = t.row()
        for h in headers:
            head.cell(h)
        for i, row in enumerate(rows):
            style = FontFace(emphasis="BOLD") if bold_last and i == len(rows) - 1 else None
            r = t.row(style=style)
            for cell in row:
                r.cell(cell or "–")
    pdf.ln(2)


def signature_block(pdf: Document, labels: Sequence[str]) -> None:
    """A ruled line above each label, two to a row, kept together on one page."""
    rows = (len(labels) + 1) // 2
    if pdf.get_y() + rows * 22 + 8 > pdf.h - pdf.b_margin:
        pdf.add_page()
    gap = 10.0
    width = (pdf.text_width - gap) / 2
    for row in range(rows):
        pdf.ln(14)
        y = pdf.get_y()
        for col in range(2):
            i = row * 2 + col
            if i >= len(labels):
                break
            x = pdf.l_margin + col * (width + gap)
            pdf.line(x, y, x + width, y)
            pdf.set_xy(x, y + 1)
            pdf.set_font(SANS, size=SMALL_PT)
            pdf.multi_cell(width, 4, labels[i], align="C")
        pdf.set_xy(pdf.l_margin, y + 9)
