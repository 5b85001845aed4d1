"""The room's seat sheet: one card per lab machine with its seat name, QR code and link, to be
cut out and handed to (or scanned at) each machine. The links are secrets of the room: the
sheet is printed by the invigilator and kept like the access code."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF

from kiosk.web.seats import SeatLink

FONT_DIR = Path(__file__).resolve().parents[1] / "assets" / "fonts"
COLS, ROWS = 3, 4
GAP = 6.0
TOP = 30.0


def card_rect(slot: int, page_w: float, page_h: float) -> tuple[float, float, float, float]:
    """Where card `slot` (0..11) of a page sits, in mm: x, y, width, height. Shared with the
    test that cuts the rendered page into cards and scans each, as a phone at one seat does."""
    width = (page_w - 24 - GAP * (COLS - 1)) / COLS
    height = (page_h - TOP - 16 - GAP * (ROWS - 1)) / ROWS
    col, row = slot % COLS, slot // COLS
    return 12 + col * (width + GAP), TOP + row * (height + GAP), width, height


def qr_png(url: str) -> bytes:
    """The link as a QR code (segno; error correction M survives a crumpled sheet; the quiet
    zone is the 4 modules the QR standard asks for)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def seat_sheet(path: Path, links: list[SeatLink], *, heading: str, fingerprint: str | None
               ) -> None:
    pdf = FPDF(format="A4")
    pdf.add_font("sans", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("sans", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("mono", "", str(FONT_DIR / "DejaVuSansMono.ttf"))
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(False)
    pdf.set_creator("kiosk")
    per_page = COLS * ROWS
    pages = (len(links) + per_page - 1) // per_page
    for index, link in enumerate(links):
        slot = index % per_page
        if slot == 0:
            pdf.add_page()
            pdf.set_font("sans", "B", 13)
            pdf.set_xy(12, 10)
            pdf.cell(0, 7, heading)
            pdf.set_font("sans", "", 8)
            pdf.set_xy(12, 17)
            pdf.multi_cell(0, 4, "Gépenkénti hivatkozás: nyissa meg a gép vizsgaböngészőjében, "
                           "vagy olvassa be a QR-kódot. Ne adja ki: aki ismeri, az adott gép "
                           "nevében jelentkezhet be (azonosító és hozzáférési kód mellett). / "
                           "Seat links: keep this sheet like the access code."
                           + (f"  TLS SHA-256: {fingerprint}" if fingerprint else ""))
            pdf.set_xy(12, pdf.h - 10)
            pdf.cell(0, 4, f"{index // per_page + 1}/{pages}", align="C")
        x, y, width, height = card_rect(slot, pdf.w, pdf.h)
        pdf.set_draw_color(150, 150, 150)
        pdf.set_line_width(0.2)
        with pdf.local_context():
            pdf.set_dash_pattern(dash=1, gap=1)  # a cutting line
            pdf.rect(x, y, width, height)
        pdf.set_font("sans", "B", 16)
        pdf.set_xy(x, y + 2)
        pdf.cell(width, 8, link.seat, align="C")
        side = min(width - 14, height - 24)
        pdf.image(io.BytesIO(qr_png(link.url)), x=x + (width - side) / 2, y=y + 11, w=side,
                  h=side)
        pdf.set_font("mono", "", 6)
        pdf.set_xy(x + 2, y + 12 + side)
        pdf.multi_cell(width - 4, 3, link.url, align="C")
    pdf.output(str(path))
