"""Where a test file belongs, and moving top-level ones there (see tests/README.md).

    python -m tests.layout            # list top-level test files and the folder each belongs in
    python -m tests.layout --apply    # git mv them (snapshot baselines too) and rewrite imports
    python -m tests.layout --check    # exit 1 while a file is still at the top level

The rule, by what a file does (not its name):
  apps/     drives a Textual app with the pilot (`run_test(`) or a snapshot (`snap_compare`)
            more often than it starts processes;
  service/  starts real processes: the centre service, `python -m kiosk …` or a driver
            subprocess, kills, SSH, a browser, concurrent writers;
  plugins/  the core's plugin system itself (entry points, hooks); a plugin's own tests live in
            plugins/<name>/tests;
  unit/     everything else: pure domain, ledger, importers, documents, in-process commands;
  support/  any other module (a helper or a subprocess driver).
FOLDER below records the decisions for the files that existed when the layout was made (the rule
gives the same answer for each); a file not in it is classified by `classify`. `--apply` also
rewrites old module paths across the repository (`tests.test_x`, `tests.session_helpers`, …).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FOLDERS = ("unit", "service", "apps", "plugins")

PILOT = re.compile(r"run_test\(|snap_compare")
PROCESS = re.compile(r'"-m"|Popen\(|running_service|start_service|os\.kill|multiprocessing|'
                     r"\bsshd\b|web_server\(|pty\.")
PLUGIN_SYSTEM = re.compile(r"entry_points|hookimpl|PluginManager")

FOLDER: dict[str, str] = {}
for _folder, _names in {
    "unit": """appeals assembly attempts banks containment containment_e2e exams export_gift
        fuzz_parsers grading identity import_aiken import_gift import_qti import_real_patterns
        item_analysis ledger ledger_tamper marking minutes_pdf oral_results oral_rules
        question_types rasch regimes result_sheet results_format sample_content scoring_rules
        seed_records seed_schedule service_writer stats_cli stats_fixes timing""",
    "service": """candidate_service centre_cli content_cli demo documents faults federation
        invigilation ledger_processes packages roster sealed_export security seed_rules
        service_api service_processes service_review session session_crash simulate
        ssh_deployment staff_calls tamper_evidence toml_limits users web web_browser""",
    "apps": """candidate_app candidate_crash candidate_review candidate_snapshots candidate_ux
        examiner_app high_contrast import_rendering invigilator_console invigilator_snapshots
        invigilator_ux marking_view media one_percentage review_fixes room""",
    "plugins": "lifecycle plugins",
}.items():
    for _name in _names.split():
        FOLDER[f"test_{_name}.py"] = _folder


def classify(path: Path) -> str:
    """The folder for a test file: the recorded decision, else the rule above."""
    if path.name in FOLDER:
        return FOLDER[path.name]
    text = path.read_text(encoding="utf-8")
    pilot, procs = len(PILOT.findall(text)), len(PROCESS.findall(text))
    if PLUGIN_SYSTEM.search(text):
        return "plugins"
    if pilot > procs:
        return "apps"
    if procs:
        return "service"
    return "apps" if pilot else "unit"


#: Helper modules and drivers that lived at the top level before the layout (now tests/support).
HELPERS = """as_uid candidate_helpers export_helpers fault_clock_driver fault_disk_full fuzz_targets
    import_helpers invigilation_driver invigilation_helpers ledger_tamper ledger_writer
    marking_helpers service_client service_helpers session_driver session_helpers
    session_login_race web_helpers web_seat""".split()


def top_level() -> list[Path]:
    return sorted(TESTS.glob("test_*.py"))


def located() -> dict[str, str]:
    """Module stem → dotted package, for every test file in a folder and every support module."""
    out = {p.stem: f"{f}" for f in FOLDERS for p in (TESTS / f).glob("test_*.py")}
    out.update({p.stem: "support" for p in (TESTS / "support").glob("*.py")})
    out.update({h: "support" for h in HELPERS})
    out.pop("__init__", None)
    return out


def rewrite_references() -> list[str]:
    """Old module paths to new ones in every tracked Python, Markdown and TOML file:
    `tests.test_x` → `tests.<folder>.test_x`, `tests.session_helpers` → `tests.support.…`,
    `from tests import x`, and `tests/test_x.py` mentions. Idempotent. The files changed."""
    where = located()
    files = subprocess.run(["git", "ls-files", "*.py", "*.md", "*.toml"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split()
    stems = "|".join(sorted(where, key=len, reverse=True))
    dotted = re.compile(rf"\btests\.({stems})\b")
    from_import = re.compile(rf"\bfrom tests import ({stems})\b")
    slashed = re.compile(rf"\btests/({stems})\.py\b")
    changed = []
    for name in files:
        path = REPO / name
        if not path.is_file() or path in (Path(__file__).resolve(), TESTS / "README.md") \
                or "egg-info" in name:
            continue
        text = path.read_text(encoding="utf-8")
        new = dotted.sub(lambda m: f"tests.{where[m[1]]}.{m[1]}", text)
        new = from_import.sub(lambda m: f"from tests.{where[m[1]]} import {m[1]}", new)
        new = slashed.sub(lambda m: f"tests/{where[m[1]]}/{m[1]}.py", new)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(name)
    return changed


def deepen(path: Path) -> str:
    """Moved one folder deeper: `Path(__file__)`'s parents shift by one (the tests folder and the
    repository root are one more parent up). The new text."""
    text = path.read_text(encoding="utf-8")
    for form in ("Path(__file__).resolve()", "Path(__file__)"):
        text = re.sub(re.escape(f"{form}.parents[") + r"(\d+)\]",
                      lambda m, f=form: f"{f}.parents[{int(m[1]) + 1}]", text)
        text = text.replace(f"{form}.parent.parent", f"{form}.parents[2]")
        text = re.sub(re.escape(f"{form}.parent") + r"(?![.\w\[])", f"{form}.parents[1]", text)
    path.write_text(text, encoding="utf-8")
    return text


def git_mv(src: Path, dst: Path) -> None:
    subprocess.run(["git", "mv", str(src), str(dst)], cwd=REPO, check=True)


def apply() -> None:
    # Helpers and drivers (any other module at the top level) go to support/ first, so that the
    # references to them are rewritten below with the tests'.
    for stray in strays():
        git_mv(stray, TESTS / "support" / stray.name)
        deepen(TESTS / "support" / stray.name)
        print(f"{stray.name} → tests/support/")
    for path in top_level():
        folder = classify(path)
        (TESTS / folder).mkdir(exist_ok=True)
        init = TESTS / folder / "__init__.py"
        if not init.exists():
            init.touch()
            subprocess.run(["git", "add", str(init)], cwd=REPO, check=True)
        git_mv(path, TESTS / folder / path.name)
        snaps = TESTS / "__snapshots__" / path.stem
        if snaps.is_dir():  # pytest-textual-snapshot keys baselines by the test file's folder
            (TESTS / folder / "__snapshots__").mkdir(exist_ok=True)
            git_mv(snaps, TESTS / folder / "__snapshots__")
        text = deepen(TESTS / folder / path.name)
        print(f"{path.name} → tests/{folder}/")
        if re.search(r'with_name\(|REPO / "tests" /|parents\[1\] / "\w+\.py"', text):
            print(f"  look at tests/{folder}/{path.name}: it finds files by its own place "
                  "(drivers are in tests/support, data in tests/data)")
    changed = rewrite_references()
    for name in changed:
        print(f"references updated: {name}")
    if changed:  # a rewritten import may sort differently now
        subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "-q", "--select", "I001",
                        *changed], cwd=REPO, check=False)


def strays() -> list[Path]:
    return sorted(set(TESTS.glob("*.py")) - set(top_level())
                  - {TESTS / "__init__.py", TESTS / "conftest.py", TESTS / "layout.py"})


def main(argv: list[str]) -> int:
    if "--apply" in argv:
        apply()
        return 0
    for path in top_level():
        print(f"{path.name}: {classify(path)}")
    for path in strays():
        print(f"{path.name}: support")
    # --check: for CI or a pre-merge look; non-zero while anything is still at the top level.
    return 1 if "--check" in argv and (top_level() or strays()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
