"""Grade scales: every built-in scale's band edges, rounding, and scales added as files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.domain.grading import ScaleError, grade, grade_score, merge_scales
from kiosk.loading import builtin_scales, centre_scales, load_scale_file

SCALES = {s.id: s for s in builtin_scales()}

# id -> lower bounds (in percent) of grades 5, 4, 3, 2 from rules/iskolai-vizsgak.md
SCHOOL = {
    "hu-iskola-szakmai": (80, 60, 50, 40),
    "hu-iskola-matek-temazaro": (85, 70, 55, 40),
    "hu-iskola-matek-vizsga": (85, 70, 50, 35),
    "hu-iskola-magyar-temazaro": (90, 75, 60, 45),
    "hu-iskola-magyar-osztalyozo": (85, 70, 55, 40),
    "hu-iskola-idegen-nyelv-temazaro": (85, 70, 55, 40),
    "hu-iskola-idegen-nyelv-ropdolgozat": (90, 80, 65, 50),
    "hu-iskola-idegen-nyelv-osztalyozo": (80, 60, 50, 40),
    "hu-iskola-digitalis-kultura": (80, 60, 50, 40),
    "hu-iskola-it-szakmai-evkozi": (90, 80, 65, 50),
    "hu-iskola-kozgazdasagi-szakmai-evkozi": (85, 70, 55, 40),
    "hu-iskola-honvedelem": (81, 66, 56, 41),
    # added from seed 004 (issue 17)
    "hu-iskola-nyelvi-elokeszito-zarovizsga": (70, 60, 40, 30),
    "hu-iskola-idegen-nyelv-kiserettsegi": (80, 60, 50, 40),
    "hu-iskola-termeszettudomany-vizsga": (85, 70, 50, 35),
    "hu-iskola-digitalis-kultura-evkozi": (90, 80, 65, 50),
    "hu-iskola-digitalis-alkalmazasok-vizsga": (80, 60, 50, 40),
}
NAMES = {5: ("jeles", "excellent"), 4: ("jó", "good"), 3: ("közepes", "satisfactory"),
         2: ("elégséges", "pass"), 1: ("elégtelen", "fail")}


def test_all_scales_present() -> None:
    assert {"hu-szkr", "hu-szakvizsga", *SCHOOL} == set(SCALES)


@pytest.mark.parametrize(
    ("value", "expected", "used"),
    [(100, 5, 100), (80, 5, 80), (79.99, 4, 79), (79.9, 4, 79), (60, 4, 60), (59.9, 3, 59),
     (50, 3, 50), (49.99, 2, 49), (40, 2, 40), (39.99, 1, 39), (0, 1, 0)],
)
def test_szkr_truncates_percent(value: float, expected: int, used: float) -> None:
    g = grade(SCALES["hu-szkr"], value)
    assert (g.grade, g.value_used) == (expected, used)
    # The usual names are the catalogue's messages (grade.N), Hungarian as their source.
    assert (g.name.msgid, str(g.name)) == (f"grade.{expected}", NAMES[expected][0])


@pytest.mark.parametrize(
    ("points", "expected"),
    [(100, 5), (91, 5), (90, 4), (90.5, 4), (81, 4), (80, 3), (71, 3), (70, 2), (61, 2),
     (60.5, 1), (60, 1), (0, 1)],
)
def test_szakvizsga_points(points: float, expected: int) -> None:
    g = grade(SCALES["hu-szakvizsga"], points)
    assert g.grade == expected
    assert g.passed is (expected > 1)


@pytest.mark.parametrize("scale_id", sorted(SCHOOL))
def test_school_scale_edges(scale_id: str) -> None:
    scale = SCALES[scale_id]
    assert scale.basis == "percent" and scale.rounding == "truncate"
    bounds = SCHOOL[scale_id]
    for expected, low in zip((5, 4, 3, 2), bounds, strict=True):
        assert grade(scale, low).grade == expected
        assert grade(scale, low - 0.01).grade == expected - 1
    assert grade(scale, 100).grade == 5
    assert grade(scale, 0).grade == 1


def test_grade_from_points_guards_float_noise() -> None:
    # 57/100 * 100 is 56.99999999999999 in floating point: it must still be 57 %.
    g = grade_score(SCALES["hu-szkr"], 0.57 * 30, 30)
    assert g.value_used == 57
    assert grade_score(SCALES["hu-szkr"], 24, 30).grade == 5  # exactly 80 %
    assert grade_score(SCALES["hu-szkr"], 23.99, 30).grade == 4


def test_points_scale_rescales_to_out_of() -> None:
    # 45.5 of 50 is 91 of 100
    assert grade_score(SCALES["hu-szakvizsga"], 45.5, 50).grade == 5
    assert grade_score(SCALES["hu-szakvizsga"], 45, 50).grade == 4


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_school_adds_scale_by_file(tmp_path: Path) -> None:
    write(tmp_path / "centre" / "scales" / "pass-fail.toml", """
id = "pass-fail"
basis = "percent"
rounding = "half_up"
[names]
hu = "Megfelelt"
en = "Pass/fail"
[[bands]]
min = 50
grade = 2
name_hu = "megfelelt"
name_en = "passed"
[[bands]]
min = 0
grade = 1
""")
    scales = merge_scales(builtin_scales(), centre_scales(tmp_path / "centre"))
    scale = scales["pass-fail"]
    assert grade(scale, 49.5).grade == 2  # half_up: 49.5 -> 50
    assert str(grade(scale, 49.4).name) == "elégtelen"  # default name for grade 1
    assert "hu-szkr" in scales


def test_env_dir_scales_registered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk import plugins

    write(tmp_path / "s" / "x.toml", 'id = "hu-szkr"\nbasis = "percent"\nrounding = "none"\n'
          '[[bands]]\nmin = 0\ngrade = 1\n')
    monkeypatch.setenv("KIOSK_SCALES_DIR", str(tmp_path / "s"))
    plugins.reset()
    try:
        reg = plugins.registry()
        # the school's file replaces the built-in scale with the same id
        assert reg.grade_scales["hu-szkr"].rounding == "none"
        assert "hu-szakvizsga" in reg.grade_scales
    finally:
        plugins.reset()


def test_bad_scale_file_is_one_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.toml", 'id = "Bad Id"\nbasis = "grams"\n[[bands]]\nmin = "x"\n'
                 'grade = 1\n')
    with pytest.raises(ScaleError) as err:
        load_scale_file(path)
    message = str(err.value)
    assert f"{path}: id:" in message
    assert "basis: must be one of percent, points" in message
    assert "bands[0].min: must be a number" in message
    syntax = write(tmp_path / "syntax.toml", 'id = "x"\nbasis = \n')
    with pytest.raises(ScaleError, match="line 2"):
        load_scale_file(syntax)
