"""Aiken import: the letter options and ANSWER line, multi-line stems, errors by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.builtins.importers.aiken import import_aiken, parse_aiken
from tests.support.import_helpers import bank_errors, run_cli, strip_common

# The example from Moodle's Aiken format documentation, plus a ')' variant, a multi-line stem and
# a multiple-answer block.
AIKEN = """\
What is the correct answer to this question?
A. Is it this one?
B. Maybe this answer?
C. Possibly this one?
D. Must be this one!
ANSWER: D

Which LISP keyword is used to define a function?
A) unless
B) defun
C) ret
ANSWER: B
Melyik protokoll
titkosít?
A. HTTP
B. HTTPS
ANSWER: B

Which are prime?
A. 2
B. 4
C. 5
ANSWER: A, C
"""


def test_aiken_items() -> None:
    result = parse_aiken(AIKEN, "moodle.txt", "Aiken", stem="moodle")
    assert result.warnings == []
    assert strip_common(result.items, "Aiken") == [
        {
            "id": "moodle-001",
            "type": "single_choice",
            "stem": "What is the correct answer to this question?",
            "options": [
                {"text": "Is it this one?", "correct": False},
                {"text": "Maybe this answer?", "correct": False},
                {"text": "Possibly this one?", "correct": False},
                {"text": "Must be this one!", "correct": True},
            ],
        },
        {
            "id": "moodle-002",
            "type": "single_choice",
            "stem": "Which LISP keyword is used to define a function?",
            "options": [
                {"text": "unless", "correct": False},
                {"text": "defun", "correct": True},
                {"text": "ret", "correct": False},
            ],
        },
        {
            "id": "moodle-003",
            "type": "single_choice",
            "stem": "Melyik protokoll\ntitkosít?",
            "options": [{"text": "HTTP", "correct": False}, {"text": "HTTPS", "correct": True}],
        },
        {
            "id": "moodle-004",
            "type": "multiple_response",
            "stem": "Which are prime?",
            "options": [
                {"text": "2", "correct": True},
                {"text": "4", "correct": False},
                {"text": "5", "correct": True},
            ],
        },
    ]


def test_aiken_bank_passes_the_loader(tmp_path: Path) -> None:
    assert bank_errors(parse_aiken(AIKEN, "a.txt", "Aiken"), tmp_path) == []


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("Q?\nA. x\nB. y\nANSWER: C\n", 4, "ANSWER: C is not one of the options A, B"),
        ("Q?\nA. x\nB. y\n\nNext?\nA. 1\nB. 2\nANSWER: A\n", 1, "question has no ANSWER: line"),
        ("Q?\nA. x\nB. y\nNext?\nA. 1\nB. 2\nANSWER: A\n", 4, "expected option C. or ANSWER: line"),
        ("Q?\nA. x\nC. y\nANSWER: A\n", 3, "option C out of order: expected B"),
        ("Q?\nA. x\nANSWER: A\n", 3, "at least two lettered options"),
        ("ANSWER: A\n", 1, "ANSWER line without a question"),
        ("Good?\nA. a\nB. b\nANSWER: A\n\nNo answer?\nA. a\nB. b\n", 6, "question has no ANSWER: line"),
        ("Q?\nA. x\nB. y\nANSWER:\n", 4, "names no option letter"),
    ],
)
def test_malformed_aiken_names_file_and_line(text: str, line: int, reason: str) -> None:
    # the bad question is reported with its line; a good question after it still imports
    result = parse_aiken(text + "\n\nLast?\nA. p\nB. q\nANSWER: B\n", "bad.txt", "t")
    assert len(result.errors) == 1, result.errors
    assert result.errors[0].startswith(f"bad.txt:{line}: ")
    assert reason in result.errors[0]
    assert result.items[-1]["stem"] == "Last?"


def test_ids_unique_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Q?\nA. x\nB. y\nANSWER: A\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("R?\nA. x\nB. y\nANSWER: B\n", encoding="utf-8")
    result = import_aiken([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert [(i["id"], i["topic"]) for i in result.items] == [("a-001", "a"), ("b-001", "b")]


def test_cli_aiken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "quiz.txt"
    src.write_text(AIKEN, encoding="utf-8")
    out = tmp_path / "quiz.toml"
    code, stdout, stderr = run_cli(
        ["import", "aiken", str(src), "-o", str(out), "--topic", "Alapok", "--bank-id", "alap"], capsys
    )
    assert code == 0, stderr
    assert "4 items imported" in stdout and "multiple_response  1" in stdout
    code, stdout, stderr = run_cli(["bank", "check", str(out)], capsys)
    assert code == 0 and "bank alap" in stdout


def test_cli_aiken_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "bad.txt"
    src.write_text("Q?\nA. x\nB. y\nANSWER: Z\n", encoding="utf-8")
    code, _, stderr = run_cli(["import", "aiken", str(src), "-o", str(tmp_path / "o.toml")], capsys)
    assert code == 2
    assert stderr.splitlines() == [
        f"error: {src}:4: ANSWER: Z is not one of the options A, B",
        f"kiosk: nothing to import from {src} (1 question(s) refused, listed above)"]
