"""Seeded paper assembly: which items a candidate gets, in which order, with which option order.

Everything random comes from `random.Random` seeded by sha256 of "{seed}:{exam id}:{part id}", so a
paper is rebuilt exactly from the seed recorded in the ledger, and two parts of one paper do not
share a stream. Rules are greedy with random order; when a greedy draw paints itself into a corner
(enemies, overlapping filters) the paper is retried with ":{attempt}" appended, still
deterministically, before giving up with AssemblyError.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain.banks import Bank, all_items
from kiosk.domain.exams import Exam, Slot, enemy_map, fixed_keys, slots_for
from kiosk.domain.items import Item
from kiosk.errors import KioskError

ATTEMPTS = 25
#: Draws tried for a paper within `difficulty_tolerance` of the pool's difficulty.
BALANCE_ATTEMPTS = 200


class AssemblyError(KioskError):
    """The banks cannot give a paper for this exam."""


@dataclass(frozen=True)
class PaperItem:
    item_key: str
    presentation: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item_key, "presentation": self.presentation}


@dataclass(frozen=True)
class PaperPart:
    part_id: str
    items: list[PaperItem]

    @property
    def item_keys(self) -> list[str]:
        return [pi.item_key for pi in self.items]

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part_id, "items": [pi.to_dict() for pi in self.items]}


@dataclass(frozen=True)
class Paper:
    exam_id: str
    seed: str
    parts: list[PaperPart]

    @property
    def item_keys(self) -> list[str]:
        return [k for part in self.parts for k in part.item_keys]

    def part(self, part_id: str) -> PaperPart:
        for part in self.parts:
            if part.part_id == part_id:
                return part
        raise KeyError(part_id)

    def to_dict(self) -> dict[str, Any]:
        return {"exam": self.exam_id, "seed": self.seed,
                "parts": [p.to_dict() for p in self.parts]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Paper:
        return cls(
            exam_id=data["exam"],
            seed=str(data["seed"]),
            parts=[PaperPart(p["part"], [PaperItem(i["item"], dict(i.get("presentation", {})))
                                         for i in p["items"]]) for p in data["parts"]],
        )


def part_rng(seed: int | str, exam_id: str, part_id: str, attempt: int = 0) -> random.Random:
    text = f"{seed}:{exam_id}:{part_id}" + (f":{attempt}" if attempt else "")
    return random.Random(hashlib.sha256(text.encode("utf-8")).hexdigest())


def paper_max_points(paper: Paper, items: Mapping[str, Item]) -> float:
    return sum(part_max_points(part, items) for part in paper.parts)


def part_max_points(part: PaperPart, items: Mapping[str, Item]) -> float:
    return sum(items[pi.item_key].points for pi in part.items)


def paper_difficulty(paper: Paper, items: Mapping[str, Item]) -> float:
    """The points-weighted mean of the items' calibrated `difficulty` (0–1: the share of the
    item an average candidate is expected to miss; `kiosk stats` estimates it with the Rasch
    model). NaN when an item has none."""
    return weighted_difficulty([items[k] for k in paper.item_keys])


def weighted_difficulty(chosen: Iterable[Item]) -> float:
    total = weight = 0.0
    for item in chosen:
        if item.difficulty is None:
            return float("nan")
        total += item.points * item.difficulty
        weight += item.points
    return total / weight if weight else float("nan")


def target_difficulty(items: Mapping[str, Item], fixed: Mapping[str, Any],
                      slots: list[Slot]) -> float | None:
    """The difficulty a paper has on average over every draw: the fixed items plus, for each
    draw rule, `count` items of its pool's mean difficulty. None when an item lacks one."""
    total = weight = 0.0
    for key in fixed:
        item = items[key]
        if item.difficulty is None:
            return None
        total += item.points * item.difficulty
        weight += item.points
    for slot in slots:
        pool = [it for k, it in items.items() if k not in fixed and slot.matches(it)]
        if not pool or any(it.difficulty is None for it in pool):
            return None
        mean_points = sum(it.points for it in pool) / len(pool)
        mean = sum(it.points * (it.difficulty or 0.0) for it in pool) / sum(
            it.points for it in pool)
        total += slot.count * mean_points * mean
        weight += slot.count * mean_points
    return total / weight if weight else None


class _Stuck(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def assemble(
    exam: Exam,
    banks: Mapping[str, Bank] | Iterable[Bank],
    seed: int | str,
    exclude: Collection[str] = frozenset(),
    *,
    question_types: Mapping[str, Any],
) -> Paper:
    """Draw a paper. `exclude` holds keys of items the candidate has seen: they are drawn only
    when a rule cannot be filled without them. `question_types` are the registered ones (the
    plugin registry's: they present each item)."""
    bank_list = list(banks.values()) if isinstance(banks, Mapping) else list(banks)
    items = all_items(bank_list)
    fixed, errors = fixed_keys(exam, items)
    slots, slot_errors = slots_for(exam, items)
    errors += slot_errors
    if errors:
        raise AssemblyError(f"cannot assemble a paper: {errors[0]}")
    enemies = enemy_map(items)
    for key in fixed:
        clash = enemies[key] & set(fixed)
        if clash:
            raise AssemblyError(f"cannot assemble a paper: fixed items {key!r} and "
                                f"{min(clash)!r} are enemies")
    unknown = sorted({items[k].type for k in items if items[k].type not in question_types})
    if unknown:
        raise AssemblyError(f"cannot assemble a paper: unknown question type {unknown[0]!r}")

    first_problem = ""
    tolerance = exam.extra.get("difficulty_tolerance")
    target = (target_difficulty(items, fixed, slots)
              if isinstance(tolerance, int | float) and not isinstance(tolerance, bool)
              else None)
    best: tuple[float, Paper] | None = None
    for attempt in range(ATTEMPTS if target is None else BALANCE_ATTEMPTS):
        try:
            paper = _attempt(exam, items, seed, set(exclude), question_types, fixed, slots,
                             enemies, attempt)
        except _Stuck as stuck:
            first_problem = first_problem or stuck.message
            continue
        if target is None:
            return paper
        # Equal difficulty: draw again (deterministically) until the paper's difficulty is
        # within the tolerance of the pool's; the closest draw if none is.
        gap = abs(paper_difficulty(paper, items) - target)
        if gap <= float(tolerance) + 1e-12:  # type: ignore[arg-type]
            return paper
        if best is None or gap < best[0]:
            best = (gap, paper)
    if best is not None:
        return best[1]
    raise AssemblyError(f"cannot assemble a paper for exam {exam.id!r} with seed {seed}: "
                        f"{first_problem}")


def _attempt(
    exam: Exam,
    items: Mapping[str, Item],
    seed: int | str,
    exclude: set[str],
    question_types: Mapping[str, Any],
    fixed: Mapping[str, Any],
    slots: list[Slot],
    enemies: Mapping[str, set[str]],
    attempt: int,
) -> Paper:
    chosen: set[str] = set(fixed)
    blocked: set[str] = set()
    for key in fixed:
        blocked |= enemies[key]
    # Candidates per slot in a fixed order, so that only the seeded shuffles decide.
    candidates = [sorted(k for k, it in items.items() if k not in fixed and s.matches(it))
                  for s in slots]
    rule_order = {id(rule): i for part in exam.parts for i, rule in enumerate(part.draw)}

    parts: list[PaperPart] = []
    for part in exam.parts:
        rng = part_rng(seed, exam.id, part.id, attempt)
        # (rule index, draw order, key): questions stay grouped by rule unless shuffled
        placed: list[tuple[int, int, str]] = []
        for key, (owner, rule) in fixed.items():
            if owner is part:
                placed.append((rule_order[id(rule)], len(placed), key))
        mine = [n for n, s in enumerate(slots) if s.part is part]
        # The most constrained rules draw first, so a broad rule does not eat a narrow one's items.
        mine.sort(key=lambda n: (len(candidates[n]), n))
        for n in mine:
            slot = slots[n]
            free = [k for k in candidates[n] if k not in chosen and k not in blocked]
            fresh = [k for k in free if k not in exclude]
            seen = [k for k in free if k in exclude]
            rng.shuffle(fresh)
            rng.shuffle(seen)
            got = 0
            for key in fresh + seen:
                if got == slot.count:
                    break
                if key in blocked or key in chosen:
                    continue
                chosen.add(key)
                blocked |= enemies[key]
                placed.append((rule_order[id(slot.rule)], 1_000_000 + n * 10_000 + got, key))
                got += 1
            if got < slot.count:
                raise _Stuck(f"{slot.label}: only {got} of {slot.count} items can be drawn once "
                             "enemies and items taken by other rules are left out")
        placed.sort()
        keys = [key for _, _, key in placed]
        if exam.shuffle_questions:
            rng.shuffle(keys)
        parts.append(PaperPart(part.id, [
            PaperItem(key, _presentation(question_types, items[key], rng, exam.shuffle_options))
            for key in keys
        ]))
    return Paper(exam.id, str(seed), parts)


def _presentation(question_types: Mapping[str, Any], item: Item, rng: random.Random,
                  shuffle: bool) -> dict[str, Any]:
    try:
        return dict(question_types[item.type].presentation(item, rng, shuffle) or {})
    except Exception as exc:  # a type plugin's bug must surface as one line, not a traceback
        raise AssemblyError(f"question type {item.type!r} failed to present item {item.key!r}: "
                            f"{exc}") from None


def trial_errors(
    exam: Exam,
    banks: Mapping[str, Bank] | Iterable[Bank],
    seeds: Iterable[int | str] = range(20),
    *,
    question_types: Mapping[str, Any],
) -> list[str]:
    """Assemble papers for a few seeds: catches what counting cannot (enemies crowding out a
    rule). Returns one line per distinct problem."""
    prefix = f"{exam.source}: " if exam.source else ""
    if exam.extra.get("difficulty_tolerance") is not None:
        # Balancing needs every drawable item's calibrated difficulty; without them assembly
        # would quietly draw unbalanced papers.
        items = all_items(list(banks.values()) if isinstance(banks, Mapping) else list(banks))
        fixed, errors = fixed_keys(exam, items)
        slots, slot_errors = slots_for(exam, items)
        if not errors and not slot_errors and target_difficulty(items, fixed, slots) is None:
            return [f"{prefix}difficulty_tolerance needs a `difficulty` on every item the exam "
                    "can draw (the `difficulty` column of `kiosk stats EXAM --csv` gives it)"]
    problems: dict[str, list[str]] = {}
    seeds = list(seeds)
    for seed in seeds:
        try:
            assemble(exam, banks, seed, question_types=question_types)
        except AssemblyError as exc:
            reason = str(exc).split(": ", 1)[-1] if "with seed" in str(exc) else str(exc)
            problems.setdefault(reason, []).append(str(seed))
    out = []
    for reason, failed in problems.items():
        listed = ", ".join(failed[:5]) + (", …" if len(failed) > 5 else "")
        out.append(f"{prefix}trial assembly failed for {len(failed)} of {len(seeds)} seeds "
                   f"({listed}): {reason}")
    return out
