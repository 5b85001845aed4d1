"""Helpers for the informatics plugin tests: items from the sample bank, a host app for pilot
tests of one question widget, and `kiosk` runs with or without the plugin installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult

from kiosk.apps.widgets.questions.base import QuestionWidget
from kiosk.domain.banks import check_bank_files
from kiosk.domain.items import Item

PLUGIN_DIR = Path(__file__).resolve().parents[1]
REPO = PLUGIN_DIR.parents[1]
BANK = REPO / "question_banks" / "informatika_sql_python.toml"
EXAM = REPO / "question_banks" / "informatika_sql_python.exam.toml"
PLUGIN_MODULE = "kiosk_informatics.plugin"
DIST = "kiosk-informatics"


def bank_items() -> dict[str, Item]:
    result = check_bank_files([BANK])
    assert result.errors == [], result.errors
    (bank,) = result.banks.values()
    return {item.id: item for item in bank.items.values()}


class Host(App[None]):
    """One question widget on a screen; records what it posts, as the exam screen would get it."""

    def __init__(self, widget: QuestionWidget) -> None:
        super().__init__()
        self.widget = widget
        self.answers: list[tuple[Any, bool]] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_question_widget_answered(self, event: QuestionWidget.Answered) -> None:
        self.answers.append((event.response, event.settle))


def _site_dirs() -> list[Path]:
    return [Path(p) for p in sys.path if p.endswith(("site-packages", "dist-packages"))
            and Path(p).is_dir()]


def _declares_kiosk_plugin(entry: Path) -> bool:
    if entry.suffix != ".dist-info":
        return False
    eps = entry / "entry_points.txt"
    return eps.is_file() and "[kiosk]" in eps.read_text(encoding="utf-8", errors="replace")


def clean_site(root: Path) -> Path:
    """A directory of links to everything installed except kiosk plugins (their dist-info and
    editable finders): with `python -S` and this on PYTHONPATH no plugin is installed."""
    site = root / "site-clean"
    site.mkdir()
    for source in _site_dirs():
        for entry in source.iterdir():
            target = site / entry.name
            if target.exists() or entry.suffix == ".pth" or entry.name.startswith("__editable__"):
                continue
            if _declares_kiosk_plugin(entry):
                continue
            target.symlink_to(entry)
    return site


def install_dist_info(root: Path) -> Path:
    """The plugin 'installed' the way a wheel would: a dist-info with its entry point."""
    site = root / "site-plugin"
    info = site / f"{DIST.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {DIST}\nVersion: 0.1.0\n")
    name = PLUGIN_MODULE.split(".")[0].removeprefix("kiosk_")
    (info / "entry_points.txt").write_text(f"[kiosk]\n{name} = {PLUGIN_MODULE}\n")
    return site


def plugin_code(root: Path) -> Path:
    """The plugin's package alone on a path entry (the source tree also holds the egg-info an
    editable install writes, which would declare the entry point)."""
    code = root / "code"
    code.mkdir()
    package = PLUGIN_MODULE.split(".")[0]
    (code / package).symlink_to(PLUGIN_DIR / package)
    return code


def kiosk(args: list[str], paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """`python -S -m kiosk …` (no site-packages processing) with exactly `paths` added."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in [REPO, *paths])
    return subprocess.run([sys.executable, "-S", "-m", "kiosk", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
