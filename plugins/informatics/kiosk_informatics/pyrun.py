"""Running a candidate's Python function on test inputs in a separate, limited process.

The child (`_runner.py`) runs as `python -I` (isolated: no PYTHON* variables, no user site, no
current directory on sys.path) in a fresh temporary directory, in its own session (process group),
with a minimal environment. It limits itself before any candidate code runs: CPU seconds, address
space, file size, no new processes, few file descriptors; an audit hook refuses forks, exec,
signals to other processes, sockets, ctypes, writes outside the temporary directory and reads
outside it and the Python installation. The parent kills the whole process group at a wall-clock
deadline. Limits are set inside the child rather than in `preexec_fn`, which the Python docs call
unsafe in a threaded program such as the Textual kiosk.

Where `resource` is missing (Windows) the rlimits are skipped: the audit hook and the wall-clock
timeout remain. Without root there is no network namespace, so "no network" rests on the audit
hook (socket creation and connect are refused and the socket modules cannot be imported).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).with_name("_runner.py")
MARK = "@@kiosk-result@@"
OUTPUT_LIMIT = 1_000_000


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


def run_function(
    code: str, function: str, calls: Sequence[dict[str, Any]], limits: Limits | None = None
) -> RunResult:
    """Call `function` from `code` once per entry of `calls` ({args, kwargs}); never raises for
    anything the candidate wrote."""
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
    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    if sys.platform == "win32":
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
    with tempfile.TemporaryDirectory(prefix="kiosk-py-") as tmp:
        out_path = Path(tmp) / ".stdout"
        with open(out_path, "wb") as out:
            popen_args: dict[str, Any] = {}
            if os.name == "posix":
                popen_args["start_new_session"] = True
            proc = subprocess.Popen(
                [sys.executable, "-I", "-X", "utf8", str(RUNNER)],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.DEVNULL,
                cwd=tmp,
                env=env,
                close_fds=True,
                **popen_args,
            )
            stopped = None
            try:
                proc.communicate(json.dumps(request).encode(), timeout=limits.wall_seconds(len(calls)))
            except subprocess.TimeoutExpired:
                stopped = "időtúllépés: a program futását le kellett állítani"
            finally:
                _kill(proc)
        with open(out_path, "rb") as handle:
            raw = handle.read(OUTPUT_LIMIT).decode("utf-8", "replace")
    result = _parse(raw, len(calls))
    if stopped:
        result.stopped = stopped
    elif proc.returncode not in (0, None) and len(result.calls) < len(calls):
        result.stopped = _signal_text(proc.returncode)
    while len(result.calls) < len(calls) and result.load_error is None:
        result.calls.append(CallResult(False, error=result.stopped or "nem futott le"))
    return result


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None or os.name == "posix":
        if os.name == "posix":
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if proc.poll() is None:
            proc.kill()
    proc.wait()


def _signal_text(code: int) -> str:
    names = {
        -getattr(signal, "SIGXCPU", 24): "a program túllépte a processzoridő-korlátot",
        -getattr(signal, "SIGKILL", 9): "a program futását le kellett állítani",
        -getattr(signal, "SIGXFSZ", 25): "a program túl nagy fájlt írt",
        -getattr(signal, "SIGSEGV", 11): "a program összeomlott (memória)",
    }
    return names.get(code, f"a program hibával állt le ({code})")


def _parse(raw: str, count: int) -> RunResult:
    result = RunResult()
    by_index: dict[int, CallResult] = {}
    for line in raw.splitlines():
        if not line.startswith(MARK):
            continue
        try:
            record = json.loads(line[len(MARK):])
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict):
            continue
        if "load_error" in record:
            result.load_error = str(record["load_error"])
            continue
        index = record.get("index")
        # The first report for a test counts: later lines could only come from candidate code.
        if isinstance(index, int) and 0 <= index < count and index not in by_index:
            if "error" in record:
                by_index[index] = CallResult(False, error=str(record["error"]))
            else:
                by_index[index] = CallResult(True, value=record.get("value"))
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
        return math.isclose(got, want, rel_tol=tolerance, abs_tol=tolerance)
    if isinstance(want, list | tuple) and isinstance(got, list | tuple):
        return len(got) == len(want) and all(
            same_value(g, w, tolerance) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict) and isinstance(got, dict):
        return set(got) == {str(k) for k in want} and all(
            same_value(got[str(k)], v, tolerance) for k, v in want.items())
    return bool(got == want)
