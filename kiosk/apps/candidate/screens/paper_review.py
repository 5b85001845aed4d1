"""Betekintés: the candidate's marked paper, read-only, while the examiner keeps the review window
open; an objection per item goes to the board (kiosk.paper_review has the data and the writes).

Nothing here can change an answer: the paper is static text, the only inputs are the objection
dialog's text and the buttons. The only way out is back to the submitted screen (Escape or the
button); the app's lockdown keys stay bound above this screen.
"""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown, Static, TextArea

from kiosk.apps.candidate.screens.base import KioskScreen
from kiosk.apps.widgets.questions.base import plain
from kiosk.errors import KioskError
from kiosk.i18n import t
from kiosk.paper_review import (
    Objection,
    PaperReview,
    ReviewItem,
    load_paper_review,
    lodge_objection,
    window_open,
)

#: How often (seconds) the open screen re-reads whether the examiner closed the window.
WINDOW_CHECK_SECONDS = 5.0
#: Characters: an objection is a reason for the board, not a second essay.
MAX_OBJECTION = 2000


def _num(value: float) -> str:
    return f"{value:g}"


def points_text(item: ReviewItem) -> str:
    if item.source == "pending":
        return t("paper_review.pending", max=_num(item.max_points))
    if item.original is not None:
        return t("paper_review.appeal_points", original=_num(item.original),
                 points=_num(item.points), max=_num(item.max_points))
    return t("paper_review.points", points=_num(item.points), max=_num(item.max_points))


def objection_text(obj: Objection) -> str:
    if not obj.decided:
        return t("paper_review.objection_open", seq=obj.seq, text=obj.text)
    return t("paper_review.objection_decided", seq=obj.seq, text=obj.text,
             points=_num(obj.points or 0.0))


class ObjectionDialog(ModalScreen[str | None]):
    """The objection's text; dismisses with the text, or None (Escape, cancel)."""

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, item: ReviewItem) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog objection"):
            yield Static(t("paper_review.objection_heading", number=self.item.number),
                         classes="title")
            yield Static(t("paper_review.objection_help"), classes="message")
            yield TextArea(id="objection-text", classes="objection-text")
            yield Static("", id="objection-message", classes="message")
            with Horizontal(classes="buttons"):
                yield Button(t("paper_review.cancel"), id="cancel")
                yield Button(t("paper_review.send"), id="send", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#objection-text", TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id != "send":
            self.dismiss(None)
            return
        text = self.query_one("#objection-text", TextArea).text.strip()
        if not text:
            self.query_one("#objection-message", Static).update(t("paper_review.objection_empty"))
            return
        if len(text) > MAX_OBJECTION:
            self.query_one("#objection-message", Static).update(
                t("paper_review.objection_long", max=MAX_OBJECTION))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PaperReviewScreen(KioskScreen):
    kiosk_name = "paper_review"
    BINDINGS = [Binding("escape", "back", show=False)]
    DEFAULT_CSS = """
    #paper-review { height: 1fr; padding: 0 1; }
    #paper-items { height: 1fr; }
    .review-item { height: auto; border: round $primary; padding: 0 1; margin: 0 0 1 0; }
    .review-item .stem, .review-item .answer { padding: 0 0 1 0; }
    .review-item .mark { text-style: bold; }
    .review-item Button { margin: 1 0 0 0; }
    .dialog.objection { width: 70; }
    TextArea.objection-text { height: 8; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.paper: PaperReview | None = None
        self.error: str | None = None
        self._checked = time.monotonic()

    def _load(self) -> None:
        app = self.kiosk
        try:
            if getattr(app.session, "remote", False):
                self.paper = app.session.paper_review()  # the centre service reads it
            else:
                self.paper = load_paper_review(app.session.centre, app.session.attempt_id)
            self.error = None
        except KioskError:
            self.paper = None
            self.error = t("paper_review.unavailable")

    def compose_body(self) -> ComposeResult:
        self._load()  # read afresh on every (re)compose: a decision may have come meanwhile
        with Vertical(id="paper-review"):
            yield Static(t("paper_review.heading"), classes="title")
            if self.paper is None:
                yield Static(self.error or "", id="paper-error", classes="message")
            else:
                yield from self._paper(self.paper)
            yield Static("", id="paper-message", classes="message")
            with Horizontal(classes="buttons"):
                yield Button(t("paper_review.back"), id="back")

    def _paper(self, paper: PaperReview) -> ComposeResult:
        yield Static(plain(paper.exam_title), classes="subtitle")
        total = t("paper_review.total", points=_num(paper.points), max=_num(paper.max_points))
        yield Static(total, id="paper-total", classes="message")
        yield Static(t("paper_review.read_only"), classes="hint")
        with VerticalScroll(id="paper-items"):
            for item in paper.items:
                with Vertical(id=f"item-{item.number}", classes="review-item"):
                    yield Static(t("paper_review.question", number=item.number,
                                   part=item.part_title), classes="subtitle")
                    if item.stem_markdown:
                        # The stem as the candidate saw it in the exam (rendered Markdown).
                        yield Markdown(item.stem_markdown, classes="stem")
                        if item.stem_rest:
                            yield Static(plain(item.stem_rest), classes="stem")
                    else:
                        yield Static(plain(item.stem), classes="stem")
                    yield Static(t("paper_review.your_answer"), classes="field-label")
                    yield Static(plain(item.response or t("paper_review.no_answer")),
                                 classes="answer")
                    yield Static(points_text(item), classes="mark")
                    if item.correct:
                        yield Static(plain(t("paper_review.correct", answer=item.correct)),
                                     classes="correct")
                    if item.criteria:
                        yield Static(plain(", ".join(f"{name}: {_num(points)}"
                                                     for name, points in item.criteria)),
                                     classes="criteria")
                    for comment in item.comments:
                        yield Static(plain(t("paper_review.comment", comment=comment)),
                                     classes="comment")
                    for obj in item.objections:
                        yield Static(plain(objection_text(obj)), classes="objection")
                    if item.can_object:
                        yield Button(t("paper_review.object"), id=f"object-{item.number}")

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()

    def show_message(self, text: str) -> None:
        self.query_one("#paper-message", Static).update(plain(text))

    def update_view(self, view: object) -> None:
        """Called on every poll: leave when the examiner has closed the window."""
        now = time.monotonic()
        if now - self._checked < WINDOW_CHECK_SECONDS or self.paper is None:
            return
        self._checked = now
        self.check_window()

    def check_window(self) -> bool:
        """Back to the submitted screen once the window is closed; True while it is open."""
        paper = self.paper
        try:
            session = self.kiosk.session
            if getattr(session, "remote", False):
                still_open = paper is not None and session.review_offered()
            else:
                still_open = paper is not None and window_open(session.centre, paper.exam)
        except KioskError:
            still_open = False
        if not still_open:
            self.kiosk.close_paper_review()
        return still_open

    def action_back(self) -> None:
        self.kiosk.close_paper_review()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        if button_id == "back":
            self.action_back()
            return
        if button_id.startswith("object-") and self.paper is not None:
            number = int(button_id.removeprefix("object-"))
            item = self.paper.items[number - 1]
            self.app.push_screen(ObjectionDialog(item),
                                 lambda text: self._lodge(item, text))

    def _lodge(self, item: ReviewItem, text: str | None) -> None:
        if not text:
            return
        try:
            session = self.kiosk.session
            if getattr(session, "remote", False):
                session.lodge_objection(item.key, text)
            else:
                lodge_objection(session.centre, session.attempt_id, item.key, text)
        except KioskError as exc:
            self.show_message(t("paper_review.objection_refused", reason=str(exc)))
            return
        self.call_after_refresh(self._reload, t("paper_review.objection_saved",
                                               number=item.number))

    async def _reload(self, message: str) -> None:
        await self.recompose()
        self.query_one("#back", Button).focus()
        self.show_message(message)
