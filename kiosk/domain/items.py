"""Items as the bank holds them: common fields plus the type's own spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """A problem with one field of an item, bank, exam or roster row."""

    field: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    topic: str
    points: float
    stem: str
    spec: dict[str, Any] = field(default_factory=dict)
    difficulty: float | None = None
    tags: tuple[str, ...] = ()
    enemies: tuple[str, ...] = ()
    scoring: str | None = None
    step: float | None = None
    feedback: str | None = None
    #: Files the item shows (images, a shared passage): `{name, sha256, alt?, kind?}`; the
    #: content is stored by hash beside the bank (`media/<sha256>`) and in packages.
    attachments: tuple[dict[str, Any], ...] = ()
    bank: str = ""
    source: str = ""
    line: int | None = None

    @property
    def key(self) -> str:
        """Globally unique reference: `bank:item`."""
        return f"{self.bank}:{self.id}" if self.bank else self.id


def default_ids(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give options/pairs/gaps without an id their 1-based position as id."""
    out = []
    for i, entry in enumerate(entries, start=1):
        e = dict(entry)
        e.setdefault("id", str(i))
        e["id"] = str(e["id"])
        out.append(e)
    return out
