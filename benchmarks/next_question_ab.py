"""Before/after of the next-question keypress in one app run: every five keypresses the app
switches between this tree's code path and an earlier tree's (the exam screen's swap, its focus
repaint and the navigator's update), so that the machine's load falls on both alike.

    git archive c5c01db | (mkdir -p /tmp/before && tar -x -C /tmp/before)
    python benchmarks/next_question_ab.py --before /tmp/before [--questions 101] [--think 0.3]

Printed: median wall time and CPU time per keypress for each arm (50 keypresses each with the
defaults). Only the methods this work changed are swapped; everything else is this tree's.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.kiosk_start import centre_with  # noqa: E402
from tests.support.candidate_helpers import enter_exam  # noqa: E402


def load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def switcher(before: Path) -> Any:
    from textual.widgets import OptionList

    from kiosk.apps.candidate.screens import exam
    from kiosk.apps.widgets import navigator

    old_nav = load("before_navigator", before / "kiosk/apps/widgets/navigator.py")
    old_exam = load("before_exam", before / "kiosk/apps/candidate/screens/exam.py")
    screen, nav = exam.ExamScreen, navigator.QuestionNavigator
    new = {"show_question": screen.show_question, "focused": screen.__dict__.get("focused"),
           "set_states": nav.set_states, "render_line": nav.__dict__.get("render_line")}

    def use(after: bool) -> None:
        if after:
            screen.show_question = new["show_question"]
            nav.set_states = new["set_states"]
            if new["focused"] is not None:
                screen.focused = new["focused"]
            if new["render_line"] is not None:
                nav.render_line = new["render_line"]
        else:
            screen.show_question = old_exam.ExamScreen.show_question
            nav.set_states = old_nav.QuestionNavigator.set_states
            if "focused" in screen.__dict__:
                delattr(screen, "focused")  # Screen's own reactive (repaints the screen)
            nav.render_line = OptionList.render_line

    return use


async def alternate(centre: Path, code: str, n: int, think: float, use: Any
                    ) -> dict[bool, tuple[list[float], list[float]]]:
    from kiosk.apps.candidate.app import CandidateApp
    from kiosk.domain.timing import ManualClock

    app = CandidateApp(centre, seat="bench", language="en", clock=ManualClock(), timers=False)
    out: dict[bool, tuple[list[float], list[float]]] = {False: ([], []), True: ([], [])}
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await enter_exam(pilot, "C1", code)
        for i in range(n - 1):
            after = bool((i // 5) % 2)  # five keypresses: one of each question type in turn
            use(after)
            await pilot.pause(think)
            start, cpu = time.perf_counter(), time.process_time()
            await pilot.press("f6")
            await pilot.pause()
            out[after][0].append(time.perf_counter() - start)
            out[after][1].append(time.process_time() - cpu)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="an earlier tree")
    parser.add_argument("--questions", type=int, default=101)
    parser.add_argument("--think", type=float, default=0.3)
    args = parser.parse_args()
    use = switcher(args.before)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    try:
        centre, code = centre_with(args.questions, tmp)
        out = asyncio.run(alternate(centre, code, args.questions, args.think, use))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for after in (False, True):
        wall, cpu = out[after]
        print(f"{'this tree' if after else 'before   '}: wall median "
              f"{statistics.median(wall) * 1000:.1f} ms, CPU median "
              f"{statistics.median(cpu) * 1000:.1f} ms ({len(wall)} keypresses)")


if __name__ == "__main__":
    main()
