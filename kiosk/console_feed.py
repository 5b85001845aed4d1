"""The live feed behind the room view: the centre service's `invigilation.room` answers, kept.

The service computes the rows (kiosk/service/rooms/invigilation.py); the console keeps the
latest `RowData` of each candidate and moves only the clock itself between two answers
(`kiosk.domain.room.row_at`). `fetch` is the I/O (called from a worker thread), `apply` folds
its answer on the UI thread; `poll` does both, for tests and benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.domain import room as R


@dataclass(frozen=True)
class SittingInfo:
    id: str
    exam: str
    room: str = ""
    date: str = ""


class RemoteRoom:
    """The room as the service last described it: the reading half of `RoomView`."""

    def __init__(self) -> None:
        self.candidates: list[str] = []
        self.data: dict[str, R.RowData] = {}
        self.open = True
        self.alerts: list[dict[str, Any]] = []
        self.pin_set = False
        #: True when the service reports which terminals are live (not the embedded path)
        self.live_known = False

    def data_of(self, candidate: str) -> R.RowData:
        return self.data[candidate]

    def row(self, candidate: str, now: float) -> R.Row:
        return R.row_at(self.data[candidate], now)

    def rows(self, now: float) -> list[R.Row]:
        return [R.row_at(self.data[c], now) for c in self.candidates if c in self.data]

    @property
    def by_candidate(self) -> dict[str, str]:
        return {c: d.attempt for c, d in self.data.items() if d.attempt}

    def running(self) -> list[str]:
        return [c for c, d in self.data.items() if d.running]


class RoomFeed:
    def __init__(self, calls: Any, sitting_id: str) -> None:
        self.calls = calls
        self.sitting = SittingInfo(sitting_id, "")
        self.exam_title = ""
        self.room = RemoteRoom()
        self.version: str | None = None

    def fetch(self) -> dict[str, Any]:
        """The service's answer since the version we have (any thread)."""
        answer = self.calls.call("invigilation.room", sitting=self.sitting.id,
                                 since=self.version)
        if not isinstance(answer, dict):
            raise ValueError("invigilation.room: not an object")
        return answer

    def apply(self, answer: dict[str, Any]) -> set[str] | None:
        """Candidates whose rows changed ("" for the header), or None when nothing did."""
        version = str(answer.get("version", ""))
        if answer.get("unchanged") or not self._newer(version, bool(answer.get("full"))):
            return None
        self.version = version
        room = self.room
        changed: set[str] = set()
        s = answer.get("sitting") or {}
        self.sitting = SittingInfo(str(s.get("id", self.sitting.id)), str(s.get("exam", "")),
                                   str(s.get("room", "")), str(s.get("date", "")))
        self.exam_title = str(answer.get("exam_title", ""))
        room.candidates = [str(c) for c in s.get("candidates", room.candidates)]
        for raw in answer.get("rows", []):
            data = R.RowData.from_json(raw)
            if room.data.get(data.candidate) != data:
                room.data[data.candidate] = data
                changed.add(data.candidate)
        header = (bool(answer.get("open", True)), answer.get("alerts") or [],
                  bool(answer.get("pin_set")), bool(answer.get("live_known")))
        if header != (room.open, room.alerts, room.pin_set, room.live_known):
            room.open, room.alerts, room.pin_set, room.live_known = header
            changed.add("")
        return changed

    def _newer(self, version: str, full: bool) -> bool:
        """An answer older than the one applied (two workers' answers crossing) is dropped."""
        if self.version is None or full:
            return True
        mine, _, n = self.version.partition(":")
        theirs, _, m = version.partition(":")
        if mine != theirs:
            return False  # a delta of another epoch cannot apply to ours
        try:
            return int(m) >= int(n)
        except ValueError:
            return False

    def poll(self) -> set[str] | None:
        return self.apply(self.fetch())
