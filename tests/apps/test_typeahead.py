"""kiosk/apps/typeahead.py on a small app of its own: on a screen that asks for ordered keys, a
key's binding has acted (however long it awaits) before the next key is routed, and keys held
over a screen change reach the new screen's focus. Keys are posted to the driver in one burst
(tests/support/keys.py), as a terminal delivers them."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from kiosk.apps.typeahead import TypeAheadApp
from tests.support.keys import burst, until


class Form(Screen[None]):
    ORDERED_KEYS = True
    # F5 moves to the second field after a wait (a handler that awaits, as one that recomposes).
    BINDINGS = [Binding("f5", "slow_next", priority=False)]

    def compose(self) -> ComposeResult:
        yield Input(id="a")
        yield Input(id="b")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#a", Input))

    async def action_slow_next(self) -> None:
        await asyncio.sleep(0.05)
        self.query_one("#b", Input).focus()  # Textual's own queued focus call
        await asyncio.sleep(0.05)


class Next(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="c")

    def on_mount(self) -> None:
        self.query_one("#c", Input).focus()


class Unordered(Form):
    ORDERED_KEYS = False


class Toy(TypeAheadApp, App[None]):
    def __init__(self, screen: type[Screen[None]]) -> None:
        super().__init__()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first())


def value(app: Any, field: str) -> str | None:
    found = app.screen.query(f"#{field}")
    return str(found.first(Input).value) if found else None


async def _ordered() -> None:
    app = Toy(Form)
    async with app.run_test() as pilot:
        burst(app, "one", "f5", "two")
        await until(pilot, lambda: value(app, "b") == "two")
        assert value(app, "a") == "one"


async def _unordered() -> None:
    # The control: Textual's own dispatch sends the keys after F5 to the old field.
    app = Toy(Unordered)
    async with app.run_test() as pilot:
        burst(app, "one", "f5", "two")
        await pilot.pause(0.3)
        assert value(app, "a") != "one"


async def _held_over_a_screen_change() -> None:
    app = Toy(Form)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.hold_keys()
        burst(app, "kept")
        await pilot.pause(0.05)
        assert value(app, "a") == ""
        app.switch_screen(Next())
        await until(pilot, lambda: isinstance(app.screen, Next) and value(app, "c") == "kept")


def test_a_binding_that_awaits_acts_before_the_next_key() -> None:
    asyncio.run(_ordered())


def test_without_ordered_keys_textual_routes_them_to_the_old_field() -> None:
    asyncio.run(_unordered())


def test_held_keys_reach_the_next_screen_once_it_has_the_focus() -> None:
    asyncio.run(_held_over_a_screen_change())
