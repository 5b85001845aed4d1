"""Question banks: reading bank TOML texts into `Bank`s of `Item`s, with every error located.

Errors are strings `file:line: reason`, all of them collected (a bank author fixes a file in one
pass, not one error per run). The format is docs/bank-format.md.

Pure: the caller hands in the files' bytes or texts and the registered question types and
scoring rules (kiosk.loading reads bank files from disk and passes the plugin registry's).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain import toml_lines
from kiosk.domain.items import Item
from kiosk.domain.toml_lines import Block, SourceLines, syntax_error
from kiosk.errors import KioskError

BANK_ID_RE = re.compile(r"^[a-z0-9._-]+$")
ITEM_ID_RE = re.compile(r"^[A-Za-z0-9._-]+$")
COMMON_KEYS = frozenset(
    {"id", "type", "topic", "points", "stem", "difficulty", "tags", "enemies", "scoring", "step",
     "feedback", "attachments"}
)
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
ATTACHMENT_KEYS = frozenset({"name", "sha256", "alt", "kind"})
ATTACHMENT_KINDS = ("image", "passage")
#: Where a bank file's attachments live: `media/<sha256>` beside it.
MEDIA_DIR = "media"
MAX_MEDIA_BYTES = 8 * 1024 * 1024


@dataclass
class Bank:
    id: str
    title: str
    language: str = "hu"
    items: dict[str, Item] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def topics(self) -> list[str]:
        return sorted({item.topic for item in self.items.values()})


@dataclass
class CheckResult:
    banks: dict[str, Bank] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class BankError(KioskError):
    """A bank with problems; `errors` holds every `file:line: reason`."""

    exit_code = 1

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        super().__init__((errors[0] if errors else "bank has problems") + more)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def split_ref(ref: str, default_bank: str = "") -> tuple[str, str]:
    """`bank:item` or a plain `item` (in `default_bank`)."""
    if ":" in ref:
        bank, _, item = ref.partition(":")
        return bank, item
    return default_bank, ref


@dataclass
class _FileRead:
    path: str
    src: SourceLines
    bank_id: str | None
    title: str
    language: str
    items: list[tuple[Block | None, dict[str, Any]]]
    #: sha256 -> whether the content is present and intact; None: not checked (no media given)
    media: Mapping[str, bool] | None = None


def attachment_errors(attachments: Any, media: Mapping[str, bool] | None) -> list[str]:
    """Problems of an item's `attachments`; `media` tells which contents are present (None:
    not known here, e.g. a bank read from text)."""
    if not isinstance(attachments, list):
        return ["attachments must be a list of {name, sha256, alt?, kind?}"]
    errors = []
    names: set[str] = set()
    for i, att in enumerate(attachments, start=1):
        where = f"attachments[{i}]"
        if not isinstance(att, dict):
            errors.append(f"{where} must be a table")
            continue
        unknown = sorted(set(att) - ATTACHMENT_KEYS)
        if unknown:
            errors.append(f"{where}: unknown field {unknown[0]!r} (known: alt, kind, name, sha256)")
        name = att.get("name")
        if not isinstance(name, str) or not name.strip() or "/" in name or "\\" in name or \
                name in (".", ".."):
            errors.append(f"{where}.name must be a file name, got {name!r}")
        elif name in names:
            errors.append(f"{where}.name {name!r} is given twice")
        else:
            names.add(name)
        sha = att.get("sha256")
        if not isinstance(sha, str) or not SHA256_RE.match(sha):
            errors.append(f"{where}.sha256 must be 64 lowercase hex digits, got {sha!r}")
        elif media is not None and not media.get(sha, False):
            errors.append(f"{where}: {MEDIA_DIR}/{sha} is missing or does not match its hash")
        if "alt" in att and not isinstance(att["alt"], str):
            errors.append(f"{where}.alt must be text")
        if att.get("kind", "image") not in ATTACHMENT_KINDS:
            errors.append(f"{where}.kind must be one of {', '.join(ATTACHMENT_KINDS)}")
    return errors


#: (file name, sha256 hashes its items name) -> which of them are present and intact.
MediaStatus = Callable[[str, set[str]], Mapping[str, bool]]


def _wanted_media(items: list[tuple[Block | None, dict[str, Any]]]) -> set[str]:
    return {a["sha256"] for _, raw in items for a in raw.get("attachments", []) or []
            if isinstance(raw.get("attachments"), list) and isinstance(a, dict)
            and isinstance(a.get("sha256"), str) and SHA256_RE.match(a["sha256"])}


class _Checker:
    def __init__(self, question_types: Mapping[str, Any], scoring_rules: Mapping[str, Any]) -> None:
        self.qtypes = question_types
        self.rules = scoring_rules
        self.errors: list[str] = []

    def error(self, path: str, line: int | None, reason: str) -> None:
        self.errors.append(f"{path}:{line or 1}: {reason}")

    def parse_bytes(self, name: str, data: bytes, media: MediaStatus | None) -> _FileRead | None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.error(name, data[: exc.start].count(b"\n") + 1, "not UTF-8 text")
            return None
        read = self.parse_text(name, text)
        if read is not None and media is not None:
            read.media = media(name, _wanted_media(read.items))
        return read

    def parse_text(self, name: str, text: str) -> _FileRead | None:
        try:
            data = toml_lines.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line, reason = syntax_error(exc, text)
            self.error(name, line, f"TOML syntax error: {reason}")
            return None
        src = SourceLines(text)
        head = src.blocks("bank")
        head_block = head[0] if head else Block(0, src.own_end(Block(0, src.last + 1)))
        bank_line = head_block.start or 1

        for key in data:
            if key not in ("bank", "items"):
                found = next((n for n, h in src.headers if h.split(".")[0] == key), None)
                self.error(name, found or src.key_line(Block(0, src.last + 1), key),
                           f"unknown top-level key {key!r} (expected [bank] and [[items]])")

        bank = data.get("bank")
        bank_id: str | None = None
        title, language = "", "hu"
        if not isinstance(bank, dict):
            self.error(name, 1, "missing [bank] table with id and title")
        else:
            raw_id = bank.get("id")
            if raw_id is None:
                self.error(name, bank_line, "[bank] id is required")
            elif not isinstance(raw_id, str) or not BANK_ID_RE.match(raw_id):
                self.error(name, src.key_line(head_block, "id") or bank_line,
                           f"[bank] id must match [a-z0-9._-]+, got {raw_id!r}")
            else:
                bank_id = raw_id
            raw_title = bank.get("title")
            if not isinstance(raw_title, str) or not raw_title.strip():
                self.error(name, src.key_line(head_block, "title") or bank_line,
                           "[bank] title is required (a non-empty string)")
            else:
                title = raw_title
            raw_lang = bank.get("language", "hu")
            if not isinstance(raw_lang, str) or not raw_lang:
                self.error(name, src.key_line(head_block, "language") or bank_line,
                           f"[bank] language must be a string like \"hu\", got {raw_lang!r}")
            else:
                language = raw_lang

        raw_items = data.get("items", [])
        blocks = src.blocks("items")
        items: list[tuple[Block | None, dict[str, Any]]] = []
        if not isinstance(raw_items, list):
            self.error(name, src.key_line(Block(0, src.last + 1), "items"),
                       "items must be an array of tables ([[items]])")
        else:
            for i, raw in enumerate(raw_items):
                block = blocks[i] if i < len(blocks) else None
                if not isinstance(raw, dict):
                    self.error(name, block.start if block else None, f"items[{i}] must be a table")
                    continue
                items.append((block, raw))
        return _FileRead(name, src, bank_id, title, language, items)

    def check_item(self, f: _FileRead, block: Block | None, raw: dict[str, Any], bank_id: str
                   ) -> Item | None:
        at = _ItemCheck(self, f, block)
        # Values from TOML are Any until checked; `at.ok` says whether every check passed.
        item_id: Any = raw.get("id")
        label = f"item {item_id!r}" if isinstance(item_id, str) else "item"
        _check_id(at, item_id, label)
        qtype_name: Any = raw.get("type")
        qtype = self._checked_type(at, qtype_name, label)
        topic: Any = raw.get("topic")
        _check_text(at, topic, "topic", label, f"topic must be a non-empty string, got {topic!r}")
        points = _checked_points(at, raw.get("points"), qtype, qtype_name, label)
        stem: Any = raw.get("stem")
        _check_text(at, stem, "stem", label, "stem must be non-empty text")
        self._check_optional(at, raw, label)
        if not at.ok:
            return None

        attachments = raw.get("attachments", [])
        item = Item(
            id=item_id,
            type=qtype_name,
            topic=topic,
            points=points,
            stem=stem,
            spec={k: v for k, v in raw.items() if k not in COMMON_KEYS},
            difficulty=raw.get("difficulty"),
            tags=tuple(raw.get("tags", ())),
            enemies=tuple(raw.get("enemies", ())),
            scoring=raw.get("scoring"),
            step=raw.get("step"),
            feedback=raw.get("feedback"),
            attachments=tuple(dict(a) for a in attachments),
            bank=bank_id,
            source=f.path,
            line=at.start,
        )
        return self._typed(at, item, qtype, label)

    def _checked_type(self, at: _ItemCheck, qtype_name: Any, label: str) -> Any:
        """The registered question type the item names (None, with the error, when it does not
        name one)."""
        if qtype_name is None:
            at.bad(None, f"{label}: type is required")
        elif not isinstance(qtype_name, str):
            at.bad("type", f"{label}: type must be a string, got {qtype_name!r}")
        elif qtype_name not in self.qtypes:
            known = ", ".join(sorted(self.qtypes)) or "none registered"
            at.bad("type", f"{label}: unknown type {qtype_name!r} (known: {known})")
        else:
            return self.qtypes[qtype_name]
        return None

    def _check_optional(self, at: _ItemCheck, raw: dict[str, Any], label: str) -> None:
        """Whether the optional common keys (difficulty, tags, enemies, scoring, step, feedback,
        attachments) hold what they may."""
        difficulty = raw.get("difficulty")
        if difficulty is not None and (not _is_number(difficulty) or not 0 <= difficulty <= 1):
            at.bad("difficulty",
                   f"{label}: difficulty must be a number from 0 to 1, got {difficulty!r}")
        for key in ("tags", "enemies"):
            if key in raw and not _is_str_list(raw[key]):
                at.bad(key, f"{label}: {key} must be a list of strings, got {raw[key]!r}")
        scoring = raw.get("scoring")
        if scoring is not None:
            if not isinstance(scoring, str):
                at.bad("scoring", f"{label}: scoring must be a string, got {scoring!r}")
            elif scoring not in self.rules:
                known = ", ".join(sorted(self.rules)) or "none registered"
                at.bad("scoring", f"{label}: unknown scoring rule {scoring!r} (known: {known})")
        step = raw.get("step")
        if step is not None and (not _is_number(step) or step <= 0):
            at.bad("step", f"{label}: step must be a number > 0, got {step!r}")
        feedback = raw.get("feedback")
        if feedback is not None and not isinstance(feedback, str):
            at.bad("feedback", f"{label}: feedback must be text")
        for problem in attachment_errors(raw.get("attachments", []), at.f.media):
            at.bad("attachments", f"{label}: {problem}")

    def _typed(self, at: _ItemCheck, item: Item, qtype: Any, label: str) -> Item | None:
        """The item as its question type validates and normalises it (None, with the type's
        problems or failure, when it refuses)."""
        path, start = at.f.path, at.start
        try:
            problems = qtype.validate(item)
        except Exception as exc:  # a buggy type plugin must not crash the check
            self.error(path, start, f"{label}: type {item.type!r} failed to validate it: {exc}")
            return None
        for problem in problems:
            line = problem.line or at.where(problem.field)
            self.error(path, line, f"{label}: {problem.field}: {problem.reason}")
        if problems:
            return None
        try:
            normalised: Item = qtype.normalise(item)
        except Exception as exc:
            self.error(path, start, f"{label}: type {item.type!r} failed to normalise it: {exc}")
            return None
        return normalised


class _ItemCheck:
    """One [[items]] table under check: the line each key is on, and whether every check
    passed so far."""

    def __init__(self, checker: _Checker, f: _FileRead, block: Block | None) -> None:
        self.checker, self.f, self.block = checker, f, block
        self.start = block.start if block else 1
        self.ok = True

    def where(self, key: str) -> int:
        if self.block is None:
            return self.start
        return self.f.src.field_line(self.block, "items", key)

    def bad(self, key: str | None, reason: str) -> None:
        self.ok = False
        self.checker.error(self.f.path, self.where(key) if key else self.start, reason)


def _check_id(at: _ItemCheck, item_id: Any, label: str) -> None:
    """Whether the item has an id of the allowed characters."""
    if item_id is None:
        at.bad(None, "item without id")
    elif not isinstance(item_id, str) or not ITEM_ID_RE.match(item_id):
        at.bad("id", f"{label}: id must match [A-Za-z0-9._-]+, got {item_id!r}")


def _check_text(at: _ItemCheck, value: Any, key: str, label: str, wrong: str) -> None:
    """Whether a required text key (topic, stem) is there and not blank (`wrong`: the reason
    when it is there but not text)."""
    if value is None:
        at.bad(None, f"{label}: {key} is required")
    elif not isinstance(value, str) or not value.strip():
        at.bad(key, f"{label}: {wrong}")


def _checked_points(at: _ItemCheck, points: Any, qtype: Any, qtype_name: Any, label: str) -> Any:
    """The item's points: required and > 0 for a scored type; an unscored one (description)
    carries none, or 0."""
    if not getattr(qtype, "scored", True):
        if points is None:
            return 0
        if not _is_number(points) or points != 0:
            at.bad("points", f"{label}: a {qtype_name} item carries no points (0), got {points!r}")
    elif points is None:
        at.bad(None, f"{label}: points is required")
    elif not _is_number(points) or points <= 0:
        at.bad("points", f"{label}: points must be a number > 0, got {points!r}")
    return points


def check_bank_sources(
    sources: Iterable[tuple[str, bytes]],
    question_types: Mapping[str, Any],
    scoring_rules: Mapping[str, Any],
    media: MediaStatus | None = None,
) -> CheckResult:
    """Check bank files given as (name, bytes) in order (one bank may span several files;
    several banks may be given). `media(name, hashes)` tells which attachment contents are
    present beside that file; without it attachments are not checked for presence. Every
    problem is in `errors`; banks keep only the valid items."""
    checker = _Checker(question_types, scoring_rules)
    reads = [r for r in (checker.parse_bytes(n, d, media) for n, d in sources) if r is not None]
    return _check_reads(checker, reads)


def check_bank_texts(
    texts: Mapping[str, str],
    question_types: Mapping[str, Any],
    scoring_rules: Mapping[str, Any],
    media: Mapping[str, bytes] | None = None,
) -> CheckResult:
    """Check banks given as file name -> TOML text (a decrypted package's content never touches
    the disk); `media` (sha256 -> content) when the package carries attachments, checked
    against their hashes."""
    checker = _Checker(question_types, scoring_rules)
    reads = [r for r in (checker.parse_text(n, t) for n, t in texts.items()) if r is not None]
    if media is not None:
        status = {sha: hashlib.sha256(data).hexdigest() == sha for sha, data in media.items()}
        for read in reads:
            read.media = status
    return _check_reads(checker, reads)


def _check_reads(checker: _Checker, reads: list[_FileRead]) -> CheckResult:

    banks: dict[str, Bank] = {}
    # every id written in a bank, valid or not: references to an invalid item are not reported
    # twice
    seen: dict[str, dict[str, tuple[str, int]]] = {}
    enemy_lines: dict[str, int] = {}
    for f in reads:
        if f.bank_id is None:
            continue
        bank = banks.get(f.bank_id)
        if bank is None:
            bank = banks[f.bank_id] = Bank(f.bank_id, f.title, f.language)
        bank.files.append(f.path)
        ids = seen.setdefault(f.bank_id, {})
        for block, raw in f.items:
            item = checker.check_item(f, block, raw, f.bank_id)
            raw_id = raw.get("id")
            if not isinstance(raw_id, str):
                continue
            line = f.src.field_line(block, "items", "id") if block else 1
            if raw_id in ids:
                other_file, other_line = ids[raw_id]
                checker.error(f.path, line, f"item {raw_id!r}: duplicate id (first at "
                              f"{other_file}:{other_line})")
                continue
            ids[raw_id] = (f.path, line)
            if item is not None:
                bank.items[item.id] = item
                if item.enemies and block is not None:
                    enemy_lines[item.key] = f.src.field_line(block, "items", "enemies")

    for bank in banks.values():
        if not seen.get(bank.id):
            checker.error(bank.files[0], 1, f"bank {bank.id!r} has no [[items]]")
    checker.errors.extend(enemy_errors(banks, seen, lines=enemy_lines))
    return CheckResult(banks, checker.errors)


def enemy_errors(banks: Mapping[str, Bank], known: Mapping[str, Mapping[str, Any]] | None = None,
                 strict: bool = False, lines: Mapping[str, int] | None = None) -> list[str]:
    """Enemies that name items which do not exist. A reference into a bank that is not loaded is
    checked only when `strict` (an exam knows all its banks; a lone bank check does not)."""
    errors = []
    for bank in banks.values():
        for item in bank.items.values():
            at = f"{item.source}:{(lines or {}).get(item.key, item.line)}"
            for ref in item.enemies:
                ref_bank, ref_id = split_ref(ref, bank.id)
                ids = (known or {}).get(ref_bank) or (
                    banks[ref_bank].items if ref_bank in banks else None)
                if ids is None:
                    if strict:
                        errors.append(f"{at}: item {item.id!r}: enemy "
                                      f"{ref!r} refers to bank {ref_bank!r}, which is not loaded")
                    continue
                if ref_bank == bank.id and ref_id == item.id:
                    errors.append(f"{at}: item {item.id!r}: lists itself "
                                  "as an enemy")
                elif ref_id not in ids:
                    errors.append(f"{at}: item {item.id!r}: enemy {ref!r} "
                                  "is not an item of the bank")
    return errors


def all_items(banks: Iterable[Bank]) -> dict[str, Item]:
    """Items of several banks by key (`bank:item`)."""
    return {item.key: item for bank in banks for item in bank.items.values()}
