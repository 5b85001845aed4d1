"""Login: candidate id and the sitting's access code; the language can be switched here.

Keys typed in a burst land where they were typed (kiosk/apps/typeahead.py): Tab and Enter move
between the fields before the next key is dispatched, and what is typed while the login call is
in flight is held and handed to the next screen, or back to this form if the login failed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from kiosk.apps.candidate.screens.base import KioskScreen
from kiosk.apps.typeahead import OrderedForm
from kiosk.errors import KioskError
from kiosk.i18n import current_language, languages, t


class LoginScreen(OrderedForm, KioskScreen):
    kiosk_name = "login"
    BINDINGS = [Binding("f2", "toggle_language", show=False)]
    #: The language and the contrast switch at once, also while the login is in flight.
    LIVE_KEYS = frozenset({"f2", "f3"})

    def __init__(self) -> None:
        super().__init__()
        self._candidate = ""
        self._code = ""
        self._message = ""
        self._locked_for = 0
        self._unlock: Timer | None = None

    def compose_body(self) -> ComposeResult:
        with Center(classes="dialog-wrap"):
            with Vertical(classes="dialog login"):
                # One heading line and one-row language buttons: the whole dialog, its key
                # hints included, fits a 24-row terminal.
                yield Static(f"{t('app.title')} · {t('login.heading')}", classes="title")
                yield Label(t("login.candidate_id"), classes="field-label")
                yield Input(value=self._candidate, id="candidate", max_length=64,
                            select_on_focus=False)
                yield Label(t("login.access_code"), classes="field-label")
                yield Input(value=self._code, id="code", password=True, max_length=64,
                            select_on_focus=False)
                yield Static(self._message, id="login-message", classes="message")
                with Horizontal(classes="buttons"):
                    yield Button(t("login.submit"), id="login", variant="primary")
                with Horizontal(classes="languages"):
                    yield Static(t("login.language"), classes="field-label")
                    # One button per catalogue, each language named in its own words.
                    for lang in languages():
                        yield Button(t("language.name", language=lang), id=f"lang-{lang}",
                                     classes="lang", compact=True)
                yield Static(t("login.keys"), classes="hint")

    def form_fields(self) -> list[Input]:
        return [self.query_one("#candidate", Input), self.query_one("#code", Input)]

    def on_mount(self) -> None:
        # At once, not through a queued focus call: keys typed ahead wait for this.
        self.set_focus(self.query_one("#candidate", Input))
        self._mark_language()
        self.call_after_refresh(self.kiosk.login_shown)

    def _mark_language(self) -> None:
        for lang in languages():
            button = self.query_one(f"#lang-{lang}", Button)
            chosen = lang == current_language()
            # A marker in the label: the chosen language is not shown by colour alone.
            button.label = ("● " if chosen else "") + t("language.name", language=lang)
            button.set_class(chosen, "-chosen")

    async def set_language(self, language: str) -> None:
        self._candidate = self.query_one("#candidate", Input).value
        self._code = self.query_one("#code", Input).value
        self._message = ""
        self.kiosk.switch_language(language)
        await self.recompose()
        self.set_focus(self.query_one("#candidate", Input))
        self._mark_language()

    async def action_toggle_language(self) -> None:
        # F2 goes round the languages there are catalogues for.
        order = languages()
        at = order.index(current_language()) if current_language() in order else -1
        await self.set_language(order[(at + 1) % len(order)])

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        # A click: what is typed meanwhile waits as it does after Enter.
        event.stop()
        self.hold_keys()
        await self.submit_form(event.button)

    async def submit_form(self, focused: Widget | None) -> None:
        """Enter (keys typed after it held): a language button switches the language, anything
        else logs in."""
        button_id = focused.id if isinstance(focused, Button) else None
        if button_id and button_id.startswith("lang-"):
            await self.set_language(button_id.removeprefix("lang-"))
            self.release_keys()
            return
        self.attempt_login()

    def say(self, text: str) -> None:
        self._message = text
        self.query_one("#login-message", Static).update(text)

    def attempt_login(self) -> None:
        """Keys are held on entry: released here when nothing is sent, by `_login_failed`, or
        by the next screen."""
        if self._locked_for > 0:
            self.release_keys()
            return
        candidate = self.query_one("#candidate", Input).value
        code = self.query_one("#code", Input).value
        if not candidate.strip() or not code.strip():
            self.say(t("login.missing"))
            self.set_focus(self.query_one("#code" if candidate.strip() else "#candidate", Input))
            self.release_keys()
            return
        if self.kiosk.service is not None:
            # Through the centre service: the call runs in a worker, the screen stays live.
            self.query_one("#login", Button).disabled = True
            self.say(t("login.checking"))
            kiosk = self.kiosk

            def work() -> None:
                try:
                    session, error = kiosk.connect(candidate, code), None
                except KioskError as exc:
                    session, error = None, exc
                kiosk._on_ui(lambda: self._logged_in(session, error))

            self.run_worker(work, thread=True, group="login", exit_on_error=False)
            return
        try:
            self.kiosk.login(candidate, code)
        except KioskError as exc:
            self._login_failed(exc)

    def _logged_in(self, session: object, error: KioskError | None) -> None:
        if self.kiosk.screen is not self:
            self.release_keys()
            return
        self.query_one("#login", Button).disabled = self._locked_for > 0
        if error is not None:
            self.say("")
            self._login_failed(error)
            return
        self.kiosk.logged_in(session)

    def _login_failed(self, error: KioskError) -> None:
        from kiosk.session import LoginFailed, LoginThrottled, SessionElsewhere, SittingClosed

        try:
            raise error
        except LoginThrottled as exc:
            self.throttle(max(1, int(round(float(getattr(exc, "seconds", 5) or 5)))))
        except SessionElsewhere:
            self.say(t("login.elsewhere"))
        except SittingClosed:
            self.say(t("login.closed"))
        except LoginFailed:
            self.query_one("#code", Input).value = ""
            self.say(t("login.failed"))
            self.set_focus(self.query_one("#code", Input))
        except KioskError:
            self.say(t("login.unavailable"))
        if not isinstance(self.focused, Input):
            # The login button lost the focus when it was disabled: back to the code.
            self.set_focus(self.query_one("#code", Input))
        self.release_keys()

    def throttle(self, seconds: int) -> None:
        """After repeated failures the session asks for a pause: count it down on screen."""
        self._locked_for = seconds
        self.query_one("#login", Button).disabled = True
        self.say(t("login.throttled", seconds=seconds))
        if self._unlock is None:
            self._unlock = self.set_interval(1, self._count_down)

    def _count_down(self) -> None:
        self._locked_for -= 1
        if self._locked_for > 0:
            self.say(t("login.throttled", seconds=self._locked_for))
            return
        self._locked_for = 0
        if self._unlock is not None:
            self._unlock.stop()
            self._unlock = None
        self.query_one("#login", Button).disabled = False
        self.say(t("login.try_again"))
