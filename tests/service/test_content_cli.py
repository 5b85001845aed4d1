"""`kiosk bank check`, `kiosk exam check`, `kiosk paper show` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main

BANK = '[bank]\nid = "k"\ntitle = "K"\n\n' + "".join(
    f'[[items]]\nid = "q{i}"\ntype = "{"true_false" if i % 3 else "single_choice"}"\n'
    f'topic = "{"AB"[i % 2]}"\npoints = 1\nstem = "Kérdés {i}"\n'
    + ('answer = true\n' if i % 3 else
       'options = [{text = "x", correct = true}, {text = "y"}, {text = "z"}]\n')
    + "\n" for i in range(8))

EXAM = '''[exam]
id = "ex"
title = "Ex"
banks = ["bank.toml"]
grade_scale = "hu-szkr"
scoring = "szkr"

[[parts]]
id = "1"
title = "Első"
minutes = 20
total_points = 4

[[parts.draw]]
equal_share = 4
'''


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "bank.toml").write_text(BANK, encoding="utf-8")
    (tmp_path / "exam.toml").write_text(EXAM, encoding="utf-8")
    return tmp_path


def test_bank_check_counts(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "bank", "check", str(files / "bank.toml"))
    assert code == 0
    assert "bank k (K): 8 items, 8 points, 1 file" in out
    assert "single_choice  3" in out and "true_false     5" in out
    assert "A  4" in out and "B  4" in out
    code, out, _ = run(capsys, "bank", "check", "--json", str(files / "bank.toml"))
    data = json.loads(out)
    assert data["ok"] and data["banks"][0]["by_topic"] == {"A": 4, "B": 4}


def test_bank_check_errors_exit_1(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = files / "bad.toml"
    bad.write_text(BANK.replace('points = 1\nstem = "Kérdés 2"', 'points = -1\nstem = "x"')
                   .replace('id = "q5"', 'id = "q4"'), encoding="utf-8")
    code, out, err = run(capsys, "bank", "check", str(bad))
    assert code == 1
    assert out.splitlines() == [
        f"{bad}:25: item 'q2': points must be a number > 0, got -1",
        f"{bad}:46: item 'q4': duplicate id (first at {bad}:38)",
    ]
    assert err == "kiosk: 2 problems found\n"
    code, out, _ = run(capsys, "bank", "check", "--json", str(bad))
    assert code == 1 and len(json.loads(out)["errors"]) == 2


def test_bank_check_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    code, out, err = run(capsys, "bank", "check", str(tmp_path / "nope.toml"))
    assert code == 2 and out == ""
    assert err == f"kiosk: {tmp_path / 'nope.toml'}: no such file\n"


def test_exam_check(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "exam", "check", str(files / "exam.toml"))
    assert code == 0, out
    assert "exam ex (Ex): 1 part, 20 minutes, regime generic, scale hu-szkr" in out
    assert "ok: every draw rule can be satisfied" in out
    (files / "exam.toml").write_text(EXAM.replace("equal_share = 4", "topic = \"A\"\ncount = 9"),
                                     encoding="utf-8")
    code, out, _ = run(capsys, "exam", "check", str(files / "exam.toml"))
    assert code == 1
    assert out == (f"{files / 'exam.toml'}:14: parts[0].draw[0] (topic 'A', count 9): the bank "
                   "has only 4 items, 5 short\n")


def test_exam_check_enemies_found_by_trial(files: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    (files / "bank.toml").write_text(BANK.replace('id = "q0"\n', 'id = "q0"\nenemies = ["q2"]\n'),
                                     encoding="utf-8")
    (files / "exam.toml").write_text(EXAM.replace("equal_share = 4", "topic = \"A\"\ncount = 4")
                                     .replace("total_points = 4\n", ""), encoding="utf-8")
    code, out, _ = run(capsys, "exam", "check", str(files / "exam.toml"))
    assert code == 1
    assert out.startswith(f"{files / 'exam.toml'}: trial assembly failed for 20 of 20 seeds "
                          "(0, 1, 2, 3, 4, …): ")
    assert "parts[0].draw[0] (topic 'A', count 4): only 3 of 4 items can be drawn" in out


def test_paper_show(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exam = str(files / "exam.toml")
    code, out, _ = run(capsys, "paper", "show", "--exam", exam, "--seed", "42")
    assert code == 0
    assert out.startswith("paper for exam ex, seed 42: 4 items, 4 points\npart 1 (Első): ")
    code, first, _ = run(capsys, "paper", "show", "--exam", exam, "--seed", "42", "--json")
    code, again, _ = run(capsys, "paper", "show", "--exam", exam, "--seed", "42", "--json")
    assert first == again
    data = json.loads(first)
    assert data["seed"] == "42" and data["max_points"] == 4
    items = data["parts"][0]["items"]
    assert sorted(i["topic"] for i in items) == ["A", "A", "B", "B"]
    assert len({i["item"] for i in items}) == 4


def test_paper_show_needs_a_seed(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exam = str(files / "exam.toml")
    code, _, err = run(capsys, "paper", "show", "--exam", exam)
    assert code == 2 and err == "kiosk: give --seed S, or --centre DIR --candidate ID\n"
    code, _, err = run(capsys, "paper", "show", "--exam", exam, "--candidate", "c1")
    assert code == 2 and "--candidate needs --centre" in err


def test_subprocess_never_tracebacks(tmp_path: Path) -> None:
    bad = tmp_path / "syntax.toml"
    bad.write_text('[bank]\nid = "x"\ntitle = "X"\n[[items]]\nid = \n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kiosk", "bank", "check", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"{bad}:5: TOML syntax error: ")
    assert "Traceback" not in proc.stderr


def test_paper_show_regenerates_a_candidates_recorded_paper(tmp_path: Path) -> None:
    import json as _json

    from kiosk.session import CandidateSession
    from tests.support.session_helpers import make_setup

    setup = make_setup(tmp_path)
    exam_file = tmp_path / "content" / "exam.toml"  # written by the setup, beside its bank
    session = CandidateSession.login(setup.centre, "C1", setup.code, seat="S1")
    recorded = [[pi.key for pi in part.items] for part in session.parts]
    session.close(force=True)
    run = subprocess.run(
        [sys.executable, "-m", "kiosk", "paper", "show", "--exam", str(exam_file), "--centre",
         str(setup.centre.path), "--candidate", "C1", "--json"],
        capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    shown = _json.loads(run.stdout)
    assert [[i["item"] for i in p["items"]] for p in shown["parts"]] == recorded
    nobody = subprocess.run(
        [sys.executable, "-m", "kiosk", "paper", "show", "--exam", str(exam_file), "--centre",
         str(setup.centre.path), "--candidate", "NOBODY"], capture_output=True, text=True)
    assert nobody.returncode == 2 and "no attempt by 'NOBODY'" in nobody.stderr
