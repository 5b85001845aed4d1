"""python_function: the candidate writes a function; hidden test cases call it in a separate,
limited process (see pyrun) and every passing test earns its share of the points.

Fields (besides the common ones):

- `function` (required): the function's name, e.g. "paros_szamok".
- `tests` (required): `[{args = [...], kwargs? = {...}, expected = ..., points? = 1,
  name? = "...", example? = false}]`. Expected values are TOML data; a returned tuple equals a
  list, floats compare within `tolerance`. Tests marked `example = true` are the ones the
  candidate may run from the editor (their expected value is shown); the others stay hidden.
- `model_answer` (required): a solution that passes every test (the key; shown at review).
- `starter`: code the editor starts with (e.g. the `def` line).
- `tolerance = 1e-9`, `time_limit = 1.0` (seconds per test), `memory_mb = 256`.
- `modules`: the standard-library modules the candidate may import, e.g. `["math"]` (default:
  any but the blocked ones).

Judgement: keys = number of tests, right = passing tests; with per-test `points` the fraction is
the share of test points passed. Response: the code (string).
"""

from __future__ import annotations

import keyword
from typing import Any, ClassVar

from kiosk.api import (
    FieldError,
    FieldsType,
    Item,
    Judgement,
    Message,
    NeedsMarking,
    blank,
    check_unknown,
    is_number,
    is_text,
    malformed,
    not_answered,
)
from kiosk_informatics import pyrun

TEST_KEYS = {"args", "kwargs", "expected", "points", "name", "example"}
MAX_TIME_LIMIT = 5.0
MAX_MEMORY_MB = 1024
#: The reason a run that cannot be scored is left for a marker (see kiosk.domain.scoring).
SCORING_ERROR = "scoring error"


def limits_of(item: Item) -> pyrun.Limits:
    per_test = item.spec.get("time_limit", 1.0)
    memory = item.spec.get("memory_mb", 256)
    return pyrun.Limits(
        per_test_seconds=float(per_test) if is_number(per_test) else 1.0,
        memory_mb=int(memory) if is_number(memory) else 256,
    )


def tests_of(item: Item, examples_only: bool = False) -> list[dict[str, Any]]:
    tests = [t for t in item.spec.get("tests", []) if isinstance(t, dict)]
    return [t for t in tests if t.get("example")] if examples_only else tests


class ScoringError(Exception):
    """The run cannot be scored (no isolation, the sandbox failed, a report failed checks)."""


def run_tests(item: Item, code: str, examples_only: bool = False,
              allow_unisolated: bool = False) -> list[dict[str, Any]]:
    """Every (or every example) test's outcome: name, passed, and what went wrong. Raises
    ScoringError when the run cannot be scored."""
    tests = tests_of(item, examples_only)
    modules = item.spec.get("modules")
    run = pyrun.run_function(code, item.spec["function"], tests, limits_of(item),
                             allow_unisolated=allow_unisolated,
                             modules=modules if isinstance(modules, list) else None)
    if run.invalid is not None:
        raise ScoringError(run.invalid)
    tolerance = item.spec.get("tolerance", 1e-9)
    outcomes = []
    for i, (test, call) in enumerate(zip(tests, run.calls, strict=True), start=1):
        passed = call.ok and pyrun.same_value(call.value, test.get("expected"), tolerance)
        outcome: dict[str, Any] = {"name": str(test.get("name", f"{i}. teszt")), "passed": passed}
        if not call.ok:
            outcome["error"] = call.error
        elif not passed:
            outcome["got"] = _short(call.value)
        outcomes.append(outcome)
    return outcomes


def _short(value: Any, limit: int = 200) -> str:
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # checked values stay shallow; defence in depth
        return "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PythonFunction(FieldsType):
    name: ClassVar[str] = "python_function"
    title: ClassVar[Message] = Message("qtype.python_function", "Python-függvény",
                                       domain="kiosk_informatics")
    fields: ClassVar[set[str]] = {
        "function", "tests", "model_answer", "starter", "tolerance", "time_limit", "memory_mb",
        "modules",
    }

    def check(self, item: Item, errors: list[FieldError]) -> None:
        spec = item.spec
        name = spec.get("function")
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            errors.append(FieldError("function", f"must be a Python function name, got {name!r}"))
        for key in ("model_answer", "starter"):
            if key in spec or key == "model_answer":
                code = spec.get(key)
                if not is_text(code):
                    errors.append(FieldError(key, "must be Python code"))
                    continue
                try:
                    compile(code, key, "exec")
                except SyntaxError as exc:
                    errors.append(FieldError(key, f"syntax error on line {exc.lineno}: {exc.msg}"))
        tests = spec.get("tests")
        if not isinstance(tests, list) or not tests:
            errors.append(FieldError("tests", "must be a non-empty list of {args, expected}"))
        else:
            for i, test in enumerate(tests, start=1):
                _check_test(test, f"tests[{i}]", errors)
        modules = spec.get("modules")
        if "modules" in spec and not (isinstance(modules, list) and all(
                isinstance(m, str) and m.isidentifier() for m in modules)):
            errors.append(FieldError("modules", "must be a list of module names, e.g. "
                                                '["math", "itertools"]'))
        bounds = {"tolerance": (0, 1), "time_limit": (0.05, MAX_TIME_LIMIT),
                  "memory_mb": (64, MAX_MEMORY_MB)}
        for key, (low, high) in bounds.items():
            value = spec.get(key)
            if key in spec and (not is_number(value) or not low <= value <= high):
                errors.append(FieldError(key, f"must be a number from {low:g} to {high:g}, "
                                              f"got {value!r}"))

    def judge(self, item: Item, response: Any) -> Judgement | NeedsMarking:
        if blank(response) or response == item.spec.get("starter"):
            return not_answered(len(tests_of(item)))
        if not isinstance(response, str):
            return malformed(len(tests_of(item)), response, wrong=0, fraction=0.0)
        try:
            outcomes = run_tests(item, response)
        except ScoringError as exc:
            return NeedsMarking(f"{SCORING_ERROR}: {exc}")
        tests = tests_of(item)
        passed = sum(1 for o in outcomes if o["passed"])
        weights = [float(t.get("points", 1)) for t in tests]
        fraction = None
        if any("points" in t for t in tests):
            total = sum(weights)
            fraction = sum(w for w, o in zip(weights, outcomes, strict=True) if o["passed"]) / total
        return Judgement(keys=len(tests), right=passed, wrong=0, fraction=fraction,
                         detail={"tests": outcomes})

    def is_answered(self, item: Item, response: Any) -> bool:
        return not blank(response) and response != item.spec.get("starter")

    def delivery_problem(self, item: Item) -> str | None:
        from kiosk_informatics import sandbox

        return sandbox.refusal()

    def correct_response(self, item: Item) -> Any:
        answer = item.spec.get("model_answer")
        return answer if isinstance(answer, str) else None

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        lines = [item.stem.rstrip(), ""]
        for test in tests_of(item, examples_only=True):
            args = ", ".join(repr(a) for a in test.get("args", []))
            lines.append(f"  {item.spec.get('function')}({args}) == {test.get('expected')!r}")
        return "\n".join(lines).rstrip()

    def render_response(self, item: Item, response: Any) -> str:
        if response is None:
            return ""
        return response if isinstance(response, str) else f"<malformed response: {response!r}>"

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk_informatics.widgets import PythonFunctionWidget

        return PythonFunctionWidget(item, presentation, response)


def _check_test(test: Any, path: str, errors: list[FieldError]) -> None:
    """One `[[tests]]` entry: args, kwargs, expected, points, example."""
    if not isinstance(test, dict):
        errors.append(FieldError(path, f"must be a table, got {test!r}"))
        return
    check_unknown(test, TEST_KEYS, path, errors)
    if "expected" not in test:
        errors.append(FieldError(f"{path}.expected", "missing"))
    if not isinstance(test.get("args", []), list):
        errors.append(FieldError(f"{path}.args", "must be a list"))
    if not isinstance(test.get("kwargs", {}), dict):
        errors.append(FieldError(f"{path}.kwargs", "must be a table"))
    points = test.get("points", 1)
    if not is_number(points) or points <= 0:
        errors.append(FieldError(f"{path}.points", f"must be > 0, got {points!r}"))
    if not isinstance(test.get("example", False), bool):
        errors.append(FieldError(f"{path}.example", "must be true or false"))
