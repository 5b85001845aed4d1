"""When and for how long candidates sit (issue 17): special-needs time caps per regime, the
in-school day (08–17, at most three written exams a day), and the vocational exam's 277. §
limits (30 days, 8 hours a day, 08–18), checked by the real `kiosk sitting create`."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.domain import exam_rules as R
from kiosk.ledger.centre import Centre
from tests.support.marking_helpers import add_examiners, load
from tests.support.session_helpers import import_roster

pytestmark = pytest.mark.usefixtures("examiner_password")

ISKOLAI = """
[exam]
id = "{id}"
title = "Osztályozó vizsga {id}"
banks = ["bank.toml"]
regime = "hu-iskolai"
grade_scale = "hu-iskola-szakmai"
[[parts]]
id = "w"
title = "Írásbeli"
minutes = 60
[[parts.draw]]
fixed = ["q1", "q2"]
"""

SZKR = """
[exam]
id = "{id}"
title = "Szakmai vizsga {id}"
banks = ["bank.toml"]
regime = "hu-szkr"
vocational_exam = "pszu-2026"
[[parts]]
id = "1"
title = "Feladatsor"
minutes = {minutes}
[[parts.draw]]
fixed = ["q1", "q2"]
"""

ROSTER = ("id;name;extra_minutes;oral_prep_minutes\n"
          "C1;Kovács Anna;30;10\n"
          "C2;Nagy Gergő;45;\n"
          "C3;Szűcs Réka;;15\n")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def centre_with(tmp_path: Path, *exams: str, roster: str = ROSTER) -> Centre:
    centre, _ = Centre.init(tmp_path / "centre", "Iskola")
    for text in exams:
        load(centre, tmp_path, text)
    import_roster(centre, roster)
    add_examiners(centre)
    return centre


def create(capsys: pytest.CaptureFixture[str], centre: Centre, exam: str,
           *args: str) -> tuple[int, str, str]:
    return run(capsys, "sitting", "create", "--exam", exam, "--centre", str(centre.path), *args)


# --- 5. special-needs time caps -------------------------------------------------------------


def test_extra_time_above_the_cap_is_refused_naming_the_candidate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004, in-school written exam 10.: "az írásbeli feladatok megválaszolásához
    rendelkezésre álló időt legfeljebb harminc perccel meg kell növelni"; oral 12.: "a harminc
    perc gondolkodási időt legfeljebb tíz perccel meg kell növelni"."""
    centre = centre_with(tmp_path, ISKOLAI.format(id="isk"))
    rc, out, err = create(capsys, centre, "isk", "--date", "2026-01-05", "--start", "08:00")
    assert rc == 2 and "Traceback" not in err
    assert "C2: 45 extra minutes for the written part, but hu-iskolai allows at most 30" in err
    assert "C3: 15 extra minutes of oral preparation, but hu-iskolai allows at most 10" in err
    assert "C1:" not in err  # 30 and 10 are allowed
    assert "no sitting created" in err
    with centre.reader() as ledger:
        assert list(ledger.events(kind="sitting_created")) == []
    # only C1: fine
    rc, out, err = create(capsys, centre, "isk", "--candidates", "C1", "--date", "2026-01-05",
                          "--start", "08:00")
    assert rc == 0, err


def test_an_examiner_override_with_a_reason_is_recorded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    centre = centre_with(tmp_path, ISKOLAI.format(id="isk"))
    rc, _, err = create(capsys, centre, "isk", "--override-time-cap", "C2",
                        "--override-time-cap", "c3")
    assert rc == 2 and "needs --override-reason" in err
    rc, out, err = create(capsys, centre, "isk", "--override-time-cap", "C2",
                          "--override-time-cap", "c3", "--override-reason",
                          "szakértői vélemény: 45 perc", "--user", "anna")
    assert rc == 0, err
    with centre.reader() as ledger:
        overrides = list(ledger.events(kind=R.OVERRIDE))
        [sitting] = list(ledger.events(kind="sitting_created"))
    assert [(e.body["candidate"], e.actor) for e in overrides] == [
        ("C2", "examiner:anna"), ("C3", "examiner:anna")]
    assert overrides[0].body["extra_minutes"] == 45 and overrides[0].body["caps"] == [30, 10]
    assert overrides[0].body["reason"] == "szakértői vélemény: 45 perc"
    assert overrides[0].body["sitting"] == sitting.body["sitting"]


def test_roster_import_notes_accommodations_above_the_caps(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    centre, _ = Centre.init(tmp_path / "centre", "Iskola")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    rc, out, err = run(capsys, "roster", "import", str(roster), "--centre", str(centre.path))
    assert rc == 0, err
    assert f"{roster}:3: note: C2 has 45/0 extra minutes" in out
    assert f"{roster}:4: note: C3 has 0/15 extra minutes" in out
    assert "C1 has" not in out


def test_szakvizsga_has_no_cap_in_its_rules() -> None:
    assert R.time_cap_errors("hu-szakvizsga", {"C2": (45, 15)}) == []
    assert R.time_cap_errors("hu-szkr", {"C2": (45, 0)})


def test_roster_reads_the_oral_preparation_extension() -> None:
    from kiosk.domain.roster import parse_roster

    parsed = parse_roster(ROSTER)
    assert parsed.errors == []
    acc = {c.id: c.accommodations for c in parsed.candidates}
    assert (acc["C1"].extra_minutes, acc["C1"].oral_prep_minutes) == (30, 10)
    assert acc["C3"].oral_prep_minutes == 15
    bad = parse_roster("id;name;felkészülési többletidő\nC1;A;sok\n")
    assert bad.errors == ["roster.csv:2: oral preparation minutes must be a whole number of "
                          "minutes ≥ 0, got 'sok'"]


# --- 11. in-school limits -------------------------------------------------------------------

FINE = ("id;name\nC1;Kovács Anna\nC2;Nagy Gergő\n")


def test_in_school_exam_between_8_and_17(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004: "A vizsga reggel nyolc óra előtt nem kezdhető el, és legfeljebb tizenhét óráig
    tarthat.\""""
    centre = centre_with(tmp_path, ISKOLAI.format(id="isk"), roster=FINE)
    for start in ("07:30", "16:30"):
        rc, _, err = create(capsys, centre, "isk", "--date", "2026-01-05", "--start", start)
        assert rc == 2 and "outside 08:00–17:00" in err, err
    rc, _, err = create(capsys, centre, "isk", "--date", "2026-01-05", "--start", "16:00")
    assert rc == 0, err  # 16:00–17:00
    rc, _, err = create(capsys, centre, "isk", "--start", "8")
    assert rc == 2 and "--start: expected HH:MM" in err


def test_at_most_three_written_exams_a_day(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004: "Egy vizsganapon egy vizsgázó vonatkozásában legfeljebb három írásbeli vizsgát
    lehet megtartani.\""""
    centre = centre_with(tmp_path, *(ISKOLAI.format(id=f"isk{i}") for i in range(4)),
                         roster=FINE)
    for i, start in enumerate(("08:00", "09:30", "11:00")):
        rc, _, err = create(capsys, centre, f"isk{i}", "--date", "2026-01-05", "--start", start)
        assert rc == 0, err
    rc, _, err = create(capsys, centre, "isk3", "--date", "2026-01-05", "--start", "13:00")
    assert rc == 2
    assert "C1: this would be written exam 4 on 2026-01-05 (at most 3 a day" in err
    rc, _, err = create(capsys, centre, "isk3", "--date", "2026-01-06", "--start", "08:00")
    assert rc == 0, err


# --- 11. the vocational exam's 277. § ---------------------------------------------------------


def test_vocational_exam_within_thirty_days_and_eight_hours_a_day(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Szkr 277. § (1): "A szakmai vizsgát az első vizsgatevékenység napját követő harminc napon
    belül be kell fejezni"; (2): "A vizsgázó egy vizsganapra eső vizsgatevékenységeinek összes
    ideje nem haladhatja meg a nyolc órát.\""""
    centre = centre_with(tmp_path, SZKR.format(id="a", minutes=300),
                         SZKR.format(id="b", minutes=240), roster=FINE)
    rc, _, err = create(capsys, centre, "a", "--date", "2026-05-04", "--start", "08:00")
    assert rc == 0, err
    rc, _, err = create(capsys, centre, "b", "--date", "2026-05-04")
    assert rc == 2 and "540 minutes of exam activities on 2026-05-04, more than 8 hours" in err
    rc, _, err = create(capsys, centre, "b", "--date", "2026-06-04")
    assert rc == 2
    assert "began on 2026-05-04 and must be finished by 2026-06-03" in err
    rc, _, err = create(capsys, centre, "b", "--date", "2026-06-03")
    assert rc == 0, err
    rc, _, err = create(capsys, centre, "b", "--date", "2026-09-01", "--resit")
    assert rc == 0, err  # a resit is a new exam


def test_interactive_activity_between_8_and_18() -> None:
    """Szkr 277. § (3): "az interaktív vizsgatevékenységet nyolc és tizennyolc óra között"."""
    new = R.Planned("S", "a", "hu-szkr", date(2026, 5, 4), 120, ("C1",), start=time(16, 30))
    assert "outside 08:00–18:00" in R.schedule_errors(new, [])[0]
    # the longest accommodation counts too
    ok = R.Planned("S", "a", "hu-szkr", date(2026, 5, 4), 120, ("C1",), start=time(15, 30))
    assert R.schedule_errors(ok, []) == []
    assert R.schedule_errors(ok, [], {"C1": 30}) == []  # 15:30 + 150 min ends at 18:00
    assert "15:30–18:01" in R.schedule_errors(ok, [], {"C1": 31})[0]


# --- 11. results due within 5 days, records kept 5 years ------------------------------------


def test_results_due_and_overdue_and_the_export_retention(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Szkr 290. § (6): "A szakmai vizsga eredményét az akkreditált vizsgaközpont a szakmai
    vizsgát követő öt napon belül hirdeti ki." 276. § (4): "a szakmai vizsgát követő öt évig meg
    kell őrizni\""""
    import json
    import zipfile
    from datetime import timedelta

    from tests.support.marking_helpers import mark_setup, sit
    from tests.unit.test_seed_records import SZKR

    s = mark_setup(tmp_path, exam=SZKR)
    c = str(s.centre.path)
    sit(s, "C1", {"q1": True, "q2": False, "q3": True, "q4": False})
    day = date.today()
    on_time = (day + timedelta(days=5)).isoformat()
    late = (day + timedelta(days=7)).isoformat()
    rc, out, _ = run(capsys, "results", "--due", "--today", on_time, "--centre", c)
    assert rc == 0
    assert f"results due {on_time}  due: no sealed export" in out
    rc, out, _ = run(capsys, "results", "--due", "--today", late, "--json", "--centre", c)
    [row] = json.loads(out)
    assert (row["exam"], row["overdue_days"], row["missing"]) == ("szkr", 2,
                                                                  ["no sealed export"])
    bundle = tmp_path / "results.zip"
    rc, _, err = run(capsys, "export", "--sealed", str(bundle), "--exam", "szkr",
                     "--centre", c)
    assert rc == 0, err
    with zipfile.ZipFile(bundle) as z:
        manifest = json.loads(z.read("manifest.json"))
    keep = manifest["retention"]
    assert keep["years"] == 5 and keep["last_exam_day"] == day.isoformat()
    assert keep["keep_until"] == day.replace(year=day.year + 5).isoformat()
    rc, _, err = run(capsys, "verify", str(bundle))
    assert rc == 0, err  # the field is inside the signed manifest
    rc, out, _ = run(capsys, "results", "--due", "--today", late, "--centre", c)
    assert "announced (exported, nothing provisional)" in out


def test_results_due_pure() -> None:
    d = date(2026, 5, 4)
    report = R.results_due([("S1", "a", "hu-szkr", d), ("S2", "b", "hu-szakvizsga", d),
                            ("S3", "c", "hu-iskolai", d)],
                           [], {"a": 2}, date(2026, 5, 10))
    assert [(x.sitting, x.due, x.overdue_days) for x in report] == [
        ("S2", d, 6), ("S1", date(2026, 5, 9), 1)]
    assert report[1].missing == ("2 result(s) provisional", "no sealed export")
    assert R.retention([date(2024, 2, 29)])["keep_until"] == "2029-02-28"


def test_oral_draw_gives_the_candidates_preparation_extension(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004, oral 12.: "a harminc perc gondolkodási időt legfeljebb tíz perccel meg kell
    növelni" — per candidate, from the roster's oral preparation extension."""
    from tests.support.marking_helpers import mark_setup
    from tests.unit.test_oral_results import ISKOLAI as ORAL

    s = mark_setup(tmp_path, exam=ORAL.format(prep=30),
                   roster="id;name;oral_prep_minutes\nC1;Kovács Anna;10\nC2;Nagy Gergő;\n")
    rc, out, err = run(capsys, "oral", "draw", "--exam", "iskolai", "--sitting", s.sitting,
                       "--user", "anna", "--centre", str(s.centre.path))
    assert rc == 0, err
    assert "preparation: 30 + 10 (special needs) minutes" in out
    assert out.count("preparation: 30 minutes") == 1  # C2
    with s.centre.reader() as ledger:
        drawn = {e.body["candidate"]: e.body["prep_minutes"]
                 for e in ledger.events(kind="oral_card_drawn")}
    assert drawn == {"C1": 40, "C2": 30}
