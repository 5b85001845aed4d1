"""Bank files: good banks load, every problem is reported as file:line: reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.domain.banks import BankError
from kiosk.errors import KioskError
from kiosk.loading import check_bank_files, load_banks

GOOD = '''\
[bank]
id = "net"
title = "Hálózatok"

[[items]]
id = "n1"
type = "single_choice"
topic = "Hálózatok"
points = 2
stem = "Melyik réteg?"
tags = ["alap"]
enemies = ["n2"]
options = [
  {text = "fizikai", correct = true},
  {text = "adatkapcsolati"},
]

[[items]]
id = "n2"
type = "true_false"
topic = "Hálózatok"
points = 1
stem = "Igaz?"
answer = true

[[items]]
id = "o1"
type = "true_false"
topic = "OS"
points = 1.5
stem = """Több
soros kérdés"""
answer = false
scoring = "szkr"
step = 0.5
'''


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def lines(errors: list[str], path: Path) -> list[tuple[int, str]]:
    out = []
    for e in errors:
        assert e.startswith(f"{path}:"), e
        line, reason = e[len(f"{path}:"):].split(": ", 1)
        out.append((int(line), reason))
    return out


def test_good_bank_loads_and_normalises(tmp_path: Path) -> None:
    path = write(tmp_path / "net.toml", GOOD)
    banks = load_banks([path])
    bank = banks["net"]
    assert (bank.id, bank.title, bank.language) == ("net", "Hálózatok", "hu")
    assert list(bank.items) == ["n1", "n2", "o1"]
    n1 = bank.items["n1"]
    assert n1.key == "net:n1"
    assert n1.line == 5 and n1.source == str(path)
    assert n1.tags == ("alap",) and n1.enemies == ("n2",)
    # normalise gave the options their 1-based ids
    assert [o["id"] for o in n1.spec["options"]] == ["1", "2"]
    o1 = bank.items["o1"]
    assert o1.points == 1.5 and o1.scoring == "szkr" and o1.step == 0.5
    assert o1.spec == {"answer": False}
    assert bank.topics() == ["Hálózatok", "OS"]


def test_bank_over_several_files_and_duplicate_ids(tmp_path: Path) -> None:
    a = write(tmp_path / "a.toml", GOOD)
    b = write(tmp_path / "b.toml", '''[bank]
id = "net"
title = "Hálózatok"

[[items]]
id = "n3"
type = "true_false"
topic = "OS"
points = 1
stem = "?"
answer = true
enemies = ["n1", "other:x"]

[[items]]
id = "n2"
type = "true_false"
topic = "OS"
points = 1
stem = "?"
answer = true
''')
    result = check_bank_files([a, b])
    assert result.errors == [f"{b}:15: item 'n2': duplicate id (first at {a}:19)"]
    assert sorted(result.banks["net"].items) == ["n1", "n2", "n3", "o1"]
    assert result.banks["net"].files == [str(a), str(b)]


BAD = '''\
[bank]
id = "net"
title = "Hálózatok"

[[items]]
id = "b1"
type = "essayy"
topic = "X"
points = 1
stem = "?"

[[items]]
id = "b2"
type = "true_false"
topic = "X"
points = 0
stem = "?"
answer = true
difficulty = 3

[[items]]
type = "true_false"
topic = "X"
stem = "?"
answer = true

[[items]]
id = "b4"
type = "single_choice"
topic = "X"
points = 1
stem = "?"
scoring = "lenient"
options = [
  {text = "a"},
  {text = "b", correct = "yes"},
]

[[items]]
id = "b5"
type = "true_false"
topic = "X"
points = 1
stem = "?"
answer = true
enemies = ["nope", "b5"]
tags = "alap"

[[items]]
id = "b5"
type = "true_false"
topic = "X"
points = 1
stem = "?"
answer = true
'''


def test_bad_bank_reports_every_error_with_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.toml", BAD)
    result = check_bank_files([path])
    got = lines(result.errors, path)
    # The known types depend on the installed plugins; the built-ins are always among them.
    unknown = next(reason for line, reason in got if line == 7)
    assert unknown.startswith("item 'b1': unknown type 'essayy' (known: ")
    for builtin in ("cloze", "essay", "matching", "multiple_response", "true_false"):
        assert builtin in unknown
    assert (16, "item 'b2': points must be a number > 0, got 0") in got
    assert (19, "item 'b2': difficulty must be a number from 0 to 1, got 3") in got
    assert (21, "item without id") in got
    assert (21, "item: points is required") in got
    assert (33, "item 'b4': unknown scoring rule 'lenient' (known: all_or_nothing, mapped, "
                "negative, proportional, szkr)") in got
    assert (47, "item 'b5': tags must be a list of strings, got 'alap'") in got
    assert (50, "item 'b5': duplicate id (first at " f"{path}:40)") in got
    assert len(got) == 8
    # b4 is skipped because of its scoring rule, so the type's own checks are not reached;
    # b5 is invalid as well, so its enemies are not checked either.
    assert result.banks["net"].items == {}


def test_type_validation_errors_carry_field_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "t.toml", '''[bank]
id = "t"
title = "T"

[[items]]
id = "c1"
type = "single_choice"
topic = "X"
points = 1
stem = "?"
options = [
  {text = "a"},
  {text = "b", correct = "yes"},
]

[[items]]
id = "c2"
type = "single_choice"
topic = "X"
points = 1
stem = "?"

[[items.options]]
text = "a"
correct = true

[[items.options]]
text = "b"
correct = 1

[[items]]
id = "c3"
type = "true_false"
topic = "X"
points = 1
stem = "?"
answer = true
enemies = ["zz", "c3", "c1", "elsewhere:q"]
''')
    got = lines(check_bank_files([path]).errors, path)
    assert (13, "item 'c1': options[2].correct: must be true or false, got 'yes'") in got
    assert (11, "item 'c1': options: single_choice needs exactly one correct option, "
                "found 0") in got
    assert (29, "item 'c2': options[2].correct: must be true or false, got 1") in got
    assert (38, "item 'c3': enemy 'zz' is not an item of the bank") in got
    assert (38, "item 'c3': lists itself as an enemy") in got
    # c1 is invalid but exists; a bank that is not loaded is not checked here
    assert len(got) == 5


def test_syntax_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path / "s.toml", '[bank]\nid = "s"\ntitle = "S"\n\n[[items]]\nid = s1\n')
    result = check_bank_files([path])
    assert len(result.errors) == 1
    assert result.errors[0].startswith(f"{path}:6: TOML syntax error: ")


def test_bank_header_errors(tmp_path: Path) -> None:
    path = write(tmp_path / "h.toml", '[bank]\nid = "Bad Id"\n\n[[item]]\nid = "x"\n')
    got = lines(check_bank_files([path]).errors, path)
    assert (4, "unknown top-level key 'item' (expected [bank] and [[items]])") in got
    assert (2, "[bank] id must match [a-z0-9._-]+, got 'Bad Id'") in got
    assert (1, "[bank] title is required (a non-empty string)") in got
    missing = write(tmp_path / "m.toml", '[[items]]\nid = "x"\n')
    assert check_bank_files([missing]).errors[0] == f"{missing}:1: missing [bank] table with id and title"
    empty = write(tmp_path / "e.toml", '[bank]\nid = "e"\ntitle = "E"\n')
    assert check_bank_files([empty]).errors == [f"{empty}:1: bank 'e' has no [[items]]"]


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    with pytest.raises(KioskError) as err:
        check_bank_files([tmp_path / "nope.toml"])
    assert err.value.exit_code == 2
    assert str(err.value) == f"{tmp_path / 'nope.toml'}: no such file"


def test_load_banks_raises_with_all_errors(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.toml", BAD)
    with pytest.raises(BankError) as err:
        load_banks([path])
    assert len(err.value.errors) == 8
    assert err.value.exit_code == 1
    assert "(and 7 more problems)" in str(err.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "l1.toml"
    path.write_bytes('[bank]\nid = "x"\ntitle = "\u00e1"\n'.encode("latin-1"))
    assert check_bank_files([path]).errors == [f"{path}:3: not UTF-8 text"]
