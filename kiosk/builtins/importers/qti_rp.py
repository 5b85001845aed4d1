"""QTI 2.1/2.2 response processing: an interpreter for the common operators, and the mapping of
what it computes onto the bank format's scoring.

A kiosk item cannot run QTI rules; it has a fixed scoring model (a correct answer under the
exam's rule, option weights, a mapping, per-gap points). So custom processing is *run* on the
responses that matter and the results are matched against those models:

- a choice interaction: every possible response is evaluated (up to 2^10 subsets); the scores
  become option weights (one pick), one correct set scored all-or-nothing, or a mapping with
  bounds (several picks). Several alternative correct sets, or a score that is not a sum of
  per-option values, cannot be expressed: the item is refused with that reason.
- any other interaction: the processing is evaluated on probes (the correct response, an empty
  one, each mapped value, responses one step from correct) and compared with the standard
  templates; it is used as the template it equals, else refused with the first probe that
  differs.

Operators: responseCondition/If/ElseIf/Else, setOutcomeValue, exitResponse, match, member,
contains, isNull, and, or, not, sum, subtract, product, divide, gt/gte/lt/lte, equal (with
tolerance), stringMatch, mapResponse, mapResponsePoint (refused: no point interactions here),
baseValue, correct, variable, default, multiple, ordered, delete, round, truncate. Anything else is
refused by name.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element


class Unsupported(Exception):
    """Processing the bank format cannot hold; the message is the reason shown to the user."""


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass
class Decl:
    identifier: str
    cardinality: str
    base_type: str
    correct: list[str] = field(default_factory=list)
    #: (key, value, case_sensitive)
    entries: list[tuple[str, float, bool]] = field(default_factory=list)
    default: float = 0.0
    lower: float | None = None
    upper: float | None = None
    has_mapping: bool = False


# Values: None (NULL), a scalar (str / float / bool / tuple for pairs), or a container:
# ("multiple", Counter) / ("ordered", tuple).


def _scalar(text: str, base_type: str) -> Any:
    text = text.strip()
    if base_type in ("integer", "float", "duration"):
        try:
            return float(text)
        except ValueError:
            return text
    if base_type == "boolean":
        return text.lower() == "true"
    if base_type == "directedPair":
        return tuple(text.split())
    if base_type == "pair":
        return frozenset(text.split())
    return text


def container(decl: Decl, values: list[Any]) -> Any:
    if decl.cardinality == "single":
        return values[0] if values else None
    if not values:
        return None
    if decl.cardinality == "ordered":
        return ("ordered", tuple(values))
    return ("multiple", Counter(values))


def _members(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, tuple) and len(value) == 2 and value[0] in ("multiple", "ordered"):
        return list(value[1].elements()) if value[0] == "multiple" else list(value[1])
    return [value]


def _is_null(value: Any) -> bool:
    return value is None or value == "" or (
        isinstance(value, tuple) and len(value) == 2 and value[0] in ("multiple", "ordered")
        and not value[1])


class _Exit(Exception):
    pass


class Interpreter:
    """Runs one responseProcessing element on given response values."""

    def __init__(self, rp: Element, decls: dict[str, Decl], outcomes: dict[str, Any]) -> None:
        self.rp = rp
        self.decls = decls
        self.defaults = outcomes

    def run(self, responses: dict[str, Any]) -> dict[str, Any]:
        self.responses = responses
        self.outcomes = dict(self.defaults)
        try:
            for rule in self.rp:
                self.rule(rule)
        except _Exit:
            pass
        return self.outcomes

    # -- rules ----------------------------------------------------------------------------

    def rule(self, el: Element) -> None:
        name = _local(el.tag)
        if name == "responseCondition":
            for branch in el:
                kind = _local(branch.tag)
                if kind == "responseElse" or (
                        kind in ("responseIf", "responseElseIf") and self._true(branch)):
                    body = list(branch)[0 if kind == "responseElse" else 1:]
                    for rule in body:
                        self.rule(rule)
                    return
        elif name == "setOutcomeValue":
            expr = list(el)
            if len(expr) != 1:
                raise Unsupported("setOutcomeValue without exactly one expression")
            self.outcomes[el.get("identifier", "")] = self.expr(expr[0])
        elif name == "exitResponse":
            raise _Exit
        elif name in ("responseProcessingFragment",):
            for rule in el:
                self.rule(rule)
        elif name == "lookupOutcomeValue":
            raise Unsupported("lookupOutcomeValue (interpolation tables) is not supported")
        else:
            raise Unsupported(f"response rule <{name}> is not supported")

    def _true(self, branch: Element) -> bool:
        cond = list(branch)
        if not cond:
            raise Unsupported(f"<{_local(branch.tag)}> without a condition")
        return self.expr(cond[0]) is True

    # -- expressions ----------------------------------------------------------------------

    def expr(self, el: Element) -> Any:
        name = _local(el.tag)
        handler: Callable[[Element], Any] | None = getattr(self, f"op_{name}", None)
        if handler is None:
            raise Unsupported(f"operator <{name}> is not supported")
        return handler(el)

    def args(self, el: Element) -> list[Any]:
        return [self.expr(c) for c in el]

    def _decl(self, ident: str) -> Decl:
        decl = self.decls.get(ident)
        if decl is None:
            raise Unsupported(f"refers to undeclared response {ident!r}")
        return decl

    def op_baseValue(self, el: Element) -> Any:
        return _scalar(el.text or "", el.get("baseType", "string"))

    def op_variable(self, el: Element) -> Any:
        ident = el.get("identifier", "")
        if ident in self.decls:
            return self.responses.get(ident)
        if ident in self.outcomes:
            return self.outcomes[ident]
        if ident in ("numAttempts", "duration", "completionStatus"):
            raise Unsupported(f"depends on {ident} (several attempts or time)")
        raise Unsupported(f"variable {ident!r} is not declared")

    def op_correct(self, el: Element) -> Any:
        decl = self._decl(el.get("identifier", ""))
        return container(decl, [_scalar(v, decl.base_type) for v in decl.correct])

    def op_default(self, el: Element) -> Any:
        return self.defaults.get(el.get("identifier", ""))

    def op_null(self, el: Element) -> Any:
        return None

    def op_isNull(self, el: Element) -> bool:
        (value,) = self.args(el)
        return _is_null(value)

    def op_match(self, el: Element) -> Any:
        a, b = self.args(el)
        if _is_null(a) or _is_null(b):
            return None
        return _norm(a) == _norm(b)

    def op_stringMatch(self, el: Element) -> Any:
        a, b = self.args(el)
        if _is_null(a) or _is_null(b):
            return None
        if el.get("caseSensitive", "true") == "false":
            return str(a).lower() == str(b).lower()
        return str(a) == str(b)

    def op_member(self, el: Element) -> Any:
        a, b = self.args(el)
        if _is_null(a) or _is_null(b):
            return None
        return a in _members(b)

    def op_contains(self, el: Element) -> Any:
        a, b = self.args(el)
        if _is_null(a) or _is_null(b):
            return None
        have, want = Counter(_members(a)), Counter(_members(b))
        return all(have[k] >= n for k, n in want.items())

    def op_delete(self, el: Element) -> Any:
        a, b = self.args(el)
        if _is_null(b):
            return None
        kept = [m for m in _members(b) if m != a]
        return ("multiple", Counter(kept)) if kept else None

    def op_multiple(self, el: Element) -> Any:
        values = [m for v in self.args(el) for m in _members(v)]
        return ("multiple", Counter(values)) if values else None

    def op_ordered(self, el: Element) -> Any:
        values = [m for v in self.args(el) for m in _members(v)]
        return ("ordered", tuple(values)) if values else None

    def _logic(self, el: Element, combine: Callable[[list[bool]], bool]) -> Any:
        values = self.args(el)
        if any(v is None for v in values):
            return None
        return combine([v is True for v in values])

    def op_and(self, el: Element) -> Any:
        return self._logic(el, all)

    def op_or(self, el: Element) -> Any:
        values = self.args(el)
        if any(v is True for v in values):
            return True
        return None if any(v is None for v in values) else False

    def op_not(self, el: Element) -> Any:
        (value,) = self.args(el)
        return None if value is None else not value

    def _numbers(self, el: Element) -> list[float] | None:
        values = self.args(el)
        out = []
        for v in values:
            for m in _members(v):
                if not isinstance(m, int | float) or isinstance(m, bool):
                    return None
                out.append(float(m))
            if _is_null(v):
                return None
        return out

    def op_sum(self, el: Element) -> Any:
        nums = self._numbers(el)
        return None if nums is None else sum(nums)

    def op_product(self, el: Element) -> Any:
        nums = self._numbers(el)
        return None if nums is None else math.prod(nums)

    def op_subtract(self, el: Element) -> Any:
        nums = self._numbers(el)
        return None if nums is None or len(nums) != 2 else nums[0] - nums[1]

    def op_divide(self, el: Element) -> Any:
        nums = self._numbers(el)
        return None if nums is None or len(nums) != 2 or nums[1] == 0 else nums[0] / nums[1]

    def op_round(self, el: Element) -> Any:
        nums = self._numbers(el)
        return None if not nums else float(math.floor(nums[0] + 0.5))

    def op_truncate(self, el: Element) -> Any:
        nums = self._numbers(el)
        return None if not nums else float(math.trunc(nums[0]))

    def _compare(self, el: Element, test: Callable[[float, float], bool]) -> Any:
        nums = self._numbers(el)
        return None if nums is None or len(nums) != 2 else test(nums[0], nums[1])

    def op_gt(self, el: Element) -> Any:
        return self._compare(el, lambda a, b: a > b)

    def op_gte(self, el: Element) -> Any:
        return self._compare(el, lambda a, b: a >= b)

    def op_lt(self, el: Element) -> Any:
        return self._compare(el, lambda a, b: a < b)

    def op_lte(self, el: Element) -> Any:
        return self._compare(el, lambda a, b: a <= b)

    def op_equal(self, el: Element) -> Any:
        nums = self._numbers(el)
        if nums is None or len(nums) != 2:
            return None
        a, b = nums
        mode = el.get("toleranceMode", "exact")
        if mode == "exact":
            return a == b
        tol = [float(t) for t in (el.get("tolerance") or "0").split()] or [0.0]
        low_t, high_t = tol[0], tol[-1]
        if mode == "relative":
            low, high = b * (1 - low_t / 100), b * (1 + high_t / 100)
        else:
            low, high = b - low_t, b + high_t
        include_low = el.get("includeLowerBound", "true") != "false"
        include_high = el.get("includeUpperBound", "true") != "false"
        return (low <= a if include_low else low < a) and (a <= high if include_high else a < high)

    def op_mapResponse(self, el: Element) -> Any:
        decl = self._decl(el.get("identifier", ""))
        if not decl.has_mapping:
            raise Unsupported(f"mapResponse on {decl.identifier!r}, which has no mapping")
        return map_value(decl, self.responses.get(decl.identifier))

    def op_mapResponsePoint(self, el: Element) -> Any:
        raise Unsupported("mapResponsePoint needs a point interaction (hotspot), which the kiosk "
                          "does not have")

    def op_randomInteger(self, el: Element) -> Any:
        raise Unsupported("random values in response processing are not supported")


def _norm(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "multiple":
        return ("multiple", frozenset(value[1].items()))
    return value


def map_value(decl: Decl, response: Any) -> float:
    """QTI mapResponse: each distinct member's mapped value (or the default), summed, bounded."""
    if _is_null(response):
        total = 0.0 if decl.cardinality != "single" else decl.default
    else:
        total = 0.0
        seen: set[Any] = set()
        for member in _members(response):
            if member in seen:
                continue
            seen.add(member)
            for key, value, case_sensitive in decl.entries:
                k = _scalar(key, decl.base_type)
                if (k == member) or (not case_sensitive and isinstance(member, str)
                                     and str(k).lower() == member.lower()):
                    total += value
                    break
            else:
                total += decl.default
    if decl.lower is not None:
        total = max(total, decl.lower)
    if decl.upper is not None:
        total = min(total, decl.upper)
    return total


def template_score(template: str, decls: dict[str, Decl], responses: dict[str, Any]) -> float:
    """What a standard template gives (single response variable RESPONSE or the only one)."""
    decl = next(iter(decls.values()))
    response = responses.get(decl.identifier)
    if template == "match_correct":
        want = container(decl, [_scalar(v, decl.base_type) for v in decl.correct])
        return 1.0 if not _is_null(response) and _norm(response) == _norm(want) else 0.0
    if template == "map_response":
        return 0.0 if _is_null(response) else map_value(decl, response)
    raise Unsupported(f"template {template}")


@dataclass
class ChoiceFit:
    """How a choice interaction's processing maps onto the bank format."""

    kind: str  # "weights" | "all_or_nothing" | "mapping"
    points: float
    weights: dict[str, float] = field(default_factory=dict)
    correct: list[str] = field(default_factory=list)
    mapping: dict[str, Any] = field(default_factory=dict)


def score_of(interp: Interpreter, responses: dict[str, Any]) -> float:
    score = interp.run(responses).get("SCORE")
    if score is None:
        return 0.0
    if isinstance(score, bool) or not isinstance(score, int | float):
        raise Unsupported(f"SCORE is set to a non-number ({score!r})")
    return float(score)


def _option_values(scores: dict[frozenset[str], float], option_ids: list[str], limit: int,
                   lower: float) -> dict[str, float]:
    """Each option's own value: its singleton's score, except that a singleton at the lower
    bound may hide a negative value, read off a set the option lowers without reaching it."""
    values = {o: scores[frozenset([o])] for o in option_ids}
    for o in option_ids:
        if values[o] <= lower + 1e-9:
            deltas = [scores[s | {o}] - scores[s] for s in scores
                      if o not in s and len(s) < limit and scores[s] > lower + 1e-9
                      and scores[s | {o}] > lower + 1e-9]
            if deltas:
                values[o] = min(deltas)
    return values


def fit_choice(interp: Interpreter, decl: Decl, option_ids: list[str], max_choices: int
               ) -> ChoiceFit:
    """Evaluate every possible response of a choice interaction and express the scores."""
    if len(option_ids) > 10:
        raise Unsupported("custom processing on a choice with more than 10 options is not "
                          "evaluated")
    single = max_choices == 1
    empty = score_of(interp, {decl.identifier: None})
    if abs(empty) > 1e-9:
        raise Unsupported(f"an empty response scores {empty:g}; the kiosk gives it nothing")
    if single:
        scores = {o: score_of(interp, {decl.identifier: container(decl, [o])}) for o in option_ids}
        best = max(scores.values())
        if best <= 0:
            raise Unsupported("no response earns points")
        return ChoiceFit("weights", best, weights={o: s / best for o, s in scores.items()})
    limit = max_choices if max_choices > 0 else len(option_ids)
    subsets = [frozenset(c) for n in range(1, limit + 1)
               for c in itertools.combinations(option_ids, n)]
    scores = {s: score_of(interp, {decl.identifier: container(decl, sorted(s))}) for s in subsets}
    best = max(scores.values())
    if best <= 0:
        raise Unsupported("no response earns points")
    full = [s for s, v in scores.items() if abs(v - best) < 1e-9]
    partial = [s for s, v in scores.items() if 1e-9 < v < best - 1e-9]
    if not partial and all(v >= -1e-9 for v in scores.values()):
        if len(full) == 1:
            return ChoiceFit("all_or_nothing", best, correct=sorted(full[0]))
        if not _additive(scores, {o: scores[frozenset([o])] for o in option_ids}):
            sets = " or ".join("{" + ", ".join(sorted(s)) + "}"
                               for s in sorted(full, key=lambda s: (-len(s), sorted(s)))[:3])
            raise Unsupported(f"several alternative correct sets ({sets}) earn full marks; a "
                              "kiosk item has one correct set")
    if decl.has_mapping and all(
            abs(v - template_score("map_response", {decl.identifier: decl},
                                   {decl.identifier: container(decl, sorted(s))})) < 1e-9
            for s, v in scores.items()):
        return ChoiceFit("template", best, mapping={"template": "map_response"})
    lower = min(min(scores.values()), 0.0)
    values = _option_values(scores, option_ids, limit, lower)
    if _additive(scores, values, lower=lower, upper=best):
        mapping: dict[str, Any] = {"entries": {o: _num(v) for o, v in values.items() if v},
                                   "default": 0}
        if lower < 0 or any(sum(values[o] for o in s) < lower - 1e-9 for s in scores):
            mapping["lower_bound"] = _num(lower)
        if any(sum(values[o] for o in s) > best + 1e-9 for s in scores):
            mapping["upper_bound"] = _num(best)
        return ChoiceFit("mapping", best, mapping=mapping)
    raise Unsupported("the score of a set of choices is not a sum of per-choice values (with "
                      "bounds), which is what the kiosk can express")


def _additive(scores: dict[frozenset[str], float], values: dict[str, float],
              lower: float | None = None, upper: float | None = None) -> bool:
    for subset, got in scores.items():
        total = sum(values[o] for o in subset)
        if lower is not None:
            total = max(total, lower)
        if upper is not None:
            total = min(total, upper)
        if abs(total - got) > 1e-6:
            return False
    return True


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 7)


def probes(decls: dict[str, Decl], choices: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Responses that tell templates apart: all correct, all empty, each mapped key alone, and
    for each variable the correct response with one member changed or dropped."""
    correct = {d.identifier: container(d, [_scalar(v, d.base_type) for v in d.correct])
               for d in decls.values()}
    out: list[dict[str, Any]] = [correct, dict.fromkeys(decls)]
    for d in decls.values():
        members = [_scalar(v, d.base_type) for v in d.correct]
        for key, _value, _cs in d.entries:
            out.append({**correct, d.identifier: container(d, [_scalar(key, d.base_type)])})
        for i in range(len(members)):
            out.append({**correct, d.identifier: container(d, members[:i] + members[i + 1:])})
        for other in choices.get(d.identifier, []):
            value = _scalar(other, d.base_type)
            if value not in members:
                out.append({**correct, d.identifier: container(d, [value])})
                if d.cardinality != "single":
                    out.append({**correct, d.identifier: container(d, [*members, value])})
        if d.base_type == "string" and d.cardinality == "single":
            out.append({**correct, d.identifier: "\u2063not an answer"})
        out.append({**correct, d.identifier: None})
    return out


def _several(interp: Interpreter, decls: dict[str, Decl], tries: list[dict[str, Any]]
             ) -> tuple[str, dict[str, float] | None]:
    """Several responses (gaps): everything-or-nothing, or a sum of per-response points."""
    best = score_of(interp, tries[0])
    if best <= 0:
        raise Unsupported("the correct response earns no points")
    if all(abs(score_of(interp, p)) < 1e-9 for p in tries[1:] if p != tries[0]):
        return "match_correct", None
    ids = list(decls)
    if len(ids) > 8:
        raise Unsupported("custom processing over more than 8 responses is not evaluated")
    correct = tries[0]
    share = {i: score_of(interp, {j: (correct[j] if j == i else None) for j in ids}) for i in ids}
    for n in range(len(ids) + 1):
        for subset in itertools.combinations(ids, n):
            got = score_of(interp, {j: (correct[j] if j in subset else None) for j in ids})
            if abs(got - sum(share[j] for j in subset)) > 1e-6:
                raise Unsupported("the score of several responses is neither all-or-nothing nor "
                                  "a sum of per-response points")
    for probe in tries[1:]:
        expected = sum(share[j] for j in ids if probe.get(j) is not None
                       and _norm(probe[j]) == _norm(correct[j]))
        if abs(score_of(interp, probe) - expected) > 1e-6:
            raise Unsupported("a wrong response to one gap changes the score of the others")
    if any(v <= 0 for v in share.values()):
        raise Unsupported("a response whose right answer earns nothing")
    return "per_response", share


def equivalent_template(interp: Interpreter, decls: dict[str, Decl],
                        choices: dict[str, list[str]]) -> tuple[str, dict[str, float] | None]:
    """The standard template the processing behaves as on every probe (with per-response
    points for several responses), or Unsupported."""
    tries = probes(decls, choices)
    if len(decls) != 1:
        return _several(interp, decls, tries)
    scores = [score_of(interp, p) for p in tries]
    reasons = []
    for template in ("match_correct", "map_response"):
        decl = next(iter(decls.values()))
        if template == "map_response" and not decl.has_mapping:
            continue
        expected = [template_score(template, decls, p) for p in tries]
        if template == "match_correct" and scores[0] > 0:
            expected = [e * scores[0] for e in expected]
        diff = next((i for i, (a, b) in enumerate(zip(scores, expected, strict=True))
                     if abs(a - b) > 1e-9), None)
        if diff is None:
            return template, None
        reasons.append(f"{template} gives {expected[diff]:g} where it gives {scores[diff]:g}")
    raise Unsupported("custom processing that matches no standard template (" +
                      "; ".join(reasons) + ")")
