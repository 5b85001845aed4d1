"""Records the seeds require besides marks (issue 17): irregularity records that say the
candidate was informed and carry the candidate's signature line (Szkr 280. § (3)), absences and
exclusions that make the whole vocational exam repeat (291. §), and exemptions as signed events.
Real centres, real ledgers, the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import invigilation as inv
from kiosk.builtins.regimes.szkr import SzkrRegime
from kiosk.cli import main
from kiosk.domain.regimes import Interruption, PartMark, RegimeInput
from kiosk.loading import builtin_scales
from kiosk.minutes import minutes_text
from kiosk.results import compute_results
from kiosk.session import CandidateSession
from tests.support.invigilation_helpers import PASSWORD as INV_PASSWORD
from tests.support.invigilation_helpers import USER, room_setup
from tests.support.marking_helpers import MarkSetup, add_examiners, load, mark_setup, sit
from tests.support.session_helpers import import_roster, new_sitting
from tests.unit.test_oral_results import SZAKVIZSGA, SZV_BANK

pytestmark = pytest.mark.usefixtures("examiner_password")

SCALES = {s.id: s for s in builtin_scales()}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


# --- 6. irregularity records: informed of the procedure, the candidate's signature ----------


def test_irregularity_record_says_the_candidate_was_informed_and_has_a_signature_line(
        tmp_path: Path) -> None:
    """Szkr 280. § (3): the separate minutes must contain "azt, hogy a vizsgázót tájékoztatták
    a szabálytalanság elbírálásával kapcsolatos eljárásról és a bebizonyított szabálytalanság
    következményeiről. A jegyzőkönyvet a felügyelő, a vizsgázó és a vizsgafelügyelő írja alá.\""""
    setup = room_setup(tmp_path)
    with setup.centre.reader() as ledger:
        user = inv.login(ledger, USER, INV_PASSWORD)
    one = CandidateSession.login(setup.centre, "C1", setup.code, seat="B204-01")
    two = CandidateSession.login(setup.centre, "C2", setup.code, seat="B204-02")
    with setup.centre.ledger() as ledger:
        for s in (one, two):
            inv.admit(ledger, user, s.attempt_id)
            inv.start(ledger, user, s.attempt_id)
        informed, _ = inv.record_irregularity(
            ledger, user, one.attempt_id, nature="puska a padon", supervisor_statement="elvettem",
            suspended_seq=inv.suspend(ledger, user, one.attempt_id).seq, informed=True)
        [silent] = inv.record_irregularity(ledger, user, two.attempt_id, nature="beszélgetés",
                                           supervisor_statement="figyelmeztettem")
    assert informed.body["informed_of_procedure"] is True
    assert silent.body["informed_of_procedure"] is False
    text = minutes_text(setup.centre, setup.sitting, language="hu")
    section = text[text.index("Szabálytalanságok"):text.index("Aláírások")]
    c1 = section[section.index("C1"):section.index("C2")]
    c2 = section[section.index("C2"):]
    assert "A vizsgázót tájékoztatták az eljárásról és következményeiről: igen" in c1
    # recorded as not informed (never assumed either way)
    assert "A vizsgázót tájékoztatták az eljárásról és következményeiről: nem" in c2
    assert c1.count("A vizsgázó aláírása: ____") == 1 and c2.count("A vizsgázó aláírása") == 1
    en = minutes_text(setup.centre, setup.sitting, language="en")
    assert "Candidate's signature: ____" in en
    for s in (one, two):
        s.close(force=True)


# --- 7. Szkr 291. § (1) b–c, (2): absence or exclusion → the whole exam is repeated ---------

SZKR = """
[exam]
id = "szkr"
title = "Szakmai vizsga – interaktív"
banks = ["bank.toml"]
regime = "hu-szkr"
scoring = "all_or_nothing"
shuffle_questions = false
shuffle_options = false
self_start = true

[[exam.activities]]
id = "interaktiv"
weight = 30
parts = ["1"]

[[exam.activities]]
id = "projekt"
weight = 70
parts = []

[[parts]]
id = "1"
title = "Interaktív feladatsor"
minutes = 60
[[parts.draw]]
fixed = ["q1", "q2", "q3", "q4"]
"""


def test_regime_unexcused_absence_or_exclusion_repeats_the_whole_exam() -> None:
    """Szkr 291. § (2): "sikertelen szakmai vizsga esetén csak az elégtelenre értékelt
    vizsgatevékenységet kell megismételni. Az (1) bekezdés b) és c) pontjában meghatározott
    esetben a szakmai vizsgát teljes egészében meg kell ismételni." (1) b) "igazolható ok nélkül
    nem jelent meg, vagy azt megszakította", c) "szabálytalanság miatt a szakmai vizsga
    folytatásától eltiltásra került"."""
    marks = (PartMark("a", 90, 100), PartMark("b", 95, 100))
    config = {"activities": [{"id": "A", "parts": ["a"]}, {"id": "B", "parts": ["b"]}]}
    regime = SzkrRegime(SCALES)
    ok = regime.evaluate(RegimeInput(marks=marks, config=config))
    assert ok.passed and not ok.repeat_whole
    for why in (Interruption("excluded", reason="puska"), Interruption("absent"),
                Interruption("interrupted")):
        got = regime.evaluate(RegimeInput(marks=marks, config=config, interruptions=(why,)))
        assert (got.passed, got.repeat_whole, got.grade) == (False, True, 1), why
        assert got.outstanding == ["A", "B"]
        assert any("291. § (1) b–c, (2)" in n for n in got.notes)
    excused = regime.evaluate(RegimeInput(marks=marks, config=config,
                                          interruptions=(Interruption("absent", excused=True),)))
    assert excused.passed and not excused.repeat_whole
    assert any("pótlóvizsga" in n for n in excused.notes)
    # an ordinary failure repeats only the failed activity
    failed = regime.evaluate(RegimeInput(marks=(PartMark("a", 10, 100), marks[1]),
                                         config=config))
    assert (failed.outstanding, failed.repeat_whole) == (["A"], False)


def test_recorded_exclusion_and_absence_reach_the_results(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    s = mark_setup(tmp_path, exam=SZKR)
    c = str(s.centre.path)
    sit(s, "C1", {"q1": True, "q2": False, "q3": True, "q4": False})
    rc, out, err = run(capsys, "record", "exclusion", "--exam", "szkr", "--candidate", "c1",
                       "--reason", "mobiltelefon használata, a vizsgaközpont döntése",
                       "--user", "anna", "--centre", c)
    assert rc == 0, err
    rc, _, err = run(capsys, "record", "absence", "--exam", "szkr", "--candidate", "C2",
                     "--reason", "nem jelent meg, igazolás nélkül", "--user", "anna",
                     "--centre", c)
    assert rc == 0, err
    rc, _, err = run(capsys, "record", "absence", "--exam", "szkr", "--candidate", "C3",
                     "--excused", "--reason", "kórházi zárójelentés", "--user", "anna",
                     "--centre", c)
    assert rc == 0, err
    by = {r.candidate: r for r in compute_results(s.centre)}
    c1, c2, c3 = by["C1"], by["C2"], by["C3"]
    assert c1.repeat_whole and not c1.passed and c1.outstanding == ["interaktiv", "projekt"]
    assert c2.repeat_whole and c2.outstanding == ["interaktiv", "projekt"]
    assert not c3.repeat_whole
    rc, out, _ = run(capsys, "results", "--exam", "szkr", "--lang", "en", "--centre", c)
    assert out.count("the whole exam must be repeated (Szkr 291. § (2))") == 2
    rc, _, err = run(capsys, "record", "absence", "--exam", "nincs", "--candidate", "C2",
                     "--reason", "x", "--user", "anna", "--centre", c)
    assert rc == 2 and "not loaded" in err and "Traceback" not in err


# --- 9. exemptions are signed ledger events --------------------------------------------------


def test_exemption_is_a_signed_event_shown_in_results_and_minutes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 002, 5.: "A tudományos fokozata alapján a KTK által a szakvizsga alól részlegesen
    mentesített vizsgázó esetében a vizsga értékelése során a mentesítéssel érintett
    vizsgatárgyat „kiváló eredménnyel” teljesítettnek kell tekinteni. [SZVR 2. § (6)]" — who
    granted it and on what grounds is recorded, per candidate, in the ledger."""
    from kiosk import marking
    from kiosk.ledger.centre import Centre

    centre, _ = Centre.init(tmp_path / "centre", "Kormányhivatal")
    exam_id = load(centre, tmp_path, SZAKVIZSGA, bank=SZV_BANK)
    import_roster(centre)
    add_examiners(centre)
    sitting, code = new_sitting(centre, exam_id)
    setup = MarkSetup(centre, exam_id, sitting, code, tmp_path)
    attempt = sit(setup, "C1", {"k1": "írásbeli k", "v1": ""})
    with centre.ledger() as ledger:
        ctx = marking.load_context(centre, ledger)
        marking.record_mark(ledger, ctx, attempt, "szv:k1", "anna", points=85)
    c = str(centre.path)
    # An oral mark needs a drawn card (issue 20).
    rc, _, err = run(capsys, "oral", "draw", "--exam", exam_id, "--candidate", "C1",
                     "--part", "k-oral", "--user", "bela", "--centre", c)
    assert rc == 0, err
    rc, _, err = run(capsys, "oral", "record", "--exam", exam_id, "--candidate", "C1",
                     "--part", "k-oral", "--grade", "4", "--user", "bela", "--centre", c)
    assert rc == 0, err
    rc, _, err = run(capsys, "record", "exemption", "--exam", exam_id, "--candidate", "C1",
                     "--target", "nincs-ilyen", "--grounds", "x", "--granted-by", "KTK",
                     "--user", "anna", "--centre", c)
    assert rc == 2 and "no subject, activity or part 'nincs-ilyen'" in err
    rc, out, err = run(capsys, "record", "exemption", "--exam", exam_id, "--candidate", "C1",
                       "--target", "valasztott",
                       "--grounds", "Kttv. 118. § (9): tudományos fokozat (PhD, jogtudomány)",
                       "--granted-by", "KTK", "--document", "KTK-12/2025",
                       "--user", "anna", "--centre", c)
    assert rc == 0, err
    with centre.reader() as ledger:
        [event] = list(ledger.events(kind="exemption_granted"))
    assert event.actor == "examiner:anna" and event.body["granted_by"] == "KTK"
    rc, out, err = run(capsys, "verify", "--centre", c)
    assert rc == 0, err  # signed like every other event

    [c1] = compute_results(centre)
    subjects = {s["subject_id"]: (s["grade"], s["grade_name"]["source"], s["exempt"])
                for s in c1.outcome["subjects"]}
    assert subjects["valasztott"] == (5, "kiváló", True)
    assert c1.certificate is True and c1.outstanding == []
    assert c1.exemptions[0]["grounds"].startswith("Kttv. 118. § (9)")
    assert c1.exemptions[0]["seq"] == event.seq
    assert any("exempt from valasztott" in n and "granted by KTK, KTK-12/2025" in n
               for n in c1.notes)
    rc, out, err = run(capsys, "results", "--exam", exam_id, "--json", "--centre", c)
    assert rc == 0 and "KTK-12/2025" in out
    rc, out, err = run(capsys, "results", "--exam", exam_id, "--lang", "en", "--centre", c)
    assert f"exempt: valasztott — Kttv. 118. § (9): tudományos fokozat (PhD, jogtudomány) " \
           f"(granted by KTK, KTK-12/2025; event #{event.seq})" in out
    text = minutes_text(centre, sitting, language="hu")
    assert "exemption_granted: valasztott — Kttv. 118. § (9)" in text
    assert f"[examiner:anna, #{event.seq}]" in text
