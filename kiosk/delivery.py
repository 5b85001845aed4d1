"""Can this machine deliver (and score) an exam? Question types that run candidate code need OS
isolation; where a type reports a problem (`QuestionType.delivery_problem`), an exam in exam
mode is refused with one line naming the items, the reason and the fix, and a practice exam
(`self_start`) goes ahead with a warning. Used by `kiosk exam check`, `kiosk sitting create`
and (with the centre service) `kiosk serve`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kiosk.domain.banks import Bank, all_items
from kiosk.domain.exams import Exam
from kiosk.errors import KioskError


def delivery_problems(banks: Mapping[str, Bank] | Iterable[Bank], registry: Any = None
                      ) -> list[str]:
    """One line per distinct problem: "<problem> (items: a, b)"."""
    if registry is None:
        from kiosk.plugins import registry as get_registry

        registry = get_registry()
    by_problem: dict[str, list[str]] = {}
    values = banks.values() if isinstance(banks, Mapping) else banks
    for key, item in all_items(values).items():
        qtype = registry.question_types.get(item.type)
        check = getattr(qtype, "delivery_problem", None)
        problem = check(item) if check is not None else None
        if problem:
            by_problem.setdefault(problem, []).append(key)
    return [f"{problem} (items: {', '.join(sorted(keys)[:5])}"
            f"{', …' if len(keys) > 5 else ''})" for problem, keys in by_problem.items()]


def require_delivery(exam: Exam, banks: Mapping[str, Bank] | Iterable[Bank], *,
                     practice: bool | None = None, registry: Any = None) -> list[str]:
    """Raise KioskError (one line) when the exam cannot be delivered in exam mode here; return
    the warnings for a practice exam (`practice` defaults to the exam's `self_start`)."""
    problems = delivery_problems(banks, registry)
    practice = exam.self_start if practice is None else practice
    if problems and not practice:
        raise KioskError(f"exam {exam.id!r} cannot run in exam mode on this machine: "
                         f"{problems[0]}; a practice exam (self_start = true) may run with a "
                         "warning")
    return [f"warning: practice only: {p}" for p in problems]
