"""journal_entry: a small table of lines (debit, credit, amount) with buttons to add and remove
lines. Every change posts the whole table as the response (typed: saved after a pause)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from kiosk.api import domain
from kiosk.api.widgets import QuestionWidget, plain
from kiosk_accounting.amounts import normal_account, parse_amount
from kiosk_accounting.journal_entry import incomplete_lines

MAX_LINES = 20
FIELDS = ("debit", "credit", "amount")

#: This plugin's strings: its own gettext domain (locale/<lang>/LC_MESSAGES/<domain>.po), which
#: plugin.py also registers with the kiosk (`register_translations`).
TEXTS = domain("kiosk_accounting", Path(__file__).parent / "locale")


def text(key: str, **params: Any) -> str:
    return TEXTS(key, **params)


class JournalLine(Horizontal):
    DEFAULT_CLASSES = "journal-line"
    DEFAULT_CSS = """
    JournalLine { height: auto; }
    JournalLine Input { width: 14; }
    JournalLine Input.amount { width: 20; }
    """

    def __init__(self, values: dict[str, str] | None = None) -> None:
        super().__init__()
        self.values = values or {}

    def compose(self) -> ComposeResult:
        for name in FIELDS:
            yield Input(value=self.values.get(name, ""), max_length=40, compact=True, select_on_focus=False,
                        placeholder=text(name), classes=f"answer {name}")
        yield Button("−", compact=True, classes="remove-line", tooltip=text("remove"))

    def row(self) -> dict[str, str]:
        return {name: self.query_one(f"Input.{name}", Input).value for name in FIELDS}


class JournalEntryWidget(QuestionWidget):
    typed = True

    def _initial_rows(self) -> list[dict[str, str]]:
        rows = []
        if isinstance(self.response, list):
            for row in self.response:
                if isinstance(row, dict):
                    rows.append({k: v for k, v in row.items() if k in FIELDS and isinstance(v, str)})
        # Two empty lines to start with: the number shown must not hint at the key's length.
        return rows or [{}, {}]

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        chart = self.item.spec.get("chart")
        if isinstance(chart, dict) and chart:
            listing = "; ".join(f"{k} {v}" for k, v in chart.items())
            yield Static(plain(f"{text('chart')} {listing}"), classes="hint chart")
        yield Static(text("hint"), classes="hint")
        with Horizontal(classes="journal-head"):
            for name in FIELDS:
                yield Label(text(name), classes=f"head {name}")
        with Vertical(id="journal-lines"):
            for row in self._initial_rows():
                yield JournalLine(row)
        yield Button(text("add"), id="add-line", compact=True)
        yield Static("", id="journal-check", classes="hint")

    def rows(self) -> list[dict[str, str]]:
        return [line.row() for line in self.query(JournalLine)]

    def _post(self) -> None:
        rows = [r for r in self.rows() if any(v.strip() for v in r.values())]
        problems = []
        for n, row in enumerate(self.rows(), start=1):
            for side in ("debit", "credit"):
                if row[side].strip() and normal_account(row[side]) is None:
                    problems.append(text("bad_account", n=n))
                    break
            if row["amount"].strip() and parse_amount(row["amount"]) is None:
                problems.append(text("bad_amount", n=n))
        problems.extend(text("incomplete", n=n) for n in incomplete_lines(self.rows()))
        self.query_one("#journal-check", Static).update(plain("\n".join(problems)))
        self.answer(rows or None)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._post()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        container = self.query_one("#journal-lines", Vertical)
        if event.button.id == "add-line":
            if len(self.query(JournalLine)) < MAX_LINES:
                line = JournalLine()
                await container.mount(line)
                line.query_one(Input).focus()
        elif event.button.has_class("remove-line"):
            line = next((a for a in event.button.ancestors if isinstance(a, JournalLine)), None)
            if line is not None:
                await line.remove()
                if not self.query(JournalLine):
                    await container.mount(JournalLine())
                self._post()
