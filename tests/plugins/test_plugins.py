"""Plugins through real entry points: a test distribution on sys.path, loaded by `kiosk`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PLUGIN = '''
from kiosk.hookspecs import hookimpl
from kiosk.domain.qtypes import QuestionType
from kiosk.domain.scoring import Judgement


class YesNo(QuestionType):
    name = "yes_no_test"

    def validate(self, item):
        from kiosk.domain.items import FieldError
        if item.spec.get("answer") not in ("yes", "no"):
            return [FieldError("answer", "must be 'yes' or 'no'")]
        return []

    def judge(self, item, response):
        if response in (None, ""):
            return Judgement(keys=1, right=0, answered=False)
        return Judgement(keys=1, right=int(response == item.spec["answer"]))


@hookimpl
def register_question_types(register):
    register(YesNo())


@hookimpl
def register_scoring_rules(register):
    register("double_or_nothing_test", lambda judgement, item: item.points if judgement.right else 0)
'''

BANK = '''
[bank]
id = "plug"
title = "Plugin bank"

[[items]]
id = "q1"
type = "yes_no_test"
topic = "T"
points = 1
stem = "Igen?"
answer = "yes"
'''


def make_distribution(root: Path, name: str, module_source: str, dist: str) -> None:
    (root / f"{name}.py").write_text(textwrap.dedent(module_source), encoding="utf-8")
    # Wheels name the folder with underscores; importlib.metadata splits the name at "-".
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[kiosk]\n{dist} = {name}\n")


def kiosk(args: list[str], pythonpath: Path | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, env=env,
                          capture_output=True, text=True)


def test_entry_point_plugin_is_loaded_listed_and_usable(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    make_distribution(site, "kiosk_yesno_test", PLUGIN, "kiosk-yesno-test")
    make_distribution(site, "kiosk_broken_test", "raise ImportError('no such thing')\n", "kiosk-broken-test")
    bank = tmp_path / "bank.toml"
    bank.write_text(BANK, encoding="utf-8")

    listed = kiosk(["plugins", "--json"], site)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    plugins = {p["name"]: p["registered"] for p in data["plugins"]}
    assert plugins["kiosk-yesno-test"] == {
        "question_types": ["yes_no_test"], "scoring_rules": ["double_or_nothing_test"]}
    # Built-ins go through the same path.
    assert "single_choice" in plugins["kiosk.builtins.question_types"]["question_types"]
    assert [f["name"] for f in data["failures"]] == ["kiosk-broken-test"]
    assert "no such thing" in data["failures"][0]["error"]

    assert kiosk(["bank", "check", str(bank)], site).returncode == 0
    # Without the plugin, the same bank names an unknown type.
    without = kiosk(["bank", "check", str(bank)], None)
    assert without.returncode == 1
    assert "yes_no_test" in without.stdout + without.stderr


def test_plugins_text_listing_reports_failure(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    make_distribution(site, "kiosk_broken_test", "raise RuntimeError('boom')\n", "kiosk-broken-test")
    run = kiosk(["plugins"], site)
    assert run.returncode == 0
    assert "FAILED kiosk-broken-test: RuntimeError: boom" in run.stdout
    assert "kiosk.builtins.scoring_rules" in run.stdout
