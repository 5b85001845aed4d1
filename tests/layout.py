"""Where a test file belongs, and moving top-level ones there (see tests/README.md).

    python -m tests.layout            # list top-level test files and the folder each belongs in
    python -m tests.layout --apply    # git mv them (snapshot baselines too) and rewrite imports

The rule, by what a file does (not its name):
  apps/     drives a Textual app with the pilot (`run_test(`) or a snapshot (`snap_compare`),
            unless starting processes is most of what it does;
  service/  starts real processes: the centre service, `python -m kiosk …` or a driver
            subprocess, kills, SSH, a browser, concurrent writers;
  plugins/  the core's plugin system itself (entry points, hooks); a plugin's own tests live in
            plugins/<name>/tests;
  unit/     everything else: pure domain, ledger, importers, documents, in-process commands.
FOLDER below records the decisions for the files that existed when the layout was made; a file
not in it is classified by `classify`. `--apply` also rewrites `tests.test_x` imports and
`tests/test_x.py` mentions across the repository, and `tests.<helper>` to `tests.support.<helper>`
for a helper module added at the top level by mistake is left to a person (move it with git mv).
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


def top_level() -> list[Path]:
    return sorted(TESTS.glob("test_*.py"))


def located() -> dict[str, str]:
    """Module stem → folder, for every test file already in a folder."""
    return {p.stem: p.parent.name for f in FOLDERS for p in (TESTS / f).glob("test_*.py")}


def rewrite_references(moves: dict[str, str]) -> None:
    """`tests.test_x` → `tests.<folder>.test_x` and `tests/test_x.py` → `tests/<folder>/…` in
    every tracked Python, Markdown and TOML file."""
    files = subprocess.run(["git", "ls-files", "*.py", "*.md", "*.toml"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        path = REPO / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        new = text
        for stem, folder in moves.items():
            new = re.sub(rf"\btests\.{stem}\b", f"tests.{folder}.{stem}", new)
            new = re.sub(rf"\bfrom tests import {stem}\b", f"from tests.{folder} import {stem}", new)
            new = re.sub(rf"\btests/{stem}\.py\b", f"tests/{folder}/{stem}.py", new)
        if new != text:
            path.write_text(new, encoding="utf-8")


def apply() -> None:
    moves: dict[str, str] = {}
    for path in top_level():
        folder = classify(path)
        (TESTS / folder).mkdir(exist_ok=True)
        init = TESTS / folder / "__init__.py"
        if not init.exists():
            init.touch()
            subprocess.run(["git", "add", str(init)], cwd=REPO, check=True)
        subprocess.run(["git", "mv", str(path), str(TESTS / folder / path.name)], cwd=REPO,
                       check=True)
        snaps = TESTS / "__snapshots__" / path.stem
        if snaps.is_dir():  # pytest-textual-snapshot keys baselines by the test file's folder
            (TESTS / folder / "__snapshots__").mkdir(exist_ok=True)
            subprocess.run(["git", "mv", str(snaps), str(TESTS / folder / "__snapshots__")],
                           cwd=REPO, check=True)
        moves[path.stem] = folder
        # One folder deeper: the repository root is one more parent up.
        moved = TESTS / folder / path.name
        text = moved.read_text(encoding="utf-8")
        text = text.replace("Path(__file__).resolve().parents[1]",
                            "Path(__file__).resolve().parents[2]")
        text = text.replace("Path(__file__).resolve().parent.parent",
                            "Path(__file__).resolve().parents[2]")
        moved.write_text(text, encoding="utf-8")
        print(f"{path.name} → tests/{folder}/")
    if moves:
        rewrite_references(moves)


def main(argv: list[str]) -> int:
    if "--apply" in argv:
        apply()
        return 0
    for path in top_level():
        print(f"{path.name}: {classify(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
