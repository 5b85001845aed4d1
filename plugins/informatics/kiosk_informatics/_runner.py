"""The child process that runs a candidate's function on test inputs. Standalone: run as
`python -I -S _runner.py` inside the OS sandbox (sandbox.py), reads one JSON request on stdin.
The audit hook below is a second layer (clear messages for what an item does not allow), not
the isolation: that is the kernel's (namespaces, seccomp, rlimits).

Order matters: the request is read, then the process limits itself (rlimits), then an audit hook
that cannot be removed is installed, and only then is candidate code compiled. Expected values
never enter this process: it reports what the function returned and the parent compares, so a
candidate who subverts this process can at most report their own wrong answers.

Each result is written as soon as it is known, one line prefixed with MARK, so a test that kills
the process (CPU limit, memory) still leaves the earlier tests' results.
"""

import builtins
import io
import json
import math
import os
import signal
import sys

MARK = "@@kiosk-result@@"
OUTPUT_CAP = 10_000

request = json.loads(sys.stdin.read())
sys.stdin.close()
workdir = os.path.realpath(os.getcwd())
limits = request.get("limits", {})

try:
    import resource
except ImportError:  # not a POSIX system: the parent's wall-clock timeout is the only limit
    resource = None

if resource is not None:
    def _limit(name, soft, hard=None):
        kind = getattr(resource, name, None)
        if kind is None:
            return
        try:
            resource.setrlimit(kind, (soft, soft if hard is None else hard))
        except (ValueError, OSError):
            pass  # e.g. a hard limit already lower than ours

    cpu = int(limits.get("cpu_seconds", 5))
    _limit("RLIMIT_CPU", cpu, cpu + 1)
    _limit("RLIMIT_AS", int(limits.get("memory_mb", 256)) * 1024 * 1024)
    _limit("RLIMIT_FSIZE", int(limits.get("file_bytes", 1_000_000)))
    _limit("RLIMIT_NPROC", 0)  # not enforced for root; the audit hook blocks forks anyway
    _limit("RLIMIT_NOFILE", 64)
    _limit("RLIMIT_CORE", 0)

_BLOCKED_MODULES = frozenset({
    "ctypes", "_ctypes", "subprocess", "_posixsubprocess", "multiprocessing", "_multiprocessing",
    "socket", "_socket", "ssl", "_ssl", "select", "selectors", "pty", "fcntl", "mmap", "gc",
    "_thread", "threading", "signal", "_signal", "resource", "_winapi", "msvcrt", "winreg",
})
_BLOCKED_EVENTS = frozenset({
    "os.system", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.kill",
    "os.killpg", "os.setuid", "os.setgid", "os.chroot", "os.startfile", "os.putenv", "os.unsetenv",
    "subprocess.Popen", "signal.pthread_kill", "sys.setrecursionlimit", "sys._getframe",
    "sys._current_frames", "sys.settrace", "sys.setprofile", "sys.remote_exec",
    # Restricted attributes (frames, code objects, defaults): the way to reach and rewrite the
    # runner's own state from candidate code.
    "object.__getattr__", "object.__setattr__", "object.__delattr__",
})
_PATH_WRITE_EVENTS = {
    # event -> positions of path arguments that must stay inside the working directory
    "os.remove": (0,), "os.rmdir": (0,), "os.rename": (0, 1), "os.link": (0, 1),
    "os.symlink": (0, 1), "os.mkdir": (0,), "os.chmod": (0,), "os.chown": (0,),
    "os.truncate": (0,), "os.utime": (0,), "shutil.rmtree": (0,), "shutil.move": (0, 1),
    "shutil.copyfile": (1,), "shutil.copytree": (1,), "os.chflags": (0,), "os.lchflags": (0,),
    "os.setxattr": (0,), "os.removexattr": (0,),
}
_PATH_READ_EVENTS = {"os.listdir": (0,), "os.scandir": (0,), "glob.glob": (0,)}


def _make_hook(workdir):  # noqa: C901 - one closure on purpose: its names bound here, unreachable to candidate code
    """The audit hook, with every name it uses bound here: candidate code that rewrites the
    runner module's globals cannot loosen it, and nothing outside keeps a reference to it."""
    read_roots = tuple(
        os.path.realpath(p)
        for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, workdir}
    )
    write_roots = (workdir,)
    blocked_modules, blocked_events = _BLOCKED_MODULES, _BLOCKED_EVENTS
    write_events, read_events = dict(_PATH_WRITE_EVENTS), dict(_PATH_READ_EVENTS)
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    realpath, fspath, sep = os.path.realpath, os.fspath, os.sep
    prefixes = ("socket.", "ctypes.", "winreg.", "_winapi.")

    def inside(path, roots):
        if isinstance(path, int):
            return path in (0, 1, 2)  # the standard streams; any other descriptor is suspect
        try:
            text = fspath(path)
            if isinstance(text, bytes):
                text = text.decode("utf-8", "surrogateescape")
            real = realpath(text)
        except Exception:
            return False
        return any(real == root or real.startswith(root + sep) for root in roots)

    def deny(what):
        raise PermissionError(f"a vizsgakörnyezetben nem engedélyezett művelet: {what}")

    def hook(event, args):
        if event in blocked_events or event.startswith(prefixes):
            deny(event)
        if event == "import":
            name = args[0] or ""
            if name in blocked_modules or name.split(".")[0] in blocked_modules:
                raise ImportError(f"a(z) {name} modul a vizsgán nem használható")
            return
        if event == "open":
            path, mode, flags = (list(args) + [None, None, None])[:3]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & write_flags)
            if path is not None and not inside(path, write_roots if writes else read_roots):
                deny(f"open {path!r}")
            return
        positions, roots = write_events.get(event), write_roots
        if positions is None:
            positions, roots = read_events.get(event), read_roots
        if positions is None:
            return
        for i in positions:
            if i < len(args) and args[i] is not None and not inside(args[i], roots):
                deny(f"{event} {args[i]!r}")
        # A directory descriptor makes a relative path impossible to place: refuse it.
        if roots is write_roots and any(
            isinstance(a, int) and not isinstance(a, bool) and a >= 0 for a in args[1:]
        ) and event not in ("os.chmod", "os.mkdir", "os.chown", "os.truncate", "os.utime"):
            deny(event)

    return hook


class _Capped(io.StringIO):
    """Candidate prints go here; a flood of output is cut, not buffered without end."""

    def write(self, text):
        if self.tell() < OUTPUT_CAP:
            return super().write(text[: OUTPUT_CAP - self.tell()])
        return len(text)


_out = os.dup(1)


RECORD_CAP = 90_000  # below the parent's per-line limit
MAX_INT = 10**300  # the parent refuses larger integers (no expected value is one)


def _emit(record):
    line = json.dumps(record, ensure_ascii=False, default=repr)
    if len(line) > RECORD_CAP and "value" in record:
        line = json.dumps({"index": record["index"],
                           "error": "a visszaadott érték túl nagy a kiértékeléshez"})
    os.write(_out, (MARK + line + "\n").encode("utf-8", "replace"))


def _plain(value, depth=0):
    """The returned value as JSON data: tuples become lists, sets sorted lists; other objects
    their repr (which will not equal any expected value)."""
    if depth > 20:
        return repr(value)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if -MAX_INT <= value <= MAX_INT else "<túl nagy egész szám>"
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        items = [_plain(v, depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=repr)
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    return repr(value)


class _TestTimeout(BaseException):
    """BaseException so that a candidate's `except Exception` does not swallow it."""


def _on_alarm(signum, frame):
    raise _TestTimeout()


def _describe(exc):
    if isinstance(exc, _TestTimeout):
        return "TimeoutError: túllépte az időkorlátot"
    if isinstance(exc, RecursionError):
        return "RecursionError: maximum recursion depth exceeded"
    text = f"{type(exc).__name__}: {exc}"
    return text.splitlines()[0][:300] if text else type(exc).__name__


if hasattr(signal, "SIGALRM"):
    signal.signal(signal.SIGALRM, _on_alarm)
# The alarm above interrupts Python code; one long C call (sum(range(10**12))) never returns
# to it. A CPU-time timer whose signal keeps its default action ends the process there: the
# running test and the ones after it fail as stopped (the parent reports them).
_HARD = getattr(signal, "ITIMER_PROF", None)
if _HARD is not None:
    signal.signal(signal.SIGPROF, signal.SIG_DFL)


def _timers(seconds):
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, seconds)
        if _HARD is not None:
            signal.setitimer(_HARD, seconds * 2 + 0.5 if seconds else 0)

per_test = float(limits.get("per_test_seconds", 1.0))
sys.setrecursionlimit(2000)
sys.stdout = _Capped()
sys.stderr = _Capped()
builtins.input = lambda *a: (_ for _ in ()).throw(EOFError("nincs bemenet"))
# Modules the runner needed are unloaded so that a candidate's import of them is audited.
for _name in list(sys.modules):
    if _name in _BLOCKED_MODULES or _name.split(".")[0] in _BLOCKED_MODULES:
        del sys.modules[_name]
sys.addaudithook(_make_hook(workdir))
del _make_hook

_allowed = request.get("modules")
if isinstance(_allowed, list):
    # The item's list of standard-library modules the candidate may import (exam fairness, not
    # the security boundary: that is the OS sandbox). Imports made inside those modules pass.
    def _make_import(original, allowed):
        def _import(name, globals=None, locals=None, fromlist=(), level=0):
            if (level == 0 and isinstance(globals, dict) and globals.get("__name__") == "megoldas"
                    and name.split(".")[0] not in allowed):
                raise ImportError(f"a(z) {name} modul ebben a feladatban nem használható")
            return original(name, globals, locals, fromlist, level)
        return _import

    builtins.__import__ = _make_import(builtins.__import__, frozenset(map(str, _allowed)))
    del _make_import

_emit({"started": True})  # before any candidate code: proves the sandbox came up
namespace = {"__name__": "megoldas", "__builtins__": builtins}
try:
    code = compile(request["code"], "megoldas.py", "exec")
    _timers(per_test * 2)
    exec(code, namespace)
    _timers(0)
    function = namespace.get(request["function"])
    if not callable(function):
        raise NameError(f"nincs {request['function']!r} nevű függvény")
except SyntaxError as exc:
    _emit({"load_error": f"SyntaxError: {exc.msg} (line {exc.lineno})"})
    os._exit(0)
except BaseException as exc:  # noqa: B036 - anything the module level does is the candidate's
    _emit({"load_error": _describe(exc)})
    os._exit(0)

for index, case in enumerate(request["calls"]):
    try:
        _timers(per_test)
        value = function(*case.get("args", []), **case.get("kwargs", {}))
        _timers(0)
        _emit({"index": index, "value": _plain(value)})
    except BaseException as exc:  # noqa: B036
        _timers(0)
        _emit({"index": index, "error": _describe(exc)})
os._exit(0)
