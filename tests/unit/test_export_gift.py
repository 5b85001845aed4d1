"""GIFT export: what it writes, what it cannot write, and round trips GIFT -> bank -> GIFT -> bank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.builtins.importers.bank import build_bank, dump_bank
from kiosk.builtins.importers.common import ImportResult
from kiosk.builtins.importers.gift import import_gift, parse_gift
from kiosk.builtins.importers.gift_export import export_gift
from tests.support.import_helpers import bank_errors, run_cli, sample

# Canonical items (as the importer writes them) covering what GIFT can express.
BANK_ITEMS: list[dict[str, Any]] = [
    {
        "id": "sc-1",
        "type": "single_choice",
        "topic": "Hálózatok/LAN",
        "points": 1,
        "stem": "Which {layer}?\nPick one: a~b = c#d \\ e:f",
        "feedback": "See chapter 2.\nAnd 3.",
        "options": [
            {"text": "Physical", "correct": False, "feedback": "no: {too low}"},
            {"text": "Data link", "correct": True},
            {"text": "50% sure", "correct": False},
        ],
    },
    {
        "id": "sc-weighted",
        "type": "single_choice",
        "topic": "Hálózatok/LAN",
        "points": 1,
        "stem": "Best answer?",
        "options": [
            {"text": "good", "correct": True, "weight": 1.0},
            {"text": "half", "correct": False, "weight": 0.5},
            {"text": "a third", "correct": False, "weight": 0.3333333},
            {"text": "bad", "correct": False, "weight": 0.0},
        ],
    },
    {
        "id": "mr-1",
        "type": "multiple_response",
        "topic": "OS",
        "points": 1,
        "stem": "Which are Unix shells?",
        "options": [
            {"text": "bash", "correct": True, "weight": 0.5},
            {"text": "zsh", "correct": True, "weight": 0.5},
            {"text": "cmd", "correct": False, "weight": -0.5, "feedback": "Windows"},
            {"text": "ls", "correct": False, "weight": 0.0},
        ],
    },
    {"id": "tf-1", "type": "true_false", "topic": "OS", "points": 1, "stem": "Linux is a kernel.",
     "answer": True, "feedback_true": "Yes.", "feedback_false": "It is."},
    {"id": "tf-2", "type": "true_false", "topic": "OS", "points": 1, "stem": "DOS is Unix.",
     "answer": False, "feedback_true": "No."},
    {
        "id": "st-1",
        "type": "short_text",
        "topic": "OS",
        "points": 1,
        "stem": "Name the Linux shell.",
        "answers": [{"text": "bash*", "feedback": "right"}, {"text": "sh", "weight": 0.25}],
    },
    {
        "id": "num-1",
        "type": "numeric",
        "topic": "Math",
        "points": 1,
        "stem": "Pi?",
        "answers": [
            {"value": 3.1416, "tolerance": 0.0001},
            {"value": 3.14, "weight": 0.5, "feedback": "close"},
            {"min": 3, "max": 4, "weight": 0.1},
        ],
    },
    {"id": "num-2", "type": "numeric", "topic": "Math", "points": 1, "stem": "Between?",
     "answers": [{"min": -1.5, "max": 2}]},
    {
        "id": "match-1",
        "type": "matching",
        "topic": "Math",
        "points": 1,
        "stem": "Pair them.",
        "pairs": [{"left": "2+2", "right": "4"}, {"left": "3*3", "right": "9"}],
        "distractors": ["5", "{6}"],
    },
    {
        "id": "cloze-choice",
        "type": "cloze",
        "topic": "Math",
        "points": 1,
        "stem": "Two plus two is [[1]], clearly.",
        "gaps": [{"id": "1", "options": ["three", "four", "five"], "correct": "four"}],
    },
    {
        "id": "cloze-text",
        "type": "cloze",
        "topic": "Math",
        "points": 1,
        "stem": "The capital is [[1]] (city).",
        "gaps": [{"id": "1", "answers": ["Budapest", "Bp*"]}],
    },
    {"id": "essay-1", "type": "essay", "topic": "Essays", "points": 1, "stem": "Describe TCP.\n\nBe brief."},
    {"id": "blank-1", "type": "single_choice", "topic": "Essays", "points": 1,
     "stem": "Grant is _____ in Grant's tomb.",
     "options": [{"text": "buried", "correct": False, "feedback": "no"}, {"text": "entombed", "correct": True}]},
]


def test_hand_made_bank_round_trips_unchanged(tmp_path: Path) -> None:
    exported = export_gift(BANK_ITEMS, {"id": "b", "title": "B"})
    assert exported.warnings == []
    assert exported.exported == len(BANK_ITEMS)
    back = parse_gift(exported.text, "x.gift", "default")
    assert back.warnings == []
    assert back.items == BANK_ITEMS
    assert bank_errors(back, tmp_path) == []


def test_moodle_examples_round_trip(tmp_path: Path) -> None:
    first = import_gift([sample("gift", "moodle-examples.gift")])
    text = export_gift(first.items).text
    second = parse_gift(text, "again.gift", "unused")
    assert second.items == first.items
    # and the GIFT we write is a fixed point
    assert export_gift(second.items).text == text
    assert bank_errors(second, tmp_path) == []


def test_exact_gift_written() -> None:
    text = export_gift(BANK_ITEMS[:1] + BANK_ITEMS[6:7]).text
    assert text == (
        "$CATEGORY: $course$/top/Hálózatok//LAN\n\n"
        "::sc-1::[markdown]Which \\{layer\\}?\\nPick one\\: a\\~b \\= c\\#d \\\\ e\\:f{\n"
        "~Physical#no\\: \\{too low\\}\n"
        "=Data link\n"
        "~50% sure\n"
        "####See chapter 2.\\nAnd 3.\n"
        "}\n\n"
        "$CATEGORY: $course$/top/Math\n\n"
        "::num-1::[markdown]Pi?{\n"
        "#\n"
        "=3.1416:0.0001\n"
        "=%50%3.14#close\n"
        "=%10%3..4\n"
        "}\n"
    )


def test_what_gift_cannot_hold_is_reported() -> None:
    items = [
        {"id": "ord", "type": "ordering", "topic": "t", "points": 1, "stem": "Order", "sequence": ["a", "b"]},
        {"id": "two-gaps", "type": "cloze", "topic": "t", "points": 2, "stem": "[[a]] and [[b]]",
         "gaps": [{"id": "a", "answers": ["x"]}, {"id": "b", "answers": ["y"]}]},
        {"id": "pts", "type": "true_false", "topic": "t", "points": 3, "stem": "S", "answer": True,
         "tags": ["x"], "scoring": "szkr"},
    ]
    result = export_gift(items)
    assert result.exported == 1
    assert result.warnings == [
        "item ord: not exported: type 'ordering' has no GIFT form",
        "item two-gaps: not exported: GIFT holds one gap per question; this cloze has several",
        "item pts: GIFT cannot hold scoring, points (3); left out",
    ]
    # tags travel as Moodle's `// [tag:...]` comments
    assert "// [tag:x]\n::pts::[markdown]S{TRUE}" in result.text


def test_unweighted_multiple_response_uses_cancelling_weights() -> None:
    item = {"id": "m", "type": "multiple_response", "topic": "t", "points": 1, "stem": "Q",
            "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True},
                        {"text": "c", "correct": False}]}
    assert "{\n~%50%a\n~%50%b\n~%-50%c\n}" in export_gift([item]).text


def write_bank(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text(dump_bank(build_bank(ImportResult(items=items), "bank", "Bank")), encoding="utf-8")
    return path


def test_cli_export_bank(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bank = write_bank(tmp_path / "bank.toml", BANK_ITEMS)
    out = tmp_path / "out.gift"
    code, stdout, stderr = run_cli(["export-bank", "--format", "gift", str(bank), "-o", str(out)], capsys)
    assert code == 0, stderr
    assert stdout == f"{out}: {len(BANK_ITEMS)} of {len(BANK_ITEMS)} items exported as gift\n"
    assert import_gift([out]).items == BANK_ITEMS
    code, _, stderr = run_cli(["export-bank", "--format", "gift", str(bank), "-o", str(out)], capsys)
    assert code == 2 and "already exists; use --force" in stderr
    code, _, stderr = run_cli(["export-bank", "--format", "qti", str(bank), "-o", str(out)], capsys)
    assert code == 2 and "unknown export format 'qti'" in stderr


def test_cli_export_bad_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bank = tmp_path / "bad.toml"
    bank.write_text('[bank]\nid = "x"\n\n[[items]]\nid = \n', encoding="utf-8")
    code, _, stderr = run_cli(["export-bank", "--format", "gift", str(bank), "-o", str(tmp_path / "o.gift")], capsys)
    assert code == 2
    assert stderr.startswith(f"kiosk: {bank}:5: not valid TOML: ")
    assert len(stderr.strip().splitlines()) == 1
