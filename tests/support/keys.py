"""Keys as a terminal delivers them: a burst posted to the app's driver all at once, without
the idle waits `pilot.press` makes between keys (Textual's `App._press_keys` less its waits),
so a test sees what a fast typist or `tmux send-keys` does."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from textual import events
from textual.app import App
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key


def key_event(key: str) -> events.Key:
    """The Key event Textual's pilot builds for `key` ("a", "tab", "enter", "-" …)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def keys_of(*parts: str) -> list[str]:
    """("anna", "tab", "pw-1", "enter") → a, n, n, a, tab, p, w, -, 1, enter: words are typed
    character by character, key names ("tab", "enter", "shift+tab", "backspace", "f5",
    "ctrl+j") as keys."""
    out: list[str] = []
    for part in parts:
        if part in NAMED or re.fullmatch(r"f\d{1,2}|ctrl\+\w", part):
            out.append(part)
        else:
            out.extend(part)
    return out


NAMED = {"tab", "shift+tab", "enter", "backspace", "escape", "left", "right", "home", "end",
         "delete", "up", "down", "f2", "space"}


def burst(app: App[Any], *parts: str) -> None:
    """Post every key of `parts` to the app's driver in one go, as a terminal's input thread
    does with a burst it read in one piece."""
    driver = app._driver
    assert driver is not None
    for key in keys_of(*parts):
        event = key_event(key)
        event.set_sender(app)
        driver.send_message(event)


async def until(pilot: Any, predicate: Any, rounds: int = 200) -> None:
    """Pause (and let workers finish) until `predicate()` holds; fail after `rounds` pauses
    (a hang detector, not a timing requirement)."""
    for _ in range(rounds):
        if predicate():
            return
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.02)
    app = pilot.app
    assert predicate(), (f"never reached: {app.screen}, fields "
                         f"{[getattr(w, 'value', None) for w in app.screen.query('Input')]}, "
                         f"{app.screen.query('.message').first().render() if app.screen.query('.message') else ''}")
