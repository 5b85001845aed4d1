"""Exam files: parsing, validation with lines, and checks of the draw rules against banks."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.domain.exams import ExamError, Known
from kiosk.errors import KioskError
from kiosk.loading import check_exam, load_exam, read_exam, registered_names


def tf_item(item_id: str, topic: str, points: float = 1, extra: str = "") -> str:
    return (f'[[items]]\nid = "{item_id}"\ntype = "true_false"\ntopic = "{topic}"\n'
            f'points = {points}\nstem = "?"\nanswer = true\n{extra}\n')


def bank_text(bank_id: str, items: list[str]) -> str:
    return f'[bank]\nid = "{bank_id}"\ntitle = "B"\n\n' + "".join(items)


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    items = [tf_item(f"h{i}", "Hálózatok") for i in range(1)]
    items += [tf_item(f"o{i}", "OS") for i in range(4)]
    items += [tf_item(f"d{i}", "DB", 2) for i in range(3)]
    path = tmp_path / "bank.toml"
    path.write_text(bank_text("it", items), encoding="utf-8")
    return path


def write_exam(tmp_path: Path, body: str, head: str = "") -> Path:
    path = tmp_path / "exam.toml"
    path.write_text('[exam]\nid = "e1"\ntitle = "Exam"\nbanks = ["bank.toml"]\n' + head
                    + "\n" + body, encoding="utf-8")
    return path


def test_good_exam_parses_with_defaults(tmp_path: Path, bank: Path) -> None:
    path = write_exam(tmp_path, '''[[parts]]
id = "1"
title = "Feladatsor"
minutes = 30
weight = 2

[[parts.draw]]
topic = "OS"
count = 2
[[parts.draw]]
fixed = ["h0"]
[[parts.draw]]
equal_share = 2
topics = ["DB", "OS"]
tags = []
''', head='grade_scale = "hu-szkr"\nscoring = "szkr"\nwarnings = [1, 10, 5]\npass_percent = 40\n')
    exam = load_exam(path, registered_names())
    assert (exam.id, exam.title, exam.regime, exam.grade_scale, exam.scoring) == (
        "e1", "Exam", "generic", "hu-szkr", "szkr")
    assert exam.banks == (bank,)
    assert exam.shuffle_questions and exam.shuffle_options and exam.show_score
    assert not exam.self_start
    assert exam.warnings == (10, 5, 1)
    assert exam.pass_percent == 40
    (part,) = exam.parts
    assert (part.id, part.minutes, part.extra) == ("1", 30, {"weight": 2})
    assert [r.kind for r in part.draw] == ["count", "fixed", "equal_share"]
    assert part.draw[0].line == 16 and part.draw[2].topics == ("DB", "OS")
    assert check_exam(path).errors == []


def test_exam_errors_have_lines(tmp_path: Path, bank: Path) -> None:
    path = write_exam(tmp_path, '''[[parts]]
id = "1"
minutes = 0

[[parts.draw]]
count = 2
fixed = ["x"]

[[parts.draw]]
equal_share = 5
topics = ["A", "B"]
topc = "A"

[[parts]]
id = "1"
minutes = 10
''', head='grade_scale = "hu-nope"\nscoring = "lenient"\nregime = "hu-szkr"\n'
         'banks2 = 1\nshow_score = "yes"\n')
    known = registered_names()
    known.regimes = {"hu-szkr"}
    got = read_exam(path, known).errors
    p = str(path)
    assert f"{p}:5: unknown grade scale 'hu-nope' (known: " in got[0]
    assert got[1].startswith(f"{p}:6: exam scoring: unknown scoring rule 'lenient' (known: ")
    assert got[2:] == [
        f"{p}:9: exam show_score: must be true or false, got 'yes'",
        f"{p}:13: parts[0]: minutes is required, a number > 0, got 0",
        f"{p}:15: parts[0].draw[0]: give exactly one of fixed, count, equal_share "
        "(found fixed, count)",
        f"{p}:22: parts[0].draw[1]: unknown key 'topc' (known: count, equal_share, fixed, tags, "
        "topic, topics, type)",
        f"{p}:20: parts[0].draw[1]: equal_share 5 cannot be split evenly over 2 topics",
        f"{p}:25: parts[1]: duplicate part id '1' (also parts[0])",
        f"{p}:24: parts[1]: no [[parts.draw]] rules: the part would be empty",
    ]
    with pytest.raises(ExamError):
        load_exam(path, known)


def test_regimes(tmp_path: Path, bank: Path) -> None:
    body = '[[parts]]\nid = "1"\nminutes = 5\n[[parts.draw]]\ncount = 1\n'
    path = write_exam(tmp_path, body, head='regime = "hu-iskolai"\n')
    # no regimes registered yet: any name passes
    assert read_exam(path, Known(regimes=None)).errors == []
    assert read_exam(path, Known(regimes={"hu-iskolai"})).errors == []
    got = read_exam(path, Known(regimes={"hu-szkr"})).errors
    assert got == [f"{path}:5: unknown regime 'hu-iskolai' (known: generic, hu-szkr)"]
    generic = write_exam(tmp_path, body, head='regime = "generic"\n')
    assert read_exam(generic, Known(regimes={"hu-szkr"})).errors == []


def test_missing_bank_and_missing_exam(tmp_path: Path) -> None:
    path = write_exam(tmp_path, '[[parts]]\nid = "1"\nminutes = 5\n[[parts.draw]]\ncount = 1\n')
    assert read_exam(path).errors == [
        f"{path}:4: banks[0]: no such file 'bank.toml' (looked for {tmp_path / 'bank.toml'})"]
    with pytest.raises(KioskError) as err:
        read_exam(tmp_path / "none.toml")
    assert err.value.exit_code == 2


def test_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('[exam]\nid = "x"\ntitle = \n', encoding="utf-8")
    (error,) = read_exam(path).errors
    assert error.startswith(f"{path}:3: TOML syntax error:")


def test_draw_rule_shortages(tmp_path: Path, bank: Path) -> None:
    path = write_exam(tmp_path, '''[[parts]]
id = "1"
minutes = 30

[[parts.draw]]
topic = "OS"
count = 2

[[parts.draw]]
topic = "Hálózatok"
count = 3

[[parts.draw]]
fixed = ["o0", "zz", "other:o1"]

[[parts.draw]]
count = 1
type = "essay"
''', head='grade_scale = "hu-szkr"\n')
    p = str(path)
    assert check_exam(path).errors == [
        f"{p}:19: parts[0].draw[2]: fixed item 'zz' is not in any bank of the exam",
        f"{p}:19: parts[0].draw[2]: fixed item 'other:o1' is not in bank 'other'",
        f"{p}:15: parts[0].draw[1] (topic 'Hálózatok', count 3): the bank has only 1 item, "
        "2 short",
        f"{p}:22: parts[0].draw[3] (type 'essay', count 1): the bank has only 0 items, 1 short",
    ]


def test_overlapping_rules_and_totals(tmp_path: Path, bank: Path) -> None:
    path = write_exam(tmp_path, '''[[parts]]
id = "1"
minutes = 30
total_points = 10

[[parts.draw]]
topic = "OS"
count = 3

[[parts.draw]]
type = "true_false"
tags = []
count = 6
''')
    errors = check_exam(path).errors
    assert errors == [
        f"{path}:15: parts[0].draw[1] (type 'true_false', count 6): the bank has 8 items for "
        "it, but other rules draw from the same items: only 5 left, 1 short",
    ]


def test_total_that_depends_on_the_draw(tmp_path: Path, bank: Path) -> None:
    path = write_exam(tmp_path, '[[parts]]\nid = "1"\nminutes = 3\ntotal_points = 3\n'
                      '[[parts.draw]]\ntopic = "OS"\ncount = 1\n[[parts.draw]]\ncount = 2\n')
    assert check_exam(path).errors == [
        f"{path}:6: parts[0]: total_points = 3, but the drawn items give from 3 to 5 points "
        "depending on the draw (items a rule draws from differ in points)"]


def test_equal_share_and_total(tmp_path: Path, bank: Path) -> None:
    # default topics: DB, Hálózatok, OS -> 6 items, 2 each, but Hálózatok has only 1
    path = write_exam(tmp_path, '''[[parts]]
id = "1"
minutes = 30
total_points = 7

[[parts.draw]]
equal_share = 6
''')
    assert check_exam(path).errors == [
        f"{path}:11: parts[0].draw[0] (topic 'Hálózatok', equal_share 6, count 2): the bank has "
        "only 1 item, 1 short",
    ]
    exact = write_exam(tmp_path, '[[parts]]\nid = "1"\nminutes = 3\ntotal_points = 7\n'
                       '[[parts.draw]]\nequal_share = 4\ntopics = ["OS", "DB"]\n')
    assert check_exam(exact).errors == [
        f"{exact}:6: parts[0]: total_points = 7, but the drawn items give 6 points"]
    uneven = write_exam(tmp_path, '[[parts]]\nid = "1"\nminutes = 3\n[[parts.draw]]\n'
                        'equal_share = 4\n')
    assert check_exam(uneven).errors == [
        f"{uneven}:9: parts[0].draw[0]: equal_share 4 cannot be split evenly over 3 topics "
        "(DB, Hálózatok, OS)"]


def test_fixed_enemies_and_twice(tmp_path: Path) -> None:
    (tmp_path / "bank.toml").write_text(bank_text("b", [
        tf_item("a", "T", extra='enemies = ["b:c"]'), tf_item("c", "T")]), encoding="utf-8")
    path = write_exam(tmp_path, '[[parts]]\nid = "1"\nminutes = 3\n[[parts.draw]]\n'
                      'fixed = ["a", "c"]\n[[parts.draw]]\nfixed = ["b:a"]\n')
    assert check_exam(path).errors == [
        f"{path}:11: parts[0].draw[1]: fixed item 'b:a' is already fixed by parts[0].draw[0]",
        f"{path}:9: parts[0].draw[0]: fixed items 'b:a' and 'b:c' are enemies and can never "
        "be on one paper",
    ]


def test_bad_double_marking_settings_are_errors(tmp_path: Path, bank: Path) -> None:
    body = '[[parts]]\nid = "1"\nminutes = 5\n[[parts.draw]]\ncount = 1\n'
    path = write_exam(tmp_path, body, head='double_marking = "yes"\n')
    assert read_exam(path, Known()).errors == [
        f"{path}:5: exam double_marking: must be true or false, got 'yes'"]
    path = write_exam(tmp_path, body, head='double_marking = true\ndouble_marking_threshold = -1\n')
    assert read_exam(path, Known()).errors == [
        f"{path}:6: exam double_marking_threshold: must be a number of points ≥ 0, got -1"]
    path = write_exam(tmp_path, body, head='double_marking = true\ndouble_marking_threshold = 2\n')
    assert read_exam(path, Known()).errors == []
