"""Oral topic cards: the shipped set loads, its a) and b) parts come from different modules, and
bad files are refused with one line naming file, card and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from kiosk_public_admin.oral import (
    CardSetError,
    card_sets,
    load_card_set,
    shipped_files,
    szakvizsga_kotelezo,
)

GOOD = """
[set]
id = "proba"
title = "Próba"
regime = "hu-szakvizsga"
subject = "kotelezo"

[modules]
I = "Egy"
II = "Kettő"

[[cards]]
id = "1"
a = { module = "I", text = "Első kérdés" }
b = { module = "II", text = "Második kérdés" }
"""


def test_shipped_set_covers_every_module_with_mixed_cards() -> None:
    cards = load_card_set(szakvizsga_kotelezo())
    assert cards.id == "szakvizsga-kotelezo-szobeli"
    assert cards.regime == "hu-szakvizsga" and cards.preparation_minutes >= 20
    assert set(cards.modules) == {"I", "II", "III", "IV", "V"}
    assert len(cards.cards) >= 10
    for card in cards.cards:
        a, b = card.parts
        assert (a.label, b.label) == ("a", "b") and a.module != b.module
    used = {p.module for c in cards.cards for p in c.parts}
    assert used == set(cards.modules)
    rendered = cards.card("1").render(cards.modules)
    assert rendered.splitlines()[0] == "1. tétel"
    assert rendered.splitlines()[1].startswith("a) ") and "(I. A központi" in rendered
    data = cards.as_dict()
    assert data["cards"][0]["parts"][1]["label"] == "b"


def test_card_sets_lists_shipped_and_entry_point_sets() -> None:
    sets = card_sets()
    assert "szakvizsga-kotelezo-szobeli" in sets
    assert szakvizsga_kotelezo() in shipped_files()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (('b = { module = "II"', 'b = { module = "I"'), "card '1': a) and b) are both from module 'I'"),
        (('b = { module = "II"', 'b = { module = "IX"'), "card '1': b) names module 'IX'"),
        (('text = "Első kérdés"', 'text = ""'), "card '1': a) needs a text"),
        (('id = "proba"', 'id = "Próba tételek"'), "set.id must match"),
        (('title = "Próba"\n', ""), "set.title is required"),
        (("[[cards]]", "[[cardz]]"), "no [[cards]]"),
        (("[set]", "[set"), "not valid TOML"),
    ],
)
def test_bad_files_are_named(tmp_path: Path, change: tuple[str, str], reason: str) -> None:
    path = tmp_path / "tetelek.toml"
    path.write_text(GOOD.replace(*change, 1), encoding="utf-8")
    with pytest.raises(CardSetError) as caught:
        load_card_set(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and reason in message and "\n" not in message


def test_good_file_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "tetelek.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_card_set(path).cards[0].parts[0].text == "Első kérdés"
    with pytest.raises(CardSetError, match="cannot read"):
        load_card_set(tmp_path / "nincs.toml")


def test_cards_in_the_shape_an_exam_file_gives_kiosk_oral() -> None:
    import tomllib

    from kiosk.domain.oral import oral_parts

    cards = load_card_set(szakvizsga_kotelezo())
    (part,) = oral_parts({"oral": cards.as_exam_oral()}, "hu-szakvizsga")
    assert len(part.cards) == 12 and part.prep_minutes == 20 and part.graded
    first = part.cards[0]
    assert first.title == "1. tétel" and first.a.endswith("(I. A központi állami szervek rendszere)")
    pasted = tomllib.loads(cards.exam_oral_toml())["exam"]
    assert oral_parts(pasted, "hu-szakvizsga")[0].cards == part.cards
