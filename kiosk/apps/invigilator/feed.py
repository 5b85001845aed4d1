"""The live feed behind the room view: polls the ledger's data_version and folds only the
events appended since the last refresh into a `kiosk.domain.room.RoomView`."""

from __future__ import annotations

from kiosk.domain.room import ExamTiming, RoomView
from kiosk.domain.roster import roster
from kiosk.domain.sittings import Sitting
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Ledger


def exam_timing(centre: Centre, exam_id: str, passphrase: str | None = None
                ) -> ExamTiming | None:
    """Part minutes of a loaded exam; None when the exam cannot be read (the room view then
    shows no remaining time rather than a wrong one)."""
    from kiosk.exam_store import exam_and_banks

    try:
        exam, _ = exam_and_banks(centre, exam_id, passphrase)
    except KioskError:
        return None
    return ExamTiming({p.id: float(p.minutes) for p in exam.parts}, [p.id for p in exam.parts],
                      str(exam.extra.get("accommodation", "first")))


class RoomFeed:
    def __init__(self, reader: Ledger, sitting: Sitting, timing: ExamTiming | None) -> None:
        self.reader = reader
        self.sitting = sitting
        candidates = roster(reader)
        self.room = RoomView(
            sitting.id, list(sitting.candidates),
            names={c: candidates[c].name for c in sitting.candidates if c in candidates},
            seats=dict(sitting.seats),
            extra_minutes={c: float(candidates[c].accommodations.extra_minutes)
                           for c in sitting.candidates if c in candidates},
            timing=timing, open=sitting.open)
        from kiosk.exam_store import LOADED, latest_loads

        loaded = latest_loads(reader.events(kind=LOADED)).get(sitting.exam)
        self.exam_title = str(loaded.body.get("title", "")) if loaded else ""
        self.version = reader.data_version()
        self.room.apply(reader.events(after=sitting.seq - 1))

    def poll(self) -> set[str] | None:
        """Candidates whose rows changed, or None when nobody wrote since the last poll."""
        version = self.reader.data_version()
        if version == self.version:
            return None
        self.version = version
        return self.room.apply(self.reader.events(after=self.room.last_seq))
