"""Rules about when and for how long candidates sit, checked when a sitting is created.

Pure functions over plain data; `kiosk sitting create` gathers the data from the ledger and
refuses the sitting with one line per broken rule. Sources (seed 004, the school's programme
quoting the Szkr and its own in-school exam rules):

Each regime declares its rules as a `RegimeRules` (`Regime.rules`; the built-in values are the
constants below); these functions take the regimes' rules by name (`rules`, from the registry:
`kiosk.plugins.regime_rules()`), so a plugin regime gets the same checks by declaring them.

Special needs (per regime, `RegimeRules.time_caps`): for in-school exams "a vizsgázó kérésére, az igazgató
engedélye alapján a) az írásbeli feladatok megválaszolásához rendelkezésre álló időt legfeljebb
harminc perccel meg kell növelni" and for the oral "a harminc perc gondolkodási időt legfeljebb
tíz perccel meg kell növelni"; the programme gives Szkr 293. § (3) as their basis, so the same
caps apply to hu-szkr. The szakvizsga information sheet says nothing on it: no cap. A candidate
above a cap is refused unless an examiner overrides it with a reason (a signed
`time_cap_overridden` event).

In-school exams (hu-iskolai): "A vizsga reggel nyolc óra előtt nem kezdhető el, és legfeljebb
tizenhét óráig tarthat." and "Egy vizsganapon egy vizsgázó vonatkozásában legfeljebb három
írásbeli vizsgát lehet megtartani."

Vocational exams (hu-szkr), 277. §: (1) "A szakmai vizsgát az első vizsgatevékenység napját
követő harminc napon belül be kell fejezni"; (2) "A vizsgázó egy vizsganapra eső
vizsgatevékenységeinek összes ideje nem haladhatja meg a nyolc órát. A nyolcórás időkeret
számításakor a vizsgatevékenység végrehajtására meghatározott maximális időt kell figyelembe
venni."; (3) the interactive activity "nyolc és tizennyolc óra között". Which sittings belong to
one vocational exam: the exam files' `vocational_exam` key (default: the exam id); a resit
(javítóvizsga / pótlóvizsga) starts a new 30-day window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

OVERRIDE = "time_cap_overridden"



def _items(value: object) -> list[object]:
    """A JSON list as a list; anything else (missing, damaged) as empty."""
    return list(value) if isinstance(value, list | tuple) else []

@dataclass(frozen=True)
class RegimeRules:
    """What a regime's rules say about scheduling and records (None: no such rule)."""

    #: (written extra minutes cap, oral preparation extra minutes cap) for special needs
    time_caps: tuple[int, int] | None = None
    #: (earliest start, latest end) of a sitting
    day_window: tuple[time, time] | None = None
    #: written exams of this regime a candidate may sit on one day
    max_written_per_day: int | None = None
    #: minutes of this regime's exam activities a candidate may have on one day
    max_minutes_per_day: int | None = None
    #: days from the first sitting of one exam (`vocational_exam` group) to its last
    completion_days: int | None = None
    #: days after the exam day by which results must be announced
    results_due_days: int | None = None
    #: minimum oral preparation minutes (an exam may not set less)
    oral_min_prep: int = 0


NO_RULES = RegimeRules()
#: hu-iskolai (the school's in-school exam rules)
IN_SCHOOL_RULES = RegimeRules(time_caps=(30, 10), day_window=(time(8), time(17)),
                              max_written_per_day=3, oral_min_prep=30)
#: hu-szkr (Szkr 277. §, 290. § (6), 293. § (3))
VOCATIONAL_RULES = RegimeRules(time_caps=(30, 10), day_window=(time(8), time(18)),
                               max_minutes_per_day=8 * 60, completion_days=30,
                               results_due_days=5)
#: hu-szakvizsga (the information sheet: results the same day, 20 minutes' oral preparation)
SZAKVIZSGA_RULES = RegimeRules(results_due_days=0, oral_min_prep=20)


def builtin_rules() -> dict[str, RegimeRules]:
    """The built-in regimes' declared rules by name (what `rules=None` means). The regimes live in
    kiosk/builtins/regimes/, which the domain may not import; the table beside this module holds
    the same constants they declare (tests/unit/test_regimes.py keeps the two equal)."""
    # Imported here: the table imports this module for the constants above.
    from kiosk.domain.regime_rules import BUILTIN_RULES

    return dict(BUILTIN_RULES)


def rules_for(regime: str, rules: Mapping[str, RegimeRules] | None = None) -> RegimeRules:
    """`regime`'s declared rules from `rules` (default: the built-in regimes'); none for a
    regime nobody registered."""
    return (builtin_rules() if rules is None else rules).get(regime, NO_RULES)


@dataclass(frozen=True)
class Planned:
    """A sitting as these rules see it (a new one, or one from a `sitting_created` body)."""

    sitting: str
    exam: str
    regime: str
    day: date
    minutes: float
    candidates: tuple[str, ...]
    start: time | None = None
    group: str = ""
    resit: bool = False

    @classmethod
    def from_body(cls, body: Mapping[str, object]) -> Planned | None:
        """None for sittings created before these fields were recorded."""
        try:
            day = date.fromisoformat(str(body.get("date", "")))
        except ValueError:
            return None
        regime, minutes = body.get("regime"), body.get("minutes")
        if not isinstance(regime, str) or not isinstance(minutes, int | float):
            return None
        start = body.get("start")
        return cls(sitting=str(body.get("sitting", "")), exam=str(body.get("exam", "")),
                   regime=regime, day=day, minutes=float(minutes),
                   candidates=tuple(str(c) for c in _items(body.get("candidates"))),
                   start=parse_start(start) if isinstance(start, str) and start else None,
                   group=str(body.get("group") or body.get("exam", "")),
                   resit=body.get("resit") is True)


def parse_start(text: str) -> time:
    """"08:30" → 08:30; ValueError otherwise."""
    return datetime.strptime(text.strip(), "%H:%M").time()


def time_cap_errors(regime: str, extra: Mapping[str, tuple[int, int]],
                    overridden: Iterable[str] = (),
                    rules: Mapping[str, RegimeRules] | None = None) -> list[str]:
    """Candidates whose (written extra, oral preparation extra) minutes exceed the regime's
    caps, unless `overridden`."""
    caps = rules_for(regime, rules).time_caps
    if caps is None:
        return []
    allowed = set(overridden)
    errors = []
    for cid, (written, oral) in extra.items():
        if cid in allowed:
            continue
        if written > caps[0]:
            errors.append(f"{cid}: {written} extra minutes for the written part, but {regime} "
                          f"allows at most {caps[0]} (\"legfeljebb harminc perccel\"); an "
                          "examiner may override it with a reason")
        if oral > caps[1]:
            errors.append(f"{cid}: {oral} extra minutes of oral preparation, but {regime} "
                          f"allows at most {caps[1]} (\"legfeljebb tíz perccel\"); an examiner "
                          "may override it with a reason")
    return errors


def _end(start: time, minutes: float) -> time | None:
    moment = datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=minutes)
    return moment.time() if moment.date() == date(2000, 1, 1) else None


def schedule_errors(new: Planned, existing: Iterable[Planned],
                    extra: Mapping[str, int] | None = None,
                    rules: Mapping[str, RegimeRules] | None = None) -> list[str]:
    """What `new` breaks of its regime's day window, daily limits and completion window.
    `extra` = each candidate's accommodation minutes (the longest a sitting can last for them).
    The daily limits count the same regime's sittings only."""
    extra = extra or {}
    errors: list[str] = []
    others = [p for p in existing if p.sitting != new.sitting]
    rule = rules_for(new.regime, rules)
    window = rule.day_window
    if window is not None and new.start is not None:
        longest = new.minutes + max((extra.get(c, 0) for c in new.candidates), default=0)
        end = _end(new.start, longest)
        if new.start < window[0] or end is None or end > window[1]:
            shown = end.strftime("%H:%M") if end else "after midnight"
            errors.append(f"{new.regime}: the sitting runs {new.start.strftime('%H:%M')}–"
                          f"{shown} (with the longest accommodation), outside "
                          f"{window[0].strftime('%H:%M')}–{window[1].strftime('%H:%M')}")
    for cid in new.candidates:
        same_day = [p for p in others if p.day == new.day and cid in p.candidates]
        if rule.max_written_per_day is not None:
            written = [p for p in same_day if p.regime == new.regime]
            if len(written) + 1 > rule.max_written_per_day:
                errors.append(f"{cid}: this would be written exam {len(written) + 1} on "
                              f"{new.day.isoformat()} (at most {rule.max_written_per_day} a "
                              f"day; already: {', '.join(p.exam for p in written)})")
        if rule.max_minutes_per_day is not None:
            day_sittings = [p for p in same_day if p.regime == new.regime]
            total = sum(p.minutes + extra.get(cid, 0) for p in day_sittings)
            total += new.minutes + extra.get(cid, 0)
            if total > rule.max_minutes_per_day:
                errors.append(f"{cid}: {total:g} minutes of exam activities on "
                              f"{new.day.isoformat()}, more than "
                              f"{rule.max_minutes_per_day / 60:g} hours (Szkr 277. § (2))")
        if rule.completion_days is not None:
            group = [p for p in others if p.regime == new.regime and cid in p.candidates
                     and (p.group or p.exam) == (new.group or new.exam)]
            if new.resit or not group:
                continue
            resits = [p.day for p in group if p.resit and p.day <= new.day]
            since = max(resits) if resits else None
            window_days = [p.day for p in group if since is None or p.day >= since]
            first = min(window_days)
            last = first + timedelta(days=rule.completion_days)
            if new.day > last:
                errors.append(f"{cid}: the vocational exam {new.group or new.exam!r} began on "
                              f"{first.isoformat()} and must be finished by "
                              f"{last.isoformat()} (Szkr 277. § (1): thirty days); a resit is "
                              "a new exam (--resit)")
    return errors


# --- record keeping: when results are due, how long records are kept ------------------------

# Results deadlines (RegimeRules.results_due_days). hu-szkr, 290. § (6):
# "A szakmai vizsga eredményét az akkreditált vizsgaközpont a szakmai vizsgát követő öt napon
# belül hirdeti ki." hu-szakvizsga, information sheet 14.5: "A vizsganap végén a vizsga
# eredményét a vizsgabizottság a vizsgajegyzőkönyv másolatának átadásával közli" (the same day).
#: Szkr 276. § (4): the document of the exam's conditions "a szakmai vizsgát követő öt évig meg
#: kell őrizni" — kept five years after the exam.
RETENTION_YEARS = 5


@dataclass(frozen=True)
class Due:
    sitting: str
    exam: str
    regime: str
    day: date
    due: date
    #: why the results are not announced yet ("" when they are)
    missing: tuple[str, ...]
    today: date

    @property
    def overdue_days(self) -> int:
        return (self.today - self.due).days if self.missing and self.today > self.due else 0


def results_due(sittings: Iterable[tuple[str, str, str, date]],
                exported: Iterable[tuple[str | None, date]],
                provisional: Mapping[str, int], today: date,
                rules: Mapping[str, RegimeRules] | None = None) -> list[Due]:
    """For each (sitting, exam, regime, day) of a regime with a deadline: its due date and what
    is missing — results still provisional (`provisional`: exam -> count), or no sealed export
    of the exam (or of the whole centre) on or after the exam day. Sorted by due date."""
    exports = list(exported)
    out = []
    for sitting, exam, regime, day in sittings:
        days = rules_for(regime, rules).results_due_days
        if days is None:
            continue
        missing = []
        if provisional.get(exam):
            missing.append(f"{provisional[exam]} result(s) provisional")
        if not any((e is None or e == exam) and d >= day for e, d in exports):
            missing.append("no sealed export")
        out.append(Due(sitting, exam, regime, day, day + timedelta(days=days), tuple(missing),
                       today))
    return sorted(out, key=lambda d: (d.due, d.sitting))


def retention(exam_days: Iterable[date]) -> dict[str, object]:
    """The retention field of a sealed export: kept five years after the last exam day."""
    days = sorted(exam_days)
    if not days:
        return {"years": RETENTION_YEARS, "keep_until": None,
                "rule": "Szkr 276. § (4): a szakmai vizsgát követő öt évig meg kell őrizni"}
    last = days[-1]
    try:
        until = last.replace(year=last.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        until = last.replace(year=last.year + RETENTION_YEARS, day=28)
    return {"years": RETENTION_YEARS, "last_exam_day": last.isoformat(),
            "keep_until": until.isoformat(),
            "rule": "Szkr 276. § (4): a szakmai vizsgát követő öt évig meg kell őrizni"}
