"""What every importer returns and raises, and the small helpers they share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from kiosk.errors import KioskError

_ID_BAD = re.compile(r"[^A-Za-z0-9._-]+")
_BANK_ID_BAD = re.compile(r"[^a-z0-9._-]+")
ID_MAX = 64

# Order of keys when an item is written: common fields first, then the type's own.
COMMON_KEYS = ("id", "type", "topic", "points", "stem", "tags", "scoring", "feedback")


#: Exit code of `kiosk import` when the bank was written but some questions were refused.
EXIT_PARTIAL = 3


class ImportFormatError(KioskError):
    """Input that cannot be imported; the message names the file and the line or position."""

    def __init__(
        self, source: str, reason: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        self.column = column
        where = f"{source}:{line}" if line is not None else source
        if column is not None:
            reason = f"{reason} (column {column})"
        super().__init__(f"{where}: {reason}")


@dataclass
class ImportResult:
    items: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Questions refused as malformed, each `file:line: reason` (or `package!member: reason`);
    #: the rest of the file still imports (as Moodle does).
    errors: list[str] = field(default_factory=list)
    #: Files the items refer to by name (`attachments` entries): sha256 hex -> bytes.
    files: dict[str, bytes] = field(default_factory=dict)
    #: Suggested `[bank]` fields (id, title, language) the source carried, if any.
    bank: dict[str, Any] = field(default_factory=dict)

    def extend(self, other: ImportResult) -> None:
        self.items.extend(other.items)
        self.warnings.extend(other.warnings)
        self.errors.extend(other.errors)
        self.files.update(other.files)
        for key, value in other.bank.items():
            self.bank.setdefault(key, value)


@dataclass
class ExportResult:
    text: str
    warnings: list[str] = field(default_factory=list)
    exported: int = 0


def safe_id(text: str, fallback: str = "item") -> str:
    """A valid item id ([A-Za-z0-9._-]+) derived from free text."""
    cleaned = _ID_BAD.sub("-", text).strip("-.")[:ID_MAX].strip("-.")
    return cleaned or fallback


def bank_id_from(text: str) -> str:
    cleaned = _BANK_ID_BAD.sub("-", text.lower()).strip("-.")[:ID_MAX]
    return cleaned or "imported"


class IdAllocator:
    """Keeps item ids unique across all files of one import (and so across the bank)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        candidate = wanted
        n = 2
        while candidate in self.used:
            candidate = f"{wanted}-{n}"
            n += 1
        self.used.add(candidate)
        return candidate


def number(text: str) -> int | float:
    """Parse a number as written: ints stay ints so a round trip keeps `1822`, not `1822.0`."""
    t = text.strip()
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    value = float(t)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def fraction(percent: float) -> float:
    """GIFT/Moodle percentages as kiosk weights (50 -> 0.5), without float noise."""
    return round(percent / 100.0, 7)


def order_item(item: dict[str, Any]) -> dict[str, Any]:
    """Common fields first so the written bank reads naturally."""
    out = {k: item[k] for k in COMMON_KEYS if k in item}
    out.update({k: v for k, v in item.items() if k not in out})
    return out


def read_text(path: Path, display: str | None = None) -> str:
    """File content as text (UTF-8, BOM tolerated), or a clear error with the byte position."""
    name = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(name, f"cannot read file: {exc.strerror or exc}") from None
    return decode_text(data, name)


def decode_text(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            name, f"not UTF-8 text (byte {exc.start} cannot be decoded)", line=line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def default_topic(path: Path, topic: str | None) -> str:
    return topic if topic else path.stem


def import_each(paths: Sequence[Path], topic: str | None,
                one: Callable[[Path, str, IdAllocator], ImportResult]) -> ImportResult:
    """Every importer's loop over its files: one id allocator across them (ids stay unique in
    the bank), each file's topic (`topic` or the file's name), and a file that cannot be read
    or is not of the format costs that file only: its error is listed and the rest go on."""
    result = ImportResult()
    ids = IdAllocator()
    for path in (Path(p) for p in paths):
        try:
            result.extend(one(path, default_topic(path, topic), ids))
        except OSError as exc:
            result.errors.append(str(ImportFormatError(
                str(path), f"cannot read file: {exc.strerror or exc}")))
        except ImportFormatError as exc:
            result.errors.append(str(exc))
    return result


def _same(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def duplicate_text(texts: list[str]) -> str | None:
    """The first text that occurs twice (compared as the question types compare them)."""
    seen: set[str] = set()
    for text in texts:
        if _same(text) in seen:
            return text
        seen.add(_same(text))
    return None


def matching_as_cloze(item: dict[str, Any]) -> str | None:
    """Matching pairs that share a left- or right-hand text (QTI matchMax > 1, Moodle allows it)
    cannot be a kiosk matching item, whose texts are distinct. The same question as a cloze with
    one choice gap per left-hand text keeps every pair and the mapping (gap ids = pair ids).
    Returns a warning, or None when the item is fine as it is."""
    pairs = item.get("pairs", [])
    lefts = [p["left"] for p in pairs]
    rights = [p["right"] for p in pairs]
    dup = duplicate_text(rights + list(item.get("distractors", []))) or duplicate_text(lefts)
    if dup is None:
        return None
    options = list(dict.fromkeys([*rights, *item.get("distractors", [])]))
    if len(options) < 2:
        raise ValueError("every pair has the same right-hand text")
    lines = []
    gaps = []
    for n, pair in enumerate(pairs, start=1):
        gid = str(pair.get("id", n))
        lines.append(f"- {pair['left']}: [[{gid}]]")
        gaps.append({"id": gid, "options": options, "correct": pair["right"]})
    item["stem"] = f"{item['stem']}\n\n" + "\n".join(lines)
    item["type"] = "cloze"
    item["gaps"] = gaps
    item.pop("pairs", None)
    item.pop("distractors", None)
    return f"text {dup!r} is in several pairs; imported as a cloze with one choice gap per pair"


def is_image(data: bytes) -> bool:
    """Pillow can read it as an image (and it is not a decompression bomb)."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        return True
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError):
        return False


MAX_MEDIA_FILE = 8 * 1024 * 1024


def folder_reader(folder: Path) -> Callable[[str], bytes | None]:
    """Reads files an input refers to, only inside `folder`'s tree: `../`, absolute paths and
    URLs are never followed (an imported file must not pull other files of the machine into a
    bank); at most 8 MB each."""
    root = folder.resolve()

    def read(src: str) -> bytes | None:
        src = unquote(src.split("#")[0].split("?")[0])
        if src.startswith("@@PLUGINFILE@@/"):
            src = src[len("@@PLUGINFILE@@/"):]  # Moodle's reference to the question's own file
        if not src or re.match(r"[a-z][a-z0-9+.-]*:", src, re.IGNORECASE):
            return None
        try:
            target = (root / src).resolve()
            if not target.is_relative_to(root) or not target.is_file() or \
                    target.stat().st_size > MAX_MEDIA_FILE:
                return None
            return target.read_bytes()
        except (OSError, ValueError):
            return None

    return read


def attach(attachments: list[dict[str, Any]], files: dict[str, bytes], src: str, data: bytes,
           kind: str = "image", alt: str = "") -> str:
    """Add a file to an item's attachments (once per content) and return its name there."""
    import hashlib
    import posixpath

    sha = hashlib.sha256(data).hexdigest()
    for att in attachments:
        if att["sha256"] == sha:
            return str(att["name"])
    name = posixpath.basename(unquote(src).split("?")[0].split("#")[0]) or "media"
    taken = {a["name"] for a in attachments}
    base, n = name, 2
    while name in taken:
        name = f"{n}-{base}"
        n += 1
    att: dict[str, Any] = {"name": name, "sha256": sha}
    if alt:
        att["alt"] = alt
    if kind != "image":
        att["kind"] = kind
    attachments.append(att)
    files[sha] = data
    return name


def type_problems(item: dict[str, Any]) -> list[str]:
    """What the item's question type says is wrong with an imported item, as `bank check` would
    say it ("field: reason"), so an importer refuses that one question instead of writing a
    bank that does not load. An unknown type is left to `bank check`."""
    from kiosk.domain.banks import COMMON_KEYS
    from kiosk.domain.items import Item
    from kiosk.plugins import registry

    qtype = registry().question_types.get(str(item.get("type", "")))
    if qtype is None:
        return []
    try:
        candidate = Item(id=str(item.get("id", "")), type=str(item.get("type")),
                         topic=str(item.get("topic", "")), points=float(item.get("points") or 0),
                         stem=str(item.get("stem", "")),
                         spec={k: v for k, v in item.items() if k not in COMMON_KEYS})
        return [f"{p.field}: {p.reason}" for p in qtype.validate(candidate)]
    except Exception as exc:  # noqa: BLE001 - a plugin's validator must not crash an import
        return [f"the question type could not check it: {exc}"]
