"""The question navigator: every question's number and state, as symbols and not colour alone."""

from __future__ import annotations

from dataclasses import dataclass

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
    """Enter on an entry jumps to that question (the screen handles OptionSelected)."""

    def __init__(self, states: list[QuestionState], current: int, **kwargs: object) -> None:
        super().__init__(markup=False, **kwargs)  # type: ignore[arg-type]
        self.states = list(states)
        self.current = current

    def on_mount(self) -> None:
        self.add_options(self._entries())
        self.highlighted = self.current

    def _entries(self) -> list[Option]:
        return [
            Option(entry_text(n + 1, s, n == self.current)) for n, s in enumerate(self.states)
        ]

    def set_states(self, states: list[QuestionState], current: int) -> None:
        if states == self.states and current == self.current:
            return
        changed = [
            i
            for i in range(max(len(states), len(self.states)))
            if i >= len(states)
            or i >= len(self.states)
            or states[i] != self.states[i]
            or (i in (current, self.current) and current != self.current)
        ]
        old_len = len(self.states)
        self.states = list(states)
        self.current = current
        if len(states) != old_len:
            self.clear_options()
            self.add_options(self._entries())
        else:
            # Replacing only what changed keeps a 100-question list cheap to update per keypress.
            for i in changed:
                self.replace_option_prompt_at_index(
                    i, entry_text(i + 1, self.states[i], i == current)
                )
        self.highlighted = current
