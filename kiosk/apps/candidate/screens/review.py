"""Review before submitting: unanswered and flagged questions, then a confirmed submit."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.apps.candidate.screens.base import KioskScreen, alert_banner
from kiosk.apps.candidate.screens.dialogs import ConfirmDialog
from kiosk.apps.candidate.screens.exam import header_texts, question_states
from kiosk.apps.widgets.navigator import FLAGGED, UNANSWERED
from kiosk.apps.widgets.questions.base import plain
from kiosk.i18n import t


def short(text: str, width: int = 50) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


class ReviewScreen(KioskScreen):
    kiosk_name = "review"
    BINDINGS = [Binding("escape", "back", show=False)]

    def compose_body(self) -> ComposeResult:
        app = self.kiosk
        title, who, remaining = header_texts(app)
        states = question_states(app)
        items = app.session.parts[min(app.view.part_index, len(app.session.parts) - 1)].items
        unanswered = [i for i, s in enumerate(states) if not s.answered]
        flagged = [i for i, s in enumerate(states) if s.flagged]
        last = app.view.part_index >= len(app.session.parts) - 1
        with Horizontal(id="exam-header"):
            yield Static(plain(title), id="exam-title")
            yield Static(plain(who), id="exam-candidate")
            yield Static(t("exam.remaining", time=remaining), id="exam-time")
        yield alert_banner()
        with Vertical(id="review"):
            yield Static(t("review.heading"), classes="title")
            yield Static(
                t("review.summary", answered=len(states) - len(unanswered), total=len(states)),
                classes="message",
            )
            with Horizontal(id="review-lists"):
                with Vertical(classes="review-col"):
                    yield Static(
                        f"{UNANSWERED} {t('review.unanswered', count=len(unanswered))}",
                        classes="subtitle",
                    )
                    yield self._listing("unanswered", unanswered, items)
                with Vertical(classes="review-col"):
                    yield Static(
                        f"{FLAGGED} {t('review.flagged', count=len(flagged))}", classes="subtitle"
                    )
                    yield self._listing("flagged", flagged, items)
            yield Static(t("review.jump_hint"), classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(t("review.back"), id="back")
                yield Button(
                    t("review.submit_exam") if last else t("review.submit_part"),
                    id="submit",
                    variant="warning",
                )

    def _listing(self, name: str, indexes: list[int], items: list[Any]) -> OptionList:
        options = [
            Option(plain(f"{i + 1:>3}. {short(items[i].item.stem)}"), id=f"q{i}") for i in indexes
        ]
        if not options:
            options = [Option(t("review.none"), disabled=True)]
        return OptionList(*options, id=f"list-{name}", classes="review-list")

    def on_mount(self) -> None:
        self.show_alert(self.kiosk.alert)
        self.query_one("#back", Button).focus()

    def update_view(self, view: Any) -> None:
        _, _, remaining = header_texts(self.kiosk)
        self.query_one("#exam-time", Static).update(t("exam.remaining", time=remaining))

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
        self.app.push_screen(
            ConfirmDialog(question, t("review.yes_submit"), t("review.no_back")), self._confirmed
        )

    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self.kiosk.submit_current()
