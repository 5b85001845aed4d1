"""Content from disk for the pure domain: grade scale, bank and exam files, read here and handed
to kiosk.domain as bytes, together with what the plugin registry knows.

kiosk.domain reads no file, no environment variable and no registry (an import contract in
pyproject.toml keeps it so); this module is where those reads happen for it, with the same
signatures and messages the domain functions had when they read files themselves. Callers that
already hold the bytes (a decrypted package) call kiosk.domain directly and pass the registry.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from kiosk.domain import banks as B
from kiosk.domain import exams as E
from kiosk.domain.grading import GradeScale, ScaleError, scale_from_text
from kiosk.errors import KioskError

BUILTIN_SCALES_DIR = Path(__file__).resolve().parent / "builtins" / "scales"
ENV_SCALES_DIR = "KIOSK_SCALES_DIR"


# --- grade scales ---------------------------------------------------------------------------


def load_scale_file(path: Path) -> GradeScale:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScaleError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ScaleError(f"{path}: not UTF-8 text") from None
    return scale_from_text(text, str(path))


def load_scales_dir(directory: Path) -> list[GradeScale]:
    """Every *.toml scale in `directory` (sorted by file name); a missing directory is empty."""
    if not directory.is_dir():
        return []
    return [load_scale_file(p) for p in sorted(directory.glob("*.toml"))]


def builtin_scales() -> list[GradeScale]:
    return load_scales_dir(BUILTIN_SCALES_DIR)


def env_scale_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The directories KIOSK_SCALES_DIR lists (separated by os.pathsep)."""
    raw = (os.environ if environ is None else environ).get(ENV_SCALES_DIR, "")
    return [Path(p) for p in raw.split(os.pathsep) if p]


def centre_scales(centre: Path) -> list[GradeScale]:
    return load_scales_dir(Path(centre) / "scales")


# --- the registry's names -------------------------------------------------------------------


def registries(question_types: Mapping[str, Any] | None = None,
               scoring_rules: Mapping[str, Any] | None = None
               ) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The given question types and scoring rules, the plugin registry's where not given."""
    if question_types is None or scoring_rules is None:
        from kiosk.plugins import registry

        reg = registry()
        question_types = reg.question_types if question_types is None else question_types
        scoring_rules = reg.scoring_rules if scoring_rules is None else scoring_rules
    return question_types, scoring_rules


def question_types() -> Mapping[str, Any]:
    """The registered question types (what kiosk.domain.assembly.assemble needs)."""
    return registries()[0]


def registered_names(extra_scales: Iterable[str] = ()) -> E.Known:
    """The names an exam may use: the plugin registry's (and `extra_scales`, e.g. a centre's)."""
    from kiosk.plugins import registry

    return E.Known.from_registry(registry(), extra_scales)


# --- banks ----------------------------------------------------------------------------------


def media_status(folder: Path, hashes: Iterable[str]) -> dict[str, bool]:
    """Which of these contents are present in `folder/media/` with the right hash."""
    out = {}
    for sha in hashes:
        path = folder / B.MEDIA_DIR / sha
        try:
            ok = path.is_file() and path.stat().st_size <= B.MAX_MEDIA_BYTES and \
                hashlib.sha256(path.read_bytes()).hexdigest() == sha
        except OSError:
            ok = False
        out[sha] = ok
    return out


def _file_media(name: str, hashes: set[str]) -> dict[str, bool]:
    return media_status(Path(name).parent, hashes)


def read_sources(paths: Iterable[str | Path]) -> list[tuple[str, bytes]]:
    """(name, bytes) of each file; KioskError (exit 2) for one that is missing or unreadable,
    before any is read."""
    files = [Path(p) for p in paths]
    for p in files:
        if not p.is_file():
            raise KioskError(f"{p}: no such file" if not p.exists() else f"{p}: not a file")
    out = []
    for p in files:
        try:
            out.append((str(p), p.read_bytes()))
        except OSError as exc:
            raise KioskError(f"{p}: cannot read: {exc.strerror or exc}") from None
    return out


def check_bank_files(
    paths: Iterable[str | Path],
    question_types: Mapping[str, Any] | None = None,
    scoring_rules: Mapping[str, Any] | None = None,
) -> B.CheckResult:
    """Read bank files (one bank may span several files; several banks may be given).

    Raises KioskError (exit 2) for a file that does not exist or cannot be read; every problem in
    the content is in `errors`. Banks keep only the valid items."""
    qtypes, rules = registries(question_types, scoring_rules)
    return B.check_bank_sources(read_sources(paths), qtypes, rules, _file_media)


def check_bank_texts(
    texts: Mapping[str, str],
    question_types: Mapping[str, Any] | None = None,
    scoring_rules: Mapping[str, Any] | None = None,
    media: Mapping[str, bytes] | None = None,
) -> B.CheckResult:
    """kiosk.domain.banks.check_bank_texts against the registry's types and rules."""
    qtypes, rules = registries(question_types, scoring_rules)
    return B.check_bank_texts(texts, qtypes, rules, media)


def load_banks(
    paths: Iterable[str | Path],
    question_types: Mapping[str, Any] | None = None,
    scoring_rules: Mapping[str, Any] | None = None,
) -> dict[str, B.Bank]:
    """Banks by id; raises BankError listing every problem."""
    result = check_bank_files(paths, question_types, scoring_rules)
    if result.errors:
        raise B.BankError(result.errors)
    return result.banks


# --- exams ----------------------------------------------------------------------------------


def read_exam(path: str | Path, known: E.Known | None = None) -> E.ExamCheck:
    """Parse and validate an exam file (not yet against its banks). Names are checked against
    the plugin registry unless `known` says otherwise (`Known()` checks none)."""
    path = Path(path)
    [(_, data)] = read_sources([path])
    present: Collection[Path] = {p for p in E.exam_bank_paths(path, data) if p.is_file()}
    return E.check_exam_bytes(path, data, known if known is not None else registered_names(),
                              present)


def load_exam(path: str | Path, known: E.Known | None = None) -> E.Exam:
    """The exam, or ExamError listing every problem."""
    result = read_exam(path, known)
    if result.errors or result.exam is None:
        raise E.ExamError(result.errors)
    return result.exam


def check_exam(
    path: str | Path,
    known: E.Known | None = None,
    question_types: Mapping[str, Any] | None = None,
    scoring_rules: Mapping[str, Any] | None = None,
    draws: bool = True,
) -> E.ExamCheck:
    """Read the exam, load its banks and (with `draws`) check that every draw rule can be
    satisfied."""
    result = read_exam(path, known if known is not None else registered_names())
    if result.exam is None:
        return result
    qtypes, rules = registries(question_types, scoring_rules)
    return E.check_exam_banks(result, read_sources(result.exam.banks), qtypes, rules, draws,
                              _file_media)


def check_exam_texts(
    exam_file: str,
    files: Mapping[str, str],
    known: E.Known | None = None,
    question_types: Mapping[str, Any] | None = None,
    scoring_rules: Mapping[str, Any] | None = None,
) -> E.ExamCheck:
    """kiosk.domain.exams.check_exam_texts against the registry's names."""
    qtypes, rules = registries(question_types, scoring_rules)
    return E.check_exam_texts(exam_file, files, known if known is not None
                              else registered_names(), qtypes, rules)
