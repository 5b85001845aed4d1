"""The question navigator: every question's number and state, as symbols and not colour alone."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kiosk.i18n import t

CURRENT = "▶"
ANSWERED = "✓"
PARTLY = "◐"
UNANSWERED = "○"
FLAGGED = "⚑"


@dataclass(frozen=True)
class QuestionState:
    answered: bool
    flagged: bool
    #: answered but not every part of it (1 of 4 pairs, 1 of 2 gaps): not counted as answered
    partly: bool = False

    @property
    def done(self) -> bool:
        """Answered in full: what "answered" counts in the review."""
        return self.answered and not self.partly

    @property
    def symbol(self) -> str:
        if self.partly:
            return PARTLY
        return ANSWERED if self.answered else UNANSWERED

    @property
    def name(self) -> str:
        """answered / partly / unanswered: the catalogue key of the state."""
        if self.partly:
            return "partly"
        return "answered" if self.answered else "unanswered"


def entry_text(number: int, state: QuestionState, current: bool) -> str:
    return (
        f"{CURRENT if current else ' '}{number:>3} "
        f"{state.symbol} {FLAGGED if state.flagged else ' '}"
    )


def legend() -> str:
    """One state a line, symbol first: the states are told by symbol, not by colour."""
    return "\n".join(
        [
            f"{CURRENT} {t('nav.current')}",
            f"{ANSWERED} {t('nav.answered')}",
            f"{PARTLY} {t('nav.partly')}",
            f"{UNANSWERED} {t('nav.unanswered')}",
            f"{FLAGGED} {t('nav.flagged')}",
        ]
    )


class QuestionNavigator(OptionList):
    """Enter on an entry jumps to that question (the screen handles OptionSelected).

    The current question's ▶ is drawn over its row (`render_line`), not kept in the rows' text:
    replacing an option's text makes OptionList drop every cached row and re-measure all of
    them (100 rows on each keypress, ~1/8 of a next-question keypress's CPU), while moving the
    ▶ only repaints the rows from the cache. A row's text changes only with its state.
    """

    #: OptionList repaints every row when the highlight moves (a reactive's repaint): 28 rows
    #: rendered on every keypress for the two whose look changes. Those two are refreshed in
    #: `watch_highlighted` instead.
    highlighted: Reactive[int | None] = Reactive(None, repaint=False)
    _painted_highlight: int | None = None

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        for index in (self._painted_highlight, highlighted):
            if index is not None:
                self.refresh_line(index)
        self._painted_highlight = highlighted

    def __init__(self, states: list[QuestionState], current: int, **kwargs: object) -> None:
        super().__init__(markup=False, **kwargs)  # type: ignore[arg-type]
        self.states = list(states)
        self.current = current

    def on_mount(self) -> None:
        self.add_options(self._entries())
        self.highlighted = self.current

    def _entries(self) -> list[Option]:
        return [Option(entry_text(n + 1, s, False)) for n, s in enumerate(self.states)]

    def set_states(self, states: list[QuestionState], current: int) -> None:
        if states == self.states and current == self.current:
            return
        changed = [i for i in range(min(len(states), len(self.states)))
                   if states[i] != self.states[i]]
        old_len, old_current = len(self.states), self.current
        self.states = list(states)
        self.current = current
        if len(states) != old_len:
            self.clear_options()
            self.add_options(self._entries())
        else:
            for i in changed:
                self.replace_option_prompt_at_index(i, entry_text(i + 1, self.states[i], False))
            if current != old_current:
                self.refresh_line(old_current)
                self.refresh_line(current)
        self.highlighted = current

    def scroll_to_highlight(self, top: bool = False) -> None:
        """Bring a highlighted row that is out of view to the middle of the list, not to its
        edge: following F6 down a long exam the list then scrolls once every half page instead
        of on every keypress (each scroll repaints every row: ~4 ms of a keypress)."""
        highlighted = self.highlighted
        if top or highlighted is None or not self.is_mounted:
            super().scroll_to_highlight(top)
            return
        view = self.scrollable_content_region.height
        first = round(self.scroll_offset.y)
        if view <= 0 or first <= highlighted < first + view:
            return  # one line an option (see render_line): the row is in view
        self.scroll_to(y=max(0, highlighted - view // 2), animate=False, force=True,
                       immediate=True)

    def move_to(self, current: int) -> None:
        """Move the ▶ (and the highlight) to another row; the states are unchanged."""
        if current != self.current:
            old, self.current = self.current, current
            self.refresh_line(old)
            self.refresh_line(current)
        self.highlighted = current

    def row_text(self, index: int) -> str:
        """A row as the candidate sees it (▶ on the current question's)."""
        return entry_text(index + 1, self.states[index], index == self.current)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        # One line an option (no dividers, no wrapping: the texts are a few cells wide).
        if self.scroll_offset.y + y != self.current or not 0 <= self.current < len(self.states):
            return strip
        x = strip.text.find(entry_text(self.current + 1, self.states[self.current], False))
        if x < 0:
            return strip
        under = list(strip.crop(x, x + 1))
        style = under[0].style if under else None
        return Strip.join([strip.crop(0, x), Strip([Segment(CURRENT, style)], 1),
                           strip.crop(x + 1)])
