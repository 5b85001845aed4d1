"""Oral parts (a recorded random draw, póttétel halving, preparation minimums) and results
through the regimes: a szakvizsga-style exam with certificate and outstanding parts, CSV/JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from kiosk import marking
from kiosk.cli import main
from kiosk.domain import oral as O
from kiosk.ledger.centre import Centre
from kiosk.results import compute_results, results_csv
from tests.support.marking_helpers import (
    MarkSetup,
    add_examiners,
    essay_answers,
    events,
    load,
    mark_setup,
    sit,
)
from tests.support.session_helpers import import_roster, new_sitting

pytestmark = pytest.mark.usefixtures("examiner_password")

CARDS = "".join(f"""
[[exam.oral.cards]]
id = "{i}"
title = "Tétel {i}"
a = "a) kérdés {i}"
b = "b) kérdés {i}"
""" for i in range(1, 4))

ISKOLAI = """
[exam]
id = "iskolai"
title = "Osztályozó vizsga"
banks = ["bank.toml"]
regime = "hu-iskolai"
grade_scale = "hu-iskola-szakmai"
scoring = "all_or_nothing"
shuffle_questions = false
self_start = true
[exam.oral]
title = "Szóbeli"
max_points = 30
prep_minutes = {prep}
""" + CARDS + """
[[parts]]
id = "w"
title = "Írásbeli"
minutes = 30
[[parts.draw]]
fixed = ["q1", "q2", "q3", "q4", "s1"]
"""

SZV_BANK = """
[bank]
id = "szv"
title = "Szakvizsga"
[[items]]
id = "k1"
type = "essay"
topic = "K"
points = 100
stem = "Kötelező tárgy feladatlapja"
rubric = [{ criterion = "Összesen", points = 100 }]
[[items]]
id = "v1"
type = "essay"
topic = "V"
points = 100
stem = "Választott tárgy feladatlapja"
rubric = [{ criterion = "Összesen", points = 100 }]
"""

SZAKVIZSGA = """
[exam]
id = "szakvizsga"
title = "Közigazgatási szakvizsga"
banks = ["bank.toml"]
regime = "hu-szakvizsga"
grade_scale = "hu-szakvizsga"
self_start = true
[[exam.subjects]]
id = "kotelezo"
kind = "compulsory"
written = "k"
oral = "k-oral"
[[exam.subjects]]
id = "valasztott"
kind = "elective"
written = "v"
oral = "v-oral"
[[exam.orals]]
id = "k-oral"
title = "Kötelező tárgy – szóbeli"
[[exam.orals.cards]]
id = "K1"
title = "A központi állami szervek"
[[exam.orals]]
id = "v-oral"
title = "Választott tárgy – szóbeli"
[[exam.orals.cards]]
id = "V1"
title = "Önkormányzati igazgatás"

[[parts]]
id = "k"
title = "Kötelező tárgy – írásbeli"
minutes = 120
[[parts.draw]]
fixed = ["k1"]

[[parts]]
id = "v"
title = "Választott tárgy – írásbeli"
minutes = 120
[[parts.draw]]
fixed = ["v1"]
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def iskolai(tmp_path: Path, prep: int = 30) -> MarkSetup:
    return mark_setup(tmp_path, exam=ISKOLAI.format(prep=prep))


def test_draw_is_random_from_the_cards_and_recorded(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    s = iskolai(tmp_path)
    c = str(s.centre.path)
    rc, out, err = run(capsys, "oral", "draw", "--exam", "iskolai", "--sitting", s.sitting,
                       "--user", "anna", "--centre", c)
    assert rc == 0, err
    drawn = events(s, O.CARD_DRAWN)
    assert [d.body["candidate"] for d in drawn] == ["C1", "C2", "C3"]
    for d in drawn:
        assert d.body["card"] in {"1", "2", "3"} and d.body["replacement"] is False
        assert d.body["from_cards"] == 3 and d.actor == "examiner:anna"
        assert f"{d.body['candidate']}: card {d.body['card']} – Tétel {d.body['card']}" in out
    assert out.count("preparation: 30 minutes") == 3
    # a second ordinary draw is refused; a replacement card is another card, once only
    rc, _, err = run(capsys, "oral", "draw", "--exam", "iskolai", "--candidate", "C1",
                     "--user", "anna", "--centre", c)
    assert rc == 2 and "--replacement" in err
    rc, out, err = run(capsys, "oral", "draw", "--exam", "iskolai", "--candidate", "C1",
                       "--replacement", "--user", "anna", "--centre", c)
    assert rc == 0, err
    again = events(s, O.CARD_DRAWN)[-1]
    assert again.body["replacement"] is True and again.body["from_cards"] == 2
    assert again.body["card"] != drawn[0].body["card"]
    rc, _, err = run(capsys, "oral", "draw", "--exam", "iskolai", "--candidate", "C1",
                     "--replacement", "--user", "anna", "--centre", c)
    assert rc == 2 and "only one" in err


def test_replacement_card_halves_the_points_rounded_up(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    s = iskolai(tmp_path)
    c = str(s.centre.path)
    sit(s, "C1", {"q1": True, "q2": False, "q3": True, "q4": False, "s1": "x"})  # 6/6
    sit(s, "C2", {"q1": True, "q2": False, "q3": True, "q4": False, "s1": "x"})
    for args in (("--candidate", "C1"), ("--candidate", "C1", "--replacement"),
                 ("--candidate", "C2")):
        rc, _, err = run(capsys, "oral", "draw", "--exam", "iskolai", *args, "--user", "anna",
                         "--centre", c)
        assert rc == 0, err
    rc, out, err = run(capsys, "oral", "record", "--exam", "iskolai", "--candidate", "C1",
                       "--points", "15", "--user", "anna", "--centre", c)
    assert rc == 0, err
    assert "counts as 8 points" in out
    [recorded] = events(s, O.MARKED)
    assert recorded.body["points"] == 15 and recorded.body["replacement"] is True
    rc, _, err = run(capsys, "oral", "record", "--exam", "iskolai", "--candidate", "C2",
                     "--points", "15", "--user", "anna", "--centre", c)
    assert rc == 0, err
    rc, _, err = run(capsys, "oral", "record", "--exam", "iskolai", "--candidate", "C2",
                     "--grade", "4", "--user", "anna", "--centre", c)
    assert rc == 2 and "marked in points (0–30): use --points" in err
    by = {r.candidate: r for r in compute_results(s.centre)}
    oral1 = next(p for p in by["C1"].parts if p.part_id == "oral")
    oral2 = next(p for p in by["C2"].parts if p.part_id == "oral")
    assert oral1.points == 8 and oral1.replacement_card  # ⌈15 / 2⌉
    assert oral2.points == 15 and not oral2.replacement_card
    # written 100 %, oral 8/30 vs 15/30, 50–50 → 63.3 % vs 75 %
    assert by["C1"].percent == pytest.approx((100 + 800 / 30) / 2)
    assert by["C2"].percent == pytest.approx(75.0)
    assert not by["C1"].provisional


def test_preparation_minimum_per_regime(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    with pytest.raises(O.OralConfigError, match="≥ 30 for hu-iskolai"):
        O.oral_parts({"oral": {"prep_minutes": 20}}, "hu-iskolai")
    assert O.oral_parts({"oral": {}}, "hu-szakvizsga")[0].prep_minutes == 20
    assert O.oral_parts({"oral": {}}, "hu-iskolai")[0].prep_minutes == 30
    s = iskolai(tmp_path, prep=20)
    rc, _, err = run(capsys, "oral", "draw", "--exam", "iskolai", "--candidate", "C1",
                     "--user", "anna", "--centre", str(s.centre.path))
    assert rc == 2 and "prep_minutes" in err and "Traceback" not in err
    s2 = iskolai(tmp_path / "b")
    rc, _, err = run(capsys, "oral", "timer", "--exam", "iskolai", "--minutes", "10",
                     "--centre", str(s2.centre.path))
    assert rc == 2 and "at least 30 minutes" in err


def test_szakvizsga_results_certificate_and_outstanding_parts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    centre, _ = Centre.init(tmp_path / "centre", "Kormányhivatal")
    exam_id = load(centre, tmp_path, SZAKVIZSGA, bank=SZV_BANK)
    import_roster(centre)
    add_examiners(centre)
    sitting, code = new_sitting(centre, exam_id)
    setup = MarkSetup(centre, exam_id, sitting, code, tmp_path)
    attempts = {cid: sit(setup, cid, {"k1": "írásbeli k", "v1": "írásbeli v"})
                for cid in ("C1", "C2", "C3")}
    written = {"C1": (95, 75), "C2": (50, 85), "C3": (70, 70)}
    with centre.ledger() as ledger:
        ctx = marking.load_context(centre, ledger)
        for cid, (k, v) in written.items():
            marking.record_mark(ledger, ctx, attempts[cid], "szv:k1", "anna", points=k)
            marking.record_mark(ledger, ctx, attempts[cid], "szv:v1", "anna", points=v)
    c = str(centre.path)
    for cid, k, v in (("C1", 4, 3), ("C2", 3, 2)):
        for part, grade in (("k-oral", k), ("v-oral", v)):
            rc, _, err = run(capsys, "oral", "draw", "--exam", exam_id, "--candidate", cid,
                             "--part", part, "--user", "bela", "--centre", c)
            assert rc == 0, err
            rc, _, err = run(capsys, "oral", "record", "--exam", exam_id, "--candidate", cid,
                             "--part", part, "--grade", str(grade), "--user", "bela",
                             "--centre", c)
            assert rc == 0, err
    by = {r.candidate: r for r in compute_results(centre)}
    c1, c2, c3 = by["C1"], by["C2"], by["C3"]
    assert c1.certificate is True and c1.passed and c1.outstanding == []
    subjects = {s["subject_id"]: s["grade"] for s in c1.outcome["subjects"]}
    assert subjects == {"kotelezo": 4, "valasztott": 3}  # (5+4)//2, (3+3)//2
    assert c2.certificate is False and c2.outstanding == ["kotelezo:written"]
    assert c3.provisional and c3.certificate is False
    assert set(c3.outstanding) == {"kotelezo:oral", "valasztott:oral"}

    rc, out, err = run(capsys, "results", "--exam", exam_id, "--csv", "--csv-sep", ",",
                       "--centre", c)
    assert rc == 0, err
    rows = {r["candidate"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["C1"]["name"] == "Kovács Anna"
    assert rows["C1"]["certificate"] == "yes" and rows["C2"]["certificate"] == "no"
    assert rows["C2"]["outstanding"] == "kotelezo:written"
    assert rows["C1"]["k points"] == "95" and rows["C1"]["k grade"] == "5"
    assert rows["C1"]["k-oral grade"] == "4" and rows["C2"]["k passed"] == "no"
    assert rows["C3"]["provisional"] == "yes"
    assert out.splitlines()[0].startswith("candidate,name,exam,attempt")
    rc, out, _ = run(capsys, "results", "--exam", exam_id, "--json", "--centre", c)
    data = {r["candidate"]: r for r in json.loads(out)}
    assert data["C1"]["outcome"]["certificate"] is True
    assert data["C2"]["outcome"]["outstanding"] == ["kotelezo:written"]
    rc, out, _ = run(capsys, "results", "--exam", exam_id, "--lang", "en", "--centre", c)
    assert "certificate: yes" in out and "to retake: Kötelező tárgy – írásbeli" in out


def test_results_csv_is_utf8_with_a_header_and_marks_provisional(tmp_path: Path) -> None:
    s = mark_setup(tmp_path)
    sit(s, "C3", essay_answers())
    text = results_csv(compute_results(s.centre))
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "Szűcs Réka" and row["provisional"] == "yes"
    assert row["points"] == "6" and row["max_points"] == "26"
    text.encode("utf-8")
