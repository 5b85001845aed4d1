"""Keys typed ahead land where the person typed them: in order, in the field focused at the
moment each was typed, also across a screen change and while a login call is in flight.

Why this is needed. Textual routes a key in stages: the app takes it off its queue and posts it
to the widget focused *then*; that widget handles it later, on its own queue; a key it does not
use (Tab, Backspace in an Input, Enter) bubbles back up through the parents' queues to the app,
which only then runs the binding, against whatever is focused *by then*; and `Widget.focus()` is
itself a callback queued behind the keys already waiting. A burst of keys (a fast typist, a
paste-like burst from tmux or a barcode reader) is taken off the app's queue before the first
Tab has moved the focus, so "anna", Tab, "secret", Enter put "annasecret" in the user field and
submitted an empty password. Textual's own pilot hides this: `pilot.press` waits for idle
between keys.

What this module does about it (the root: the order in which keys are dispatched).
- `TypeAheadApp` (an App mixin) dispatches one key at a time while the screen asks for it
  (`ORDERED_KEYS = True`): the next key is handed out only when the previous one has been
  handled where it went, and by every parent and binding it bubbled to. Until then later keys
  wait, in order, in the app. (Focus moved by a binding with `Widget.focus()`, a queued
  callback, has moved too; what a key sets off through further messages — an Input.Submitted
  handled by the screen — is not waited for: hence Enter below.)
- `hold_keys()` keeps every key typed from now on (but a screen's `LIVE_KEYS`, such as the
  language switch) until `release_keys()`, or until another screen is shown: a login in
  flight holds what is typed meanwhile, and hands it to the next screen (or back to the login
  form, if the login failed) once that is on screen and focused. A screen that must be read
  before it is answered (`SEEN_BEFORE_KEYS`, the candidate's identity check) gets none of
  them: keys typed before it was shown are dropped.
- `OrderedForm` (a Screen mixin): Enter in a field moves to the next field at once, and Enter in
  the last field (or on a button) holds the keys that follow and submits; the form reads its
  fields after every key typed before Enter has reached them.

Screens that do not ask for ordered keys (the exam, the console's room) keep Textual's own
dispatch untouched, except that keys held over a screen change are replayed one at a time.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from typing import Any

from textual import events
from textual.app import ScreenStackError
from textual.binding import Binding
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

#: A key whose handling never finishes (a handler awaiting something that needs a later key)
#: must not freeze the keyboard: after this long the next key goes anyway. A fallback only;
#: a handled key finishes in well under a millisecond.
STUCK_KEY_S = 2.0


#: Keys are never held longer than this, whatever path forgot to release them: then they go to
#: whatever has the focus (as Textual would have sent them). Longer than any call's timeout
#: (kiosk.client.CALL_TIMEOUT_S), so a login in flight always ends first.
HOLD_LIMIT_S = 120.0


def _copy(key: events.Key) -> events.Key:
    """A fresh event for a key that was held (an event object is dispatched once)."""
    return events.Key(key.key, key.character)


class TypeAheadApp:
    """App mixin (list it before `App`): ordered key dispatch and held keys (module doc)."""

    _keys_waiting: deque[events.Key] | None = None
    _key_in_flight: events.Key | None = None
    _keys_held: bool = False
    _held_on: Screen[Any] | None = None
    _hold_watch: bool = False
    _release_gen: int = 0
    _hold_limit: asyncio.TimerHandle | None = None
    _stuck: asyncio.TimerHandle | None = None

    @property
    def _waiting(self) -> deque[events.Key]:
        if self._keys_waiting is None:
            self._keys_waiting = deque()
        return self._keys_waiting

    # -- what the apps and screens call ---------------------------------------------------

    def hold_keys(self) -> None:
        """Keep the keys typed from now on, in order, until `release_keys()` or until another
        screen is current; then they are dispatched as if typed at that moment."""
        app: Any = self
        self._keys_held = True
        self._held_on = app.screen
        self._release_gen += 1  # a release asked for before this hold does not end it
        if self._hold_limit is not None:
            self._hold_limit.cancel()
        gen = self._release_gen
        self._hold_limit = asyncio.get_running_loop().call_later(
            HOLD_LIMIT_S, lambda: self._release_now(gen))
        if not self._hold_watch:
            self._hold_watch = True
            app.screen_change_signal.subscribe(app, self._screen_changed, immediate=True)

    def release_keys(self) -> None:
        """Dispatch the held keys once what the current screen has queued (its mount, the
        focus it sets) has run: a callback through the screen's own queue, then the app's.
        Asked again (another screen came meanwhile), the latest request decides."""
        if not self._keys_held:
            return
        app: Any = self
        self._release_gen += 1
        gen = self._release_gen

        def on_screen() -> None:
            if not app.call_later(self._release_now, gen):
                self._release_now(gen)

        try:
            scheduled = app.screen.call_later(on_screen)
        except ScreenStackError:
            scheduled = False
        if not scheduled:
            on_screen()

    def _release_now(self, gen: int) -> None:
        if gen != self._release_gen or not self._keys_held:
            return  # a later hold or release has taken over
        if self._hold_limit is not None:
            self._hold_limit.cancel()
            self._hold_limit = None
        self._keys_held = False
        self._held_on = None
        self._next_key()

    @property
    def keys_held(self) -> bool:
        return self._keys_held

    # -- Textual's entry point for every event ---------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._keys_held and event.key in self._live_keys():
                # A screen-wide key (the language, the contrast) acts at once even while the
                # form's keys wait: the screen stays live while a login is in flight.
                await super().on_event(event)  # type: ignore[misc]
                return
            if self._keys_held or self._key_in_flight is not None or self._waiting:
                self._waiting.append(event)
                self._next_key()
                return
            if self._ordered():
                await self._dispatch(event)
                return
        await super().on_event(event)  # type: ignore[misc]

    # -- dispatch ----------------------------------------------------------------------------

    def _ordered(self) -> bool:
        app: Any = self
        try:
            screen = app.screen
        except ScreenStackError:
            return False  # starting or closing: no screen to order keys for
        return bool(getattr(screen, "ORDERED_KEYS", False))

    def _live_keys(self) -> frozenset[str]:
        app: Any = self
        try:
            return frozenset(getattr(app.screen, "LIVE_KEYS", ()))
        except ScreenStackError:
            return frozenset()

    def _screen_changed(self, screen: Screen[Any]) -> None:
        """Another screen is current: the keys held for it go once it has mounted and focused."""
        if self._keys_held and screen is not self._held_on:
            if getattr(screen, "SEEN_BEFORE_KEYS", False):
                # A screen that must be read before it is answered (the identity check) takes
                # no key typed before it was shown (a second Enter typed during the login does
                # not confirm an identity nobody has looked at); keys typed from now on are
                # kept for it as usual.
                self._waiting.clear()
            self.release_keys()

    def _next_key(self) -> None:
        """Hand out the next waiting key, unless keys are held or one is still on its way."""
        if self._keys_held or self._key_in_flight is not None or not self._waiting:
            return
        app: Any = self
        key = _copy(self._waiting.popleft())
        self._key_in_flight = key  # reserved now: no key typed later overtakes it
        app.call_next(self._dispatch, key)

    async def _dispatch(self, key: events.Key) -> None:
        """Textual's own handling of `key`; then follow it until it has been handled."""
        app: Any = self
        self._key_in_flight = key
        target = app.focused or app.screen
        await super().on_event(key)  # type: ignore[misc]
        if not key.is_forwarded:
            # Taken by a priority binding, here, on the app's task: done already.
            self._done(key)
            return
        self._stuck = asyncio.get_running_loop().call_later(STUCK_KEY_S, self._done, key)
        self._follow(key, target)

    def _follow(self, key: events.Key, node: MessagePump) -> None:
        """A callback behind `key` on each queue it goes through: the widget it was sent to,
        each parent it bubbles to, and last the app, which runs the (non-priority) bindings."""
        app: Any = self

        def step() -> None:
            # Not cut short when the key was stopped here: Textual marks a key stopped at the
            # screen and still hands it to the app, whose bindings are yet to run.
            parent = node._parent
            if parent is None or parent is app:
                # Twice through the app's queue: once behind the key (its bindings run there),
                # once more behind what they queued on the app meanwhile (`Widget.focus()` is
                # such a callback).
                if not app.call_later(self._after_app, key):
                    self._done(key)
                return
            self._follow(key, parent)

        if not node.call_later(step):
            self._done(key)  # the widget is gone, and the key with it

    def _after_app(self, key: events.Key) -> None:
        app: Any = self
        if not app.call_later(self._done, key):
            self._done(key)

    def _done(self, key: events.Key) -> None:
        if self._key_in_flight is not key:
            return  # finished already (this is the stuck-key fallback, or a repeat)
        if self._stuck is not None:
            self._stuck.cancel()
            self._stuck = None
        self._key_in_flight = None
        self._next_key()


class OrderedForm(Screen[Any]):
    """A form whose keys are dispatched in order (`TypeAheadApp`), with Enter as a priority key:
    in a field but the last it moves to the next field at once (not through a queued
    Input.Submitted and a queued focus call); in the last field or on a button it holds the
    keys typed after it and calls `submit_form(focused)`, which must end in `release_keys()`
    (a failure shown, a language changed …) or in another screen (that releases them)."""

    ORDERED_KEYS = True
    #: Keys that act at once even while the keys typed are held (screen-wide switches that
    #: neither edit the form nor leave it).
    LIVE_KEYS: frozenset[str] = frozenset()
    BINDINGS = [
        Binding("enter", "form_enter", show=False, priority=True),
        # Enter typed while the app was still starting reached the terminal in cooked mode,
        # which turned its CR into LF (ICRNL): Textual reads that as ctrl+j.
        Binding("ctrl+j", "form_enter", show=False, priority=True),
    ]

    def form_fields(self) -> list[Input]:
        """The form's fields in their order (default: every Input on the screen)."""
        return list(self.query(Input))

    async def action_form_enter(self) -> None:
        focused = self.focused
        fields = self.form_fields()
        if isinstance(focused, Input) and focused in fields[:-1]:
            self.set_focus(fields[fields.index(focused) + 1])
            return
        self.hold_keys()
        result = self.submit_form(focused)
        if inspect.isawaitable(result):
            await result

    def submit_form(self, focused: Widget | None) -> Any:
        raise NotImplementedError

    def hold_keys(self) -> None:
        hold = getattr(self.app, "hold_keys", None)
        if hold is not None:
            hold()

    def release_keys(self) -> None:
        release = getattr(self.app, "release_keys", None)
        if release is not None:
            release()
