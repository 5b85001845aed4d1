"""python_function: hidden tests run in a separate, limited process; points per passing test.

Limits are kept small (0.5 s per test, 128 MB) so the malicious cases stay fast on a 2-core CI.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest
from informatics_support import bank_items
from kiosk_informatics import pyrun
from kiosk_informatics.python_function import PythonFunction

from kiosk.api import Item, score_item, scoring_rule

QT = PythonFunction()


def points(item: Item, response: object, rule: str = "proportional") -> float:
    return score_item(item, response, QT, scoring_rule(rule)).points


@pytest.fixture(scope="module")
def item() -> Item:
    """paros_osszeg with four tests (one example), tight limits."""
    base = bank_items()["py-001"]
    return dataclasses.replace(base, spec={**base.spec, "time_limit": 0.5, "memory_mb": 128})


def body(code: str) -> str:
    return "def paros_osszeg(szamok):\n" + "".join(f"    {line}\n" for line in code.splitlines())


def test_right_answer_earns_full_marks(item: Item) -> None:
    assert points(item, QT.correct_response(item)) == 5
    loop = body("s = 0\nfor x in szamok:\n    if x % 2 == 0:\n        s += x\nreturn s")
    assert points(item, loop, "all_or_nothing") == 5


def test_points_per_passing_test(item: Item) -> None:
    # Skips negative even numbers: only the negative-number test fails.
    odd_only_wrong = body("return sum(x for x in szamok if x % 2 == 0 and x > 0)")
    judged = QT.judge(item, odd_only_wrong)
    assert (judged.keys, judged.right) == (4, 3)
    failed = [t for t in judged.detail["tests"] if not t["passed"]]
    assert failed == [{"name": "negatív számok", "passed": False, "got": "0"}]
    assert points(item, odd_only_wrong) == pytest.approx(3.75)
    assert points(item, odd_only_wrong, "all_or_nothing") == 0


def test_per_test_points_weight_the_fraction(item: Item) -> None:
    tests = [dict(t) for t in item.spec["tests"]]
    tests[2]["points"] = 5  # the negative-number test is worth 5 of 8
    weighted = dataclasses.replace(item, spec={**item.spec, "tests": tests})
    only_positive = body("return sum(x for x in szamok if x % 2 == 0 and x > 0)")
    assert points(weighted, only_positive) == pytest.approx(5 * 3 / 8)


def test_wrong_empty_and_untouched_answers(item: Item) -> None:
    assert points(item, body("return 42")) == 0
    assert not QT.judge(item, "").answered
    assert not QT.judge(item, None).answered
    # The starter code as the editor showed it is no answer either.
    assert not QT.judge(item, item.spec["starter"]).answered
    assert points(item, {"code": "x"}) == 0


def test_syntax_error_and_missing_function(item: Item) -> None:
    judged = QT.judge(item, "def paros_osszeg(szamok)\n    return 0\n")
    assert judged.right == 0
    assert all("SyntaxError" in t["error"] for t in judged.detail["tests"])
    other = QT.judge(item, "def masik(x):\n    return 0\n")
    assert "NameError" in other.detail["tests"][0]["error"]


#: A hang detector, not a speed requirement: the item's own wall-clock limit is 5 s.
HANG_S = 60.0


def _timed(item: Item, code: str) -> dict:
    started = time.monotonic()
    judged = QT.judge(item, code)
    assert time.monotonic() - started < HANG_S
    assert judged.right == 0 and judged.answered
    return judged.detail


def test_infinite_loop_is_stopped(item: Item) -> None:
    detail = _timed(item, body("while True:\n    pass"))
    assert "TimeoutError" in detail["tests"][0]["error"]


def test_loop_that_swallows_the_timeout_is_killed(item: Item) -> None:
    code = body("while True:\n    try:\n        while True:\n            pass\n"
                "    except BaseException:\n        pass")
    detail = _timed(item, code)
    assert all(not t["passed"] for t in detail["tests"])


def test_a_computation_stuck_in_c_is_killed(item: Item) -> None:
    # One huge power: no bytecode runs, so only the CPU limit or the wall clock stops it.
    detail = _timed(item, body("return 7 ** (10 ** 9) % 2"))
    assert all(not t["passed"] for t in detail["tests"])


def test_huge_allocation_fails_inside_the_child(item: Item) -> None:
    detail = _timed(item, body("x = bytearray(10 ** 10)\nreturn len(x)"))
    assert detail["tests"][0]["error"].startswith("MemoryError")
    detail = _timed(item, body("x = [0] * (10 ** 9)\nreturn 0"))
    assert detail["tests"][0]["error"].startswith("MemoryError")


def test_deleting_files_outside_the_temporary_directory_is_refused(
    item: Item, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    folder = tmp_path / "folder"
    folder.mkdir()
    attempts = [
        f"import os\nos.remove({str(victim)!r})\nreturn 0",
        f"import shutil\nshutil.rmtree({str(folder)!r})\nreturn 0",
        f"open({str(victim)!r}, 'w').write('gone')\nreturn 0",
        f"import os\nos.rename({str(victim)!r}, 'here.txt')\nreturn 0",
        f"import pathlib\npathlib.Path({str(victim)!r}).unlink()\nreturn 0",
    ]
    for code in attempts:
        detail = _timed(item, body(code))
        assert "PermissionError" in detail["tests"][0]["error"], code
    assert victim.read_text() == "keep me" and folder.is_dir()


def test_reading_kiosk_files_is_refused(item: Item, tmp_path: Path) -> None:
    secret = tmp_path / "ledger.sqlite"
    secret.write_text("answers")
    detail = _timed(item, body(f"return open({str(secret)!r}).read()"))
    assert "PermissionError" in detail["tests"][0]["error"]


def test_writing_inside_the_temporary_directory_is_allowed(item: Item) -> None:
    code = body("with open('jegyzet.txt', 'w') as f:\n    f.write('1')\n"
                "return sum(x for x in szamok if x % 2 == 0)")
    assert points(item, code) == 5


def test_fork_and_subprocess_are_refused(item: Item) -> None:
    fork = _timed(item, body("import os\nwhile True:\n    os.fork()"))
    assert "os.fork" in fork["tests"][0]["error"]
    system = _timed(item, body("import os\nos.system('touch /tmp/kiosk-pwned')\nreturn 0"))
    assert "os.system" in system["tests"][0]["error"]
    sub = _timed(item, "import subprocess\n" + body("return 0"))
    assert "subprocess" in sub["tests"][0]["error"]
    kill = _timed(item, body("import os\nos.kill(os.getppid(), 9)\nreturn 0"))
    assert "os.kill" in kill["tests"][0]["error"]
    assert not os.path.exists("/tmp/kiosk-pwned")


def test_network_is_refused(item: Item) -> None:
    imported = _timed(item, "import socket\n" + body("return 0"))
    assert "socket" in imported["tests"][0]["error"]
    urllib = _timed(item, body("import urllib.request\n"
                               "return urllib.request.urlopen('http://127.0.0.1:9').read()"))
    assert "socket" in urllib["tests"][0]["error"]


def test_runner_state_cannot_be_reached(item: Item, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    frames = _timed(item, body("import sys\nreturn sys._getframe(1).f_globals['__name__']"))
    assert "PermissionError" in frames["tests"][0]["error"]
    loosen = body("import sys, os\nsys.modules['__main__']._BLOCKED_EVENTS = frozenset()\n"
                  f"os.remove({str(victim)!r})\nreturn 0")
    assert "PermissionError" in _timed(item, loosen)["tests"][0]["error"]
    assert victim.exists()


def test_output_flood_does_not_reach_the_kiosk(item: Item,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    code = body("import os\nos.write(1, b'x' * 5_000_000)\nprint('y' * 10 ** 7)\n"
                "return sum(x for x in szamok if x % 2 == 0)")
    started = time.monotonic()
    judged = QT.judge(item, code)
    assert time.monotonic() - started < HANG_S
    out, err = capfd.readouterr()
    assert "xxxxxxxxxx" not in out + err and "yyyyyyyyyy" not in out + err
    detail = repr(judged.detail)
    assert "xxxxxxxxxx" not in detail and "yyyyyyyyyy" not in detail
    assert len(detail) < 10_000


def test_same_value_rules() -> None:
    assert pyrun.same_value([1, 2], [1, 2]) and pyrun.same_value((1, 2), [1, 2])
    assert pyrun.same_value(4.33, 4.330000000001)
    assert not pyrun.same_value(True, 1) and not pyrun.same_value(1, True)
    assert pyrun.same_value({"a": 1}, {"a": 1}) and not pyrun.same_value({"a": 1}, {"a": 2})
    assert not pyrun.same_value("1", 1)


def test_bank_errors_name_the_field(item: Item) -> None:
    assert QT.validate(item) == []
    broken = [
        ({"function": "class"}, "function"),
        ({"model_answer": "def f(:"}, "model_answer"),
        ({"tests": []}, "tests"),
        ({"tests": [{"args": [1]}]}, "tests[1].expected"),
        ({"tests": [{"args": 1, "expected": 1}]}, "tests[1].args"),
        ({"time_limit": 100}, "time_limit"),
        ({"memory_mb": 1}, "memory_mb"),
    ]
    for change, field in broken:
        errors = QT.validate(dataclasses.replace(item, spec={**item.spec, **change}))
        assert [e.field for e in errors] == [field], (change, errors)


def test_the_item_lists_the_modules_a_candidate_may_import(item: Item) -> None:
    limited = dataclasses.replace(item, spec={**item.spec, "modules": ["math"]})
    uses_math = body("import math\nreturn sum(x for x in szamok if math.fmod(x, 2) == 0)")
    assert points(limited, uses_math) == 5
    uses_itertools = ("import itertools\n"
                      + body("return sum(x for x in szamok if x % 2 == 0)"))
    judged = QT.judge(limited, uses_itertools)
    assert judged.right == 0 and "itertools" in judged.detail["tests"][0]["error"]
    inside = body("import itertools\nreturn sum(x for x in szamok if x % 2 == 0)")
    assert points(limited, inside) == 0  # an import inside the function is checked too
    assert points(item, uses_itertools) == 5  # without the list: any allowed module
    errors = QT.validate(dataclasses.replace(item, spec={**item.spec, "modules": "math"}))
    assert [e.field for e in errors] == ["modules"]
