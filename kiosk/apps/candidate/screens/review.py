"""Review before submitting: every question's state and answer, then a confirmed submit."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.apps.candidate.screens.base import KioskScreen, alert_banner
from kiosk.apps.candidate.screens.dialogs import ConfirmDialog
from kiosk.apps.candidate.screens.exam import compose_header, header_texts, question_states
from kiosk.apps.widgets.clock import set_clock_urgency
from kiosk.apps.widgets.navigator import FLAGGED, QuestionState
from kiosk.apps.widgets.questions.base import plain
from kiosk.i18n import t
from kiosk.plugins import registry


def short(text: str, width: int = 50) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def answer_text(item: Any, response: Any, width: int = 60) -> str:
    """The candidate's answer on one line, as the question type renders it."""
    if response in (None, "", [], {}):
        return ""
    qtype = registry().question_types.get(item.type)
    try:
        text = qtype.render_response(item, response) if qtype is not None else str(response)
    except Exception:  # a plugin's renderer must not keep a candidate from submitting
        text = str(response)
    return short(text, width)


def summary_line(number: int, state: QuestionState, answer: str) -> str:
    """`  3  ◐ partly      ⚑  Budapest → HU; …`: number, state in symbol and word, flag, answer."""
    word = t(f"review.state_{state.name}")
    flag = FLAGGED if state.flagged else " "
    return f"{number:>3}  {state.symbol} {word:<16} {flag}  {answer}"


class ReviewScreen(KioskScreen):
    """Every question of the part with its state and the answer given, then a confirmed submit.

    The counts and the confirmation count "partly answered" (a matching item with 1 of 4 pairs,
    a cloze with 1 of 2 gaps) apart from answered, so "7 of 7" means every part of every item.
    """

    kiosk_name = "review"
    BINDINGS = [Binding("escape", "back", show=False)]

    def compose_body(self) -> ComposeResult:
        app = self.kiosk
        _, _, remaining = header_texts(app)
        states = question_states(app)
        last = app.view.part_index >= len(app.session.parts) - 1
        yield from compose_header(app, t("exam.remaining", time=remaining))
        yield alert_banner()
        with Vertical(id="review"):
            yield Static(t("review.heading"), classes="title")
            yield Static(self.summary(states), id="review-summary")
            yield Static(self.left(states), id="review-left", classes="hint")
            yield Static(
                f"{t('review.column_number'):>3}  {t('review.column_state'):<18}    "
                f"{t('review.column_answer')}",
                classes="review-columns",
            )
            yield self._listing(states)
            yield Static(t("review.jump_hint"), classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(t("review.back"), id="back")
                yield Button(
                    t("review.submit_exam") if last else t("review.submit_part"),
                    id="submit",
                    variant="warning",
                )

    @staticmethod
    def summary(states: list[QuestionState]) -> str:
        done = sum(1 for s in states if s.done)
        partly = sum(1 for s in states if s.partly)
        if partly:
            return t("review.summary_partly", answered=done, total=len(states), partly=partly)
        return t("review.summary", answered=done, total=len(states))

    @staticmethod
    def left(states: list[QuestionState]) -> str:
        return t(
            "review.left",
            unanswered=sum(1 for s in states if not s.answered),
            partly=sum(1 for s in states if s.partly),
            flagged=sum(1 for s in states if s.flagged),
        )

    def _listing(self, states: list[QuestionState]) -> OptionList:
        app = self.kiosk
        items = app.session.parts[min(app.view.part_index, len(app.session.parts) - 1)].items
        options = []
        for i, (entry, state) in enumerate(zip(items, states, strict=False)):
            response = app.saver.response_for(entry.key, app.view.answers.get(entry.key))
            line = summary_line(i + 1, state, answer_text(entry.item, response))
            options.append(Option(plain(line), id=f"q{i}"))
        return OptionList(*options, id="review-answers", classes="review-list")

    def on_mount(self) -> None:
        self.show_alert(self.kiosk.alert)
        self.query_one("#back", Button).focus()
        set_clock_urgency(self.query_one("#exam-time"), self.kiosk.view.remaining_s)

    def update_view(self, view: Any) -> None:
        self.note_view(view)
        _, _, remaining = header_texts(self.kiosk)
        for clock in self.query("#exam-time").results(Static):
            clock.update(t("exam.remaining", time=remaining))
            set_clock_urgency(clock, view.remaining_s)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        if option_id and option_id.startswith("q"):
            self.kiosk.close_review(int(option_id[1:]))

    def action_back(self) -> None:
        self.kiosk.close_review()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "back":
            self.action_back()
            return
        last = self.kiosk.view.part_index >= len(self.kiosk.session.parts) - 1
        question = t("review.confirm_exam") if last else t("review.confirm_part")
        if not last:
            from kiosk.apps.candidate.screens.parts import own_minutes

            parts = self.kiosk.session.parts
            nxt = parts[self.kiosk.view.part_index + 1]
            question += " " + t("review.next_part", number=self.kiosk.view.part_index + 2,
                                title=nxt.title, minutes=f"{own_minutes(nxt):g}")
        states = question_states(self.kiosk)
        if any(not s.done or s.flagged for s in states):
            # What is left is repeated where the decision is made.
            question = f"{self.left(states)}\n\n{question}"
        self.app.push_screen(
            ConfirmDialog(question, t("review.yes_submit"), t("review.no_back")), self._confirmed
        )

    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self.kiosk.submit_current()
