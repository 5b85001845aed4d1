"""A paper as PDF (`kiosk paper show --pdf`): every item as the candidate gets it, in paper
order, with its images and passages printed where the item is, for a paper-based sitting or the
exam's file copy.

Text comes from each question type's `render_item` (options lettered in the paper's order, cloze
gaps with their choices); the Markdown of a stem is printed as text (emphasis marks and
escapes removed, code blocks and tables in a monospaced face). Images are embedded from the
bank's media (checked by hash); one that is missing or unreadable is named instead.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from fpdf import FPDF

from kiosk import media
from kiosk.domain.assembly import Paper
from kiosk.domain.items import Item

_IMAGE_REF = re.compile(r"!\[([^\]]*)\]\([^)\s]+\)")
_ESCAPE = re.compile(r"\\([\\`*_\[\]<>#+\-.!|{}()])")
_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w\\])\*(?!\s)|(?<![\w\\])_(?!\s))")


def plain_lines(markdown: str) -> list[tuple[str, bool]]:
    """(line, monospaced) pairs: code blocks and table rows keep their layout."""
    out: list[tuple[str, bool]] = []
    code = False
    for line in markdown.split("\n"):
        if line.strip().startswith("```"):
            code = not code
            continue
        if code or line.lstrip().startswith("|"):
            out.append((line, True))
            continue
        text = _IMAGE_REF.sub(lambda m: f"[{m.group(1) or 'image'}]", line)
        text = _EMPHASIS.sub("", text)
        text = _ESCAPE.sub(r"\1", text).rstrip()
        text = re.sub(r"^#{1,6}\s+", "", text)
        out.append((text, False))
    return out


def paper_pdf(title: str, paper: Paper, items: Mapping[str, Item], qtypes: Mapping[str, Any],
              part_titles: Mapping[str, str] | None = None) -> bytes:
    from kiosk.documents import FONT_DIR, MONO, SANS

    pdf = FPDF(format="A4")
    pdf.add_font(SANS, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(SANS, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font(MONO, "", str(FONT_DIR / "DejaVuSansMono.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(SANS, "B", 14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(SANS, "", 9)
    pdf.multi_cell(0, 5, f"{paper.exam_id} · seed {paper.seed}", new_x="LMARGIN", new_y="NEXT")
    n = 0
    for part in paper.parts:
        pdf.ln(3)
        pdf.set_font(SANS, "B", 12)
        pdf.multi_cell(0, 7, (part_titles or {}).get(part.part_id, part.part_id),
                       new_x="LMARGIN", new_y="NEXT")
        for pi in part.items:
            item = items[pi.item_key]
            n += 1
            pdf.ln(2)
            pdf.set_font(SANS, "B", 10)
            points = f"{item.points:g} p" if item.points else ""
            pdf.multi_cell(0, 6, f"{n}. {points}".rstrip(), new_x="LMARGIN", new_y="NEXT")
            _passages(pdf, item)
            qtype = qtypes.get(item.type)
            try:
                text = qtype.render_item(item, pi.presentation) if qtype else item.stem
            except Exception:  # a plugin's rendering bug must not lose the paper
                text = item.stem
            _text(pdf, text)
            _images(pdf, item)
    return bytes(pdf.output())


def _text(pdf: FPDF, markdown: str) -> None:
    from kiosk.documents import MONO, SANS

    for line, mono in plain_lines(markdown):
        pdf.set_font(MONO if mono else SANS, "", 9 if mono else 10)
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")


def _passages(pdf: FPDF, item: Item) -> None:
    for att in media.passages(item):
        data = media.content(item, att)
        if data is not None:
            _text(pdf, data.decode("utf-8", "replace"))
            pdf.ln(1)


def _images(pdf: FPDF, item: Item) -> None:
    from kiosk.documents import SANS

    for att in media.images(item):
        data = media.content(item, att)
        caption = media.describe(att, data)
        if data is not None:
            try:
                from PIL import Image

                with Image.open(io.BytesIO(data)) as img:
                    ratio = img.height / img.width if img.width else 1
                    width = min(120.0, pdf.epw, img.width * 0.35)
                    if pdf.get_y() + width * ratio > pdf.page_break_trigger:
                        pdf.add_page()
                    pdf.image(io.BytesIO(data), w=width)
            except Exception:  # unreadable image: named, not printed
                caption = f"{caption} — not printable"
        pdf.set_font(SANS, "", 8)
        pdf.multi_cell(0, 4, caption, new_x="LMARGIN", new_y="NEXT")
