"""The case study widget through a Textual pilot: the case, typed fields, a drop-down and a
date that is checked as it is typed."""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

from kiosk_public_admin.case_study import CaseStudy
from kiosk_public_admin.widgets import CaseStudyWidget
from public_admin_support import Host, bank_items
from textual.widgets import Input, Select, Static, TextArea


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def screen_text(app: Any) -> str:
    """What the screen shows (from the SVG export), whitespace collapsed."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, body in re.findall(r'<text[^>]*?x="([0-9.]+)" y="([0-9.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(float(y), []).append((float(x), html.unescape(body)))
    lines = ["".join(t for _, t in sorted(row)) for _, row in sorted(rows.items())]
    return " ".join(" ".join(lines).split())


def field(widget: CaseStudyWidget, fid: str) -> Any:
    return next(w for w in widget.query(".answer") if getattr(w, "field_id", None) == fid)


async def type_text(pilot: Any, text: str) -> None:
    for ch in text:
        await pilot.press(ch if ch != " " else "space")
    await pilot.pause()


def test_filling_in_the_form() -> None:
    item = bank_items()["jog-002"]

    async def scenario() -> None:
        widget = CaseStudyWidget(item, {}, None)
        app = Host(widget)
        async with app.run_test(size=(100, 60)) as pilot:
            await pilot.pause()
            assert "2025. augusztus 12-én (kedden)" in screen_text(app)
            # The drop-down for the remedy.
            remedy = field(widget, "jogorvoslat")
            assert isinstance(remedy, Select)
            remedy.value = "fellebbezés"
            await pilot.pause()
            assert app.answers[-1] == ({"jogorvoslat": "fellebbezés"}, True)
            # A date typed wrong is pointed out, then corrected.
            date_input = field(widget, "hatarido")
            assert isinstance(date_input, Input)
            date_input.focus()
            await type_text(pilot, "aug 21")
            note = widget.query_one(".date-check", Static)
            assert "Nem értelmezhető" in str(note.render())
            date_input.value = ""
            await type_text(pilot, "2025.08.21.")
            assert str(note.render()) == ""
            # The reasoning goes into a text area.
            reasons = field(widget, "indokolas")
            assert isinstance(reasons, TextArea)
            reasons.focus()
            await type_text(pilot, "nyolc nap")
            response = app.answers[-1][0]
            assert response == {"jogorvoslat": "fellebbezés", "hatarido": "2025.08.21.",
                                "indokolas": "nyolc nap"}
            checks = CaseStudy().judge(item, response).detail["auto_checks"]
            assert [c["ok"] for c in checks] == [True, False, True]  # forum not chosen yet

    run(scenario())


def test_saved_answers_come_back() -> None:
    item = bank_items()["jog-001"]
    saved = {"eljaras": "teljes eljárás", "jogalap": "Ákr.", "indokolas": "áttérés"}

    async def scenario() -> None:
        widget = CaseStudyWidget(item, {}, saved)
        app = Host(widget)
        async with app.run_test(size=(100, 60)) as pilot:
            await pilot.pause()
            assert field(widget, "eljaras").value == "teljes eljárás"
            assert field(widget, "jogalap").value == "Ákr."
            assert field(widget, "indokolas").text == "áttérés"
            assert app.answers == []  # showing saved answers is no change
            field(widget, "jogalap").value = ""
            await pilot.pause()
            assert app.answers[-1][0] == {"eljaras": "teljes eljárás", "indokolas": "áttérés"}

    run(scenario())
