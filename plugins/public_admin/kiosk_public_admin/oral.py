"""Oral topic cards (szóbeli tételek) for the szakvizsga: data for `kiosk oral`.

A card set is a TOML file:

    [set]
    id = "szakvizsga-kotelezo-szobeli"      # [a-z0-9._-]+
    title = "…"
    regime = "hu-szakvizsga"                 # the regime whose oral part the cards serve
    subject = "kotelezo"                     # the subject (vizsgatárgy) id
    preparation_minutes = 20
    different_modules = true                 # a) and b) must come from different modules

    [modules]                                # module id -> title
    I = "A központi állami szervek rendszere"

    [[cards]]
    id = "1"
    a = { module = "I", text = "…" }
    b = { module = "III", text = "…" }

`CardSet.as_exam_oral()` gives the set in the shape an exam file's `[exam.oral]` table has (what
`kiosk oral` reads: cards {id, title, a, b}) and `exam_oral_toml()` as text to paste.
`load_card_set(path)` reads and checks one file into a `CardSet` (plain frozen dataclasses;
`CardSet.as_dict()` gives the same structure as plain data). `card_sets()` finds every set
installed: this plugin's files and any other distribution's entry points in the group
`kiosk.oral_cards`, each naming a zero-argument callable that returns the path of a card file.
Problems raise `CardSetError` with one line naming the file, the card and the reason.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CARDS_DIR = Path(__file__).with_name("oral_cards")
ENTRY_POINT_GROUP = "kiosk.oral_cards"
SET_ID = re.compile(r"^[a-z0-9._-]+$")
PART_LABELS = ("a", "b")


class CardSetError(Exception):
    """A card file that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class CardPart:
    label: str  # "a" or "b"
    module: str
    text: str


@dataclass(frozen=True)
class Card:
    id: str
    parts: tuple[CardPart, ...]

    def render(self, modules: dict[str, str] | None = None) -> str:
        lines = [f"{self.id}. tétel"]
        for part in self.parts:
            title = (modules or {}).get(part.module)
            where = f" ({part.module}. {title})" if title else f" ({part.module}.)"
            lines.append(f"{part.label}) {part.text}{where}")
        return "\n".join(lines)


@dataclass(frozen=True)
class CardSet:
    id: str
    title: str
    regime: str
    subject: str
    preparation_minutes: int
    modules: dict[str, str]
    cards: tuple[Card, ...]
    source: str = ""

    def card(self, card_id: str) -> Card:
        for card in self.cards:
            if card.id == card_id:
                return card
        raise KeyError(card_id)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_exam_oral(self, part_id: str = "oral") -> dict[str, Any]:
        """The set as an exam file's `[exam.oral]` table (the shape `kiosk oral` reads:
        cards {id, title, a, b}); each part's text names its module."""

        def part_text(part: CardPart) -> str:
            title = self.modules.get(part.module)
            return f"{part.text} ({part.module}. {title})" if title else part.text

        return {
            "id": part_id,
            "title": self.title,
            "prep_minutes": self.preparation_minutes,
            "cards": [
                {"id": card.id, "title": f"{card.id}. tétel",
                 "a": part_text(card.parts[0]), "b": part_text(card.parts[1])}
                for card in self.cards
            ],
        }

    def exam_oral_toml(self, part_id: str = "oral") -> str:
        """`as_exam_oral` as TOML text to paste into an exam file."""
        import tomli_w

        return tomli_w.dumps({"exam": {"oral": self.as_exam_oral(part_id)}})


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _card_part(raw: dict[str, Any], label: str, modules: dict[str, Any], where: str,
               fail: Callable[[str], CardSetError]) -> CardPart:
    part = raw.get(label)
    if not isinstance(part, dict) or not _text(part.get("text")):
        raise fail(f"{where}: {label}) needs a text")
    module = str(part.get("module", ""))
    if modules and module not in modules:
        raise fail(f"{where}: {label}) names module {module!r}, not in [modules]")
    return CardPart(label, module, part["text"].strip())


def load_card_set(path: str | Path) -> CardSet:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CardSetError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CardSetError(f"{path}: not valid TOML: {exc}") from None

    def fail(reason: str) -> CardSetError:
        return CardSetError(f"{path}: {reason}")

    head = data.get("set")
    if not isinstance(head, dict):
        raise fail("missing [set] table")
    set_id = head.get("id")
    if not isinstance(set_id, str) or not SET_ID.match(set_id):
        raise fail(f"set.id must match [a-z0-9._-]+, got {set_id!r}")
    for key in ("title", "regime", "subject"):
        if not _text(head.get(key)):
            raise fail(f"set.{key} is required")
    minutes = head.get("preparation_minutes", 20)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
        raise fail(f"set.preparation_minutes must be a whole number ≥ 0, got {minutes!r}")
    different = head.get("different_modules", True)
    modules = data.get("modules", {})
    if not isinstance(modules, dict) or not all(_text(v) for v in modules.values()):
        raise fail("[modules] must map module ids to titles")
    raw_cards = data.get("cards")
    if not isinstance(raw_cards, list) or not raw_cards:
        raise fail("no [[cards]]")
    cards: list[Card] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_cards, start=1):
        card_id = str(raw.get("id", n)) if isinstance(raw, dict) else str(n)
        where = f"card {card_id!r}"
        if not isinstance(raw, dict):
            raise fail(f"{where}: must be a table")
        if card_id in seen:
            raise fail(f"{where}: duplicate id")
        seen.add(card_id)
        parts = [_card_part(raw, label, modules, where, fail) for label in PART_LABELS]
        if different and parts[0].module == parts[1].module:
            raise fail(f"{where}: a) and b) are both from module {parts[0].module!r}")
        cards.append(Card(card_id, tuple(parts)))
    return CardSet(set_id, head["title"], head["regime"], head["subject"], minutes,
                   {str(k): v for k, v in modules.items()}, tuple(cards), str(path))


def shipped_files() -> list[Path]:
    return sorted(CARDS_DIR.glob("*.toml"))


def card_sets() -> dict[str, CardSet]:
    """Every installed card set by id: this plugin's files, then other plugins' entry points.
    A broken file raises CardSetError (an examiner must hear about it before the oral)."""
    paths = shipped_files()
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            paths.append(Path(ep.load()()))
        except Exception as exc:  # a broken plugin names itself, it does not crash the caller
            raise CardSetError(f"oral card entry point {ep.name!r}: {exc}") from None
    sets: dict[str, CardSet] = {}
    for path in dict.fromkeys(p.resolve() for p in paths):
        card_set = load_card_set(path)
        sets.setdefault(card_set.id, card_set)
    return sets


def szakvizsga_kotelezo() -> Path:
    """The compulsory subject's card file (the entry point this plugin declares)."""
    return CARDS_DIR / "szakvizsga_kotelezo.toml"
