"""Grade scales as data, and turning a score into a grade.

A scale is one TOML file:

    id = "hu-szkr"                        # [a-z0-9._-]+
    basis = "percent"                     # "percent" (of the maximum) or "points"
    rounding = "truncate"                 # truncate | half_up | floor | none
    out_of = 100                          # points basis only: the maximum the bands assume
    note = "why this rounding"            # optional, for people
    [names]
    hu = "Szkr 290. § (2)"
    en = "Vocational interactive exam (Szkr 290 § (2))"
    [[bands]]                             # any order; the highest `min` reached wins
    min = 80
    grade = 5
    name_hu = "jeles"                     # optional for grades 1–5: the usual names apply
    name_en = "excellent"
    [conditions]                          # optional: rules that travel with the scale
    written_weight = 2                    # how the written and oral percentages combine
    oral_weight = 1
    written_min_percent = 24              # written below this: no oral, the exam is failed
    oral_required = true                  # no final grade until the oral is marked

`conditions` exist because some school tables are more than bands: the maths exam table reads
"Amennyiben a tanuló az írásbeli vizsgarészen nem éri el a 24%-ot, nem tehet szóbeli vizsgát,
vizsgája érdemjegye elégtelen; 25% vagy annál nagyobb írásbeli teljesítmény esetén a szóbeli
vizsga kötelező" and "2/3-rész írásbeli, 1/3 rész szóbeli". An exam graded on such a scale gets
these rules without repeating them (the hu-iskolai regime reads them; an exam file may set its
own weights, and may raise, never lower, the written minimum).

`rounding` is applied to the value before it is compared with the bands: "truncate" cuts the
decimals (Szkr 290. § (2): "a számítást csak az egész szám megállapításáig lehet elvégezni"),
"half_up" rounds .5 upwards, "floor" rounds towards minus infinity and "none" compares the exact
value (so a value between two whole-number bands belongs to the lower one).

Where scales come from (read by kiosk.loading, which hands this module their text): the
built-ins in kiosk/builtins/scales/, every *.toml in the directories listed in the environment
variable KIOSK_SCALES_DIR (separated by os.pathsep), and, for commands that work on a centre,
every *.toml in the centre's `scales/` directory (`centre_scales`). A later source replaces a
scale with the same id (`merge_scales`), so a school can adjust a built-in scale.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from kiosk.domain import toml_lines
from kiosk.domain.texts import Text
from kiosk.errors import KioskError

BASES = ("percent", "points")
#: condition key -> "number" or "bool" (see the module docstring)
CONDITIONS = {"written_weight": "number", "oral_weight": "number",
              "written_min_percent": "number", "oral_required": "bool"}
ROUNDINGS = ("truncate", "half_up", "floor", "none")
#: the usual names of grades 1–5: messages of the catalogue (grade.N; Hungarian as the source)
GRADE_NAMES: dict[int, Text] = {
    5: Text("grade.5", "jeles"),
    4: Text("grade.4", "jó"),
    3: Text("grade.3", "közepes"),
    2: Text("grade.2", "elégséges"),
    1: Text("grade.1", "elégtelen"),
}
#: the English of the usual names, which scale files repeat (then the catalogue's names apply)
_USUAL_EN = {5: "excellent", 4: "good", 3: "satisfactory", 2: "pass", 1: "fail"}
_ID_RE = re.compile(r"^[a-z0-9._-]+$")
# Float noise (0.57 * 100 == 56.99999999999999) must not cost a candidate a whole percent.
_EPSILON_DIGITS = 9


class ScaleError(KioskError):
    """A scale file that cannot be used."""


@dataclass(frozen=True)
class Band:
    min: float
    grade: int
    name: Text


@dataclass(frozen=True)
class GradeScale:
    id: str
    names: Mapping[str, str]
    basis: str
    rounding: str
    bands: tuple[Band, ...]
    out_of: float | None = None
    note: str = ""
    source: str = ""
    conditions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The registry key (plugins register objects by `name` or `id`)."""
        return self.id

    def band_for(self, value: float) -> Band:
        for band in sorted(self.bands, key=lambda b: b.min, reverse=True):
            if value >= band.min:
                return band
        # Below every band: the lowest band still applies (a scale need not start at 0).
        return min(self.bands, key=lambda b: b.min)


@dataclass(frozen=True)
class Grade:
    grade: int
    name: Text
    value_used: float

    @property
    def passed(self) -> bool:
        return self.grade > 1


def apply_rounding(value: float, rounding: str) -> float:
    value = round(value, _EPSILON_DIGITS)
    if rounding == "truncate":
        return float(math.trunc(value))
    if rounding == "floor":
        return float(math.floor(value))
    if rounding == "half_up":
        return float(math.floor(value + 0.5))
    return value


def grade(scale: GradeScale, value: float) -> Grade:
    """The grade for `value`, given in the scale's basis (percent or points)."""
    used = apply_rounding(value, scale.rounding)
    band = scale.band_for(used)
    return Grade(band.grade, band.name, used)


def scale_value(scale: GradeScale, points: float, max_points: float) -> float:
    """The value to grade from a score: a percentage, or points (rescaled to `out_of`)."""
    if max_points <= 0:
        raise ValueError("max_points must be positive")
    if scale.basis == "percent":
        return 100.0 * points / max_points
    if scale.out_of and max_points != scale.out_of:
        return points * scale.out_of / max_points
    return points


def grade_score(scale: GradeScale, points: float, max_points: float) -> Grade:
    return grade(scale, scale_value(scale, points, max_points))


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _conditions(conditions: Any, errors: list[str]) -> dict[str, Any]:
    """A scale's [conditions] table ({} when it is not a table); unknown names and values of
    the wrong kind go to `errors`."""
    if not isinstance(conditions, dict):
        errors.append("conditions: must be a table, e.g. [conditions] written_min_percent = 24")
        return {}
    for key, value in conditions.items():
        kind = CONDITIONS.get(key)
        if kind is None:
            errors.append(f"conditions.{key}: unknown condition (known: "
                          f"{', '.join(CONDITIONS)})")
        elif kind == "bool" and not isinstance(value, bool):
            errors.append(f"conditions.{key}: must be true or false, got {value!r}")
        elif kind == "number" and (not _number(value) or value < 0):
            errors.append(f"conditions.{key}: must be a number >= 0, got {value!r}")
    return conditions


def _bands(raw_bands: Any, errors: list[str]) -> list[Band]:
    """A scale's usable [[bands]] in file order; the problems of the others go to `errors`."""
    if not isinstance(raw_bands, list) or not raw_bands:
        errors.append("bands: at least one [[bands]] entry is required")
        return []
    bands: list[Band] = []
    for i, raw in enumerate(raw_bands):
        band = _band(f"bands[{i}]", raw, errors)
        if band is not None:
            bands.append(band)
    return bands


def _band(where: str, raw: Any, errors: list[str]) -> Band | None:
    """One [[bands]] entry (min, grade, names), or None with its first problem in `errors`."""
    if not isinstance(raw, dict):
        errors.append(f"{where}: must be a table")
        return None
    low, g = raw.get("min"), raw.get("grade")
    if not _number(low):
        errors.append(f"{where}.min: must be a number, got {low!r}")
        return None
    if not isinstance(g, int) or isinstance(g, bool):
        errors.append(f"{where}.grade: must be an integer, got {g!r}")
        return None
    usual = GRADE_NAMES.get(g)
    default_hu, default_en = (usual.source, _USUAL_EN[g]) if usual else ("", "")
    name_hu, name_en = raw.get("name_hu", default_hu), raw.get("name_en", default_en)
    if not isinstance(name_hu, str) or not isinstance(name_en, str) or not name_hu or not name_en:
        errors.append(f"{where}: name_hu and name_en are required for grade {g}")
        return None
    # The usual names are the catalogue's messages (so a third language translates them);
    # a scale's own names are its translations, used as written.
    name = usual if usual and (name_hu, name_en) == (default_hu, default_en) else Text(
        "", name_hu, (("hu", name_hu), ("en", name_en)))
    return Band(float(low), g, name)


def parse_scale(data: Mapping[str, Any], source: str = "<scale>") -> GradeScale:
    """Build a scale from TOML data; every problem is collected into one ScaleError."""
    errors: list[str] = []
    sid: Any = data.get("id")
    if not isinstance(sid, str) or not _ID_RE.match(sid):
        errors.append(f"id: must be a string of [a-z0-9._-], got {sid!r}")
    basis = data.get("basis", "percent")
    if basis not in BASES:
        errors.append(f"basis: must be one of {', '.join(BASES)}, got {basis!r}")
    rounding = data.get("rounding", "none")
    if rounding not in ROUNDINGS:
        errors.append(f"rounding: must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")
    names = data.get("names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        errors.append("names: must be a table of strings, e.g. {hu = \"…\", en = \"…\"}")
        names = {}
    out_of = data.get("out_of")
    if out_of is not None and (not _number(out_of) or out_of <= 0):
        errors.append(f"out_of: must be a positive number, got {out_of!r}")
    note = data.get("note", "")
    if not isinstance(note, str):
        errors.append("note: must be a string")
        note = ""
    conditions = _conditions(data.get("conditions", {}), errors)
    bands = _bands(data.get("bands"), errors)
    mins = [b.min for b in bands]
    if len(set(mins)) != len(mins):
        errors.append("bands: two bands have the same min")
    if errors:
        raise ScaleError("; ".join(f"{source}: {e}" for e in errors))
    return GradeScale(
        id=sid,
        names=dict(names),
        basis=basis,
        rounding=rounding,
        bands=tuple(sorted(bands, key=lambda b: b.min, reverse=True)),
        out_of=float(out_of) if out_of is not None else None,
        note=note,
        source=source,
        conditions=dict(conditions),
    )


def scale_from_text(text: str, source: str = "<scale>") -> GradeScale:
    """A scale from its TOML text (`source` names it in errors: usually the file's path)."""
    try:
        data = toml_lines.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScaleError(f"{source}: {exc}") from None
    return parse_scale(data, source)


def merge_scales(*groups: Iterable[GradeScale]) -> dict[str, GradeScale]:
    """Later groups replace earlier scales with the same id."""
    out: dict[str, GradeScale] = {}
    for group in groups:
        for scale in group:
            out[scale.id] = scale
    return out
