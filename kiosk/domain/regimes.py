"""Exam regimes: the contract that turns marks into part, subject and final results.

A regime is an object with `name`, `title` (a Text: msgid regime.<name>) and `evaluate(inputs) ->
Outcome`. The built-in ones live in kiosk/builtins/regimes/ (one module each) and are
registered by the default plugin there, kiosk/builtins/regimes/__init__.py. Inputs and outputs are plain dataclasses so the results
command, the marking app, PDFs and exports can all share them.

How a caller builds the input from an exam file: `RegimeInput(marks=…, config=exam_config(exam))`.
`config` is the exam's settings as one mapping — grade_scale, pass_percent, pass_points, every
unknown exam key (Exam.extra) and `parts = {part_id: {pass_percent, pass_points, …, extra}}` — so
a regime can read options such as `written_weight` without the exam parser knowing them.

Numbers: percentages are computed from the decimal text of the points (Decimal(str(x))), so
0.57 of 1 point is exactly 57 %, never 56.99999999999999 %; `truncate_percent` and
`round_half_up` also snap away float noise below 1e-9 before they cut or round.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from kiosk.domain.exam_rules import NO_RULES, RegimeRules
from kiosk.domain.grading import GRADE_NAMES, GradeScale
from kiosk.domain.grading import grade as scale_grade
from kiosk.domain.texts import NO_TEXT, Text
from kiosk.errors import KioskError

KINDS = ("written", "oral", "activity")
_NOISE = Decimal("1E-9")

Number = int | float | Decimal


class RegimeError(KioskError):
    """Marks or settings a regime cannot use (one line: which part or key, and why)."""


# --- numbers --------------------------------------------------------------------------------


def to_decimal(value: Number) -> Decimal:
    """The decimal a person would read: 0.57 → Decimal("0.57"), not its binary neighbour."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


def _snap(value: Decimal) -> Decimal:
    # 56.99999999999999 is float noise for 57; nobody's score has ten significant decimals.
    return value.quantize(_NOISE)


def percent(points: Number, max_points: Number) -> Decimal:
    """100 × points / max_points, exactly as far as Decimal goes."""
    top = to_decimal(max_points)
    if top <= 0:
        raise RegimeError(f"the maximum must be positive, got {max_points!r}")
    return to_decimal(points) * 100 / top


def truncate_percent(value: Number) -> int:
    """Cut the decimals of a percentage (Szkr 290. § (2): 79.9 % is 79 %)."""
    return int(_snap(to_decimal(value)).to_integral_value(rounding=ROUND_DOWN))


def round_half_up(value: Number, ndigits: int = 0) -> Decimal:
    """Round by the general rule (.5 goes up: 79.5 → 80), unlike Python's banker's round()."""
    quantum = Decimal(1).scaleb(-ndigits)
    return _snap(to_decimal(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def halve_round_up(points: Number) -> int:
    """Póttétel: "az elért pontszámot meg kell felezni és egész pontra fel kell kerekíteni"."""
    return int((_snap(to_decimal(points)) / 2).to_integral_value(rounding=ROUND_CEILING))


def add_years(start: date, years: int) -> date:
    """The same day `years` later; 29 February falls back to the 28th (the month's last day)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def grade_names(grade: int | None) -> Text:
    """The usual name of a grade, a message to translate (no text for no grade)."""
    if grade is None:
        return NO_TEXT
    return GRADE_NAMES.get(grade, Text("", str(grade), (("hu", str(grade)), ("en", str(grade)))))


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartMark:
    """One attempt at one part: points (written, activity) or a grade (an oral graded directly).

    `replacement_card` (póttétel): the candidate drew a second card, so the points are halved and
    rounded up before anything else. `min_percent` is a per-part minimum that overrides the exam
    settings. Several attempts at the same part (retakes, improvement exams) are several marks with
    the same part_id and their dates.
    """

    part_id: str
    points: float | None = None
    max_points: float | None = None
    kind: str = "written"
    weight: float | None = None
    date: date | None = None
    replacement_card: bool = False
    exempt: bool = False
    grade: int | None = None
    min_percent: float | None = None
    title: str = ""


@dataclass(frozen=True)
class SubjectInput:
    """A szakvizsga subject (vizsgatárgy): every attempt at its written and oral parts."""

    subject_id: str
    kind: str = "compulsory"  # or "elective"
    marks: tuple[PartMark, ...] = ()
    exempt: bool = False
    title: str = ""


@dataclass(frozen=True)
class ActivityInput:
    """A vocational exam activity (vizsgatevékenység) made of parts, e.g. two task sets.

    `part_min_percent` applies to each of its parts unless a mark has its own `min_percent`;
    `min_percent` is a minimum for the activity as a whole (besides not being elégtelen).
    """

    activity_id: str
    weight: float | None = None
    marks: tuple[PartMark, ...] = ()
    part_min_percent: float | None = None
    min_percent: float | None = None
    exempt: bool = False
    title: str = ""


@dataclass(frozen=True)
class Interruption:
    """The candidate did not sit (part of) the exam: `kind` "absent" (did not turn up),
    "interrupted" (broke it off) or "excluded" (barred after an irregularity); `excused` when
    the reason was not the candidate's fault. From kiosk.domain.exam_records."""

    kind: str
    excused: bool = False
    date: date | None = None
    reason: str = ""
    seq: int = 0


@dataclass(frozen=True)
class RegimeInput:
    """What a regime evaluates for one candidate. Which fields matter depends on the regime:
    `marks` (generic, hu-iskolai, and hu-szkr when the exam is one activity), `subjects`
    (hu-szakvizsga), `activities` (hu-szkr). `scale` overrides config["grade_scale"]; `as_of`
    is "today" for rules about elapsed time (the szakvizsga two-year rule)."""

    marks: tuple[PartMark, ...] = ()
    subjects: tuple[SubjectInput, ...] = ()
    activities: tuple[ActivityInput, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)
    scale: GradeScale | None = None
    as_of: date | None = None
    interruptions: tuple[Interruption, ...] = ()


# --- outputs --------------------------------------------------------------------------------


@dataclass
class PartResult:
    part_id: str
    kind: str
    points: float | None
    max_points: float | None
    percent: float | None
    grade: int | None
    grade_name: Text
    passed: bool
    subject_id: str = ""
    #: the points as marked, before póttétel halving
    raw_points: float | None = None
    replacement_card: bool = False
    exempt: bool = False
    date: date | None = None
    #: False when a rule made this result stop counting (kept for the record, never erased)
    counts: bool = True
    #: attempts this result follows: failed attempts before a retake, the original grade of an
    #: improvement exam
    earlier: list[PartResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class SubjectResult:
    subject_id: str
    kind: str
    grade: int | None
    grade_name: Text
    passed: bool
    exempt: bool = False
    title: str = ""
    part_ids: list[str] = field(default_factory=list)


@dataclass
class ActivityResult:
    activity_id: str
    weight: float | None
    points: float | None
    max_points: float | None
    percent: int | None
    grade: int | None
    grade_name: Text
    passed: bool
    exempt: bool = False
    title: str = ""
    part_ids: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    regime: str
    parts: list[PartResult] = field(default_factory=list)
    subjects: list[SubjectResult] = field(default_factory=list)
    activities: list[ActivityResult] = field(default_factory=list)
    overall_points: float | None = None
    overall_max_points: float | None = None
    overall_percent: float | None = None
    grade: int | None = None
    grade_name: Text = NO_TEXT
    passed: bool = False
    #: None when the regime does not decide about a certificate
    certificate: bool | None = None
    #: what must be (re)taken, e.g. "kotelezo:oral" or a part id
    outstanding: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scale_id: str | None = None
    #: the whole exam must be repeated, not only what failed (Szkr 291. § (2))
    repeat_whole: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (dates as ISO strings)."""
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


# --- the contract ---------------------------------------------------------------------------

ScaleLookup = Callable[[str], GradeScale]


class Regime:
    """Base class: subclasses set `name`, `title`, `default_scale` and implement evaluate.

    `scales` finds a grade scale by id (the plugin passes the registry's, so a school's own
    scale file is honoured); a Mapping works too (kiosk.loading.builtin_scales gives the
    shipped ones); None knows no scale, so every lookup is an "unknown grade scale" error.
    """

    name: str = ""
    title: Text | Mapping[str, str] = NO_TEXT
    default_scale: str | None = None
    # Capabilities: what callers do differently for this regime (kiosk.api.RegimeContract
    # explains each); declared here so that no caller recognises a regime by its name.
    groups: str = "parts"
    every_attempt_counts: bool = False
    written_points_shown: bool = False
    replacement_card: bool = True
    #: scheduling and records rules (kiosk.domain.exam_rules)
    rules: RegimeRules = NO_RULES

    def __init__(self, scales: ScaleLookup | Mapping[str, GradeScale] | None = None) -> None:
        self._scales = scales

    def evaluate(self, inputs: RegimeInput) -> Outcome:
        raise NotImplementedError

    def paper_errors(self, exam: Any, items: Mapping[str, Any]) -> list[str]:
        """The regime's own rules about an exam's paper (`kiosk exam check`); none by default."""
        return []

    def scale(self, inputs: RegimeInput, required: bool = True) -> GradeScale | None:
        """inputs.scale, else config["grade_scale"], else the regime's default scale."""
        if inputs.scale is not None:
            return inputs.scale
        sid = inputs.config.get("grade_scale") or self.default_scale
        if not sid:
            if required:
                raise RegimeError(f"regime {self.name}: no grade_scale given")
            return None
        if not isinstance(sid, str):
            raise RegimeError(f"grade_scale: must be a scale id, got {sid!r}")
        return self.lookup(sid)

    def lookup(self, sid: str) -> GradeScale:
        scales = self._scales
        try:
            if scales is None:
                raise KeyError(sid)
            if isinstance(scales, Mapping):
                return scales[sid]
            return scales(sid)
        except KeyError:
            raise RegimeError(f"regime {self.name}: unknown grade scale {sid!r}") from None


# --- shared helpers for the built-in regimes ------------------------------------------------


def exam_config(exam: Any) -> dict[str, Any]:
    """An Exam (kiosk.domain.exams) as the `config` mapping regimes read."""
    config: dict[str, Any] = dict(exam.extra)
    for key in ("grade_scale", "pass_percent", "pass_points"):
        if getattr(exam, key) is not None:
            config[key] = getattr(exam, key)
    parts: dict[str, dict[str, Any]] = {}
    for part in exam.parts:
        entry: dict[str, Any] = dict(part.extra)
        entry["title"] = part.title
        for key in ("pass_percent", "pass_points", "total_points"):
            if getattr(part, key) is not None:
                entry[key] = getattr(part, key)
        parts[part.id] = entry
    config["parts"] = parts
    return config


def config_number(config: Mapping[str, Any], key: str, where: str = "") -> float | None:
    value = config.get(key)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        label = f"{where}.{key}" if where else key
        raise RegimeError(f"{label}: must be a number ≥ 0, got {value!r}")
    return float(value)


def part_config(config: Mapping[str, Any], part_id: str) -> Mapping[str, Any]:
    parts = config.get("parts") or {}
    entry = parts.get(part_id) if isinstance(parts, Mapping) else None
    return entry if isinstance(entry, Mapping) else {}


def check_points(mark: PartMark, where: str = "") -> tuple[Decimal, Decimal]:
    """(points after póttétel halving, max points), or RegimeError naming the part."""
    label = f"{where}part {mark.part_id!r}" if not where else f"{where}, part {mark.part_id!r}"
    if mark.points is None or mark.max_points is None:
        raise RegimeError(f"{label}: points and max_points are required")
    for name, value in (("points", mark.points), ("max_points", mark.max_points)):
        if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
            raise RegimeError(f"{label}: {name} must be a number, got {value!r}")
    pts, top = to_decimal(mark.points), to_decimal(mark.max_points)
    if top <= 0:
        raise RegimeError(f"{label}: max_points must be positive, got {mark.max_points!r}")
    if pts < 0 or pts > top:
        raise RegimeError(f"{label}: points {mark.points!r} are outside 0–{mark.max_points!r}")
    if mark.replacement_card:
        pts = Decimal(halve_round_up(pts))
    return pts, top


def check_grade(mark: PartMark, where: str = "") -> int:
    label = f"{where}part {mark.part_id!r}" if not where else f"{where}, part {mark.part_id!r}"
    g = mark.grade
    if not isinstance(g, int) or isinstance(g, bool) or not 1 <= g <= 5:
        raise RegimeError(f"{label}: grade must be a whole number 1–5, got {g!r}")
    return g


def as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def failed_grade(scale: GradeScale | None) -> tuple[int, Text]:
    """The scale's lowest band: what a failed exam is graded, whatever its percentage."""
    if scale is None or not scale.bands:
        return 1, GRADE_NAMES[1]
    low = min(scale.bands, key=lambda b: b.min)
    return low.grade, low.name


def grade_from(scale: GradeScale, points: Decimal, max_points: Decimal) -> tuple[int, Text]:
    """Grade a score on `scale` from exact points (percent or points basis)."""
    if scale.basis == "percent":
        value = percent(points, max_points)
    elif scale.out_of and max_points != to_decimal(scale.out_of):
        value = points * to_decimal(scale.out_of) / max_points
    else:
        value = points
    got = scale_grade(scale, float(_snap(value)))
    return got.grade, got.name


def grade_percent(scale: GradeScale, value: Number) -> tuple[int, Text]:
    """Grade a percentage (a points-basis scale reads it as points out of its `out_of`)."""
    return grade_from(scale, to_decimal(value), Decimal(100))


def fmt(value: Number) -> str:
    """A number as people write it in notes: 40, 39.5, 66.67 (at most two decimals)."""
    # Cut, not rounded: a note must never show "40 %" for 39.999 %.
    text = f"{_snap(to_decimal(value)).quantize(Decimal('0.01'), rounding=ROUND_DOWN):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
