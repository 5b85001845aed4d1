"""Candidate kiosk benchmark.

1. Start-up: time from launching `kiosk sit` (a subprocess on a pseudo-terminal) until the login
   screen is on screen (the app writes a marker file then), against `python -c "import
   textual.app"` measured in the same run. Medians of several runs and their ratio.
2. Next question: in a 100-question exam, the time from pressing F6 until the next question is
   mounted and the app is idle again (this includes the `navigated` event's durable ledger
   write). Median and p95 over Textual pilot timings.

    python benchmarks/kiosk_start.py [--runs 7] [--questions 100]
    python benchmarks/kiosk_start.py --quick     # start-up of a served terminal only, 9 runs
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.candidate_helpers import make_centre  # noqa: E402

TYPES = ["single_choice", "true_false", "short_text", "multiple_response", "numeric"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed_subprocess(args: list[str], *, marker: Path | None = None, timeout: float = 30.0,
                     cpu: list[float] | None = None) -> float:
    """Seconds until `args` exits, or (with `marker`) until the marker file appears. With `cpu`,
    the process's CPU seconds (user + system) until then are appended to it: on a shared
    machine CPU time moves far less with the load than wall time."""
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                            cwd=ROOT, start_new_session=True)
    os.close(slave)
    try:
        while True:
            if marker is not None and marker.exists():
                return time.perf_counter() - start
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                if cpu is not None:
                    cpu.append(usage.ru_utime + usage.ru_stime)
                if marker is None:
                    return time.perf_counter() - start
                raise RuntimeError(f"{args[0]} exited with {proc.returncode} before it was ready")
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"{' '.join(args)} not ready after {timeout} s")
            try:
                # Keep the pty drained so the app never blocks on a full terminal buffer.
                import select

                ready, _, _ = select.select([master], [], [], 0.002)
                if ready:
                    os.read(master, 65536)
            except OSError:
                pass
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the kiosk cannot be quit any other way
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if cpu is not None:
                cpu.append(usage.ru_utime + usage.ru_stime)
        os.close(master)


def startup(runs: int, *, embedded_too: bool = True) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    try:
        from kiosk.service.spawn import start_service

        setup = make_centre(tmp)
        kiosk = shutil.which("kiosk")
        base = [kiosk] if kiosk else [sys.executable, "-m", "kiosk"]
        sock = tmp / "bench.sock"
        # A lab terminal of a served centre: the service is already running.
        service = start_service(setup.centre, sock, log=tmp / "service.log")
        sit, embedded, imp = [], [], []
        sit_cpu: list[float] = []
        imp_cpu: list[float] = []
        load0 = os.getloadavg()[0]
        try:
            # one warm-up of each (the page cache), not counted
            timed_subprocess([sys.executable, "-c", "import textual.app"])
            warm = tmp / "ready-warm"
            timed_subprocess([*base, "sit", "--socket", str(sock), "--seat", "bench-warm",
                              "--ready-file", str(warm)], marker=warm)
            for i in range(runs):
                marker = tmp / f"ready-{i}"
                sit.append(timed_subprocess([*base, "sit", "--socket", str(sock), "--seat",
                                             f"bench-{i}", "--ready-file", str(marker)],
                                            marker=marker, cpu=sit_cpu))
                imp.append(timed_subprocess([sys.executable, "-c", "import textual.app"],
                                            cpu=imp_cpu))
        finally:
            service.stop()
        for i in range(runs if embedded_too else 0):
            # The embedded default: `kiosk sit --centre` starts its own service first.
            marker = tmp / f"ready-e{i}"
            embedded.append(timed_subprocess([*base, "sit", "--centre", str(setup.centre),
                                              "--seat", f"bench-e{i}", "--ready-file",
                                              str(marker)], marker=marker))
            time.sleep(1.0)  # its child service notices the parent is gone and stops
        s, b = statistics.median(sit), statistics.median(imp)
        pairs = sorted(a / c for a, c in zip(sit, imp, strict=True))
        print(f"kiosk sit --socket (service running) → login screen: median {s * 1000:.0f} ms "
              f"(min {min(sit) * 1000:.0f}, max {max(sit) * 1000:.0f}, {runs} runs)")
        print(f"python -c 'import textual.app': median {b * 1000:.0f} ms "
              f"(min {min(imp) * 1000:.0f}, max {max(imp) * 1000:.0f})")
        print(f"ratio (served terminal): {s / b:.2f}× (run by run: {pairs[0]:.2f}–{pairs[-1]:.2f}, "
              f"median {statistics.median(pairs):.2f}×; target ≤ 1.5×); load average "
              f"{load0:.2f} before, {os.getloadavg()[0]:.2f} after")
        sc, bc = statistics.median(sit_cpu), statistics.median(imp_cpu)
        print(f"CPU until then: kiosk sit {sc * 1000:.0f} ms, import textual.app "
              f"{bc * 1000:.0f} ms: {sc / bc:.2f}× (medians)")
        if embedded:
            e = statistics.median(embedded)
            print(f"kiosk sit --centre (starts its own service) → login screen: median "
                  f"{e * 1000:.0f} ms (min {min(embedded) * 1000:.0f}, max "
                  f"{max(embedded) * 1000:.0f}): {e / b:.2f}×")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def big_bank(n: int) -> str:
    out = ['[bank]\nid = "bench"\ntitle = "Benchmark bank"\nlanguage = "en"\n']
    for i in range(n):
        kind = TYPES[i % len(TYPES)]
        head = (f'\n[[items]]\nid = "q{i:03d}"\ntype = "{kind}"\ntopic = "T"\npoints = 1\n'
                f'stem = "Question {i}: which statement about item {i} is right? ő ű"\n')
        if kind in ("single_choice", "multiple_response"):
            head += ("options = [{ text = \"first\", correct = true }, { text = \"second\" }, "
                     "{ text = \"third\" }, { text = \"fourth\" }]\n")
        elif kind == "true_false":
            head += "answer = true\n"
        elif kind == "short_text":
            head += 'answers = ["yes"]\n'
        else:
            head += "answers = [{ value = 3.14, tolerance = 0.01 }]\n"
        out.append(head)
    return "".join(out)


def centre_with(n: int, tmp: Path) -> tuple[Path, str]:
    from kiosk.demo import load_exam_file
    from kiosk.ledger.centre import Centre
    from kiosk.service.rooms.sittings import create_sitting

    setup = make_centre(tmp)
    content = tmp / "big"
    content.mkdir()
    (content / "bench.toml").write_text(big_bank(n), encoding="utf-8")
    (content / "bench.exam.toml").write_text(
        '[exam]\nid = "bench"\ntitle = "Benchmark"\nlanguage = "en"\nbanks = ["bench.toml"]\n'
        'grade_scale = "hu-szkr"\nself_start = true\nshuffle_questions = false\n'
        f'[[parts]]\nid = "1"\ntitle = "All"\nminutes = 600\n[[parts.draw]]\ncount = {n}\n',
        encoding="utf-8")
    centre = Centre.open(setup.centre)
    exam_id = load_exam_file(centre, content / "bench.exam.toml")
    with centre.ledger() as ledger:
        _, code = create_sitting(ledger, exam_id, room="bench", self_start=True)
    return setup.centre, code


def next_question(n: int) -> None:
    from kiosk.apps.candidate.app import CandidateApp
    from kiosk.domain.timing import ManualClock
    from tests.support.candidate_helpers import enter_exam

    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    try:
        centre_dir, code = centre_with(n, tmp)

        async def scenario() -> list[float]:
            app = CandidateApp(centre_dir, seat="bench", language="en", clock=ManualClock(),
                               timers=False)
            timings: list[float] = []
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                await enter_exam(pilot, "C1", code)
                assert len(app.session.parts[0].items) == n
                for i in range(n - 1):
                    start = time.perf_counter()
                    await pilot.press("f6")
                    await pilot.pause()
                    timings.append(time.perf_counter() - start)
                    assert app.screen.index == i + 1
            return timings

        timings = asyncio.run(scenario())
        floor = asyncio.run(pilot_floor(n - 1))
        print(f"next question in a {n}-question exam: median {statistics.median(timings) * 1000:.1f} ms, "
              f"p95 {percentile(timings, 95) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms "
              f"({len(timings)} keypresses)")
        print(f"  pilot floor (same keypress + pause on an app that does nothing): median "
              f"{statistics.median(floor) * 1000:.1f} ms, p95 {percentile(floor, 95) * 1000:.1f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def pilot_floor(presses: int) -> list[float]:
    """What a pilot keypress and pause cost by themselves, to read the figure above against."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Idle(App[None]):
        BINDINGS = [("f6", "nothing", "")]

        def compose(self) -> ComposeResult:
            yield Static("idle")

        def action_nothing(self) -> None:
            pass

    timings: list[float] = []
    async with Idle().run_test(size=(120, 40)) as pilot:
        for _ in range(presses):
            start = time.perf_counter()
            await pilot.press("f6")
            await pilot.pause()
            timings.append(time.perf_counter() - start)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--startup-only", action="store_true")
    parser.add_argument("--quick", action="store_true",
                        help="start-up of a served terminal only (no embedded service), 9 runs")
    args = parser.parse_args()
    if args.quick:
        startup(9, embedded_too=False)
        return
    startup(args.runs)
    if not args.startup_only:
        next_question(args.questions)


if __name__ == "__main__":
    main()
