"""Betekintés through the centre service: the marked paper comes from the service while the
examiner keeps the window open, an objection from the terminal becomes `appeal_lodged` with the
candidate as actor; outside the window the service gives nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.client import RemoteSession
from kiosk.errors import KioskError
from tests.apps.test_candidate_review import (
    COMMENT,
    close_window,
    events,
    marked_paper,
    open_window,
)
from tests.support.service_helpers import running_service


def test_paper_review_and_objection_through_the_service(tmp_path: Path) -> None:
    s, attempt = marked_paper(tmp_path)
    with running_service(s.centre.path) as svc:
        r = RemoteSession.login(svc.path, "C1", s.code, seat="S1")
        assert r.attempt_id == attempt and r.last_view.status == "submitted"
        assert r.exam.review_allowed and not r.review_offered()
        with pytest.raises(KioskError):
            r.paper_review()
        open_window(s)
        assert r.review_offered()
        paper = r.paper_review()
        assert paper.attempt == attempt and paper.provisional
        first = paper.items[0]
        assert first.key == "m:e1" and first.points == 4 and COMMENT in first.comments
        r.lodge_objection("m:e1", "A második bekezdés is pontot ér.")
        close_window(s)
        assert not r.review_offered()
        with pytest.raises(KioskError):
            r.lodge_objection("m:e1", "még egyszer")
    lodged = events(s, "appeal_lodged")
    assert len(lodged) == 1 and lodged[0].actor == "candidate:C1"
    assert lodged[0].attempt == attempt
