"""The journal entry widget through a Textual pilot: typing lines, adding and removing them."""

from __future__ import annotations

import asyncio
from typing import Any

from accounting_support import Host, bank_items
from kiosk_accounting.widgets import JournalEntryWidget, JournalLine
from textual.widgets import Button, Input, Static


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def type_into(pilot: Any, field: Input, text: str) -> None:
    field.focus()
    await pilot.pause()
    for ch in text:
        await pilot.press(ch if ch != " " else "space")
    await pilot.pause()


def test_typing_adding_and_removing_lines() -> None:
    item = bank_items()["bef-001"]

    async def scenario() -> None:
        widget = JournalEntryWidget(item, {}, None)
        app = Host(widget)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            lines = list(widget.query(JournalLine))
            assert len(lines) == 2  # never as many as the key has: no hint
            widget.focus_first()
            await pilot.pause()
            assert app.focused is lines[0].query_one("Input.debit")
            await type_into(pilot, lines[0].query_one("Input.debit", Input), "161")
            await type_into(pilot, lines[0].query_one("Input.credit", Input), "454")
            await type_into(pilot, lines[0].query_one("Input.amount", Input), "2 000 000")
            assert app.answers[-1] == (
                [{"debit": "161", "credit": "454", "amount": "2 000 000"}], True)
            await type_into(pilot, lines[1].query_one("Input.debit", Input), "466")
            await type_into(pilot, lines[1].query_one("Input.credit", Input), "454")
            await type_into(pilot, lines[1].query_one("Input.amount", Input), "540.000 Ft")

            # A third line, with a bad account number: the candidate is told at once.
            widget.query_one("#add-line", Button).press()
            await pilot.pause()
            third = list(widget.query(JournalLine))[2]
            assert app.focused is third.query_one("Input.debit")
            await type_into(pilot, third.query_one("Input.debit", Input), "0131")
            check = str(widget.query_one("#journal-check", Static).render())
            assert "3. sor" in check and "számlaszám" in check
            assert len(app.answers[-1][0]) == 3

            # Removing it leaves the two right lines, which earn full marks.
            third.query_one(".remove-line", Button).press()
            await pilot.pause()
            assert len(widget.query(JournalLine)) == 2
            response = app.answers[-1][0]
            assert response == [
                {"debit": "161", "credit": "454", "amount": "2 000 000"},
                {"debit": "466", "credit": "454", "amount": "540.000 Ft"},
            ]
            assert str(widget.query_one("#journal-check", Static).render()) == ""
            from kiosk_accounting.journal_entry import JournalEntry

            judged = JournalEntry().judge(item, response)
            assert (judged.right, judged.wrong, judged.fraction) == (2, 0, 1.0)

    run(scenario())


def test_saved_lines_come_back_and_the_last_line_cannot_vanish() -> None:
    item = bank_items()["bef-002"]
    saved = [{"debit": "131", "credit": "161", "amount": "2 000 000"}]

    async def scenario() -> None:
        widget = JournalEntryWidget(item, {}, saved)
        app = Host(widget)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            (only,) = widget.query(JournalLine)
            assert only.row() == saved[0]
            assert "131 Termelő gépek" in str(widget.query_one(".chart", Static).render())
            only.query_one(".remove-line", Button).press()
            await pilot.pause()
            await pilot.pause()
            (fresh,) = widget.query(JournalLine)
            assert fresh.row() == {"debit": "", "credit": "", "amount": ""}
            assert app.answers[-1] == (None, True)  # nothing left: unanswered

    run(scenario())


def test_a_half_typed_line_is_warned_about_on_screen() -> None:
    """Issue 20: "87" typed alone on a line scored 0 with no warning on screen."""
    item = bank_items()["bef-002"]

    async def scenario() -> None:
        widget = JournalEntryWidget(item, {}, None)
        app = Host(widget)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            first, second = list(widget.query(JournalLine))
            await type_into(pilot, first.query_one("Input.debit", Input), "131")
            await type_into(pilot, first.query_one("Input.credit", Input), "161")
            await type_into(pilot, first.query_one("Input.amount", Input), "2 000 000")
            assert str(widget.query_one("#journal-check", Static).render()) == ""
            await type_into(pilot, second.query_one("Input.debit", Input), "87")
            check = str(widget.query_one("#journal-check", Static).render())
            assert "2. sor: hiányos" in check and "1. sor" not in check

    run(scenario())
