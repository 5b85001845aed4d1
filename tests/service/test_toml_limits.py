"""Deeply nested TOML is one clear line naming the file and line, never a RecursionError; the
line finder for bank errors stays linear."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kiosk.domain import toml_lines
from kiosk.domain.toml_lines import SourceLines
from tests.support.cli import kiosk

BANK_HEAD = '[bank]\nid = "b"\ntitle = "B"\nlanguage = "hu"\n\n[[items]]\nid = "q1"\n'

NESTED = {
    "array": "response = " + "[" * 5000 + "]" * 5000 + "\n",
    "inline_table": "extra = " + "{ a = " * 3000 + "1" + " }" * 3000 + "\n",
    "dotted_keys": "a" + ".a" * 3000 + " = 1\n",
}


@pytest.mark.parametrize("shape", sorted(NESTED))
def test_bank_check_refuses_deep_nesting_in_one_line(tmp_path: Path, shape: str) -> None:
    bank = tmp_path / "bank.toml"
    bank.write_text(BANK_HEAD + NESTED[shape], encoding="utf-8")
    done = kiosk("bank", "check", str(bank))
    assert done.returncode != 0
    out = done.stdout + done.stderr
    assert "Traceback" not in out and "RecursionError" not in out
    assert "nested deeper than 32 levels" in out
    assert str(bank) in out
    if shape != "dotted_keys":
        assert f"{bank}:8:" in out  # the line of the nesting


@pytest.mark.parametrize("shape", sorted(NESTED))
def test_export_bank_refuses_deep_nesting_in_one_line(tmp_path: Path, shape: str) -> None:
    bank = tmp_path / "bank.toml"
    bank.write_text(BANK_HEAD + NESTED[shape], encoding="utf-8")
    done = kiosk("export-bank", "--format", "gift", str(bank), "-o", str(tmp_path / "out.gift"))
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "nested deeper than 32 levels" in done.stderr
    assert not (tmp_path / "out.gift").exists()


def test_brackets_inside_strings_and_comments_do_not_count() -> None:
    text = ('a = [[1, 2], {x = "[[[[", y = \'{{{{\'}]\n# [[[[[[[[\ns = """\n' + "[" * 40
            + '\n"""\nt = \'\'\'' + "{" * 40 + "'''\nu = \"\\\"" + "[" * 40 + '"\n')
    assert toml_lines.loads(text, max_depth=4) == tomllib.loads(text)


def test_the_limit_is_exact_and_points_at_the_bracket() -> None:
    assert toml_lines.loads("a = " + "[" * 32 + "]" * 32)["a"]
    with pytest.raises(tomllib.TOMLDecodeError, match=r"at line 2, column 37"):
        toml_lines.loads("x = 1\na = " + "[" * 33 + "]" * 33)


def test_line_lookups_scan_only_their_own_block() -> None:
    """The line finder used to rescan every header for each item (quadratic: a 100,000-item
    bank did not finish in 300 s). Count the header entries touched for a lookup near the
    end of a long bank: bounded by the item's own block, not by the bank's size."""
    n = 5000
    text = "\n".join(f'[[items]]\nid = "q{i}"\noptions = [\n  "a",\n  "b",\n]\n'
                     f'[[items.media]]\nfile = "m{i}.png"\n' for i in range(n))
    src = SourceLines(text)
    touched = 0

    class Counting(list):  # type: ignore[type-arg]
        def __getitem__(self, i):  # type: ignore[no-untyped-def]
            nonlocal touched
            touched += 1
            return super().__getitem__(i)

        def __iter__(self):  # type: ignore[no-untyped-def]
            nonlocal touched
            for entry in super().__iter__():
                touched += 1
                yield entry

    src.headers = Counting(src.headers)
    block = src.blocks("items")[-2]
    before = touched
    assert src.field_line(block, "items", "options[2]") == block.start + 4
    assert src.field_line(block, "items", "media[1].file") == block.start + 7
    assert touched - before < 20
