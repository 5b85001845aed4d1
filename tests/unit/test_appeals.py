"""Review window and appeals: an objection only while the review is open, the board's decision
is a new event and final, results show the original and the final mark."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.results import compute_results
from tests.support.marking_helpers import essay_answers, events, mark_setup, sit
from tests.unit.test_marking import mark

pytestmark = pytest.mark.usefixtures("examiner_password")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_appeal_flow_original_and_final_and_decision_is_final(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = mark_setup(tmp_path, "review_allowed = true")
    c = str(s.centre.path)
    a1 = sit(s, "C1", essay_answers())
    first = mark(s, a1, "m:e1", "anna", 4)
    mark(s, a1, "m:e2", "anna", 6)
    lodge = ("appeal", "lodge", "--exam", s.exam, "--candidate", "C1", "--item", "e1",
             "--text", "A második bekezdés is pontot ér.", "--centre", c)
    rc, _, err = run(capsys, *lodge)
    assert rc == 2 and "review window" in err and "not open" in err
    rc, out, err = run(capsys, "review", "open", "--exam", s.exam, "--user", "anna",
                       "--centre", c)
    assert rc == 0, err
    rc, out, err = run(capsys, *lodge)
    assert rc == 0, err
    [lodged] = events(s, "appeal_lodged")
    assert lodged.body == {"attempt": a1, "item": "m:e1",
                           "text": "A második bekezdés is pontot ér.", "candidate": "C1"}
    assert lodged.actor == "candidate:C1"
    rc, out, _ = run(capsys, "appeal", "list", "--centre", c)
    assert f"#{lodged.seq}" in out and "open" in out

    rc, out, err = run(capsys, "appeal", "decide", str(lodged.seq), "--points", "7",
                       "--user", "bela", "--centre", c)
    assert rc == 0, err
    [decided] = events(s, "appeal_decided")
    assert decided.body["refers_to"] == lodged.seq and decided.body["points"] == 7
    assert decided.actor == "examiner:bela"

    # final: a second decision, a re-mark and a new objection on that response are refused
    rc, _, err = run(capsys, "appeal", "decide", str(lodged.seq), "--points", "10", "--user",
                     "anna", "--centre", c)
    assert rc == 2 and "final" in err
    rc, _, err = run(capsys, "remark", str(first), "9", "--user", "anna", "--centre", c)
    assert rc == 2 and "final" in err
    rc, _, err = run(capsys, *lodge)
    assert rc == 2 and "final" in err
    assert len(events(s, "appeal_decided")) == 1

    [r] = compute_results(s.centre)
    item = next(i for i in r.items if i.item == "m:e1")
    assert (item.original, item.points, item.source) == (4, 7, "appeal")
    # 4 tf + 2 choice + 6 essay + the essay 4 → 7
    assert r.points == 19 and r.original_points == 16
    assert r.parts[0].original_points == 16 and r.parts[0].points == 19
    rc, out, _ = run(capsys, "results", "--csv", "--csv-sep", ",", "--centre", c)
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["points"] == "19" and row["original_points"] == "16"
    assert row["appealed_items"] == "m:e1:4->7"
    rc, out, _ = run(capsys, "results", "--lang", "en", "--centre", c)
    assert "appeal m:e1: original 4 → final 7" in out
    rc, out, _ = run(capsys, "results", "--json", "--centre", c)
    [data] = json.loads(out)
    assert data["original_points"] == 16 and data["points"] == 19


def test_review_needs_an_exam_that_allows_it(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    s = mark_setup(tmp_path)
    sit(s, "C1", essay_answers())
    rc, _, err = run(capsys, "review", "open", "--exam", s.exam, "--user", "anna",
                     "--centre", str(s.centre.path))
    assert rc == 2 and "does not allow review" in err
    assert events(s, "review_opened") == []


def test_objections_stop_when_the_review_closes(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    s = mark_setup(tmp_path, "review_allowed = true")
    c = str(s.centre.path)
    sit(s, "C1", essay_answers())
    for action in ("open", "close"):
        rc, _, err = run(capsys, "review", action, "--exam", s.exam, "--user", "anna",
                         "--centre", c)
        assert rc == 0, err
    rc, _, err = run(capsys, "appeal", "lodge", "--exam", s.exam, "--candidate", "C1",
                     "--item", "q1", "--text", "x", "--centre", c)
    assert rc == 2 and "not open" in err
