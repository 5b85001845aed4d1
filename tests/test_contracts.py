"""The layer contracts (import-linter, pyproject.toml [tool.importlinter]) and the type checker
(mypy, pyproject.toml [tool.mypy]) run with the tests, so `pytest` is the one command that
keeps the architecture as ARCHITECTURE.md "Import contracts" describes it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]



def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600)


def test_import_contracts_hold() -> None:
    pytest.importorskip("importlinter", reason="import-linter is in the test extras")
    run = _run(["-c", "import sys; from importlinter.cli import lint_imports; "
                "sys.exit(lint_imports(config_filename='pyproject.toml', no_logo=True))"])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_a_broken_contract_is_reported(tmp_path: Path) -> None:
    """The checker can fail: a domain module that reads the plugin registry breaks the purity
    contract (checked on a copy of the package, so the tree stays as it is)."""
    pytest.importorskip("importlinter", reason="import-linter is in the test extras")
    import shutil

    copy = tmp_path / "src"
    shutil.copytree(REPO / "kiosk", copy / "kiosk",
                    ignore=shutil.ignore_patterns("__pycache__", "*.ttf", "*.png"))
    bad = copy / "kiosk" / "domain" / "items.py"
    bad.write_text(bad.read_text() + "\n\ndef _registry():\n    from kiosk.plugins import registry\n"
                   "\n    return registry()\n")
    config = tmp_path / "contracts.toml"
    config.write_text((REPO / "pyproject.toml").read_text())
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         f"sys.exit(lint_imports(config_filename={str(config)!r}, no_logo=True, no_cache=True))"],
        cwd=copy, capture_output=True, text=True, timeout=600,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert run.returncode != 0
    assert "kiosk.domain.items -> kiosk.plugins" in run.stdout


def test_mypy_passes_on_the_typed_packages() -> None:
    """The packages are pyproject.toml's [tool.mypy] `files` (kiosk/api.py joins them there)."""
    pytest.importorskip("mypy", reason="mypy is in the test extras")
    run = _run(["-m", "mypy", "--cache-dir", str(REPO / ".mypy_cache")])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
