"""Running a candidate's Python function on test inputs in a separate, OS-isolated process.

The child (`_runner.py`) runs inside the sandbox `sandbox.detect()` found (bubblewrap namespaces
plus a seccomp filter: see sandbox.py and ARCHITECTURE.md) as `python -I -S` (isolated, no site
packages: the standard library only) in an empty tmpfs working directory, with a scrubbed
environment and no inherited descriptors besides its standard streams. Inside, before any
candidate code, it limits itself (rlimits) and installs an audit hook: a second, weaker layer
that gives clear messages for what the item does not allow; the isolation itself comes from the
kernel. The parent kills the sandbox at a wall-clock deadline.

Everything the child writes is hostile: the output is size-capped, each report line is checked
(length, JSON nesting depth, number range, record schema) and a duplicate or malformed report
makes the run `invalid`, which the question type turns into "needs marking — scoring error"
rather than points or an exception.

Without OS isolation candidate code is not run for scoring (`invalid`); a practice kiosk may run
it in the old audit-hook-only process when KIOSK_PRACTICE_UNISOLATED=1, shown with a warning.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import signal
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.api import nesting_within
from kiosk_informatics import sandbox

RUNNER = Path(__file__).with_name("_runner.py")
MARK = "@@kiosk-result@@"
#: The whole output the parent reads; more makes the run invalid.
OUTPUT_LIMIT = 1_000_000
#: One report line (the runner replaces a larger value by an error itself).
RECORD_LIMIT = 100_000
#: Nesting of a reported value (the runner turns deeper values into their repr).
MAX_DEPTH = 24
#: Beyond any TOML expected value (TOML integers are 64-bit) yet convertible to float.
MAX_INT = 10**300


@dataclass(frozen=True)
class Limits:
    per_test_seconds: float = 1.0
    memory_mb: int = 256
    file_bytes: int = 1_000_000
    #: Cap on the whole run whatever the number of tests.
    max_wall_seconds: float = 20.0

    def wall_seconds(self, tests: int) -> float:
        return min(self.max_wall_seconds, 2.0 + self.per_test_seconds * (tests + 2))

    def cpu_seconds(self, tests: int) -> int:
        return max(1, math.ceil(self.per_test_seconds * (tests + 1)))


@dataclass(frozen=True)
class CallResult:
    ok: bool
    value: Any = None
    error: str | None = None


@dataclass
class RunResult:
    calls: list[CallResult] = field(default_factory=list)
    #: The code did not load (syntax error, no such function, error at module level).
    load_error: str | None = None
    #: The process was stopped by a limit before every test reported.
    stopped: str | None = None
    #: The run cannot be scored (no isolation, a sandbox that did not start, a report that
    #: failed validation): a human must mark it.
    invalid: str | None = None
    #: The runner reported before running candidate code.
    started: bool = False
    isolation: str = ""


def run_function(
    code: str, function: str, calls: Sequence[dict[str, Any]], limits: Limits | None = None,
    *, allow_unisolated: bool = False, modules: Sequence[str] | None = None,
) -> RunResult:
    """Call `function` from `code` once per entry of `calls` ({args, kwargs}); never raises for
    anything the candidate wrote. `allow_unisolated`: a practice run may fall back to the
    audit-hook-only process when the machine has no OS isolation (the caller shows a warning).
    `modules`: the standard-library modules the candidate's code may import (None: any but the
    blocked ones)."""
    limits = limits or Limits()
    request = {
        "code": code,
        "function": function,
        "calls": [{"args": c.get("args", []), "kwargs": c.get("kwargs", {})} for c in calls],
        "limits": {
            "cpu_seconds": limits.cpu_seconds(len(calls)),
            "memory_mb": limits.memory_mb,
            "file_bytes": limits.file_bytes,
            "per_test_seconds": limits.per_test_seconds,
        },
    }
    if modules is not None:
        request["modules"] = list(modules)
    iso = sandbox.detect()
    if not iso.exam_ready and not (allow_unisolated or sandbox.practice_unisolated()):
        return RunResult(invalid=sandbox.refusal())
    try:
        key = hashlib.sha256(json.dumps([request, iso.level, iso.bwrap], sort_keys=True)
                             .encode()).hexdigest()
    except (TypeError, ValueError):
        key = ""
    if key and key in _CACHE:
        _CACHE.move_to_end(key)
        return copy.deepcopy(_CACHE[key])
    result = _run(request, limits, iso)
    if key and result.invalid is None:
        _CACHE[key] = copy.deepcopy(result)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


#: Runs of this process by request (results, stats and the marking queue judge the same answers
#: again). Invalid runs are never kept.
_CACHE: OrderedDict[str, RunResult] = OrderedDict()
CACHE_SIZE = 2048


def _run(request: dict[str, Any], limits: Limits, iso: sandbox.Isolation) -> RunResult:
    calls = request["calls"]
    launched = sandbox.launch(RUNNER, json.dumps(request).encode(),
                              limits.wall_seconds(len(calls)), OUTPUT_LIMIT,
                              isolated=iso.bwrap is not None)
    raw = launched.output
    stopped = "időtúllépés: a program futását le kellett állítani" if launched.timed_out else None
    if len(raw) > OUTPUT_LIMIT:
        return RunResult(invalid=f"the runner wrote over {OUTPUT_LIMIT} bytes")
    result = _parse(raw.decode("utf-8", "replace"), len(calls))
    if result.invalid is not None:
        return result
    if not result.started and not stopped:
        # Not a word from the runner, not even before the candidate's code: the sandbox or the
        # interpreter failed to start (a machine problem, not the candidate's).
        return RunResult(invalid=f"the sandbox did not start (exit code {launched.returncode})")
    if stopped:
        result.stopped = stopped
    elif launched.returncode not in (0, None) and len(result.calls) < len(calls):
        result.stopped = _signal_text(launched.returncode)
    while len(result.calls) < len(calls) and result.load_error is None:
        result.calls.append(CallResult(False, error=result.stopped or "nem futott le"))
    result.isolation = launched.isolation
    return result


def _signal_text(code: int) -> str:
    """What stopped the child. Killed by a signal it is -N; inside bwrap, bwrap reports its
    child's death by signal N as exit code 128 + N."""
    names = {
        getattr(signal, "SIGXCPU", 24): "a program túllépte a processzoridő-korlátot",
        getattr(signal, "SIGPROF", 27): "a program túllépte az időkorlátot",
        getattr(signal, "SIGKILL", 9): "a program futását le kellett állítani",
        getattr(signal, "SIGXFSZ", 25): "a program túl nagy fájlt írt",
        getattr(signal, "SIGSEGV", 11): "a program összeomlott (memória)",
    }
    number = -code if code < 0 else code - 128 if code > 128 else None
    return names.get(number or 0, f"a program hibával állt le ({code})")


class _Invalid(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _Invalid(f"non-finite number {name} in a report")


def check_value(value: Any, depth: int = 0) -> None:
    """A reported value: JSON data within the nesting and number limits, or _Invalid."""
    if depth > MAX_DEPTH:
        raise _Invalid("a value nested too deep")
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise _Invalid("an integer out of range")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Invalid("a non-finite number")
        return
    if isinstance(value, list):
        for v in value:
            check_value(v, depth + 1)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise _Invalid("a non-text key")
            check_value(v, depth + 1)
        return
    raise _Invalid(f"a value of type {type(value).__name__}")


def _record(line: str) -> dict[str, Any]:
    body = line[len(MARK):]
    if len(body) > RECORD_LIMIT:
        raise _Invalid(f"a report line over {RECORD_LIMIT} bytes")
    if not nesting_within(body, MAX_DEPTH + 2):
        raise _Invalid("a report nested too deep")
    try:
        record = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # includes JSONDecodeError, int digit limits
        raise _Invalid(f"a malformed report ({type(exc).__name__})") from None
    if not isinstance(record, dict) or not record:
        raise _Invalid("a report that is not a record")
    keys = set(record)
    if keys == {"started"}:
        return record
    if keys == {"load_error"} and isinstance(record["load_error"], str):
        return record
    index = record.get("index")
    if not isinstance(index, int) or isinstance(index, bool):
        raise _Invalid("a report without a test number")
    if keys == {"index", "error"} and isinstance(record["error"], str):
        return record
    if keys == {"index", "value"}:
        check_value(record["value"])
        return record
    raise _Invalid(f"a report with fields {sorted(keys)}")


def _parse(raw: str, count: int) -> RunResult:
    """The runner's report lines, checked as hostile input: any malformed, oversized, too deep,
    out-of-range or duplicate report makes the whole run `invalid`."""
    result = RunResult()
    by_index: dict[int, CallResult] = {}
    try:
        for line in raw.splitlines():
            if not line.startswith(MARK):
                continue  # the candidate's own prints, never read
            record = _record(line)
            if "started" in record:
                result.started = True
                continue
            if "load_error" in record:
                if result.load_error is not None:
                    raise _Invalid("two load reports")
                result.load_error = record["load_error"][:300]
                continue
            index = record["index"]
            if not 0 <= index < count:
                raise _Invalid(f"a report for test {index} of {count}")
            if index in by_index:
                raise _Invalid(f"two reports for test {index + 1}")
            if "error" in record:
                by_index[index] = CallResult(False, error=record["error"][:300])
            else:
                by_index[index] = CallResult(True, value=record["value"])
    except _Invalid as exc:
        return RunResult(invalid=str(exc))
    for i in range(count):
        if i not in by_index:
            break
        result.calls.append(by_index[i])
    if result.load_error is not None:
        result.calls = [CallResult(False, error=result.load_error) for _ in range(count)]
    return result


def same_value(got: Any, want: Any, tolerance: float = 1e-9) -> bool:
    """Returned value against the expected one: lists and tuples alike, floats within tolerance."""
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    if isinstance(want, int | float) and isinstance(got, int | float):
        if isinstance(want, int) and isinstance(got, int):
            return got == want
        try:
            return math.isclose(got, want, rel_tol=tolerance, abs_tol=tolerance)
        except (OverflowError, TypeError, ValueError):  # an int beyond float range
            return False
    if isinstance(want, list | tuple) and isinstance(got, list | tuple):
        return len(got) == len(want) and all(
            same_value(g, w, tolerance) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict) and isinstance(got, dict):
        return set(got) == {str(k) for k in want} and all(
            same_value(got[str(k)], v, tolerance) for k, v in want.items())
    return bool(got == want)
