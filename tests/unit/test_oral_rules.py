"""Oral draws and marks that the rules forbid are refused with a reason (issue 20): a póttétel
on the szakvizsga, a mark without a drawn card; a sitting-wide draw goes on past candidates who
already drew."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.domain import oral as O
from kiosk.ledger.centre import Centre
from tests.support.marking_helpers import MarkSetup, add_examiners, events, load
from tests.support.session_helpers import import_roster, new_sitting
from tests.unit.test_oral_results import SZAKVIZSGA, SZV_BANK, iskolai, run

pytestmark = pytest.mark.usefixtures("examiner_password")


def szakvizsga(tmp_path: Path) -> MarkSetup:
    centre, _ = Centre.init(tmp_path / "centre", "Kormányhivatal")
    exam_id = load(centre, tmp_path, SZAKVIZSGA, bank=SZV_BANK)
    import_roster(centre)
    add_examiners(centre)
    sitting, code = new_sitting(centre, exam_id)
    return MarkSetup(centre, exam_id, sitting, code, tmp_path)


def test_pottetel_on_a_graded_szakvizsga_oral_is_refused_with_a_reason(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = szakvizsga(tmp_path)
    c = str(s.centre.path)
    rc, _, err = run(capsys, "oral", "draw", "--exam", s.exam, "--candidate", "C1",
                     "--part", "k-oral", "--user", "anna", "--centre", c)
    assert rc == 0, err
    rc, _, err = run(capsys, "oral", "draw", "--exam", s.exam, "--candidate", "C1",
                     "--part", "k-oral", "--replacement", "--user", "anna", "--centre", c)
    assert rc == 2 and "szakvizsga has no replacement card" in err
    assert len(events(s, O.CARD_DRAWN)) == 1


def test_sitting_draw_continues_past_candidates_who_already_drew(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = iskolai(tmp_path)
    c = str(s.centre.path)
    rc, _, err = run(capsys, "oral", "draw", "--exam", "iskolai", "--candidate", "C1",
                     "--user", "anna", "--centre", c)
    assert rc == 0, err
    rc, out, err = run(capsys, "oral", "draw", "--exam", "iskolai", "--sitting", s.sitting,
                       "--user", "anna", "--centre", c)
    assert rc == 0, err
    assert "skipped C1: already drew card" in out and "1 candidate(s) skipped" in out
    assert [d.body["candidate"] for d in events(s, O.CARD_DRAWN)] == ["C1", "C2", "C3"]


def test_oral_record_is_refused_without_a_drawn_card(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = iskolai(tmp_path)
    c = str(s.centre.path)
    rc, _, err = run(capsys, "oral", "record", "--exam", "iskolai", "--candidate", "C1",
                     "--points", "20", "--user", "anna", "--centre", c)
    assert rc == 2 and "no card drawn" in err and "kiosk oral draw" in err
    assert events(s, O.MARKED) == []
