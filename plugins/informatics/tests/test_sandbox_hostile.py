"""Hostile tests of the code runners, by attack class. Every attack runs against a canary centre
(centre.key, a ledger.db with a secret row, KIOSK_PASSPHRASE in the parent's environment): the
attacker's output must hold none of it and the files must stay unchanged.

Two layers are attacked. `candidate(...)` is candidate code through the real runner (rlimits and
the audit hook as well). `raw(...)` runs arbitrary Python in the same OS sandbox with no audit
hook at all: what holds there is the kernel's isolation alone.

Where the kernel offers no namespaces these tests skip with the reason, and the fail-closed
tests at the end (which fake a machine without isolation) run instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kiosk_informatics import pyrun, sandbox, sqlrun
from kiosk_informatics.python_function import PythonFunction
from kiosk_informatics.sql_query import SqlQuery

from kiosk.api import Item, NeedsMarking

ISO = sandbox.detect()
needs_isolation = pytest.mark.skipif(
    not ISO.exam_ready, reason=f"no OS isolation on this machine: {ISO.level} ({ISO.reason})")
SECRET = "CANARY-" + hashlib.sha256(os.urandom(16)).hexdigest()[:16]
MARK = pyrun.MARK


@dataclasses.dataclass
class Canary:
    centre: Path
    key: Path
    ledger: Path

    def digest(self) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(self.centre.iterdir())}

    def assert_untouched(self, before: dict[str, str], *outputs: object) -> None:
        assert self.digest() == before  # nothing changed, nothing added (no .pth, no writes)
        for out in outputs:
            assert SECRET not in repr(out)


@pytest.fixture
def canary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Canary:
    centre = tmp_path / "centre"
    centre.mkdir()
    key = centre / "centre.key"
    key.write_text(f"-----BEGIN PRIVATE KEY-----\n{SECRET}\n-----END PRIVATE KEY-----\n")
    key.chmod(0o600)
    ledger = centre / "ledger.db"
    conn = sqlite3.connect(ledger)
    conn.execute("CREATE TABLE events (body TEXT)")
    conn.execute("INSERT INTO events VALUES (?)", (f'{{"response": "{SECRET}"}}',))
    conn.commit()
    conn.close()
    monkeypatch.setenv("KIOSK_PASSPHRASE", SECRET)
    monkeypatch.chdir(centre)  # the parent's cwd: /proc/<parent>/cwd would lead here
    sandbox.hide(centre)
    return Canary(centre, key, ledger)


def candidate(code: str, calls: int = 1, **limits: float) -> pyrun.RunResult:
    lim = pyrun.Limits(per_test_seconds=limits.get("per_test", 0.5),
                       memory_mb=int(limits.get("memory_mb", 128)))
    return pyrun.run_function(code, "f", [{"args": []}] * calls, lim)


def raw(script: str, timeout: float = 30) -> dict[str, object]:
    """Run `script` in the sandbox without the runner (no audit hook, no rlimits unless the
    script sets them); it prints one JSON object."""
    proc = raw_process(script, timeout)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def raw_process(script: str, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "attack.py"
        path.write_text(script)
        fd = sandbox.memfd_for(ISO)
        try:
            argv = sandbox.bwrap_argv(ISO, path, ["-I", "-S"], fd)
            proc = subprocess.run(argv, capture_output=True, timeout=timeout,
                                  pass_fds=(fd,) if fd is not None else (),
                                  env={"PATH": os.defpath}, stdin=subprocess.DEVNULL)
        finally:
            if fd is not None:
                os.close(fd)
    return proc


PROBE = '''
import json, os, sys
out = {}
def probe(name, fn):
    try:
        out[name] = ["ok", repr(fn())[:3000]]
    except BaseException as exc:
        out[name] = ["denied", type(exc).__name__ + ": " + str(exc)[:200]]
'''


# --- paths: open directory descriptors, chdir, symlinks -------------------------------------


@needs_isolation
def test_paths_via_dir_fd_chdir_and_symlinks_reach_nothing(canary: Canary) -> None:
    before = canary.digest()
    key, centre = str(canary.key), str(canary.centre)
    rel = key.lstrip("/")
    got = raw(PROBE + f'''
probe("open", lambda: open({key!r}).read())
def dirfd():
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    return os.read(os.open({rel!r}, os.O_RDONLY, dir_fd=fd), 4096)
probe("dir_fd", dirfd)
def chdir():
    os.chdir("/")
    return open({rel!r}).read()
probe("chdir", chdir)
def symlink():
    os.chdir("/box")
    os.symlink({key!r}, "/box/k")
    return open("/box/k").read()
probe("symlink", symlink)
probe("listdir_centre", lambda: os.listdir({centre!r}))
probe("write_pth", lambda: open({centre!r} + "/x.pth", "w").write("import os"))
probe("write_usr", lambda: open("/usr/kiosk.pth", "w").write("x"))
probe("write_runner", lambda: open("/kiosk-runner/sitecustomize.py", "w").write("x"))
probe("write_root", lambda: open("/kiosk.txt", "w").write("x"))
probe("write_box", lambda: open("/box/ok.txt", "w").write("fine"))
probe("root", lambda: sorted(os.listdir("/")))
print(json.dumps(out))
''')
    for name in ("open", "dir_fd", "chdir", "symlink", "listdir_centre", "write_pth",
                 "write_usr", "write_runner", "write_root"):
        assert got[name][0] == "denied", (name, got[name])
    assert got["write_box"][0] == "ok"  # the one writable place
    assert set(eval(got["root"][1])) <= {  # noqa: S307 - our own repr of a list of names
        "usr", "lib", "lib64", "lib32", "libx32", "bin", "sbin", "etc", "proc", "dev", "box",
        "kiosk-runner", "root", "opt", "home", "tmp"} | {Path(sys.base_prefix).parts[1]}
    canary.assert_untouched(before, got)


@needs_isolation
def test_a_centre_inside_a_bound_tree_is_covered(tmp_path: Path) -> None:
    """The centre path given to the launcher is hidden even where it lies inside a tree the
    sandbox binds (here: under the interpreter's prefix)."""
    try:
        inside = Path(tempfile.mkdtemp(prefix="kiosk-canary-", dir=sys.base_prefix))
    except OSError as exc:
        pytest.skip(f"cannot write under {sys.base_prefix}: {exc}")
    try:
        from kiosk.ledger.centre import Centre

        (inside / "centre.key").write_text(SECRET)
        Centre(inside)  # opening a centre is enough: no explicit sandbox.hide()
        got = raw(PROBE + f'''
probe("list", lambda: os.listdir({str(inside)!r}))
probe("read", lambda: open({str(inside / "centre.key")!r}).read())
print(json.dumps(out))
''')
        assert got["list"] == ["ok", "[]"]
        assert got["read"][0] == "denied"
    finally:
        (inside / "centre.key").unlink()
        inside.rmdir()


# --- /proc of the parent ------------------------------------------------------------------


@needs_isolation
def test_proc_shows_no_process_outside_the_sandbox(canary: Canary) -> None:
    before = canary.digest()
    me = os.getpid()
    got = raw(PROBE + f'''
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
out["pids"] = pids
out["ppid"] = os.getppid()
for pid in pids + [{me}]:
    for what in ("environ", "cmdline"):
        probe(f"{{pid}}/{{what}}", lambda: open(f"/proc/{{pid}}/{{what}}", "rb").read())
    probe(f"{{pid}}/cwd", lambda: os.listdir(f"/proc/{{pid}}/cwd"))
    probe(f"{{pid}}/root", lambda: os.listdir(f"/proc/{{pid}}/root"))
    probe(f"{{pid}}/fd", lambda: [os.readlink(f"/proc/{{pid}}/fd/" + f)
                                 for f in os.listdir(f"/proc/{{pid}}/fd")])
probe("env", lambda: dict(os.environ))
print(json.dumps(out))
''')
    assert len(got["pids"]) <= 2 and me not in got["pids"]  # bwrap's init and the attacker
    assert got[f"{me}/environ"][0] == "denied"
    assert "KIOSK_PASSPHRASE" not in got["env"][1]
    canary.assert_untouched(before, got)


# --- imports that reach C: sqlite3, ctypes, cffi, _posixsubprocess --------------------------


@needs_isolation
def test_native_code_gets_no_files_no_sockets_no_processes(canary: Canary) -> None:
    before = canary.digest()
    ledger = str(canary.ledger)
    got = raw(PROBE + f'''
import ctypes, sqlite3, socket, _posixsubprocess
probe("sqlite", lambda: sqlite3.connect({ledger!r}).execute("select * from events").fetchall())
probe("sqlite_uri", lambda: sqlite3.connect("file:{ledger}?mode=ro", uri=True)
      .execute("select * from events").fetchall())
libc = ctypes.CDLL(None, use_errno=True)
probe("ctypes_socket", lambda: (libc.socket(2, 1, 0), ctypes.get_errno()))
probe("ctypes_fork", lambda: (libc.fork(), ctypes.get_errno()))
probe("ctypes_ptrace", lambda: (libc.ptrace(16, 1, 0, 0), ctypes.get_errno()))
probe("ctypes_unshare", lambda: (libc.unshare(0x10000000), ctypes.get_errno()))
probe("socket", lambda: socket.socket())
probe("unix_socket", lambda: socket.socket(socket.AF_UNIX))
probe("fork", lambda: os.fork())
probe("spawn", lambda: _posixsubprocess.fork_exec(
    [b"/bin/true"], [b"/bin/true"], True, (), None, None, -1, -1, -1, -1, -1, -1, -1, -1,
    False, False, False, None, None, None, -1, None, False))
try:
    import cffi  # not installed in the standard library: nothing to import
    out["cffi"] = ["ok", "imported"]
except ImportError as exc:
    out["cffi"] = ["denied", str(exc)]
print(json.dumps(out))
''')
    for name in ("sqlite", "sqlite_uri", "socket", "unix_socket", "fork", "spawn", "cffi"):
        assert got[name][0] == "denied", (name, got[name])
    for name in ("ctypes_socket", "ctypes_fork", "ctypes_ptrace", "ctypes_unshare"):
        assert got[name][0] == "ok" and got[name][1].startswith("(-1,"), (name, got[name])
    canary.assert_untouched(before, got)


@needs_isolation
def test_imports_restored_through_sys_modules_gc_frames_and_subclasses(canary: Canary) -> None:
    """However a candidate gets `os`, `resource`, `signal` or `sqlite3` back past the audit hook,
    the kernel still refuses: nothing of the centre can be read."""
    before = canary.digest()
    key, ledger = str(canary.key), str(canary.ledger)
    code = f'''
def f():
    found = []
    for cls in ().__class__.__base__.__subclasses__():
        g = getattr(getattr(cls, "__init__", None), "__globals__", None)
        if isinstance(g, dict) and "sys" in g:
            found.append(g["sys"])
    import sys
    mods = sys.modules
    out = []
    try:
        out.append(open({key!r}).read())
    except BaseException as e:
        out.append(type(e).__name__)
    try:
        import sqlite3
        out.append(sqlite3.connect({ledger!r}).execute("select * from events").fetchall())
    except BaseException as e:
        out.append(type(e).__name__)
    try:
        import posix
        out.append(posix.open({key!r}, 0))
    except BaseException as e:
        out.append(type(e).__name__)
    try:  # the runner's own frame, through a traceback: its globals hold os and resource
        raise ValueError
    except ValueError as e:
        frame = e.__traceback__.tb_frame
        while frame.f_back is not None:
            frame = frame.f_back
        g = frame.f_globals
        for name in ("resource", "signal", "os"):
            m = g.get(name) or mods.get(name)
            if m is not None and hasattr(m, "setrlimit"):
                m.setrlimit(m.RLIMIT_AS, (-1, -1))  # raising a hard limit: refused
        out.append(g["os"].open({key!r}, 0))
    except BaseException as e:
        out.append(type(e).__name__)
    try:
        gc = mods.get("gc") or __import__("gc")
        out.append([o for o in gc.get_objects() if isinstance(o, str) and "CANARY" in o])
    except BaseException as e:
        out.append(type(e).__name__)
    return [str(x) for x in out] + [len(found), len(mods)]
'''
    result = candidate(code)
    assert result.invalid is None and result.started
    canary.assert_untouched(before, result)


# --- time limits: cancelling alarms -------------------------------------------------------


@needs_isolation
def test_cancelling_the_alarm_does_not_escape_the_time_limit(canary: Canary) -> None:
    code = '''
import sys
def f():
    for name in ("signal", "_signal"):
        m = sys.modules.get(name)
        if m is not None:
            try:
                m.setitimer(m.ITIMER_REAL, 0)
                m.signal(m.SIGALRM, m.SIG_IGN)
            except BaseException:
                pass
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue
'''
    started = time.monotonic()
    result = candidate(code, calls=2, per_test=0.3)
    assert time.monotonic() - started < 30  # a hang detector, not a timing claim
    assert result.invalid is None
    assert not any(c.ok for c in result.calls)
    assert result.stopped or all(c.error for c in result.calls)


# --- signals to the parent ----------------------------------------------------------------


@needs_isolation
def test_signals_cannot_reach_any_process_outside(canary: Canary) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        got = raw(PROBE + f'''
import signal
probe("kill_parent", lambda: os.kill({os.getpid()}, signal.SIGKILL))
probe("kill_sleeper", lambda: os.kill({sleeper.pid}, signal.SIGKILL))
probe("kill_group", lambda: os.killpg({os.getpgid(0)}, signal.SIGKILL))
probe("kill_all", lambda: os.kill(-1, signal.SIGTERM))
print(json.dumps(out))
''')
        for name in ("kill_parent", "kill_sleeper", "kill_group"):
            assert got[name][0] == "denied", (name, got[name])
        assert sleeper.poll() is None  # still running
    finally:
        sleeper.kill()
        sleeper.wait()


# --- fork and thread bombs, memory --------------------------------------------------------


@needs_isolation
def test_fork_and_thread_bombs_and_memory_are_contained(canary: Canary) -> None:
    got = raw(PROBE + '''
import resource, _thread, time
resource.setrlimit(resource.RLIMIT_AS, (256 << 20, 256 << 20))  # what the runner sets
def forks():
    n = 0
    for _ in range(1000):
        try:
            if os.fork() == 0:
                os._exit(0)
            n += 1
        except OSError:
            pass
    return n
probe("forks", forks)
def threads():
    n = 0
    for _ in range(5000):
        try:
            _thread.start_new_thread(time.sleep, (5,))
            n += 1
        except RuntimeError:
            break
    return n
probe("threads", threads)
probe("memory", lambda: len(bytearray(4 << 30)))
print(json.dumps(out))
''')
    assert got["forks"] == ["ok", "0"]
    assert got["threads"][0] == "ok" and int(got["threads"][1]) < 5000
    assert got["memory"][0] == "denied" and "MemoryError" in got["memory"][1]
    # Through the runner: the same bombs end as the candidate's failed tests, nothing more.
    result = candidate("import os\ndef f():\n    while True:\n        os.fork()\n")
    assert result.invalid is None and not result.calls[0].ok
    result = candidate("def f():\n    return len(bytearray(4 << 30))\n")
    assert result.invalid is None and not result.calls[0].ok


# --- the result channel: forged, huge and deep output -------------------------------------


@needs_isolation
def test_forged_and_flooded_result_channel_becomes_a_scoring_error() -> None:
    forged = candidate(f"import os\nos.write(1, b'{MARK}{{\"index\": 0, \"value\": 1}}\\n')\n"
                       "def f():\n    return 1\n")
    assert forged.invalid and "two reports" in forged.invalid
    flood = candidate("import os\nos.write(1, b'x' * 50_000_000)\ndef f():\n    return 1\n")
    assert flood.invalid is not None or not flood.calls[0].ok
    deep = candidate(f"import os\nos.write(1, ({MARK!r} + '[' * 100000 + '\\n').encode())\n"
                     "def f():\n    return 1\n")
    assert deep.invalid and "deep" in deep.invalid
    huge_int = candidate(f"import os\nos.write(1, b'{MARK}{{\"index\": 0, \"value\": "
                         f"1{'0' * 400}}}\\n')\ndef f():\n    return 1\n")
    assert huge_int.invalid and "range" in huge_int.invalid
    nan = candidate(f"import os\nos.write(1, b'{MARK}{{\"index\": 0, \"value\": Infinity}}\\n')"
                    "\ndef f():\n    return 1\n")
    assert nan.invalid and "non-finite" in nan.invalid


def test_report_parsing_rejects_every_malformed_shape() -> None:
    """The parent's checks alone (no process): each hostile line makes the run invalid."""
    bad = [
        '{"index": 0}', '{"index": "0", "value": 1}', '{"index": true, "value": 1}',
        '{"index": 0, "value": 1, "extra": 2}', '[1, 2]', '"text"', '{"index": 0, "error": 5}',
        '{"index": 7, "value": 1}', '{"index": -1, "value": 1}', '{"index": 0, "value": NaN}',
        '{"index": 0, "value": -Infinity}', '{"index": 0, "value": 1e999}',
        '{"index": 0, "value": ' + "[" * 30 + "]" * 30 + "}",
        '{"index": 0, "value": 1' + "0" * 5000 + "}", '{"load_error": 3}', "{not json",
        '{"index": 0, "value": "' + "x" * 200_000 + '"}',
    ]
    for line in bad:
        parsed = pyrun._parse(MARK + line + "\n", 1)
        assert parsed.invalid is not None, line[:80]
    ok = pyrun._parse(f'{MARK}{{"started": true}}\n{MARK}{{"index": 0, "value": [1, 2.5]}}\n', 1)
    assert ok.invalid is None and ok.calls[0].value == [1, 2.5]


# --- SQL: CPU and memory bombs, forbidden functions and tables ----------------------------


SCHEMA = "CREATE TABLE t (a INTEGER, b TEXT);"
ROWS = {"t": [[1, "x"], [2, "y"]]}


@pytest.mark.parametrize("sql", [
    "SELECT printf('%.*c', 2000000000, 'x')",
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
    "SELECT group_concat(randomblob(1000)) FROM n",
    "SELECT zeroblob(2000000000)",
    "SELECT count(*) FROM " + ", ".join(f"t t{i}" for i in range(40)),  # 2**40 rows
    # a sort that would need 90 GB: the memory limit or the clock stops it
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 100000) "
    "SELECT x, zeroblob(900000) AS b FROM n ORDER BY b, x DESC LIMIT 1",
])
def test_sql_cpu_and_memory_bombs_stop_within_the_limit(sql: str) -> None:
    started = time.monotonic()
    got = sqlrun.run_query(SCHEMA, ROWS, sql, time_limit=1.0)
    elapsed = time.monotonic() - started
    assert isinstance(got, sqlrun.QueryError), got
    assert got.kind in {"timeout", "too_long"}, got
    assert elapsed < 1.0 + sqlrun.STARTUP_SECONDS + 1  # the limit plus start-up, never 31 s


@pytest.mark.parametrize("sql", [
    "SELECT load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0')",
    "SELECT fts3_tokenizer('simple')",
    "ATTACH DATABASE '/etc/passwd' AS p",
    "SELECT * FROM sqlite_master",
    "SELECT * FROM pragma_table_info('t')",
    "PRAGMA writable_schema = 1",
    "DELETE FROM t",
    "INSERT INTO t VALUES (3, 'z')",
    "CREATE TABLE u (x)",
    "SELECT * FROM json_each('[1]')",
    "SELECT readfile('/etc/passwd')",
])
def test_sql_forbidden_functions_tables_and_statements(sql: str) -> None:
    got = sqlrun.run_query(SCHEMA, ROWS, sql)
    assert isinstance(got, sqlrun.QueryError) and got.kind in {"denied", "syntax"}, got


def test_sql_cannot_read_the_ledger(canary: Canary) -> None:
    before = canary.digest()
    for sql in (f"ATTACH DATABASE '{canary.ledger}' AS l",
                f"SELECT * FROM (SELECT 1) JOIN (ATTACH '{canary.ledger}' AS l)"):
        got = sqlrun.run_query(SCHEMA, ROWS, sql)
        assert isinstance(got, sqlrun.QueryError)
    canary.assert_untouched(before)


def test_sql_runner_output_is_checked() -> None:
    for line in ('{"columns": ["a"], "rows": [[1, 2]], "truncated": false}',
                 '{"columns": ["a"], "rows": [[[1]]], "truncated": false}',
                 '{"columns": ["a"], "rows": [[NaN]], "truncated": false}',
                 '{"columns": ["a"], "rows": [[' + "9" * 30 + ']], "truncated": false}',
                 '{"columns": ["a"], "rows": [[1]], "truncated": false, "x": 1}',
                 '{"error": "x", "kind": "hack"}'):
        with pytest.raises(sqlrun._Invalid):
            sqlrun._result(sqlrun._checked(sqlrun.MARK + line))


# --- fail closed: a machine without OS isolation ------------------------------------------


@pytest.fixture
def no_isolation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "detect", lambda: sandbox.Isolation(
        sandbox.NONE, "simulated: no namespaces"))
    monkeypatch.delenv(sandbox.PRACTICE_ENV, raising=False)


def python_item() -> Item:
    return Item(id="p", type="python_function", topic="P", points=2, stem="f",
                 spec={"function": "f", "model_answer": "def f():\n    return 1\n",
                       "tests": [{"args": [], "expected": 1}]})


def test_without_isolation_code_is_never_run_for_scoring(no_isolation: None,
                                                         canary: Canary) -> None:
    before = canary.digest()
    code = f"def f():\n    return open({str(canary.key)!r}).read()\n"
    result = pyrun.run_function(code, "f", [{}])
    assert result.invalid and "OS isolation" in result.invalid and not result.started
    judged = PythonFunction().judge(python_item(), code)
    assert isinstance(judged, NeedsMarking) and judged.reason.startswith("scoring error")
    canary.assert_untouched(before, result, judged)


def test_practice_may_run_without_isolation_with_a_warning(no_isolation: None,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    from kiosk_informatics.widgets import PythonFunctionWidget

    item = dataclasses.replace(python_item(), spec={
        **python_item().spec, "tests": [{"args": [], "expected": 1, "example": True}]})
    widget = PythonFunctionWidget(item, {}, None)
    refused = widget.run_text("def f():\n    return 1\n")
    assert refused.startswith("⚠") and "OS isolation" in refused and "✓" not in refused
    monkeypatch.setenv(sandbox.PRACTICE_ENV, "1")
    practice = widget.run_text("def f():\n    return 1\n")
    assert practice.startswith("⚠") and "✓" in practice


def test_sql_still_runs_in_a_child_without_isolation(no_isolation: None) -> None:
    item_sql = SqlQuery()
    item = Item(id="s", type="sql_query", topic="S", points=1, stem="q",
                spec={"schema": SCHEMA, "rows": ROWS, "answer": "SELECT a FROM t"})
    judged = item_sql.judge(item, "SELECT a FROM t ORDER BY a DESC")
    assert not isinstance(judged, NeedsMarking) and judged.fraction == 1.0


def test_the_sandbox_not_starting_is_a_scoring_error(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = sandbox.Isolation(sandbox.FULL, "", "/bin/false", ISO.seccomp)
    monkeypatch.setattr(sandbox, "detect", lambda: broken)
    result = candidate("def f():\n    return 1\n")
    assert result.invalid and "did not start" in result.invalid
    judged = PythonFunction().judge(python_item(), "def f():\n    return 1\n")
    assert isinstance(judged, NeedsMarking)


def test_the_parent_keeps_running_after_every_attack() -> None:
    assert os.getpid() > 0 and signal.getsignal(signal.SIGTERM) is not None


# --- fail closed: exam check and sitting creation -----------------------------------------


EXAM_TEXT = '''
[exam]
id = "kod"
title = "Kódvizsga"
banks = ["{bank}"]
self_start = {self_start}

[[parts]]
id = "1"
title = "Programozás"
minutes = 30
[[parts.draw]]
fixed = ["py-001"]
'''


def _exam_file(tmp_path: Path, self_start: bool) -> Path:
    from informatics_support import BANK

    path = tmp_path / f"kod-{self_start}.exam.toml"
    path.write_text(EXAM_TEXT.format(bank=BANK.as_posix(),
                                     self_start="true" if self_start else "false"))
    return path


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from kiosk.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_exam_check_refuses_code_items_in_exam_mode_without_isolation(
        no_isolation: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "exam", "check", str(_exam_file(tmp_path, False)))
    assert rc != 0
    text = out + err
    assert "cannot run in exam mode" in text and "OS isolation" in text and "fix:" in text
    assert "Traceback" not in text
    rc, out, err = _cli(capsys, "exam", "check", str(_exam_file(tmp_path, True)))
    assert rc == 0, out + err
    assert "warning: practice only" in out


@needs_isolation
def test_exam_check_accepts_code_items_where_isolation_exists(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "exam", "check", str(_exam_file(tmp_path, False)))
    assert rc == 0, out + err
    assert "warning" not in out


def test_sitting_creation_refuses_code_items_in_exam_mode_without_isolation(
        no_isolation: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.demo import load_exam_file
    from kiosk.ledger.centre import Centre
    from tests.support.session_helpers import import_roster

    centre, _ = Centre.init(tmp_path / "centre", "Teszt")
    import shutil

    from informatics_support import BANK
    shutil.copy(BANK, tmp_path / "bank.toml")
    exam = tmp_path / "kod.exam.toml"
    exam.write_text(EXAM_TEXT.format(bank="bank.toml", self_start="false"))
    exam_id = load_exam_file(centre, exam)
    import_roster(centre)
    rc, out, err = _cli(capsys, "sitting", "create", "--exam", exam_id,
                        "--centre", str(centre.path))
    assert rc != 0 and "cannot run in exam mode" in out + err
    assert "Access code" not in out
    with centre.reader() as reader:
        assert list(reader.events(kind={"sitting_created"})) == []
    rc, out, err = _cli(capsys, "sitting", "create", "--exam", exam_id, "--self-start",
                        "--centre", str(centre.path))
    assert rc == 0 and "Access code" in out and "warning: practice only" in out


@needs_isolation
def test_runners_started_from_a_worker_thread_outlive_it() -> None:
    """A runner pre-started from a Textual worker thread is still there, alive, after that
    worker ends, and serves the next run."""
    import threading

    sandbox.discard_spares()
    worker = threading.Thread(target=sandbox.prewarm, args=(pyrun.RUNNER,))
    worker.start()
    worker.join()
    time.sleep(0.5)
    with sandbox._spares_lock:
        pooled = [s for pool in sandbox._spares.values() for s in pool]
    assert pooled and all(s.proc.poll() is None for s in pooled)
    result = candidate("def f():\n    return 1\n")
    assert result.invalid is None and result.calls[0].ok


def test_the_sandbox_command_reports_the_level(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rc, out, _err = _cli(capsys, "sandbox")
    assert f"isolation: {ISO.level}" in out
    assert rc == (0 if ISO.exam_ready else 1)
    monkeypatch.setattr(sandbox, "detect", lambda: sandbox.Isolation(sandbox.NONE, "simulated"))
    rc, out, _err = _cli(capsys, "sandbox")
    assert rc == 1 and "isolation: none" in out and "fix:" in out


@needs_isolation
def test_exec_into_a_shell_stays_inside(canary: Canary) -> None:
    """With fork refused, exec can only replace the runner by another program from /usr: it
    inherits the namespaces, the filter and the rlimits."""
    before = canary.digest()
    attack = "import os\nos.execv('/bin/sh', ['sh', '-c', {!r}])\n"
    # the shell cannot fork to run `cat`; exec (no fork) works, as the same unprivileged user
    cat = raw_process(attack.format(f"cat {canary.key}"))
    assert cat.returncode != 0 and b"Cannot fork" in cat.stderr
    exec_id = raw_process(attack.format("exec /usr/bin/id -u"))
    assert exec_id.stdout.strip() == b"65534"
    canary.assert_untouched(before, cat, exec_id)


@needs_isolation
def test_one_long_c_call_is_stopped_and_earlier_tests_count() -> None:
    """sum(range(10**12)) never returns to the Python-level alarm: the CPU-time timer ends it;
    the test before it keeps its result."""
    code = "def f(i):\n    return sum(range(10**12)) if i == 1 else i\n"
    started = time.monotonic()
    result = pyrun.run_function(code, "f", [{"args": [0]}, {"args": [1]}, {"args": [2]}],
                                pyrun.Limits(per_test_seconds=0.3))
    assert time.monotonic() - started < 30  # a hang detector
    assert result.invalid is None
    assert result.calls[0].ok and result.calls[0].value == 0
    assert not result.calls[1].ok and "időkorlát" in (result.calls[1].error or "")
    assert not result.calls[2].ok


# --- the parent's parsers never raise on anything a runner writes -------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=4),
    max_leaves=30)


def _line(value: object) -> str:
    try:
        return json.dumps(value)
    except (ValueError, RecursionError):
        return repr(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_json_values.map(_line), st.text(max_size=200)), max_size=6),
       st.integers(min_value=0, max_value=4))
def test_python_report_parsing_never_raises(lines: list[str], count: int) -> None:
    raw = "".join(MARK + line + "\n" for line in lines)
    result = pyrun._parse(raw, count)
    if result.invalid is None:
        for call in result.calls:
            assert call.ok or isinstance(call.error, str)
            if call.ok:
                pyrun.check_value(call.value)  # whatever passed is within the limits


@settings(max_examples=200, deadline=None)
@given(_json_values.map(_line) | st.text(max_size=200))
def test_sql_record_parsing_never_raises(line: str) -> None:
    try:
        sqlrun._result(sqlrun._checked(sqlrun.MARK + line))
    except sqlrun._Invalid:
        pass


@needs_isolation
def test_repeated_judgements_reuse_the_run_but_never_a_failed_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    launches: list[Path] = []
    real = sandbox.launch

    def counting(runner: Path, *args: object, **kwargs: object) -> sandbox.Launched:
        launches.append(runner)
        return real(runner, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sandbox, "launch", counting)
    sql = f"SELECT a FROM t WHERE a > {os.getpid()} - {os.getpid()}"  # fresh for this run
    first = sqlrun.run_queries(SCHEMA, ROWS, ["SELECT a FROM t", sql])
    again = sqlrun.run_queries(SCHEMA, ROWS, ["SELECT a FROM t", sql])
    assert first == again and len(launches) == 1
    code = f"def f():\n    return {os.getpid()}\n"
    assert candidate(code).calls[0].value == os.getpid()
    assert candidate(code).calls[0].value == os.getpid()
    assert len(launches) == 2
    broken = sandbox.Isolation(sandbox.FULL, "", "/bin/false", ISO.seccomp)
    monkeypatch.setattr(sandbox, "detect", lambda: broken)
    code = f"def f():\n    return -{os.getpid()}\n"
    assert candidate(code).invalid and candidate(code).invalid  # tried twice: not kept
    assert launches.count(pyrun.RUNNER) == 3


def test_the_centre_service_refuses_code_items_in_exam_mode_without_isolation(
        no_isolation: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fail closed in `kiosk serve` too: the service reports the exam at start and no candidate
    can open it (its content is never handed out), while a practice exam still runs."""
    import shutil

    from informatics_support import BANK

    from kiosk.demo import load_exam_file
    from kiosk.errors import KioskError
    from kiosk.ledger.centre import Centre
    from kiosk.service.candidate import CandidateRoom
    from kiosk.service.server import _report_delivery

    centre, _ = Centre.init(tmp_path / "centre", "Teszt")
    shutil.copy(BANK, tmp_path / "bank.toml")
    exam = tmp_path / "kod.exam.toml"
    exam.write_text(EXAM_TEXT.format(bank="bank.toml", self_start="false"))
    practice = tmp_path / "gyak.exam.toml"
    practice.write_text(EXAM_TEXT.format(bank="bank.toml", self_start="true")
                        .replace('id = "kod"', 'id = "gyak"'))
    exam_id, practice_id = load_exam_file(centre, exam), load_exam_file(centre, practice)
    _report_delivery(centre, None)
    err = capsys.readouterr().err
    assert f"refused: exam {exam_id!r} cannot run in exam mode" in err
    assert f"{practice_id}: warning: practice only" in err
    with centre.ledger() as ledger:
        room = CandidateRoom(centre, ledger)
        with pytest.raises(KioskError, match="cannot run in exam mode"):
            room.content(exam_id)
        assert room.content(practice_id)[0].id == practice_id
