"""The layer contracts (import-linter, pyproject.toml [tool.importlinter]) and the type checker
(mypy, pyproject.toml [tool.mypy]) run with the tests, so `pytest` is the one command that
keeps the architecture as ARCHITECTURE.md "Import contracts" describes it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]



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


def test_an_app_importing_a_builtin_is_reported(tmp_path: Path) -> None:
    """The built-ins plug into the apps, never the reverse: an app module that imports a
    built-in question type's widget breaks contract apps-know-no-builtins (on a copy)."""
    pytest.importorskip("importlinter", reason="import-linter is in the test extras")
    import shutil

    copy = tmp_path / "src"
    shutil.copytree(REPO / "kiosk", copy / "kiosk",
                    ignore=shutil.ignore_patterns("__pycache__", "*.ttf", "*.png"))
    bad = copy / "kiosk" / "apps" / "widgets" / "navigator.py"
    bad.write_text(bad.read_text() + "\n\ndef _cloze():\n"
                   "    from kiosk.builtins.qtypes.cloze_widget import ClozeWidget\n"
                   "\n    return ClozeWidget\n")
    config = tmp_path / "contracts.toml"
    config.write_text((REPO / "pyproject.toml").read_text())
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         f"sys.exit(lint_imports(config_filename={str(config)!r}, no_logo=True, no_cache=True))"],
        cwd=copy, capture_output=True, text=True, timeout=600,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert run.returncode != 0
    assert "kiosk.apps never import kiosk.builtins" in run.stdout
    assert "kiosk.apps.widgets.navigator -> kiosk.builtins.qtypes.cloze_widget" in run.stdout


#: Calls that reach the file system or the terminal; import-linter cannot see them because
#: pathlib stays allowed in the domain for paths as data (an exam's bank paths).
#: (`replace` is left out: str.replace and dataclasses.replace are everywhere.)
IO_METHODS = {"read_text", "read_bytes", "write_text", "write_bytes", "open", "is_file",
              "is_dir", "exists", "glob", "rglob", "iterdir", "stat", "mkdir", "unlink",
              "touch", "resolve", "rename", "cwd", "home"}
IO_BUILTINS = {"open", "print", "input"}


def io_calls(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in IO_METHODS:
            found.append((node.lineno, func.attr))
        elif isinstance(func, ast.Name) and func.id in IO_BUILTINS:
            found.append((node.lineno, func.id))
    return found


def test_the_domain_makes_no_file_or_terminal_calls() -> None:
    problems = [f"{path.relative_to(REPO)}:{line}: {name}()"
                for path in sorted((REPO / "kiosk" / "domain").glob("*.py"))
                for line, name in io_calls(path.read_text(encoding="utf-8"))]
    assert problems == []
    # the check can fail: the file reading the domain used to do
    assert io_calls("def f(p):\n    return p.read_text(encoding='utf-8')\n") == [(2, "read_text")]


def test_mypy_passes_on_the_typed_packages() -> None:
    """The packages are pyproject.toml's [tool.mypy] `files`."""
    pytest.importorskip("mypy", reason="mypy is in the test extras")
    run = _run(["-m", "mypy", "--cache-dir", str(REPO / ".mypy_cache")])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
