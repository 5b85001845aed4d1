"""Nothing a candidate submits crashes the centre: hostile answers to a Python item and a
numeric item (huge and non-finite numbers, deep structures, a forged result channel) leave
`kiosk results`, `export --sealed`, `stats`, result sheets, minutes and the other candidates'
results working; each failing item is recorded as needing a marker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.results import compute_results
from tests.support.marking_helpers import add_examiners, load, sit
from tests.support.session_helpers import import_roster, new_sitting

BANK = '''
[bank]
id = "h"
title = "Hostile bank"

[[items]]
id = "p1"
type = "python_function"
topic = "P"
points = 4
stem = "Írjon f(x) függvényt, amely x felét adja vissza."
function = "f"
model_answer = "def f(x):\\n    return x / 2\\n"
tests = [{ args = [3], expected = 1.5 }, { args = [5], expected = 2.5 }]

[[items]]
id = "n1"
type = "numeric"
topic = "N"
points = 2
stem = "Mennyi 5/2?"
answers = [{ value = 2.5 }]

[[items]]
id = "q1"
type = "true_false"
topic = "T"
points = 1
stem = "Igaz?"
answer = true
'''

EXAM = '''
[exam]
id = "hostile"
title = "Ellenséges válaszok"
banks = ["bank.toml"]
regime = "generic"
grade_scale = "hu-szkr"
scoring = "proportional"
shuffle_questions = false
self_start = true

[[parts]]
id = "1"
title = "Írásbeli"
minutes = 60
[[parts.draw]]
fixed = ["p1", "n1", "q1"]
'''

ROSTER = "id;name\n" + "".join(f"C{i};Vizsgázó {i}\n" for i in range(1, 8))
DEEP = "[" * 100_000 + "]" * 100_000
MARK = "@@kiosk-result@@"

HOSTILE_PYTHON = {
    "C1": "def f(x):\n    return 10**400\n",
    "C2": "def f(x):\n    return float('nan')\n",
    "C3": f"import os\nos.write(1, ({MARK!r} + {DEEP!r} + '\\n').encode())\n"
          "def f(x):\n    return x / 2\n",
    "C4": f"import os\nos.write(1, b'{MARK}{{\"index\": 0, \"value\": NaN}}\\n')\n"
          "def f(x):\n    return x / 2\n",
    "C5": "def f(x):\n    v = []\n    for _ in range(100000):\n        v = [v]\n    return v\n",
}
HOSTILE_OTHER = {
    "C1": {"n1": 10**400, "q1": True},
    "C2": {"n1": "1e999", "q1": True},
    "C3": {"n1": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], "q1": True},
    "C4": {"n1": "NaN", "q1": True},
    "C5": {"n1": DEEP[:2000] + DEEP[-2000:], "q1": True},
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory):
    from kiosk.ledger.centre import Centre

    tmp = tmp_path_factory.mktemp("hostile")
    c, _ = Centre.init(tmp / "centre", "Ellenséges központ")
    exam = load(c, tmp, EXAM, bank=BANK)
    import_roster(c, ROSTER)
    add_examiners(c)
    _sitting, code = new_sitting(c, exam)

    class Setup:
        centre = c
        sitting = _sitting

    setup = Setup()
    setup.exam, setup.code, setup.tmp = exam, code, tmp
    for cid, code_text in HOSTILE_PYTHON.items():
        sit(setup, cid, {"p1": code_text, **HOSTILE_OTHER[cid]})
    # C6 answers everything right, C7 half: their results must be untouched by the others.
    sit(setup, "C6", {"p1": "def f(x):\n    return x / 2\n", "n1": "2,5", "q1": True})
    sit(setup, "C7", {"p1": "def f(x):\n    return x // 2\n", "n1": "3", "q1": True})
    return setup


def test_results_contain_each_failure_and_keep_the_rest(centre) -> None:
    results = {r.candidate: r for r in compute_results(centre.centre, "hostile")}
    assert set(results) == {f"C{i}" for i in range(1, 8)}
    good = {i.item: (i.points, i.source) for i in results["C6"].items}
    assert good == {"h:p1": (4.0, "auto"), "h:n1": (2.0, "auto"), "h:q1": (1.0, "auto")}
    half = {i.item: i.points for i in results["C7"].items}
    assert half == {"h:p1": 0.0, "h:n1": 0.0, "h:q1": 1.0}
    for cid in ("C1", "C2", "C5"):  # wrong answers, judged as such
        items = {i.item: i for i in results[cid].items}
        assert items["h:p1"].points == 0 and items["h:p1"].source == "auto", cid
    for cid in ("C3", "C4"):  # a forged result channel: left for a marker
        items = {i.item: i for i in results[cid].items}
        assert items["h:p1"].source == "pending", cid
        assert items["h:p1"].note.startswith("scoring error: "), cid
        assert results[cid].provisional
        assert any("h:p1: scoring error" in n for n in results[cid].notes)


def test_cli_results_stats_export_sheets_and_minutes_carry_on(
        centre, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    c = str(centre.centre.path)
    rc, out, err = run(capsys, "results", "--exam", "hostile", "--json", "--centre", c)
    assert rc == 0, err
    assert {r["candidate"] for r in json.loads(out)} == {f"C{i}" for i in range(1, 8)}
    rc, out, err = run(capsys, "results", "--exam", "hostile", "--csv", "--centre", c)
    assert rc == 0, err
    rc, out, err = run(capsys, "stats", "hostile", "--centre", c)
    assert rc == 0, err
    rc, out, err = run(capsys, "export", "--sealed", str(tmp_path / "out.zip"), "--centre", c)
    assert rc == 0, err
    rc, out, err = run(capsys, "verify", str(tmp_path / "out.zip"))
    assert rc == 0, err + out
    for cid in ("C1", "C3", "C5", "C6"):
        pdf = tmp_path / f"{cid}.pdf"
        rc, out, err = run(capsys, "documents", "result-sheet", "--candidate", cid,
                           "--out", str(pdf), "--centre", c)
        assert rc == 0, err
        assert pdf.read_bytes().startswith(b"%PDF")
    rc, out, err = run(capsys, "minutes", centre.sitting, "--centre", c)
    assert rc == 0, err


def test_scoring_errors_are_recorded_once_and_queued_for_a_marker(centre) -> None:
    from kiosk import marking

    with centre.centre.ledger() as ledger:
        ctx = marking.load_context(centre.centre, ledger)
        queued = {(p.attempt, p.item) for p in ctx.pending if p.reason.startswith("scoring")}
        assert len(queued) == 2  # C3 and C4: the forged result channel
        marking.load_context(centre.centre, ledger)  # a second look records nothing new
    with centre.centre.reader() as reader:
        recorded = list(reader.events(kind={marking.SCORING_ERROR_KIND}))
    assert {(e.attempt, e.body["item"]) for e in recorded} == queued
    assert all(e.body["reason"].startswith("scoring error: ") for e in recorded)
    groups = marking.load_context(centre.centre).queue()
    assert {(e.attempt, g.item) for g in groups for e in g.entries} >= queued
