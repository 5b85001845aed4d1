"""The results that result sheets, sealed exports and merges carry, as plain JSON-able records.

The computation is `kiosk.results` (marks, regimes, outcomes); this module only fixes the
events it runs on (a sealed export's results rest on exactly the exported events, up to the
exported head) and adds each result's receipt code: the code of its attempt's
`attempt_submitted` event, which the candidate took home and which a verifier can recompute,
and the code after its latest change (marks, re-marks, voids, appeal decisions).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kiosk.ledger.receipts import latest_receipts, receipt_code


def compute(centre: Any, exam_id: str | None = None, *, events: Sequence[Any] | None = None,
            passphrase: str | None = None) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """(JSON records, CSV rows) of `centre`'s results, from `events` when given (else the whole
    ledger). The exams' content is decrypted with the centre key, as `kiosk results` does."""
    from kiosk import results as R
    from kiosk.exam_store import LOADED

    if events is None:
        with centre.reader() as reader:
            events = list(reader.events(kind=R.RESULT_KINDS | {LOADED}))
    results = R.compute_results(centre, exam_id, events=events, passphrase=passphrase)
    receipts = submitted_receipts(events)
    latest = latest_receipts(events)
    records = R.results_json(results)
    rows = R.results_rows(results)
    for record, row in zip(records, rows, strict=True):
        attempt = str(record.get("attempt"))
        record["receipt"] = row["receipt"] = receipts.get(attempt, "")
        # The code after the attempt's latest mark, void or appeal decision: printed on the
        # result sheet, so cutting that change away later is caught by a code on paper.
        record["latest_receipt"] = row["latest_receipt"] = latest.get(attempt, "")
    return records, rows


def submitted_receipts(events: Iterable[Any]) -> dict[str, str]:
    """attempt id → receipt code of its (first) `attempt_submitted` event."""
    out: dict[str, str] = {}
    for e in events:
        if e.kind == "attempt_submitted" and e.attempt and e.attempt not in out:
            out[e.attempt] = receipt_code(e.hash)
    return out


def for_candidate(records: Iterable[dict[str, Any]], candidate: str,
                  exam: str | None = None) -> list[dict[str, Any]]:
    return [r for r in records if str(r.get("candidate")) == candidate
            and (exam is None or r.get("exam") == exam)]
