"""Rules of the source documents (../shared/seeds/) the digests left out or got wrong (issue 17).

Each test quotes the rule's own sentence; the seed decides where a digest is silent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.builtins.regimes.generic import GenericRegime
from kiosk.builtins.regimes.iskolai import IskolaiRegime
from kiosk.domain.regimes import PartMark, RegimeInput, exam_config
from kiosk.loading import builtin_scales, check_exam, load_exam

SCALES = {s.id: s for s in builtin_scales()}
CONTENT = Path(__file__).resolve().parents[2] / "question_banks"


# --- 1. the szakvizsga practice paper -------------------------------------------------------


@pytest.mark.parametrize(("points", "grade"), [(24.4, 2), (32.4, 4), (24, 1), (36.4, 5)])
def test_szakvizsga_practice_paper_is_graded_on_the_szakvizsga_bands(points: float,
                                                                      grade: int) -> None:
    """Seed 002, 14.2: "jeles (5) 91–100 pont, jó (4) 81–90 pont, közepes (3) 71–80 pont,
    elégséges (2) 61–70 pont, elégtelen (1) 0–60 pont" — a közigazgatási szakvizsga paper, even
    a practice one, is not graded on the Szkr scale (where 61 % would be jó and 81 % jeles)."""
    exam = load_exam(CONTENT / "szakvizsga_jogesetek.exam.toml")
    assert exam.grade_scale == "hu-szakvizsga"
    got = GenericRegime(SCALES).evaluate(RegimeInput(
        marks=(PartMark("irasbeli", points, 40),), config=exam_config(exam)))
    # 24.4 of 40 = 61 %, 32.4 of 40 = 81 %, 24 of 40 = 60 %, 36.4 of 40 = 91 %
    assert got.grade == grade
    assert got.passed is (grade > 1)


# --- 2. the szakvizsga written sheet: 11–14 questions, equal share per module ---------------


def test_szakvizsga_sample_sheet_has_11_to_14_questions_with_equal_module_points() -> None:
    """Seed 002, 14.2: "A vizsga írásbeli részén a jelöltek egy 11-14 kérdésből álló
    feladatlapot oldanak meg" and "A kérdések a tananyag teljes egészét lefedik, minden
    modulból tartalmaznak kérdéseket azonos arányban"."""
    from kiosk.domain.assembly import assemble
    from kiosk.domain.banks import all_items
    from kiosk.loading import question_types

    result = check_exam(CONTENT / "szakvizsga_kotelezo.exam.toml")
    assert result.errors == []
    assert result.exam is not None
    items = all_items(result.banks.values())
    for seed in range(10):
        keys = assemble(result.exam, result.banks, seed,
                        question_types=question_types()).item_keys
        assert 11 <= len(keys) <= 14
        per_module: dict[str, float] = {}
        for k in keys:
            per_module[items[k].topic] = per_module.get(items[k].topic, 0) + items[k].points
        assert len(per_module) == 5
        assert set(per_module.values()) == {20}


def exam_check(path: Path) -> tuple[int, list[str]]:
    """`kiosk exam check PATH`: exit code and the problem lines."""
    import subprocess
    import sys

    got = subprocess.run([sys.executable, "-m", "kiosk", "exam", "check", str(path)],
                         capture_output=True, text=True, timeout=120)
    return got.returncode, [line for line in got.stdout.splitlines() if ": parts[" in line]


def _copy_sample(tmp_path: Path) -> Path:
    for name in ("szakvizsga_kotelezo.exam.toml", "szakvizsga_kotelezo.toml"):
        shutil.copy(CONTENT / name, tmp_path / name)
    return tmp_path / "szakvizsga_kotelezo.exam.toml"


def test_exam_check_refuses_a_szakvizsga_sheet_of_15_questions(tmp_path: Path) -> None:
    """"egy 11-14 kérdésből álló feladatlapot": 15 questions are refused for hu-szakvizsga."""
    exam = _copy_sample(tmp_path)
    text = exam.read_text(encoding="utf-8")
    # Three more essays for modules III–V: 15 questions, 130 points.
    exam.write_text(text.replace("equal_share = 6", "equal_share = 9")
                    .replace("total_points = 100", "total_points = 130"), encoding="utf-8")
    assert check_exam(exam).errors == []  # loads: the rule is the regime's, in exam check
    code, errors = exam_check(exam)
    assert code == 1
    assert any("the written sheet has 15 questions" in e and "11–14" in e for e in errors), errors
    assert any("do not get an equal share" in e for e in errors), errors


def test_exam_check_refuses_unequal_module_points(tmp_path: Path) -> None:
    """"minden modulból tartalmaznak kérdéseket azonos arányban": a sheet of 12 questions whose
    modules give 20/20/20/20/… points differently is refused, naming the points per module."""
    exam = _copy_sample(tmp_path)
    text = exam.read_text(encoding="utf-8")
    # Modules I–II: two tests each instead of one (13 questions, 24 points for I and II).
    exam.write_text(text.replace("equal_share = 2\n", "equal_share = 4\n")
                    .replace("total_points = 100", "total_points = 108"), encoding="utf-8")
    code, errors = exam_check(exam)
    assert code == 1 and len(errors) == 1, errors
    assert "I. A központi állami szervek rendszere: 24" in errors[0]
    assert "III. Általános államháztartási ismeretek: 20" in errors[0]


def test_the_sheet_rule_is_the_szakvizsga_regimes_only(tmp_path: Path) -> None:
    exam = _copy_sample(tmp_path)
    text = exam.read_text(encoding="utf-8")
    exam.write_text(text.replace('regime = "hu-szakvizsga"', 'regime = "generic"')
                    .replace("equal_share = 2\n", "equal_share = 4\n")
                    .replace("total_points = 100", "total_points = 108"), encoding="utf-8")
    assert exam_check(exam) == (0, [])


def test_exam_check_passes_the_sample_szakvizsga_sheet() -> None:
    assert exam_check(CONTENT / "szakvizsga_kotelezo.exam.toml") == (0, [])


# --- 3. the maths exam scale carries its own conditions -------------------------------------


def iskolai(*marks: PartMark, **config: object):  # noqa: ANN201
    return IskolaiRegime(SCALES).evaluate(RegimeInput(marks=marks, config=config))


def test_maths_scale_written_below_24_percent_fails_without_the_exam_saying_so() -> None:
    """Seed 004, Matematika: "Amennyiben a tanuló az írásbeli vizsgarészen nem éri el a 24%-ot,
    nem tehet szóbeli vizsgát, vizsgája érdemjegye elégtelen" — the scale carries the rule."""
    got = iskolai(PartMark("i", 20, 100), PartMark("sz", 30, 30, kind="oral"),
                  grade_scale="hu-iskola-matek-vizsga")
    # Without the rule: 2/3 × 20 + 1/3 × 100 = 46.67 % → elégséges
    assert (got.grade, str(got.grade_name), got.passed) == (1, "elégtelen", False)
    assert got.parts[1].counts is False
    # An exam file cannot lower it
    lowered = iskolai(PartMark("i", 20, 100), PartMark("sz", 30, 30, kind="oral"),
                      grade_scale="hu-iskola-matek-vizsga", written_min_percent=10)
    assert lowered.passed is False


def test_maths_scale_oral_is_required_from_25_percent() -> None:
    """"25% vagy annál nagyobb írásbeli teljesítmény esetén a szóbeli vizsga kötelező, vizsgája
    érdemjegyét az írásbeli és szóbeli vizsga eredménye együttesen képezi": a written part alone
    earns no grade."""
    got = iskolai(PartMark("i", 90, 100), grade_scale="hu-iskola-matek-vizsga")
    assert got.grade is None and got.passed is False
    assert got.outstanding == ["oral"]
    both = iskolai(PartMark("i", 90, 100), PartMark("sz", 24, 30, kind="oral"),
                   grade_scale="hu-iskola-matek-vizsga")
    # "2/3-rész írásbeli, 1/3 rész szóbeli": (2 × 90 + 80) / 3 = 86.67 % → jeles
    assert (both.grade, both.passed) == (5, True)


def test_other_school_scales_have_no_maths_conditions() -> None:
    got = iskolai(PartMark("i", 20, 100), PartMark("sz", 30, 30, kind="oral"),
                  grade_scale="hu-iskola-magyar-osztalyozo")
    assert got.passed is True  # (20 + 100) / 2 = 60 % → közepes


def test_scale_conditions_are_validated(tmp_path: Path) -> None:
    from kiosk.domain.grading import ScaleError
    from kiosk.loading import load_scale_file

    bad = tmp_path / "x.toml"
    bad.write_text('id = "x"\nbands = [{min = 0, grade = 1}]\n[conditions]\n'
                   'written_min_percent = "sok"\noral_needed = true\n', encoding="utf-8")
    with pytest.raises(ScaleError) as err:
        load_scale_file(bad)
    assert "conditions.written_min_percent: must be a number" in str(err.value)
    assert "conditions.oral_needed: unknown condition" in str(err.value)


# --- 4. every grade table of the school programme has a built-in scale ----------------------

# (where in seed 004, what the table grades) -> (the built-in scale, lower bounds for 5/4/3/2 %)
SEED_TABLES = {
    ("l.2436", "Komplex természettudomány pótló / javító vizsga"):
        ("hu-iskola-termeszettudomany-vizsga", (85, 70, 50, 35)),
    ("l.2463", "Matematika témazáró"): ("hu-iskola-matek-temazaro", (85, 70, 55, 40)),
    ("l.2518", "Matematika vizsga (2/3 írásbeli + 1/3 szóbeli)"):
        ("hu-iskola-matek-vizsga", (85, 70, 50, 35)),
    ("l.2556", "Magyar / történelem / állampolgári ismeretek témazáró"):
        ("hu-iskola-magyar-temazaro", (90, 75, 60, 45)),
    ("l.2568", "Magyar / történelem / állampolgári ismeretek osztályozó vizsga"):
        ("hu-iskola-magyar-osztalyozo", (85, 70, 55, 40)),
    ("l.2603", "Idegen nyelv témazáró"): ("hu-iskola-idegen-nyelv-temazaro", (85, 70, 55, 40)),
    ("l.2615", "Idegen nyelv röpdolgozat"):
        ("hu-iskola-idegen-nyelv-ropdolgozat", (90, 80, 65, 50)),
    ("l.2627", "Nyelvi előkészítő évfolyam év végi záró vizsgája vagy próba-nyelvvizsgája"):
        ("hu-iskola-nyelvi-elokeszito-zarovizsga", (70, 60, 40, 30)),
    ("l.2638", "Idegen nyelv osztályozó vizsga"):
        ("hu-iskola-idegen-nyelv-osztalyozo", (80, 60, 50, 40)),
    ("l.2650", "Idegen nyelv kis-érettségi vizsga"):
        ("hu-iskola-idegen-nyelv-kiserettsegi", (80, 60, 50, 40)),
    ("l.2676", "Digitális kultúra, szakmai informatikai tárgyak javító és osztályozó vizsga"):
        ("hu-iskola-digitalis-kultura", (80, 60, 50, 40)),
    ("l.2693", "Digitális kultúra tanévközi értékelés"):
        ("hu-iskola-digitalis-kultura-evkozi", (90, 80, 65, 50)),
    ("l.2804", "Digitális alkalmazások javító és osztályozó vizsga"):
        ("hu-iskola-digitalis-alkalmazasok-vizsga", (80, 60, 50, 40)),
    ("l.2825", "Honvédelem"): ("hu-iskola-honvedelem", (81, 66, 56, 41)),
    ("l.3690", "Szakmai tantárgyak vizsgái és próbavizsgái (Szkr 290. § (2))"):
        ("hu-iskola-szakmai", (80, 60, 50, 40)),
    ("l.3851", "Gazdálkodás és menedzsment ágazat szakmai tantárgyai"):
        ("hu-iskola-kozgazdasagi-szakmai-evkozi", (85, 70, 55, 40)),
    ("l.4154", "Informatika és távközlés ágazat szakmai tantárgyai"):
        ("hu-iskola-it-szakmai-evkozi", (90, 80, 65, 50)),
}


def _bounds(scale) -> tuple[float, ...]:  # noqa: ANN001
    return tuple(b.min for b in sorted(scale.bands, key=lambda b: -b.grade) if b.grade > 1)


@pytest.mark.parametrize(("where", "label"), list(SEED_TABLES), ids=[w for w, _ in SEED_TABLES])
def test_every_school_grade_table_has_a_scale(where: str, label: str) -> None:
    """Seed 004: e.g. "Nyelvi előkészítő évfolyam év végi záró vizsgája vagy
    próba-nyelvvizsgája: Jeles (5) 70 – 100 %, Jó (4) 60 – 69%, Közepes (3) 40 – 59%,
    Elégséges (2) 30 – 39%, Elégtelen (1) 0 – 29%" — each table is a scale an exam can name."""
    sid, bounds = SEED_TABLES[(where, label)]
    assert sid in SCALES, f"{where} {label}: no built-in scale {sid}"
    scale = SCALES[sid]
    assert _bounds(scale) == bounds
    assert (scale.basis, scale.rounding) == ("percent", "truncate")


def test_every_school_scale_is_a_table_of_the_programme() -> None:
    school = {sid for sid in SCALES if sid.startswith("hu-iskola-")}
    assert school == {sid for sid, _ in SEED_TABLES.values()}


def test_language_preparatory_closing_exam_scale() -> None:
    scale = SCALES["hu-iskola-nyelvi-elokeszito-zarovizsga"]
    got = iskolai(PartMark("i", 69.9, 100), grade_scale=scale.id)
    assert got.grade == 4  # 69.9 % has not reached 70 %
    assert iskolai(PartMark("i", 30, 100), grade_scale=scale.id).grade == 2
    assert iskolai(PartMark("i", 29, 100), grade_scale=scale.id).grade == 1


def test_digital_applications_exam_weights_practical_80_oral_20() -> None:
    """Seed 004, Digitális alkalmazások: "A két vizsgarész aránya: gyakorlati 80 %, szóbeli
    20 %. A két vizsgarész együttes teljesítményére a fenti százalékok alapján kapja az
    osztályzatot.\""""
    got = iskolai(PartMark("gy", 50, 100), PartMark("sz", 100, 100, kind="oral"),
                  grade_scale="hu-iskola-digitalis-alkalmazasok-vizsga")
    assert got.overall_percent == pytest.approx(60)  # 0.8 × 50 + 0.2 × 100
    assert got.grade == 4


# --- 10. a room-wide extension reaches a candidate who logs in later ------------------------


def test_room_extension_before_the_attempt_exists_reaches_the_late_candidate() -> None:
    """Szkr 279. § (3): "Az interaktív vizsgatevékenység megoldására rendelkezésre álló
    időtartamba nem számítható be a vizsgázónak fel nem róható okból kieső idő" (and seed 004,
    in-school written exam 9.: "a kiesett idővel a rendelkezésre álló időt meg kell növelni").
    A room-wide extension is the sitting's; it reaches every attempt of the sitting."""
    from kiosk.domain import attempts as A
    from kiosk.ledger.store import Event

    def ev(seq: int, kind: str, body: dict, attempt: str | None) -> Event:
        return Event(seq, "2026-01-01T00:00:00.000000Z", "invigilator:I", attempt, kind, body,
                     "", f"h{seq}")

    events = [
        ev(1, A.STARTED, {"sitting": "S1"}, None),
        ev(2, A.EXTENDED, {"sitting": "S1", "minutes": 10, "cause": "lost_time",
                           "reason": "áramszünet"}, None),
        ev(3, A.EXTENDED, {"sitting": "S1", "minutes": 2, "part": "p2", "cause": "lost_time",
                           "reason": "x"}, None),
        ev(4, A.ATTEMPT_CREATED, {"attempt": "A-9", "sitting": "S1", "exam": "x",
                                  "candidate": "C9", "seed": "s", "parts": ["p1", "p2"],
                                  "paper": [["t:a"], ["t:b"]]}, "A-9"),
        ev(5, A.EXTENDED, {"sitting": "S2", "minutes": 7, "cause": "lost_time",
                           "reason": "other room"}, None),
    ]
    state = A.fold_events(events, sitting="S1")
    assert state.extensions_ms == {"p1": 600_000, "p2": 120_000}
    assert state.early_extensions == []
    # the invigilator's console folds the same way
    from kiosk.domain.room import RoomView

    room = RoomView("S1", ["C9"], {"C9": "Kiss Gál"}, {})
    room.apply(events)
    view = room.state_of("C9")
    assert view is not None and view.extensions_ms == {"p1": 600_000, "p2": 120_000}


def test_late_login_after_a_room_extension_gets_the_time(tmp_path: Path) -> None:
    """The same through a real centre: the invigilator extends the whole room before C2 has
    logged in; C2's clock then allows the part's minutes plus the extension."""
    from kiosk import invigilation
    from kiosk.domain.timing import ManualClock
    from kiosk.ledger.centre import Centre
    from kiosk.session import CandidateSession
    from tests.support.session_helpers import make_setup

    s = make_setup(tmp_path, self_start=True)
    early = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=ManualClock())
    early.start()
    with Centre.open(s.centre.path).ledger() as ledger:
        user = invigilation.Invigilator("anna")
        invigilation.extend_all(ledger, user, s.sitting, 5, "a lámpák kialudtak")
    late = CandidateSession.login(s.centre.path, "C2", s.code, seat="PC2", clock=ManualClock())
    late.start()
    early.refresh()
    assert late.remaining_s() == pytest.approx(early.remaining_s(), abs=1)
    assert late.remaining_s() == pytest.approx(15 * 60, abs=1)  # 10 minutes + 5
    early.close()
    late.close()


# --- 8. the szakvizsga two-year rule counts from the first failed part ----------------------


def _overlapping_failures() -> tuple:
    from datetime import date

    from kiosk.domain.regimes import SubjectInput

    k = SubjectInput("k", kind="compulsory", marks=(
        PartMark("irasbeli", 40, 100, kind="written", date=date(2022, 1, 10)),  # first failure
        PartMark("szobeli", kind="oral", grade=1, date=date(2023, 1, 10)),
        PartMark("irasbeli", 80, 100, kind="written", date=date(2023, 6, 1)),
        # the oral's own two years are not over, but the first failed part's are
        PartMark("szobeli", kind="oral", grade=4, date=date(2024, 3, 1))))
    v = SubjectInput("v", kind="elective", marks=(
        PartMark("irasbeli", 91, 100, kind="written", date=date(2022, 1, 10)),
        PartMark("szobeli", kind="oral", grade=5, date=date(2022, 1, 10))))
    return k, v


def test_two_year_rule_counts_from_the_first_failed_part() -> None:
    """Seed 002, 15.: "Ha az első eredménytelen szakvizsgarésztől számított két éven belül az
    ismétlővizsga nem eredményes, akkor a vizsgát mindkét tárgyból meg kell ismételni." One
    clock from the first failed part (2022-01-10): the oral passed on 2024-03-01 is too late,
    though it is within two years of the oral's own failure."""
    from kiosk.builtins.regimes.szakvizsga import SzakvizsgaRegime

    got = SzakvizsgaRegime(SCALES).evaluate(RegimeInput(subjects=_overlapping_failures()))
    assert got.certificate is False
    assert got.outstanding == ["k:written", "k:oral", "v:written", "v:oral"]
    assert not any(p.counts for p in got.parts)
    assert any("first failed part (k:written, 2022-01-10)" in n for n in got.notes), got.notes


def test_two_year_rule_per_part_is_an_explicit_option() -> None:
    from kiosk.builtins.regimes.szakvizsga import SzakvizsgaRegime
    from kiosk.domain.regimes import RegimeError

    got = SzakvizsgaRegime(SCALES).evaluate(RegimeInput(
        subjects=_overlapping_failures(), config={"two_year_clock": "per_part"}))
    assert (got.certificate, got.outstanding) == (True, [])
    with pytest.raises(RegimeError, match="two_year_clock: must be one of"):
        SzakvizsgaRegime(SCALES).evaluate(RegimeInput(
            subjects=_overlapping_failures(), config={"two_year_clock": "soha"}))


def test_two_year_clock_stops_when_nothing_failed_is_outstanding() -> None:
    """A failure that was put right starts no clock for a later, unrelated failure."""
    from datetime import date

    from kiosk.builtins.regimes.szakvizsga import SzakvizsgaRegime
    from kiosk.domain.regimes import SubjectInput

    k = SubjectInput("k", kind="compulsory", marks=(
        PartMark("irasbeli", 40, 100, kind="written", date=date(2022, 1, 10)),
        PartMark("irasbeli", 80, 100, kind="written", date=date(2022, 6, 1)),
        PartMark("szobeli", kind="oral", grade=1, date=date(2023, 9, 1)),
        PartMark("szobeli", kind="oral", grade=3, date=date(2025, 8, 1))))
    v = SubjectInput("v", kind="elective", marks=(
        PartMark("irasbeli", 91, 100, kind="written", date=date(2022, 1, 10)),
        PartMark("szobeli", kind="oral", grade=5, date=date(2022, 1, 10))))
    got = SzakvizsgaRegime(SCALES).evaluate(RegimeInput(subjects=(k, v),
                                                        as_of=date(2025, 9, 1)))
    assert (got.certificate, got.outstanding) == (True, [])
