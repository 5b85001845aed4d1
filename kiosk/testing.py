"""Test support for plugin authors: a host app for one question widget, the items of a sample
bank, and `kiosk` runs with or without a plugin installed (used by the plugins in plugins/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult

from kiosk.apps.widgets.questions.base import QuestionWidget
from kiosk.domain.items import Item
from kiosk.loading import check_bank_files


def bank_items(bank: Path) -> dict[str, Item]:
    """Items of a one-bank file by id; the bank must check clean."""
    result = check_bank_files([bank])
    assert result.errors == [], result.errors
    (loaded,) = result.banks.values()
    return {item.id: item for item in loaded.items.values()}


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


@dataclass(frozen=True)
class PluginUnderTest:
    """A plugin package in a source tree, to install and uninstall in a test."""

    directory: Path  # the plugin's project folder (holds the package)
    module: str  # the entry point's module, e.g. "kiosk_accounting.plugin"
    dist: str  # the distribution name, e.g. "kiosk-accounting"
    repo: Path  # the kiosk checkout, put first on the path
    extra_entry_points: str = ""  # further entry-point sections, as in entry_points.txt

    @property
    def name(self) -> str:
        """The entry point's name, which `kiosk plugins` lists the plugin under."""
        return self.module.split(".")[0].removeprefix("kiosk_")

    def install_dist_info(self, root: Path) -> Path:
        """The plugin 'installed' the way a wheel would: a dist-info with its entry point."""
        site = root / "site-plugin"
        info = site / f"{self.dist.replace('-', '_')}-0.1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {self.dist}\nVersion: 0.1.0\n")
        text = f"[kiosk]\n{self.name} = {self.module}\n"
        if self.extra_entry_points:
            text += "\n" + self.extra_entry_points
        (info / "entry_points.txt").write_text(text)
        return site

    def plugin_code(self, root: Path) -> Path:
        """The plugin's package alone on a path entry (the source tree also holds the egg-info
        an editable install writes, which would declare the entry point)."""
        code = root / "code"
        code.mkdir()
        package = self.module.split(".")[0]
        (code / package).symlink_to(self.directory / package)
        return code

    def kiosk(self, args: list[str], paths: list[Path]) -> subprocess.CompletedProcess[str]:
        """`python -S -m kiosk …` (no site-packages processing) with exactly `paths` added."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in [self.repo, *paths])
        return subprocess.run([sys.executable, "-S", "-m", "kiosk", *args], cwd=self.repo,
                              env=env, capture_output=True, text=True, timeout=120)

    def check_install_and_uninstall(self, root: Path, *, types: list[str], bank: Path,
                                    exam: Path, unknown: str) -> None:
        """Installed, the plugin registers `types` and `bank` and `exam` check clean; with its
        code on the path but no distribution declaring it, `bank` names the type `unknown` as
        unknown, in one line and without a traceback."""
        site = clean_site(root)
        code = self.plugin_code(root)
        installed = [site, self.install_dist_info(root), code]
        uninstalled = [site, code]

        listed = self.kiosk(["plugins", "--json"], installed)
        assert listed.returncode == 0, listed.stderr
        data = json.loads(listed.stdout)
        plugins = {p["name"]: p["registered"] for p in data["plugins"]}
        registered = dict(plugins[self.name])
        registered.pop("translations", None)  # its own catalogues may come with it
        assert registered == {"question_types": types}, plugins
        assert data["failures"] == [], data["failures"]
        for command, path in (("bank", bank), ("exam", exam)):
            checked = self.kiosk([command, "check", str(path)], installed)
            assert checked.returncode == 0, checked.stdout + checked.stderr

        listed = self.kiosk(["plugins", "--json"], uninstalled)
        assert listed.returncode == 0, listed.stderr
        names = {p["name"] for p in json.loads(listed.stdout)["plugins"]}
        assert self.name not in names and "kiosk.builtins.question_types" in names, names
        check = self.kiosk(["bank", "check", str(bank)], uninstalled)
        output = check.stdout + check.stderr
        assert check.returncode == 1, output
        assert f"unknown type {unknown!r}" in output, output
        assert "Traceback" not in output, output
