"""Exam definitions: reading an exam TOML file and checking it against its banks.

The format is the "Exam definition" section of docs/bank-format.md. Keys this module does not
know are kept in `extra` (exam and part) for the exam regimes; draw rules are strict, since a typo
there silently changes the paper.

Defaults: regime "generic", scoring "all_or_nothing" (full points only for a faultless answer),
shuffle_questions and shuffle_options true, show_score true, self_start false.

Pure: the caller hands in the exam file's bytes, which of its bank files exist, the banks' bytes
and the names the registry knows (kiosk.loading does this from disk and the plugin registry).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from kiosk.domain import toml_lines
from kiosk.domain.banks import (
    Bank,
    MediaStatus,
    all_items,
    check_bank_sources,
    check_bank_texts,
    split_ref,
)
from kiosk.domain.items import Item
from kiosk.domain.marking import policy_error
from kiosk.domain.toml_lines import Block, SourceLines, syntax_error
from kiosk.errors import KioskError

EXAM_ID_RE = re.compile(r"^[A-Za-z0-9._-]+$")
GENERIC_REGIME = "generic"
DEFAULT_SCORING = "all_or_nothing"
EXAM_KEYS = frozenset({
    "id", "title", "language", "banks", "regime", "grade_scale", "scoring", "shuffle_questions",
    "shuffle_options", "show_score", "self_start", "pass_percent", "pass_points", "warnings",
})
PART_KEYS = frozenset({
    "id", "title", "minutes", "pass_percent", "pass_points", "total_points", "draw",
})
DRAW_KEYS = frozenset({"topic", "type", "tags", "count", "fixed", "equal_share", "topics"})


@dataclass(frozen=True)
class DrawRule:
    """One blueprint rule: `fixed` items, `count` items matching the filters, or `equal_share`
    items split evenly over `topics` (all topics of the banks when empty)."""

    label: str
    line: int = 1
    count: int | None = None
    topic: str | None = None
    type: str | None = None
    tags: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    equal_share: int | None = None
    topics: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        if self.fixed:
            return "fixed"
        return "equal_share" if self.equal_share is not None else "count"

    def matches(self, item: Item, topic: str | None = None) -> bool:
        wanted = topic if topic is not None else self.topic
        if wanted is not None and item.topic != wanted:
            return False
        if self.type is not None and item.type != self.type:
            return False
        if self.type is None and not item.points:
            # an unscored description is placed on purpose (`fixed` or `type =`), never drawn
            # as one of a topic's questions
            return False
        return all(tag in item.tags for tag in self.tags)

    def describe(self, topic: str | None = None, count: int | None = None) -> str:
        parts = []
        if self.fixed:
            parts.append("fixed " + ", ".join(self.fixed))
        if topic is not None or self.topic is not None:
            parts.append(f"topic {topic if topic is not None else self.topic!r}")
        if self.type is not None:
            parts.append(f"type {self.type!r}")
        if self.tags:
            parts.append("tags " + ", ".join(repr(t) for t in self.tags))
        if self.equal_share is not None:
            parts.append(f"equal_share {self.equal_share}")
        if count is not None:
            parts.append(f"count {count}")
        elif self.count is not None:
            parts.append(f"count {self.count}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Part:
    id: str
    title: str
    minutes: float
    draw: tuple[DrawRule, ...]
    pass_percent: float | None = None
    pass_points: float | None = None
    total_points: float | None = None
    label: str = ""
    line: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Exam:
    id: str
    title: str
    parts: tuple[Part, ...]
    banks: tuple[Path, ...] = ()
    language: str = "hu"
    regime: str = GENERIC_REGIME
    grade_scale: str | None = None
    scoring: str = DEFAULT_SCORING
    shuffle_questions: bool = True
    shuffle_options: bool = True
    show_score: bool = True
    self_start: bool = False
    pass_percent: float | None = None
    pass_points: float | None = None
    warnings: tuple[int, ...] = ()
    source: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def part(self, part_id: str) -> Part:
        for part in self.parts:
            if part.id == part_id:
                return part
        raise KeyError(part_id)

    @property
    def minutes(self) -> float:
        return sum(p.minutes for p in self.parts)


@dataclass
class ExamCheck:
    exam: Exam | None = None
    banks: dict[str, Bank] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ExamError(KioskError):
    exit_code = 1

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        super().__init__((errors[0] if errors else "exam has problems") + more)


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _plural(n: int, word: str = "item") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass
class Known:
    """Names the exam may refer to; None means "do not check"."""

    scales: Collection[str] | None = None
    regimes: Collection[str] | None = None
    scoring_rules: Collection[str] | None = None
    question_types: Collection[str] | None = None

    @classmethod
    def from_registry(cls, reg: Any, extra_scales: Iterable[str] = ()) -> Known:
        """The names a plugin registry (kiosk.plugins.Registry) holds."""
        return cls(
            scales=set(reg.grade_scales) | set(extra_scales),
            # Regimes arrive with their own plugins; until one is registered only "generic" is
            # known and any other name is let through.
            regimes=set(reg.regimes) if reg.regimes else None,
            scoring_rules=set(reg.scoring_rules),
            question_types=set(reg.question_types),
        )


class _Reader:
    def __init__(self, path: Path, src: SourceLines, known: Known,
                 files: Mapping[str, str] | None = None,
                 bank_files: Collection[Path] = ()) -> None:
        self.path = path
        self.src = src
        self.known = known
        # In memory (a loaded package): bank paths are the exam's own strings, keys of `files`.
        self.files = files
        # On disk: the bank paths (as exam_bank_paths gives them) that are existing files.
        self.bank_files = bank_files
        self.errors: list[str] = []

    def error(self, line: int | None, reason: str) -> None:
        self.errors.append(f"{self.path}:{line or 1}: {reason}")

    def line(self, block: Block | None, key: str) -> int:
        if block is None:
            return 1
        return self.src.key_line(block, key) or block.start or 1

    def exam(self, data: dict[str, Any]) -> Exam | None:
        for key in data:
            if key not in ("exam", "parts"):
                self.error(next((n for n, h in self.src.headers if h.split(".")[0] == key), 1),
                           f"unknown top-level key {key!r} (expected [exam] and [[parts]])")
        head = data.get("exam")
        blocks = self.src.blocks("exam")
        block = blocks[0] if blocks else None
        if not isinstance(head, dict):
            self.error(1, "missing [exam] table")
            head = {}
        at = block.start if block else 1

        def get(key: str, check: Any, expect: str, default: Any = None) -> Any:
            value = head.get(key, default)
            if key in head and not check(value):
                self.error(self.line(block, key), f"exam {key}: must be {expect}, got {value!r}")
                return default
            return value

        exam_id: Any = head.get("id")
        if not isinstance(exam_id, str) or not EXAM_ID_RE.match(exam_id):
            self.error(self.line(block, "id") if "id" in head else at,
                       f"exam id is required and must match [A-Za-z0-9._-]+, got {exam_id!r}")
        title: Any = head.get("title")
        if not isinstance(title, str) or not title.strip():
            self.error(self.line(block, "title") if "title" in head else at,
                       "exam title is required (a non-empty string)")
        language = get("language", lambda v: isinstance(v, str) and v, "a language code", "hu")

        banks = self.banks(head, block, at)
        regime = get("regime", lambda v: isinstance(v, str) and v, "a regime name", GENERIC_REGIME)
        self.check_regime(regime, block)
        scale = get("grade_scale", lambda v: isinstance(v, str) and v, "a grade scale id")
        self.check_scale(scale, block)
        scoring = get("scoring", lambda v: isinstance(v, str) and v, "a scoring rule name",
                      DEFAULT_SCORING)
        self.check_rule(scoring, self.line(block, "scoring"), "exam scoring")
        flags = {}
        for key, default in (("shuffle_questions", True), ("shuffle_options", True),
                             ("show_score", True), ("self_start", False)):
            flags[key] = get(key, lambda v: isinstance(v, bool), "true or false", default)
        pass_percent, pass_points = self.pass_marks(head, block, "exam")
        warnings = get("warnings", lambda v: isinstance(v, list) and all(
            isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in v),
            "a list of whole minutes > 0", [])
        tolerance = head.get("difficulty_tolerance")
        if tolerance is not None and (not _is_number(tolerance) or not 0 < tolerance <= 1):
            self.error(self.line(block, "difficulty_tolerance"),
                       "exam difficulty_tolerance: must be a number > 0 and ≤ 1 (how far a "
                       "paper's difficulty may be from the pool's, as a share of its points), "
                       f"got {tolerance!r}")
        marking_error = policy_error(head)
        if marking_error:
            key = marking_error.split(":", 1)[0]
            self.error(self.line(block, key) if key in head else at, f"exam {marking_error}")

        parts = self.parts(data.get("parts"))
        if self.errors:
            return None
        return Exam(
            id=exam_id, title=title, parts=tuple(parts), banks=tuple(banks), language=language,
            regime=regime, grade_scale=scale, scoring=scoring, pass_percent=pass_percent,
            pass_points=pass_points, warnings=tuple(sorted(warnings, reverse=True)),
            source=str(self.path), extra={k: v for k, v in head.items() if k not in EXAM_KEYS},
            **flags,
        )

    def banks(self, head: Mapping[str, Any], block: Block | None, at: int) -> list[Path]:
        """The exam's bank paths, each checked to be in the package (in memory) or an existing
        file (on disk)."""
        banks: list[Path] = []
        raw_banks = head.get("banks")
        if not _is_str_list(raw_banks) or not raw_banks:
            self.error(self.line(block, "banks") if "banks" in head else at,
                       "exam banks is required: a list of bank file paths")
            return banks
        for i, rel in enumerate(raw_banks):
            if self.files is not None:
                if rel not in self.files:
                    self.error(self.line(block, "banks"),
                               f"banks[{i}]: {rel!r} is not in the package")
                banks.append(Path(rel))
                continue
            p = bank_path(self.path, rel)
            if p not in self.bank_files:
                self.error(self.line(block, "banks"), f"banks[{i}]: no such file {rel!r} "
                           f"(looked for {p})")
            banks.append(p)
        return banks

    def check_regime(self, regime: Any, block: Block | None) -> None:
        """Whether the regime is the generic one or a registered one (when the names are known)."""
        if (regime != GENERIC_REGIME and self.known.regimes is not None
                and regime not in self.known.regimes):
            names = ", ".join(sorted({GENERIC_REGIME, *self.known.regimes}))
            self.error(self.line(block, "regime"), f"unknown regime {regime!r} (known: {names})")

    def check_scale(self, scale: Any, block: Block | None) -> None:
        """Whether a named grade scale is a known one (when the names are known)."""
        if scale is not None and self.known.scales is not None and scale not in self.known.scales:
            names = ", ".join(sorted(self.known.scales)) or "none registered"
            self.error(self.line(block, "grade_scale"),
                       f"unknown grade scale {scale!r} (known: {names})")

    def check_rule(self, name: str, line: int, what: str) -> None:
        rules = self.known.scoring_rules
        if rules is not None and name not in rules:
            names = ", ".join(sorted(rules)) or "none registered"
            self.error(line, f"{what}: unknown scoring rule {name!r} (known: {names})")

    def pass_marks(self, table: Mapping[str, Any], block: Block | None, what: str
                   ) -> tuple[float | None, float | None]:
        percent, points = table.get("pass_percent"), table.get("pass_points")
        if percent is not None and (not _is_number(percent) or not 0 <= percent <= 100):
            self.error(self.line(block, "pass_percent"),
                       f"{what} pass_percent: must be a number from 0 to 100, got {percent!r}")
            percent = None
        if points is not None and (not _is_number(points) or points < 0):
            self.error(self.line(block, "pass_points"),
                       f"{what} pass_points: must be a number >= 0, got {points!r}")
            points = None
        if percent is not None and points is not None:
            self.error(self.line(block, "pass_points"),
                       f"{what}: give pass_percent or pass_points, not both")
        return percent, points

    def parts(self, raw_parts: Any) -> list[Part]:
        blocks = self.src.blocks("parts")
        if not isinstance(raw_parts, list) or not raw_parts:
            self.error(1, "the exam has no [[parts]]")
            return []
        parts: list[Part] = []
        ids: dict[str, int] = {}
        for i, raw in enumerate(raw_parts):
            block = blocks[i] if i < len(blocks) else None
            at = block.start if block else 1
            label = f"parts[{i}]"
            if not isinstance(raw, dict):
                self.error(at, f"{label}: must be a table")
                continue
            pid = raw.get("id")
            if isinstance(pid, int) and not isinstance(pid, bool):
                pid = str(pid)
            if not isinstance(pid, str) or not pid:
                self.error(self.line(block, "id") if "id" in raw else at,
                           f"{label}: id is required (a string), got {pid!r}")
                pid = None
            elif pid in ids:
                self.error(self.line(block, "id"), f"{label}: duplicate part id {pid!r} "
                           f"(also parts[{ids[pid]}])")
            else:
                ids[pid] = i
            title = raw.get("title", f"{pid}")
            if not isinstance(title, str):
                self.error(self.line(block, "title"), f"{label}: title must be a string")
            minutes = raw.get("minutes")
            if not _is_number(minutes) or minutes <= 0:
                self.error(self.line(block, "minutes") if "minutes" in raw else at,
                           f"{label}: minutes is required, a number > 0, got {minutes!r}")
            total = raw.get("total_points")
            if total is not None and (not _is_number(total) or total <= 0):
                self.error(self.line(block, "total_points"),
                           f"{label}: total_points must be a number > 0, got {total!r}")
                total = None
            pass_percent, pass_points = self.pass_marks(raw, block, label)
            rules = self.draw_rules(raw.get("draw"), block, label)
            parts.append(Part(
                id=pid or "", title=title if isinstance(title, str) else "", minutes=minutes
                if _is_number(minutes) else 0, draw=tuple(rules), pass_percent=pass_percent,
                pass_points=pass_points, total_points=total, label=label, line=at,
                extra={k: v for k, v in raw.items() if k not in PART_KEYS},
            ))
        return parts

    def draw_rules(self, raw_rules: Any, part_block: Block | None, part_label: str
                   ) -> list[DrawRule]:
        at = part_block.start if part_block else 1
        if not isinstance(raw_rules, list) or not raw_rules:
            self.error(at, f"{part_label}: no [[parts.draw]] rules: the part would be empty")
            return []
        blocks = self.src.blocks("parts.draw", part_block) if part_block else []
        rules = []
        for j, raw in enumerate(raw_rules):
            block = blocks[j] if j < len(blocks) else None
            line = block.start if block else at
            label = f"{part_label}.draw[{j}]"
            if not isinstance(raw, dict):
                self.error(line, f"{label}: must be a table")
                continue
            before = len(self.errors)
            fixed = self.draw_form(raw, block, line, label)
            self.draw_values(raw, block, label)
            self.draw_topics(raw, block, label)
            if len(self.errors) > before:
                continue
            share, topics = raw.get("equal_share"), raw.get("topics")
            rules.append(DrawRule(
                label=label, line=line, count=raw.get("count"), topic=raw.get("topic"),
                type=raw.get("type"), tags=tuple(raw.get("tags", ())), fixed=tuple(fixed),
                equal_share=share, topics=tuple(topics or ()),
            ))
        return rules

    def draw_form(self, raw: Mapping[str, Any], block: Block | None, line: int, label: str
                  ) -> list[str]:
        """Whether a draw rule's keys are known and it has exactly one form (fixed, count,
        equal_share); its fixed item ids ([] when none or unusable)."""
        for key in raw:
            if key not in DRAW_KEYS:
                self.error(self.line(block, key), f"{label}: unknown key {key!r} (known: "
                           f"{', '.join(sorted(DRAW_KEYS))})")
        forms = [k for k in ("fixed", "count", "equal_share") if k in raw]
        if len(forms) != 1:
            self.error(line, f"{label}: give exactly one of fixed, count, equal_share"
                       + (f" (found {', '.join(forms)})" if forms else ""))
        fixed = raw.get("fixed", [])
        if "fixed" in raw:
            if not _is_str_list(fixed) or not fixed:
                self.error(self.line(block, "fixed"),
                           f"{label}: fixed must be a non-empty list of item ids")
                fixed = []
            for key in ("topic", "type", "tags", "topics"):
                if key in raw:
                    self.error(self.line(block, key),
                               f"{label}: {key} cannot be combined with fixed")
        return list(fixed)

    def draw_values(self, raw: Mapping[str, Any], block: Block | None, label: str) -> None:
        """Whether a draw rule's counts are whole numbers > 0, and its topic, type, tags and
        topics have their kinds (a type a registered one)."""
        for key in ("count", "equal_share"):
            value = raw.get(key)
            if key in raw and (not isinstance(value, int) or isinstance(value, bool)
                               or value <= 0):
                self.error(self.line(block, key),
                           f"{label}: {key} must be a whole number > 0, got {value!r}")
        for key in ("topic", "type"):
            if key in raw and (not isinstance(raw[key], str) or not raw[key]):
                self.error(self.line(block, key), f"{label}: {key} must be a string")
        qtypes = self.known.question_types
        if isinstance(raw.get("type"), str) and qtypes is not None and raw["type"] not in qtypes:
            self.error(self.line(block, "type"), f"{label}: unknown type {raw['type']!r} "
                       f"(known: {', '.join(sorted(qtypes)) or 'none registered'})")
        for key in ("tags", "topics"):
            if key in raw and not _is_str_list(raw[key]):
                self.error(self.line(block, key), f"{label}: {key} must be a list of strings")

    def draw_topics(self, raw: Mapping[str, Any], block: Block | None, label: str) -> None:
        """Whether topic/topics go with the right form (topics with equal_share, one topic with
        count) and an equal share splits evenly over the topics given."""
        if "topics" in raw and "equal_share" not in raw:
            self.error(self.line(block, "topics"), f"{label}: topics goes with equal_share "
                       "(use topic = \"...\" with count)")
        if "topic" in raw and "equal_share" in raw:
            self.error(self.line(block, "topic"),
                       f"{label}: equal_share shares over topics = [...], not one topic")
        share, topics = raw.get("equal_share"), raw.get("topics")
        if (isinstance(share, int) and _is_str_list(topics) and topics
                and share % len(topics)):
            self.error(self.line(block, "equal_share"),
                       f"{label}: equal_share {share} cannot be split evenly over "
                       f"{len(topics)} topics")


def bank_path(exam_path: Path, rel: str) -> Path:
    """Where a `banks` entry of an exam file points: relative to the exam file's folder."""
    return (exam_path.parent / rel) if not Path(rel).is_absolute() else Path(rel)


def exam_bank_paths(path: Path, data: bytes) -> list[Path]:
    """The bank paths an exam file's bytes name, best effort ([] when it does not parse): the
    caller looks which exist before `check_exam_bytes`."""
    try:
        head = toml_lines.loads(data.decode("utf-8")).get("exam")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    banks = head.get("banks") if isinstance(head, dict) else None
    return [bank_path(path, rel) for rel in banks if isinstance(rel, str)] \
        if isinstance(banks, list) else []


def check_exam_bytes(path: Path, data: bytes, known: Known,
                     bank_files: Collection[Path] = ()) -> ExamCheck:
    """Parse and validate an exam file's bytes (not yet against its banks); `bank_files` are
    those of its bank paths that exist."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ExamCheck(errors=[f"{path}:1: not UTF-8 text"])
    try:
        parsed = toml_lines.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, reason = syntax_error(exc, text)
        return ExamCheck(errors=[f"{path}:{line}: TOML syntax error: {reason}"])
    reader = _Reader(path, SourceLines(text), known, bank_files=bank_files)
    exam = reader.exam(parsed)
    return ExamCheck(exam=exam, errors=reader.errors)


def check_exam_banks(result: ExamCheck, banks: Iterable[tuple[str, bytes]],
                     question_types: Mapping[str, Any], scoring_rules: Mapping[str, Any],
                     draws: bool = True, media: MediaStatus | None = None) -> ExamCheck:
    """Extend an exam's check with its banks' (given as (name, bytes), in the exam's order)
    and, with `draws`, whether every draw rule can be satisfied."""
    exam = result.exam
    if exam is None:
        return result
    bank_check = check_bank_sources(banks, question_types, scoring_rules, media)
    result.banks = bank_check.banks
    result.errors.extend(bank_check.errors)
    if draws and not bank_check.errors:
        result.errors.extend(draw_errors(exam, bank_check.banks))
    return result


def check_exam_texts(
    exam_file: str,
    files: Mapping[str, str],
    known: Known,
    question_types: Mapping[str, Any],
    scoring_rules: Mapping[str, Any],
) -> ExamCheck:
    """An exam checked against its banks over in-memory texts: `files` maps the exam file name
    and each of the exam's `banks` strings to its TOML text."""
    name = Path(exam_file)
    text = files.get(exam_file)
    if text is None:
        return ExamCheck(errors=[f"{exam_file}:1: the exam file is missing"])
    try:
        data = toml_lines.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, reason = syntax_error(exc, text)
        return ExamCheck(errors=[f"{exam_file}:{line}: TOML syntax error: {reason}"])
    reader = _Reader(name, SourceLines(text), known, files=files)
    exam = reader.exam(data)
    result = ExamCheck(exam=exam, errors=reader.errors)
    if exam is None or result.errors:
        return result
    bank_check = check_bank_texts({str(b): files[str(b)] for b in exam.banks},
                                  question_types, scoring_rules)
    result.banks = bank_check.banks
    result.errors.extend(bank_check.errors)
    if not bank_check.errors:
        result.errors.extend(draw_errors(exam, bank_check.banks))
    return result


# --- checking draw rules against the banks -------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A number of items one rule (or one topic of an equal-share rule) asks for."""

    rule: DrawRule
    part: Part
    count: int
    topic: str | None = None

    @property
    def label(self) -> str:
        return f"{self.rule.label} ({self.rule.describe(self.topic, self.count)})"

    def matches(self, item: Item) -> bool:
        return self.rule.matches(item, self.topic)


def resolve_ref(ref: str, items: Mapping[str, Item]) -> tuple[str | None, str]:
    """(item key, "") or (None, reason) for `bank:item` or a plain item id."""
    bank, item_id = split_ref(ref)
    if bank:
        return (ref, "") if ref in items else (None, f"item {ref!r} is not in bank {bank!r}")
    found = sorted(k for k, it in items.items() if it.id == item_id)
    if not found:
        return None, f"item {ref!r} is not in any bank of the exam"
    if len(found) > 1:
        return None, f"item {ref!r} is in several banks ({', '.join(found)}): write bank:item"
    return found[0], ""


def slots_for(exam: Exam, items: Mapping[str, Item]) -> tuple[list[Slot], list[str]]:
    """Every count/equal-share demand of the exam, with errors for equal shares that cannot be
    split (default topics come from the banks)."""
    slots: list[Slot] = []
    errors: list[str] = []
    for part in exam.parts:
        for rule in part.draw:
            if rule.kind == "count":
                slots.append(Slot(rule, part, rule.count or 0))
            elif rule.kind == "equal_share":
                topics = list(rule.topics) or sorted(
                    {it.topic for it in items.values() if rule.matches(it)})
                share = rule.equal_share or 0
                if not topics:
                    errors.append(f"{exam.source}:{rule.line}: {rule.label} ({rule.describe()}): "
                                  "no items match, so there are no topics to share over")
                    continue
                if share % len(topics):
                    errors.append(f"{exam.source}:{rule.line}: {rule.label}: equal_share {share} "
                                  f"cannot be split evenly over {len(topics)} topics "
                                  f"({', '.join(topics)})")
                    continue
                for topic in topics:
                    slots.append(Slot(rule, part, share // len(topics), topic))
    return slots, errors


def fixed_keys(exam: Exam, items: Mapping[str, Item]) -> tuple[dict[str, tuple[Part, DrawRule]],
                                                               list[str]]:
    keys: dict[str, tuple[Part, DrawRule]] = {}
    errors: list[str] = []
    for part in exam.parts:
        for rule in part.draw:
            for ref in rule.fixed:
                key, reason = resolve_ref(ref, items)
                if key is None:
                    errors.append(f"{exam.source}:{rule.line}: {rule.label}: fixed {reason}")
                elif key in keys:
                    errors.append(f"{exam.source}:{rule.line}: {rule.label}: fixed item {ref!r} "
                                  f"is already fixed by {keys[key][1].label}")
                else:
                    keys[key] = (part, rule)
    return keys, errors


def enemy_keys(item: Item) -> set[str]:
    """Keys of the items this item names as enemies."""
    out = set()
    for ref in item.enemies:
        bank, item_id = split_ref(ref, item.bank)
        out.add(f"{bank}:{item_id}" if bank else item_id)
    return out


def enemy_map(items: Mapping[str, Item]) -> dict[str, set[str]]:
    """Enemies in both directions: A naming B keeps B away from A too."""
    out: dict[str, set[str]] = {k: set() for k in items}
    for key, item in items.items():
        for other in enemy_keys(item):
            if other in items:
                out[key].add(other)
                out[other].add(key)
    return out


def _max_matching(slots: list[Slot], candidates: list[list[str]]) -> list[int]:
    """How many items each slot can get at once (bipartite matching, slots with capacity)."""
    owner: dict[str, int] = {}
    filled = [0] * len(slots)

    def augment(s: int, visited: set[str]) -> bool:
        for key in candidates[s]:
            if key in visited:
                continue
            visited.add(key)
            if key not in owner or augment(owner[key], visited):
                if key in owner:
                    filled[owner[key]] -= 1
                owner[key] = s
                filled[s] += 1
                return True
        return False

    for s, slot in enumerate(slots):
        for _ in range(slot.count):
            if not augment(s, set()):
                break
    return filled


def draw_errors(exam: Exam, banks: Mapping[str, Bank] | Iterable[Bank]) -> list[str]:
    """Which draw rules the banks cannot satisfy (and by how many items), fixed items that are
    missing, and part totals that the drawn items cannot give."""
    bank_list = list(banks.values()) if isinstance(banks, Mapping) else list(banks)
    items = all_items(bank_list)
    where = "the bank has" if len(bank_list) == 1 else "the banks have"
    fixed, errors = fixed_keys(exam, items)
    errors.extend(_fixed_enemy_errors(exam, fixed, enemy_map(items)))
    slots, slot_errors = slots_for(exam, items)
    errors.extend(slot_errors)

    candidates = [sorted(k for k, it in items.items() if k not in fixed and s.matches(it))
                  for s in slots]
    errors.extend(_short_errors(exam, slots, candidates, where))
    # Totals are only meaningful when every rule can be met.
    if not errors:
        errors.extend(_total_errors(exam, items, fixed, slots, candidates))
    return errors


def _fixed_enemy_errors(exam: Exam, fixed: Mapping[str, tuple[Part, DrawRule]],
                        enemies: Mapping[str, set[str]]) -> list[str]:
    """Pairs of fixed items that are enemies (never on one paper), each pair once."""
    errors = []
    for key, (_part, rule) in fixed.items():
        for other in enemies[key] & set(fixed):
            if key < other:
                errors.append(f"{exam.source}:{rule.line}: {rule.label}: fixed items {key!r} and "
                              f"{other!r} are enemies and can never be on one paper")
    return errors


def _short_errors(exam: Exam, slots: list[Slot], candidates: list[list[str]], where: str
                  ) -> list[str]:
    """Slots with too few matching items; when each has enough alone, those that cannot all be
    filled at once (other rules draw from the same items)."""
    errors = []
    for slot, cands in zip(slots, candidates, strict=True):
        if len(cands) < slot.count:
            errors.append(f"{exam.source}:{slot.rule.line}: {slot.label}: {where} only "
                          f"{_plural(len(cands))}, {slot.count - len(cands)} short")
    if errors:
        return errors
    filled = _max_matching(slots, candidates)
    for slot, got, cands in zip(slots, filled, candidates, strict=True):
        if got < slot.count:
            errors.append(f"{exam.source}:{slot.rule.line}: {slot.label}: {where} "
                          f"{_plural(len(cands))} for it, but other rules draw from the same "
                          f"items: only {got} left, {slot.count - got} short")
    return errors


def _points_range(part: Part, items: Mapping[str, Item],
                  fixed: Mapping[str, tuple[Part, DrawRule]], slots: list[Slot],
                  candidates: list[list[str]]) -> tuple[float, float]:
    """The fewest and most points a draw can give the part (fixed items plus the cheapest or
    dearest items each slot can draw)."""
    low = high = 0.0
    for key, (p, _rule) in fixed.items():
        if p is part:
            low += items[key].points
            high += items[key].points
    for slot, cands in zip(slots, candidates, strict=True):
        if slot.part is not part:
            continue
        pts = sorted(items[k].points for k in cands)
        low += sum(pts[: slot.count])
        high += sum(pts[-slot.count:]) if slot.count else 0
    return low, high


def _total_errors(exam: Exam, items: Mapping[str, Item],
                  fixed: Mapping[str, tuple[Part, DrawRule]], slots: list[Slot],
                  candidates: list[list[str]]) -> list[str]:
    """Parts whose total_points the drawn items do not give (or give only on some draws)."""
    errors = []
    for part in exam.parts:
        if part.total_points is None:
            continue
        low, high = _points_range(part, items, fixed, slots, candidates)
        total = part.total_points
        if abs(low - high) < 1e-9 and abs(low - total) > 1e-9:
            errors.append(f"{exam.source}:{part.line}: {part.label}: total_points = "
                          f"{_num(total)}, but the drawn items give {_num(low)} points")
        elif abs(low - high) >= 1e-9:
            errors.append(f"{exam.source}:{part.line}: {part.label}: total_points = "
                          f"{_num(total)}, but the drawn items give from {_num(low)} to "
                          f"{_num(high)} points depending on the draw (items a rule draws from "
                          "differ in points)")
    return errors


def regime_errors(exam: Exam, banks: Mapping[str, Bank] | Iterable[Bank],
                  regime: Any = None) -> list[str]:
    """The exam regime's own rules about the paper (`kiosk exam check` reports them), from the
    regime's `paper_errors` (e.g. hu-szakvizsga: a written sheet of 11–14 questions with an equal
    share per module). Kept out of `draw_errors`, so a small test or practice exam under that
    regime still loads. `regime` is the registered regime object (None: no rules)."""
    if regime is None:
        return []
    bank_list = list(banks.values()) if isinstance(banks, Mapping) else list(banks)
    return list(regime.paper_errors(exam, all_items(bank_list)))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
