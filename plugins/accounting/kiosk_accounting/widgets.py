"""journal_entry: a small table of lines (debit, credit, amount) with buttons to add and remove
lines. Every change posts the whole table as the response (typed: saved after a pause)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from kiosk.api import current_language
from kiosk.api.widgets import QuestionWidget, plain
from kiosk_accounting.amounts import normal_account, parse_amount
from kiosk_accounting.journal_entry import incomplete_lines

MAX_LINES = 20
FIELDS = ("debit", "credit", "amount")

TEXTS = {
    "hu": {
        "hint": "Könyvelje le a gazdasági eseményt: soronként tartozik számla, követel számla, "
                "összeg (pl. 1 250 000).",
        "debit": "Tartozik", "credit": "Követel", "amount": "Összeg (Ft)",
        "add": "+ Új sor", "remove": "Sor törlése",
        "bad_account": "{n}. sor: a számlaszám 1–5 számjegy, 1–9 kezdettel",
        "bad_amount": "{n}. sor: az összeg nem értelmezhető",
        "incomplete": "{n}. sor: hiányos – tartozik, követel és összeg kell, különben a sor "
                      "nem számít",
        "chart": "Számlák:",
    },
    "en": {
        "hint": "Book the event: one line per debit account, credit account and amount.",
        "debit": "Debit", "credit": "Credit", "amount": "Amount (HUF)",
        "add": "+ Add line", "remove": "Remove line",
        "bad_account": "line {n}: an account number has 1–5 digits and starts with 1–9",
        "bad_amount": "line {n}: the amount cannot be read",
        "incomplete": "line {n}: incomplete – a line needs debit, credit and amount, or it "
                      "does not count",
        "chart": "Accounts:",
    },
}


def text(key: str, **params: Any) -> str:
    table = TEXTS.get(current_language(), TEXTS["hu"])
    return table[key].format(**params) if params else table[key]


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
