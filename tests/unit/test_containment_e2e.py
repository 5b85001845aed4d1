"""Hostile responses to every built-in question type (huge and long integers, deep lists, odd
tables, long text) in a real centre: results, stats, the sealed export, its verification and
result sheets carry on, and the honest candidate's result is unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.domain.timing import ManualClock
from kiosk.results import compute_results
from kiosk.session import CandidateSession
from tests.support.candidate_helpers import make_centre

DEEP: Any = 1
for _ in range(600):
    DEEP = [DEEP]

SHALLOW: Any = 1
for _ in range(60):
    SHALLOW = [SHALLOW]
#: What a candidate's session accepts (it refuses non-finite floats; deeper structures are
#: written to the ledger directly below, as a compromised client could).
HOSTILE = [10**400, -(10**4000), SHALLOW, {"x" * 1000: SHALLOW}, "é" * 200_000,
           [[None, {}]] * 500, {"0": 10**300, "": [True]}, 1.7e308, -0.0]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def sit(centre: Path, code: str, cid: str, answer: Any, raw: Any = None) -> None:
    session = CandidateSession.login(centre, cid, code, seat=f"PC-{cid}", clock=ManualClock())
    try:
        session.start()
        for i, view in enumerate(session.parts[0].items):
            value = answer(i, view)
            if value is not None:
                session.save_answer(view.key, value)
        if raw is not None:
            from kiosk.ledger.centre import Centre

            part = session.parts[0]
            with Centre.open(centre).ledger() as ledger:
                for view in part.items:
                    ledger.append("answer_saved", {"part": part.id, "item": view.key,
                                                   "response": raw, "consumed_ms": 1000},
                                  actor=f"candidate:{cid}", attempt=session.attempt_id)
        session.submit()
    finally:
        session.close()


def test_hostile_responses_to_every_type_are_contained(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.plugins import registry

    setup = make_centre(tmp_path)
    sit(setup.centre, setup.code, "C1", lambda i, view: HOSTILE[i % len(HOSTILE)])
    sit(setup.centre, setup.code, "C2", lambda i, view: HOSTILE[(i + 3) % len(HOSTILE)],
        raw=DEEP)
    sit(setup.centre, setup.code, "C3", lambda i, view: registry().question_types[
        view.item.type].correct_response(view.item))
    results = {r.candidate: r for r in compute_results(setup.centre, setup.exam)}
    honest = results["C3"]
    assert honest.error is None
    auto = [i for i in honest.items if i.source == "auto"]
    assert auto and all(i.points == i.max_points for i in auto)
    c = str(setup.centre)
    for args in (["results", "--json"], ["results", "--csv"], ["results"],
                 ["stats", setup.exam], ["stats", setup.exam, "--csv"]):
        rc, out, err = run(capsys, *args, "--centre", c)
        assert rc == 0, (args, err[-2000:])
    rc, out, err = run(capsys, "results", "--json", "--centre", c)
    assert {r["candidate"] for r in json.loads(out)} == {"C1", "C2", "C3"}
    bundle = tmp_path / "out.zip"
    rc, out, err = run(capsys, "export", "--sealed", str(bundle), "--centre", c)
    assert rc == 0, err[-2000:]
    rc, out, err = run(capsys, "verify", str(bundle))
    assert rc == 0, (out + err)[-2000:]
    for cid in ("C1", "C2", "C3"):
        pdf = tmp_path / f"{cid}.pdf"
        rc, out, err = run(capsys, "documents", "result-sheet", "--candidate", cid,
                           "--out", str(pdf), "--centre", c)
        assert rc == 0, err[-2000:]
