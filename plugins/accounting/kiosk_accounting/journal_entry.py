"""journal_entry (könyvelési tétel): the candidate books an event as lines of debit account,
credit account and amount ("T 161 – K 454 1 250 000 Ft"); lines are scored order-insensitively.

Fields (besides the common ones):

- `entries` (required): the key, `[{debit = "161", credit = "454", amount = 1250000}]`. An account
  may be a list of accepted numbers (`debit = ["466", "4661"]`); an amount a number or Hungarian
  text ("1 250 000").
- `partial = {accounts_only = 0.5, swapped = 0.0}`: credit, in lines, for a line with the right
  accounts and a wrong amount, and for debit and credit swapped with the right amount. Default 0.
- `extra_line_penalty = 1.0`: lines' worth taken off for every line that matches nothing, so that
  booking every possible line earns nothing. 0 turns it off.
- `tolerance = 0`: accepted difference of amounts in forints (rounding in calculated amounts).
- `chart = {"161" = "Befejezetlen beruházások", …}`: accounts listed for the candidate.

Response: `[{debit, credit, amount}]` as typed (strings); rows with all three blank are ignored,
and so, for scoring, are rows with a field left blank (an unfinished line: the widget warns).

Judgement: keys = key lines, right = exactly matched lines, wrong = lines matching nothing;
fraction = (right + partial credit − penalty × wrong) / keys, at least 0. The item's scoring rule
turns that into points (all_or_nothing: only a flawless entry earns anything).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from kiosk.api import (
    FieldError,
    FieldsType,
    Item,
    Judgement,
    Message,
    check_unknown,
    is_number,
    malformed,
    not_answered,
)
from kiosk_accounting.amounts import format_amount, normal_account, parse_amount

ENTRY_KEYS = {"debit", "credit", "amount"}
PARTIAL_KEYS = ("accounts_only", "swapped")


@dataclass(frozen=True)
class KeyLine:
    debit: frozenset[str]
    credit: frozenset[str]
    amount: Decimal


@dataclass(frozen=True)
class TypedLine:
    debit: str | None
    credit: str | None
    amount: Decimal | None
    raw: dict[str, str]

    @property
    def valid(self) -> bool:
        return self.debit is not None and self.credit is not None and self.amount is not None

    @property
    def complete(self) -> bool:
        """All three fields typed (readable or not)."""
        return all(self.raw[k].strip() for k in ENTRY_KEYS)


def incomplete_lines(response: Any) -> list[int]:
    """1-based numbers of the rows with something typed but a field left blank (e.g. "87"
    alone, a line begun and not finished): the candidate's screen warns about them."""
    if not isinstance(response, list):
        return []
    out = []
    for n, row in enumerate(response, start=1):
        if not isinstance(row, dict):
            continue
        raw = [row.get(k) if isinstance(row.get(k), str) else "" for k in ENTRY_KEYS]
        if any(v.strip() for v in raw) and not all(v.strip() for v in raw):
            out.append(n)
    return out


def _accounts(value: Any) -> frozenset[str] | None:
    values = value if isinstance(value, list) else [value]
    out = {normal_account(v) for v in values}
    if not values or None in out:
        return None
    return frozenset(a for a in out if a)


def key_lines(item: Item) -> list[KeyLine]:
    lines = []
    for entry in item.spec.get("entries", []):
        debit, credit = _accounts(entry.get("debit")), _accounts(entry.get("credit"))
        amount = parse_amount(entry.get("amount"))
        if debit and credit and amount is not None:
            lines.append(KeyLine(debit, credit, amount))
    return lines


def typed_lines(response: Any) -> list[TypedLine] | None:
    """The non-blank rows of a response, or None when the response has the wrong shape."""
    if not isinstance(response, list):
        return None
    out = []
    for row in response:
        if not isinstance(row, dict):
            return None
        raw = {k: row.get(k) if isinstance(row.get(k), str) else "" for k in ENTRY_KEYS}
        if all(not v.strip() for v in raw.values()):
            continue
        out.append(TypedLine(normal_account(raw["debit"]), normal_account(raw["credit"]),
                             parse_amount(raw["amount"]), raw))
    return out


def _tolerance(item: Item) -> Decimal:
    value = item.spec.get("tolerance", 0)
    return Decimal(str(value)) if is_number(value) and value >= 0 else Decimal(0)


def match(item: Item, lines: list[TypedLine]) -> tuple[int, float, int, list[dict[str, Any]]]:
    """(exact lines, partial credit in lines, lines matching nothing, per-key-line detail)."""
    keys = key_lines(item)
    tolerance = _tolerance(item)
    partial = item.spec.get("partial", {}) if isinstance(item.spec.get("partial"), dict) else {}
    open_keys = list(range(len(keys)))
    unused = [line for line in lines if line.valid]
    outcome: dict[int, str] = {}

    def amount_ok(key: KeyLine, line: TypedLine) -> bool:
        assert line.amount is not None
        return abs(line.amount - key.amount) <= tolerance

    def take(test: Any, label: str) -> None:
        for k in list(open_keys):
            for line in unused:
                if test(keys[k], line):
                    open_keys.remove(k)
                    unused.remove(line)
                    outcome[k] = label
                    break

    # Exact matches first, so a partial match never takes the line an exact one needs.
    take(lambda k, ln: ln.debit in k.debit and ln.credit in k.credit and amount_ok(k, ln), "right")
    credit = 0.0
    if partial.get("accounts_only"):
        take(lambda k, ln: ln.debit in k.debit and ln.credit in k.credit, "accounts_only")
    if partial.get("swapped"):
        take(lambda k, ln: ln.debit in k.credit and ln.credit in k.debit and amount_ok(k, ln),
             "swapped")
    for label in outcome.values():
        if label != "right":
            credit += float(partial.get(label, 0))
    right = sum(1 for label in outcome.values() if label == "right")
    # A complete line that cannot be read is a wrong line, like a wrong amount. A line begun
    # and left unfinished (a blank field) is no booking at all: it earns nothing and costs
    # nothing, and the candidate's screen warns about it while there is time.
    extra = len(unused) + sum(1 for line in lines if not line.valid and line.complete)
    detail = [
        {
            "line": f"T {'/'.join(sorted(k.debit))} – K {'/'.join(sorted(k.credit))} "
                    f"{format_amount(k.amount)}",
            "result": outcome.get(i, "missing"),
        }
        for i, k in enumerate(keys)
    ]
    return right, credit, extra, detail


class JournalEntry(FieldsType):
    name: ClassVar[str] = "journal_entry"
    title: ClassVar[Message] = Message("qtype.journal_entry", "Könyvelési tétel",
                                       domain="kiosk_accounting")
    fields: ClassVar[set[str]] = {"entries", "partial", "extra_line_penalty", "tolerance", "chart"}

    def check(self, item: Item, errors: list[FieldError]) -> None:
        spec = item.spec
        entries = spec.get("entries")
        if not isinstance(entries, list) or not entries:
            errors.append(FieldError("entries", "must be a non-empty list of "
                                                "{debit, credit, amount}"))
        else:
            for i, entry in enumerate(entries, start=1):
                path = f"entries[{i}]"
                if not isinstance(entry, dict):
                    errors.append(FieldError(path, f"must be a table, got {entry!r}"))
                    continue
                check_unknown(entry, ENTRY_KEYS, path, errors)
                for side in ("debit", "credit"):
                    if _accounts(entry.get(side)) is None:
                        errors.append(FieldError(
                            f"{path}.{side}",
                            f"must be an account number (1–5 digits, class 1–9) or a list of "
                            f"them, got {entry.get(side)!r}"))
                amount = parse_amount(entry.get("amount"))
                if amount is None or amount <= 0:
                    errors.append(FieldError(f"{path}.amount",
                                             f"must be an amount > 0, got {entry.get('amount')!r}"))
        partial = spec.get("partial", {})
        if not isinstance(partial, dict):
            errors.append(FieldError("partial", "must be a table of fractions"))
        else:
            for key, value in partial.items():
                if key not in PARTIAL_KEYS:
                    errors.append(FieldError(f"partial.{key}",
                                             f"unknown rule (known: {', '.join(PARTIAL_KEYS)})"))
                elif not is_number(value) or not 0 <= value <= 1:
                    errors.append(FieldError(f"partial.{key}", f"must be 0–1, got {value!r}"))
        for key in ("extra_line_penalty", "tolerance"):
            value = spec.get(key)
            if key in spec and (not is_number(value) or value < 0):
                errors.append(FieldError(key, f"must be a number ≥ 0, got {value!r}"))
        chart = spec.get("chart")
        if "chart" in spec:
            if not isinstance(chart, dict) or not all(
                normal_account(k) and isinstance(v, str) for k, v in chart.items()
            ):
                errors.append(FieldError("chart", 'must be a table of {"account" = "name"}'))

    def judge(self, item: Item, response: Any) -> Judgement:
        keys = len(key_lines(item))
        lines = typed_lines(response) if response is not None else []
        if lines is None:
            return malformed(keys, response, wrong=1, fraction=0.0)
        if not lines:
            return not_answered(keys)
        right, credit, extra, detail = match(item, lines)
        penalty = item.spec.get("extra_line_penalty", 1.0)
        penalty = float(penalty) if is_number(penalty) and penalty >= 0 else 1.0
        fraction = max(0.0, min(1.0, (right + credit - penalty * extra) / keys)) if keys else 0.0
        return Judgement(keys=keys, right=right, wrong=extra, fraction=fraction,
                         detail={"lines": detail})

    def is_answered(self, item: Item, response: Any) -> bool:
        lines = typed_lines(response)
        return bool(lines)

    def correct_response(self, item: Item) -> Any:
        out = []
        for entry in item.spec.get("entries", []):
            debit, credit = entry.get("debit"), entry.get("credit")
            out.append({
                "debit": str(debit[0] if isinstance(debit, list) else debit),
                "credit": str(credit[0] if isinstance(credit, list) else credit),
                "amount": format_amount(parse_amount(entry.get("amount")) or Decimal(0)),
            })
        return out

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        lines = [item.stem.rstrip(), "", "Tartozik | Követel | Összeg"]
        lines += ["________ | ________ | ____________"] * max(2, len(key_lines(item)))
        return "\n".join(lines)

    def render_response(self, item: Item, response: Any) -> str:
        if response is None:
            return ""
        lines = typed_lines(response)
        if lines is None:
            return f"<malformed response: {response!r}>"
        return "\n".join(
            f"T {ln.raw['debit']} – K {ln.raw['credit']}: {ln.raw['amount']}" for ln in lines)

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk_accounting.widgets import JournalEntryWidget

        return JournalEntryWidget(item, presentation, response)
