"""High contrast (issue 20): an input field the candidate is not in must still be visible — its
border must stand out from the black background, at 80×24 and 120×36."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.color import Color
from textual.widgets import Input

from kiosk.apps.candidate.app import HIGH_CONTRAST
from tests.apps.test_candidate_app import make_app
from tests.support.candidate_helpers import make_centre


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two colours."""
    def lum(c: Color) -> float:
        def ch(v: int) -> float:
            x = v / 255
            return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b)

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_unfocused_inputs_are_visible_in_high_contrast(tmp_path: Path,
                                                       size: tuple[int, int]) -> None:
    setup = make_centre(tmp_path)

    async def scenario() -> None:
        app: Any = make_app(setup, high_contrast=True)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            assert app.theme == HIGH_CONTRAST.name
            inputs = list(app.screen.query(Input))
            unfocused = [i for i in inputs if not i.has_focus]
            assert unfocused
            for field in unfocused:
                background = field.styles.background
                screen_bg = app.screen.styles.background
                _, border = field.styles.border_top
                # 3:1 is WCAG's minimum for the boundary of a user interface component
                assert contrast(border, screen_bg) >= 3, (field.id, border, screen_bg)
                assert contrast(border, background) >= 3, (field.id, border, background)

    asyncio.run(scenario())
