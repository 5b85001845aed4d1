"""docs/plugins.md builds a working plugin: its fenced code blocks (```lang file=PATH) are written
out as a package, registered with the plugin manager in-process and installed through its entry
point in a subprocess; `kiosk plugins` lists it, its items check and score, and its widget
answers in a Textual pilot."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.api.testing import Host, PluginUnderTest, bank_items, clean_site, installed, judge, score

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "plugins.md"
BLOCK = re.compile(r"^```(\w+) file=(\S+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def guide_files() -> dict[str, str]:
    return {path: body for _, path, body in BLOCK.findall(GUIDE.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("guide") / "kiosk-quantity"
    for path, body in guide_files().items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    return root


@pytest.fixture
def plugin(plugin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.syspath_prepend(str(plugin_dir))
    for name in [m for m in sys.modules if m.startswith("kiosk_quantity")]:
        del sys.modules[name]
    module = importlib.import_module(entry_point(plugin_dir))
    with installed(module, "quantity"):
        yield module


def entry_point(plugin_dir: Path) -> str:
    project = tomllib.loads((plugin_dir / "pyproject.toml").read_text(encoding="utf-8"))
    return project["project"]["entry-points"]["kiosk"]["quantity"]


def test_the_guide_holds_a_whole_plugin() -> None:
    files = guide_files()
    assert {"kiosk_quantity/quantity.py", "kiosk_quantity/widget.py", "kiosk_quantity/plugin.py",
            "kiosk_quantity/rules.py", "pyproject.toml", "quantity_bank.toml",
            "tests/test_quantity.py"} <= set(files)
    # The example keeps the rule it teaches: nothing of the kiosk but kiosk.api.
    from tests.plugins.test_plugin_api import PUBLIC, kiosk_imports

    code = [(p, b) for p, b in files.items() if p.startswith("kiosk_quantity/")]
    assert [m for p, b in code for _, m in kiosk_imports(b, p) if m not in PUBLIC] == []


def test_kiosk_plugins_lists_it(plugin: object) -> None:
    from kiosk.cli import build_cli

    out = CliRunner().invoke(build_cli(), ["plugins", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    listed = {p["name"]: p["registered"] for p in data["plugins"]}
    assert listed["quantity"] == {"question_types": ["quantity"],
                                  "scoring_rules": ["unit_point_off"]}
    assert data["failures"] == []


def test_its_items_check_and_judge(plugin: object, plugin_dir: Path) -> None:
    items = bank_items(plugin_dir / "quantity_bank.toml")
    one, two = items["dist-1"], items["dist-2"]
    cases = [
        (one, {"number": "1,5", "unit": "km"}, 2, 2.0),
        (one, {"number": "150000", "unit": "cm"}, 2, 2.0),
        (one, "1500 m", 2, 2.0),
        (one, "1500", 1, 1.0),  # no unit: read in metres, half the keys
        (one, {"number": "1,6", "unit": "km"}, 0, 0.0),
        (two, {"number": "0.1", "unit": "km"}, 2, 3.0),
        (two, {"number": "0.1005", "unit": "km"}, 2, 3.0),  # within the tolerance
        (two, "100 m", 2, 3.0),
        (two, "0.1", 1, 2.0),  # unit_point_off: one point off
        (two, "100", 0, 0.0),
    ]
    for item, response, right, points in cases:
        judged = judge(item, response)
        assert (judged.right, score(item, response).points) == (right, points), response
    # Hostile or odd responses are judged, never raised.
    for response in (None, "", {"number": ""}, [1, 2], {"number": "x"}, "1e999 km", 7):
        scored = score(one, response)
        assert scored.points == 0.0 and not scored.needs_marking, response


def test_a_wrong_field_is_reported_by_the_bank_checker(plugin: object, tmp_path: Path,
                                                       plugin_dir: Path) -> None:
    from kiosk.loading import check_bank_files

    text = (plugin_dir / "quantity_bank.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('unit = "m"', 'unit = "mile"').replace("tolerance", "tolerence"),
                   encoding="utf-8")
    errors = [str(e) for e in check_bank_files([bad]).errors]
    assert any("unit" in e and "must be one of m, km, cm" in e for e in errors), errors
    assert any("tolerence" in e and "unknown field" in e for e in errors), errors


def test_its_widget_answers_in_a_pilot(plugin: object, plugin_dir: Path) -> None:
    from textual.widgets import Input, Select

    from kiosk.plugins import registry

    item = bank_items(plugin_dir / "quantity_bank.toml")["dist-1"]

    async def drive(size: tuple[int, int]) -> Host:
        host = Host(registry().question_types["quantity"].widget(item, {}, None))
        async with host.run_test(size=size) as pilot:
            number = host.query_one("#number", Input)
            unit = host.query_one("#unit", Select)
            for shown in (number, unit):  # both on screen, side by side
                assert shown.region.width > 0 and shown.region.bottom <= size[1]
                assert shown.region.right <= size[0]
            number.focus()
            await pilot.press("1", ",", "5", "x")  # a letter is not taken
            await pilot.press("tab", "enter")
            await pilot.pause()
            await pilot.press("down", "down", "enter")  # from the blank prompt: m, km
            await pilot.pause()
        return host

    for size in ((80, 24), (120, 36)):
        host = asyncio.run(drive(size))
        assert host.answers[-1] == ({"number": "1,5", "unit": "km"}, False), host.answers
        assert ({"number": "1,5", "unit": ""}, True) in host.answers
        assert score(item, host.answers[-1][0]).points == 2


def test_installed_through_its_entry_point_its_own_tests_pass(plugin_dir: Path,
                                                              tmp_path: Path) -> None:
    """As a user installs it: the entry point from the guide's pyproject.toml, nothing else."""
    plugin = PluginUnderTest(directory=plugin_dir, module=entry_point(plugin_dir),
                             dist="kiosk-quantity", repo=REPO)
    assert plugin.name == "quantity"
    paths = [clean_site(tmp_path), plugin.install_dist_info(tmp_path), plugin_dir]
    listed = plugin.kiosk(["plugins"], paths)
    assert listed.returncode == 0, listed.stderr
    assert "quantity\n  question_types: quantity\n  scoring_rules: unit_point_off" in listed.stdout
    checked = plugin.kiosk(["bank", "check", str(plugin_dir / "quantity_bank.toml")], paths)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in [REPO, *paths])
    run = subprocess.run([sys.executable, "-S", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--rootdir", str(plugin_dir), str(plugin_dir / "tests")],
                         cwd=plugin_dir, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout, run.stdout
