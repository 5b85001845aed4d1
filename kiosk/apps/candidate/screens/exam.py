"""The exam: header (exam, part, candidate, time), navigator, the question, save state and keys."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import OptionList, Static

from kiosk.apps.candidate.saver import SaveState
from kiosk.apps.candidate.screens.base import KioskScreen, alert_banner
from kiosk.apps.widgets.clock import format_remaining, set_clock_urgency
from kiosk.apps.widgets.navigator import FLAGGED, QuestionNavigator, QuestionState, legend
from kiosk.apps.widgets.questions.base import QuestionWidget, plain
from kiosk.i18n import t
from kiosk.plugins import registry


def question_states(app: Any) -> list[QuestionState]:
    """Answered/flagged for every question of the current part, pending answers included."""
    view = app.view
    part = app.session.parts[min(view.part_index, len(app.session.parts) - 1)]
    types = registry().question_types
    states = []
    for entry in part.items:
        response = app.saver.response_for(entry.key, view.answers.get(entry.key))
        qtype = types.get(entry.item.type)
        if qtype is None:
            answered = complete = response not in (None, "", [], {})
        else:
            answered = bool(qtype.is_answered(entry.item, response))
            complete = answered and bool(qtype.is_complete(entry.item, response))
        states.append(QuestionState(answered=answered, flagged=entry.key in view.flags,
                                    partly=answered and not complete))
    return states


def header_texts(app: Any) -> tuple[str, str, str]:
    """(exam title, candidate, remaining time) for the header's first line."""
    session, view = app.session, app.view
    who = f"{session.identity.name} ({session.identity.candidate})"
    return session.identity.exam_title, who, format_remaining(view.remaining_s)


def part_text(app: Any) -> str:
    """The header's second line: which part (of how many) the candidate is in."""
    parts = app.session.parts
    index = min(app.view.part_index, len(parts) - 1)
    if len(parts) > 1:
        return t("exam.part_line", number=index + 1, total=len(parts), part=parts[index].title)
    return parts[index].title if parts else ""


def compose_header(app: Any, time_text: str) -> ComposeResult:
    """Two lines, so that at 80 columns neither a long exam title nor the part name is cut:
    exam title and time, then part and candidate."""
    title, who, _ = header_texts(app)
    with Vertical(id="exam-header"):
        with Horizontal(classes="header-row"):
            yield Static(plain(title), id="exam-title")
            yield Static(time_text, id="exam-time")
        with Horizontal(classes="header-row"):
            yield Static(plain(part_text(app)), id="exam-part")
            yield Static(plain(who), id="exam-candidate")


class ExamScreen(KioskScreen):
    kiosk_name = "exam"
    BINDINGS = [
        Binding("f6,ctrl+n", "move(1)", show=False, priority=True),
        Binding("f5,ctrl+b", "move(-1)", show=False, priority=True),
        Binding("f7,ctrl+f", "flag", show=False, priority=True),
        Binding("f8,ctrl+g", "navigator", show=False, priority=True),
        Binding("f9,ctrl+r", "review", show=False, priority=True),
        Binding("f1", "help", show=False, priority=True),
    ]

    #: Textual repaints the whole screen when the focus moves (`Screen.focused` repaints), and
    #: every next question moves it to the new question's input: that full repaint was ~10 % of
    #: a keypress's CPU (benchmarks/next_question.py). The widgets that gain and lose the focus
    #: restyle and repaint themselves, so nothing else needs redrawing.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self) -> None:
        super().__init__()
        self.index = 0
        self.question: QuestionWidget | None = None
        #: one mounted widget per question widget class that can be reused (`reuse_for`)
        self._reusable: dict[type, QuestionWidget] = {}
        #: what the question area shows: a kept widget, or a per-question one
        self._shown: Widget | None = None

    # -- layout --------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        _, _, remaining = header_texts(self.kiosk)
        yield from compose_header(self.kiosk, self._time_text(remaining))
        yield alert_banner()
        with Horizontal(id="exam-main"):
            with Vertical(id="nav-pane"):
                yield QuestionNavigator(
                    question_states(self.kiosk), self.kiosk.view.index, id="navigator"
                )
                yield Static(legend(), id="nav-legend")
            with Vertical(id="question-pane"):
                yield Static("", id="question-title")
                yield VerticalScroll(id="question-area")
        with Horizontal(id="exam-footer"):
            yield Static("", id="save-state")
            yield Static(t("exam.keys"), id="key-hints")

    def _time_text(self, remaining: str) -> str:
        return t("exam.remaining", time=remaining)

    async def on_mount(self) -> None:
        set_clock_urgency(self.query_one("#exam-time"), self.kiosk.view.remaining_s)
        self.note_view(self.kiosk.view)
        self.show_alert(self.kiosk.alert)
        await self.show_question(self.kiosk.view.index, record=False)

    # -- the current part ----------------------------------------------------------------------

    @property
    def part(self) -> Any:
        parts = self.kiosk.session.parts
        return parts[min(self.kiosk.view.part_index, len(parts) - 1)]

    def current_entry(self) -> Any:
        return self.part.items[self.index]

    async def show_question(self, index: int, *, record: bool = True) -> None:
        """Show the question at `index`; earlier answers are flushed before the view moves.
        One batch: the old question goes and the new one comes in a single screen update.

        A widget whose class implements `QuestionWidget.reuse_for` stays mounted when the
        candidate moves on (hidden while another type is on screen) and shows the next question
        of its type in place: no compose, no styling of new widgets, one layout pass (about
        two thirds of a keypress's CPU, BENCHMARKS.md "Candidate responsiveness"). Other
        widgets (plugins' that do not implement it) are mounted per question and removed."""
        items = self.part.items
        if not items:
            return
        index = max(0, min(index, len(items) - 1))
        saver = self.kiosk.saver
        if saver is not None and saver.pending:
            saver.flush()
        if record and index != self.kiosk.view.index:
            self.kiosk.goto(index)
        self.index = index
        entry = items[index]
        area = self.query_one("#question-area", VerticalScroll)
        with self.app.batch_update():
            # Let go of the focus first: removing or hiding the focused input makes Textual
            # hand the focus to the question area and take it back, restyling the whole area
            # twice; ~1/6 of a keypress's CPU.
            self.set_focus(None)
            widget = self._widget_for(entry)
            question = widget if isinstance(widget, QuestionWidget) else None
            kept = self._reusable.get(type(widget)) if question is not None else None
            if kept is not None and kept.reuse_for(widget.item, widget.presentation,
                                                   widget.response):
                widget = question = kept
            shown = self._shown
            if shown is not None and shown is not widget:
                if shown in self._reusable.values():
                    shown.display = False
                else:
                    await shown.remove()
            if not widget.is_mounted:
                if question is not None and type(question).reuse_for is not QuestionWidget.reuse_for:
                    # a new keeper for its class (the old one, if any, could not be reused)
                    old = self._reusable.pop(type(question), None)
                    if old is not None:
                        await old.remove()
                    self._reusable[type(question)] = question
                await area.mount(widget)
            widget.display = True
            self._shown = widget
            self.question = question
            area.scroll_home(animate=False)
            self._refresh_title()
            # Moving changes no question's state (answers, pending ones included, and flags
            # refresh the navigator as they change): only the ▶ moves. Computing the states of
            # every question was ~1.3 ms of a keypress at 100 questions.
            for navigator in self.query(QuestionNavigator):
                if len(navigator.states) == len(items):
                    navigator.move_to(index)
                else:
                    navigator.set_states(question_states(self.kiosk), index)
            if self.question is not None:
                self.question.focus_first()
            if not any(child.focusable for child in widget.walk_children()):
                area.focus()  # nothing to answer (a description): the arrows scroll the text

    def _widget_for(self, entry: Any) -> Any:
        qtype = registry().question_types.get(entry.item.type)
        saved = self.kiosk.view.answers.get(entry.key)
        response = self.kiosk.saver.response_for(entry.key, saved) if self.kiosk.saver else saved
        try:
            if qtype is None:
                raise NotImplementedError(entry.item.type)
            return qtype.widget(entry.item, dict(entry.presentation or {}), response)
        except NotImplementedError:
            return Static(t("exam.no_widget", type=entry.item.type), classes="alert-banner")

    def _refresh_title(self) -> None:
        entry = self.current_entry()
        flagged = entry.key in self.kiosk.view.flags
        text = t(
            "exam.question_of",
            number=self.index + 1,
            total=len(self.part.items),
            points=f"{entry.item.points:g}",
        )
        if flagged:
            text += f"   {FLAGGED} {t('exam.flagged')}"
        self.query_one("#question-title", Static).update(text)

    def _refresh_navigator(self) -> None:
        # query(), not query_one(): a poll can reach a screen whose children are not mounted yet
        # (a relogin switches to this screen and the next poll updates it at once).
        for navigator in self.query(QuestionNavigator):
            navigator.set_states(question_states(self.kiosk), self.index)

    # -- following the session -----------------------------------------------------------------

    def update_view(self, view: Any) -> None:
        self.note_view(view)
        _, _, remaining = header_texts(self.kiosk)
        for clock in self.query("#exam-time").results(Static):
            clock.update(self._time_text(remaining))
            set_clock_urgency(clock, view.remaining_s)
        self._refresh_navigator()

    def show_save_state(self, state: SaveState) -> None:
        text = {
            "idle": "",
            "pending": t("exam.saving"),
            "saved": t("exam.saved"),
            "failed": t("exam.not_saved"),
        }[state]
        for label in self.query("#save-state").results(Static):
            label.update(text)
            label.set_class(state == "failed", "-failed")

    def answer_saved(self, key: str, response: Any) -> None:
        self._refresh_navigator()

    # -- input ---------------------------------------------------------------------------------

    def on_question_widget_answered(self, event: QuestionWidget.Answered) -> None:
        event.stop()
        if (event.widget is not self.question or self.kiosk.saver is None
                or event.item is not self.current_entry().item):
            return  # from a question no longer on screen (its widget may show another now)
        self.kiosk.saver.change(self.current_entry().key, event.response, settle=event.settle)
        self._refresh_navigator()

    async def action_move(self, step: int) -> None:
        await self.show_question(self.index + step)

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if not isinstance(event.option_list, QuestionNavigator):
            return
        event.stop()
        await self.show_question(event.option_index)

    def action_flag(self) -> None:
        entry = self.current_entry()
        if self.kiosk.set_flag(entry.key, entry.key not in self.kiosk.view.flags):
            self._refresh_title()
            self._refresh_navigator()

    def action_navigator(self) -> None:
        self.query_one(QuestionNavigator).focus()

    def action_review(self) -> None:
        self.kiosk.open_review()

    def action_help(self) -> None:
        from kiosk.apps.candidate.screens.dialogs import HelpDialog

        self.app.push_screen(HelpDialog())
