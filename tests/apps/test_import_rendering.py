"""Imported rich text as the candidate sees it: a description item and an imported stem with a
table, indented code and superscripts, rendered by the kiosk's own question widgets (Textual
pilot at 80x24 and 120x36), never as raw HTML."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from kiosk.builtins.importers.gift import parse_gift
from kiosk.domain.items import Item
from kiosk.plugins import registry


def _item(raw: dict) -> Item:
    common = {"id", "type", "topic", "points", "stem", "tags", "feedback"}
    return Item(id=raw["id"], type=raw["type"], topic=raw["topic"], points=raw["points"],
                stem=raw["stem"], spec={k: v for k, v in raw.items() if k not in common})


class One(App[None]):
    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        qtype = registry().question_types[self.item.type]
        yield qtype.widget(self.item, qtype.presentation(self.item, __import__("random").Random(1),
                                                         False), None)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_imported_html_renders_as_text_in_the_kiosk(size: tuple[int, int]) -> None:
    result = parse_gift(
        "[html]<p>Solve x<sup>2</sup> = 9 &amp; <b>explain</b>:</p>"
        "<pre>def f(x):\n    return x * x</pre>"
        "<table><tr><th>x</th><th>x<sup>2</sup></th></tr><tr><td>3</td><td>9</td></tr></table>"
        "<script>alert(1)</script>{~%50%3 ~%50%-3 ~%-100%0}", "q.gift", "t")
    item = _item(result.items[0])

    async def run() -> str:
        app = One(item)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return app.export_screenshot()

    import asyncio

    svg = asyncio.run(run())
    text = _svg_text(svg)
    assert "Solve x² = 9 &amp; explain:" in text or "Solve x² = 9 & explain:" in text
    assert "    return x * x" in text  # indentation kept
    assert "<pre>" not in text and "<b>" not in text and "alert" not in text
    assert "x²" in text and "9" in text  # the table's cells


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_description_item_shows_its_text_and_nothing_to_answer(size: tuple[int, int]) -> None:
    item = Item(id="d", type="description", topic="t", points=0, stem="Read the **case** below.")

    async def run() -> str:
        app = One(item)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            assert not app.query("Input, RadioSet, TextArea, Select")
            return app.export_screenshot()

    import asyncio

    text = _svg_text(asyncio.run(run()))
    assert "Read the case below." in text
    assert "Nothing to answer here" in text or "nincs mit válaszolni" in text


def _svg_text(svg: str) -> str:
    """The text of a Textual SVG screenshot, one terminal row per line."""
    import html
    import re

    rows: dict[str, list[str]] = {}
    for match in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>',
                             svg):
        rows.setdefault(match.group(2), []).append(html.unescape(match.group(3)).replace("\xa0", " "))
    return "\n".join("".join(parts) for _, parts in sorted(rows.items(),
                                                           key=lambda kv: float(kv[0])))
