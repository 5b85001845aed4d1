"""Human marking against a real ledger: the queue by item with anonymous codes, single and
double marking (a third marker when the marks differ too much), re-marks, and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import marking
from kiosk.cli import main
from kiosk.domain import marking as M
from kiosk.results import compute_results
from tests.support.marking_helpers import MarkSetup, essay_answers, events, mark_setup, sit

pytestmark = pytest.mark.usefixtures("examiner_password")

DOUBLE = "double_marking = true\ndouble_marking_threshold = 2"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def result_of(setup: MarkSetup, candidate: str):  # type: ignore[no-untyped-def]
    return next(r for r in compute_results(setup.centre) if r.candidate == candidate)


def mark(setup: MarkSetup, attempt: str, item: str, marker: str, points: float | None = None,
         criteria: dict[str, float] | None = None) -> int:
    with setup.centre.ledger() as ledger:
        ctx = marking.load_context(setup.centre, ledger)
        return marking.record_mark(ledger, ctx, attempt, item, marker, points=points,
                                   criteria=criteria).seq


# --- the queue ------------------------------------------------------------------------------


def test_queue_groups_essays_by_item_with_anonymous_codes(tmp_path: Path) -> None:
    s = mark_setup(tmp_path)
    a1 = sit(s, "C1", essay_answers())
    a2 = sit(s, "C2", essay_answers())
    sit(s, "C3", {"q1": True})  # essays left blank: nothing to mark
    ctx = marking.load_context(s.centre)
    groups = ctx.queue()
    assert [g.item for g in groups] == ["m:e1", "m:e2"]
    for g in groups:
        assert {e.attempt for e in g.entries} == {a1, a2}
        assert all(e.round == 1 for e in g.entries)
    codes = {e.code for g in groups for e in g.entries}
    assert len(codes) == 2  # one code per attempt, the same on every item
    for code in codes:
        for secret in ("C1", "C2", "Kovács", "Nagy", a1, a2):
            assert secret not in code
    # the code is stable and resolves back only with the ledger's key
    assert ctx.resolve_attempt(M.anon_code(a1, ctx.key)) == a1
    assert M.anon_code(a1, "another centre") != M.anon_code(a1, ctx.key)


def test_single_mark_is_final_and_a_second_mark_is_refused(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    s = mark_setup(tmp_path)
    a1 = sit(s, "C1", essay_answers())
    assert result_of(s, "C1").provisional
    code = M.anon_code(a1, marking.load_context(s.centre).key)
    rc, out, err = run(capsys, "mark-set", code, "e1", "--user", "anna", "--criterion",
                       "Tartalom=5", "--criterion", "Nyelvhelyesség=3", "--centre",
                       str(s.centre.path))
    assert rc == 0, err
    assert "8 points, round 1" in out
    [ev] = events(s, "marked")
    assert ev.actor == "examiner:anna" and ev.attempt == a1
    assert ev.body == {"attempt": a1, "item": "m:e1", "points": 8.0,
                       "criteria": {"Tartalom": 5.0, "Nyelvhelyesség": 3.0},
                       "marker": "anna", "round": 1, "comment": ""}
    rc, _, err = run(capsys, "mark-set", a1, "e1", "3", "--user", "bela", "--centre",
                     str(s.centre.path))
    assert rc == 2 and "already marked" in err and "Traceback" not in err
    # criteria beyond the rubric are refused with the criterion named
    rc, _, err = run(capsys, "mark-set", a1, "e2", "--user", "anna", "--criterion",
                     "Elemzés=11", "--centre", str(s.centre.path))
    assert rc == 2 and "'Elemzés': points must be 0–10" in err
    mark(s, a1, "m:e2", "anna", 4)
    r = result_of(s, "C1")
    assert not r.provisional
    # 8 + 4 essays, 4 true/false, 2 single choice
    assert r.points == 18 and r.max_points == 26
    assert {i.item: i.source for i in r.items}["m:e1"] == "marked"


def test_wrong_password_or_role_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    s = mark_setup(tmp_path)
    a1 = sit(s, "C1", essay_answers())
    monkeypatch.setenv("KIOSK_PASSWORD", "wrong-password")
    rc, _, err = run(capsys, "mark-set", a1, "e1", "3", "--user", "anna", "--centre",
                     str(s.centre.path))
    assert rc == 2 and "wrong password" in err
    assert events(s, "marked") == []


# --- double marking -------------------------------------------------------------------------


def test_double_marking_mean_within_threshold_third_marker_beyond(tmp_path: Path) -> None:
    s = mark_setup(tmp_path, DOUBLE)
    a1 = sit(s, "C1", essay_answers())
    a2 = sit(s, "C2", essay_answers())
    mark(s, a1, "m:e1", "anna", 6)
    # the first mark alone is not final
    r = result_of(s, "C1")
    assert r.provisional and {i.item: i.source for i in r.items}["m:e1"] == "pending"
    # the same marker cannot give the second, independent mark
    with pytest.raises(marking.Refused, match="another examiner"):
        mark(s, a1, "m:e1", "anna", 7)
    ctx = marking.load_context(s.centre)
    anna = {(e.attempt, e.item): e.round for g in ctx.queue("anna") for e in g.entries}
    bela = {(e.attempt, e.item): e.round for g in ctx.queue("bela") for e in g.entries}
    assert (a1, "m:e1") not in anna and bela[(a1, "m:e1")] == 2
    mark(s, a1, "m:e1", "bela", 7)  # |6 − 7| = 1 ≤ 2: the mean counts
    mark(s, a1, "m:e2", "anna", 5)
    mark(s, a1, "m:e2", "bela", 5)
    r = result_of(s, "C1")
    assert not r.provisional
    assert {i.item: i.points for i in r.items}["m:e1"] == 6.5

    mark(s, a2, "m:e1", "anna", 2)
    mark(s, a2, "m:e1", "bela", 9)  # differ by 7 > 2
    ctx = marking.load_context(s.centre)
    st = M.status(ctx.marks.get(a2, "m:e1"), ctx.policies[s.exam])
    assert st.final is None and st.needs_round == 3
    cecil = {(e.attempt, e.item): e.round for g in ctx.queue("cecil") for e in g.entries}
    assert cecil[(a2, "m:e1")] == 3
    assert (a2, "m:e1") not in {(e.attempt, e.item) for g in ctx.queue("anna")
                                for e in g.entries}
    assert result_of(s, "C2").provisional
    with pytest.raises(marking.Refused, match="another examiner"):
        mark(s, a2, "m:e1", "bela", 5)
    mark(s, a2, "m:e1", "cecil", 5)
    rounds = [(e.body["marker"], e.body["round"]) for e in events(s, "marked")
              if e.attempt == a2 and e.body["item"] == "m:e1"]
    assert rounds == [("anna", 1), ("bela", 2), ("cecil", 3)]
    assert {i.item: i.points for i in result_of(s, "C2").items}["m:e1"] == 5
    # nothing left for anybody on that response
    ctx = marking.load_context(s.centre)
    assert all((a2, "m:e1") != (e.attempt, e.item) for g in ctx.queue() for e in g.entries)


def test_remark_refers_to_the_old_mark_which_stays(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    s = mark_setup(tmp_path)
    a1 = sit(s, "C1", essay_answers())
    first = mark(s, a1, "m:e1", "anna", 3)
    mark(s, a1, "m:e2", "anna", 4)
    rc, out, err = run(capsys, "remark", str(first), "7", "--user", "anna", "--comment",
                       "tévesen összeadva", "--centre", str(s.centre.path))
    assert rc == 0, err
    [re] = events(s, "remarked")
    assert re.body["refers_to"] == first and re.body["points"] == 7
    assert re.body["round"] == 1 and re.body["item"] == "m:e1"
    assert [e.seq for e in events(s, "marked")][0] == first  # the old mark is still there
    assert {i.item: i.points for i in result_of(s, "C1").items}["m:e1"] == 7
    # re-marking the replaced mark again is refused: the chain goes through the newest
    rc, _, err = run(capsys, "remark", str(first), "2", "--user", "anna", "--centre",
                     str(s.centre.path))
    assert rc == 2 and f"replaced by #{re.seq}" in err


def test_fold_ignores_a_forged_second_round_one(tmp_path: Path) -> None:
    """Writers check first; the fold still never lets a duplicate round replace a mark."""
    s = mark_setup(tmp_path)
    a1 = sit(s, "C1", essay_answers())
    mark(s, a1, "m:e1", "anna", 3)
    with s.centre.ledger() as ledger:
        forged = ledger.append("marked", {"attempt": a1, "item": "m:e1", "points": 10,
                                          "marker": "bela", "round": 1}, actor="examiner:bela")
    with s.centre.reader() as r:
        state = M.fold_events(r.events())
    assert state.get(a1, "m:e1").rounds[1].points == 3  # type: ignore[union-attr]
    assert forged.seq in [seq for seq, _ in state.ignored]
