"""What the console shows beside the table: one candidate's details and the room as a map.

Both are Rich renderables for a `MessageDialog`, drawn from what the centre service sent: the
room view's rows and, for the event list, the candidate's latest events (`invigilation.events`,
asked for when the invigilator opens the detail).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from kiosk.domain import room as R
from kiosk.i18n import t
from kiosk.ledger.receipts import receipt_code

if TYPE_CHECKING:
    from kiosk.apps.invigilator.screens.room import RoomScreen

#: How many of the candidate's latest events the detail view lists.
EVENTS_SHOWN = 12
#: Seats a map row holds when the seat names do not say (B204-01 … B204-06 on one row).
MAP_WIDTH = 6


def _minutes(ms: float) -> str:
    return R.format_remaining(ms / 1000)


def _clock(ts: str) -> str:
    return datetime.fromtimestamp(R.epoch(ts)).strftime("%H:%M:%S")


def candidate_detail(screen: RoomScreen, candidate: str, events: Sequence[Mapping[str, Any]]
                     ) -> RenderableType:
    """Seat (real and planned), status, current question, time used, added and left, the
    accommodation, incidents, the receipt (all from the service's row) and the latest events
    (`invigilation.events`) of one candidate."""
    room = screen.room
    now = screen.console.now()
    row = room.row(candidate, now)
    data = room.data_of(candidate)
    facts = Table(show_header=False, box=None, pad_edge=False)
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(ratio=1)
    facts.add_row(t("invigilator.detail.seat"), row.seat or "–")
    if row.planned_seat:
        facts.add_row(t("invigilator.detail.planned"), row.planned_seat)
    facts.add_row(t("invigilator.detail.status"), t(f"invigilator.status.{row.status}"))
    if data.attempt is not None:
        if data.question is not None:
            part, number, total = data.question
            facts.add_row(t("invigilator.detail.question"), t(
                "invigilator.detail.question_of", part=part, number=number, total=total))
        facts.add_row(t("invigilator.detail.used"), _minutes(data.used_s * 1000))
        facts.add_row(t("invigilator.detail.added"), _minutes(data.added_s * 1000))
        if data.submitted_hash:
            facts.add_row(t("invigilator.detail.receipt"), receipt_code(data.submitted_hash))
    facts.add_row(t("invigilator.detail.remaining"), R.format_remaining(row.remaining_s))
    facts.add_row(t("invigilator.detail.extra"),
                  f"+{row.extra_minutes:g} min" if row.extra_minutes else "–")
    facts.add_row(t("invigilator.detail.incidents"), str(row.incidents or 0))
    listing = Table(show_header=False, box=None, pad_edge=False)
    listing.add_column(no_wrap=True)
    listing.add_column(ratio=1)
    listing.add_column(no_wrap=True, style="dim")
    from kiosk.minutes import actor_text

    shown = [SimpleNamespace(**e) for e in events][-EVENTS_SHOWN:]
    for e in shown:
        listing.add_row(_clock(e.ts), _event_text(e),
                        actor_text(e, lambda key, **p: t(f"minutes.{key}", **p)))
    parts: list[RenderableType] = [facts, Text(""),
                                   Text(t("invigilator.detail.events"), style="bold")]
    parts.append(listing if shown else Text(t("invigilator.detail.none")))
    return Group(*parts)


def _event_text(e: Any) -> str:
    name = t(f"minutes.kind.{e.kind}")
    if name.startswith("minutes.kind."):
        name = e.kind.replace("_", " ")
    for key in ("reason", "text", "seat"):
        value = e.body.get(key)
        if isinstance(value, str) and value:
            return f"{name}: {value}"
    return name


def _seat_parts(seat: str) -> tuple[str, int | None]:
    """("B204", 3) for "B204-03": the room part and the seat number, if the name has one."""
    match = re.match(r"^(.*?)(\d+)$", seat)
    if not match:
        return seat, None
    return match.group(1).rstrip("-_ ."), int(match.group(2))


def room_map(rows: Sequence[R.Row], symbols: Mapping[str, str],
             width: int = MAP_WIDTH) -> RenderableType:
    """The room drawn from the seat names: seats numbered 1…n laid out `width` to a row, each
    cell the seat, the candidate and their status symbol; candidates without a seat below."""
    by_seat = {r.seat: r for r in rows if r.seat}
    numbered = {}
    for seat, row in by_seat.items():
        _, number = _seat_parts(seat)
        if number is not None:
            numbered[number] = row
    grid = Table(show_header=False, box=None, padding=(0, 1), expand=False)
    for _ in range(width):
        grid.add_column(no_wrap=True, min_width=12)
    if numbered:
        last = max(numbered)
        for start in range(1, last + 1, width):
            cells = []
            for number in range(start, start + width):
                row = numbered.get(number)
                if row is None:
                    cells.append(Text(f"{number:>2} ·", style="dim") if number <= last else "")
                else:
                    cells.append(Text(f"{number:>2} {symbols.get(row.status, '?')} "
                                      f"{row.candidate}"))
            grid.add_row(*cells)
    others = [r for r in rows if not r.seat or _seat_parts(r.seat)[1] is None]
    parts: list[RenderableType] = [grid]
    if others:
        parts.append(Text(""))
        parts.append(Text(t("invigilator.map.no_seat") + ": " + ", ".join(
            f"{symbols.get(r.status, '?')} {r.candidate}" + (f" ({r.seat})" if r.seat else "")
            for r in others)))
    legend = " · ".join(f"{symbols[s]} {t(f'invigilator.status.{s}')}" for s in R.STATUSES
                        if s in symbols)
    parts += [Text(""), Text(legend, style="dim")]
    return Group(*parts)
