"""Merging sealed exports of many centres into one organiser view.

The organiser's directory holds:

    merged.json      {"bundles": [...], "results": [...]}: what was merged, and every result
                     with the centre, fingerprint and bundle it came from
    merged.csv       the same results, one row each, the centre in the first columns
    merge-log.jsonl  one line per bundle offered: merged, already merged, or rejected and why

A result is identified by (centre key fingerprint, exam, candidate): the results module gives one
result per candidate and exam, built from all of the candidate's attempts. A later bundle of
the same centre (a higher ledger head) replaces that centre's earlier results, so re-marks and
appeals come through; the same bundle offered again, or an older one, changes nothing.

Trust comes from a keys file an organiser writes by hand from the fingerprints centres printed
at `kiosk init`:

    [centres]
    "Teszt központ" = "SHA256:1A2B:..."                # fingerprint, or
    "Másik központ" = { public_key = "base64..." }     # the raw key itself
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.domain.csv_cells import csv_text
from kiosk.errors import KioskError
from kiosk.ledger import keys
from kiosk.ledger.store import utc_now
from kiosk.sealed import BundleReport, verify_bundle

MERGED_JSON = "merged.json"
MERGED_CSV = "merged.csv"
MERGE_LOG = "merge-log.jsonl"
TRUST_FILE = "trusted-keys.toml"


def load_trust(path: Path) -> dict[str, str]:
    """centre name → fingerprint, from the keys file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KioskError(f"{path}: no trusted keys file (give --trust FILE)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KioskError(f"{path}: cannot read the trusted keys ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise KioskError(f"{path}: {exc}") from exc
    centres = data.get("centres")
    if not isinstance(centres, dict) or not centres:
        raise KioskError(f"{path}: needs a [centres] table: \"centre name\" = \"SHA256:...\"")
    trusted: dict[str, str] = {}
    for name, value in centres.items():
        if isinstance(value, dict):
            if "fingerprint" in value:
                value = value["fingerprint"]
            elif "public_key" in value:
                try:
                    value = keys.fingerprint(keys.public_from_b64(str(value["public_key"])))
                except KioskError as exc:
                    raise KioskError(f"{path}: centres.{name}.public_key: {exc}") from None
        if not isinstance(value, str) or not value.upper().startswith("SHA256:"):
            raise KioskError(f"{path}: centres.{name}: expected a fingerprint \"SHA256:...\" or "
                             f"{{ public_key = \"...\" }}, got {value!r}")
        trusted[name] = _norm_fp(value)
    return trusted


def _norm_fp(fp: str) -> str:
    return fp.strip().upper()


@dataclass
class Offered:
    file: str
    sha256: str
    status: str  # merged | already merged | superseded | rejected
    reason: str = ""
    centre: str = ""
    fingerprint: str = ""
    head_seq: int = 0
    added: int = 0
    replaced: int = 0


@dataclass
class MergeReport:
    into: Path
    offered: list[Offered] = field(default_factory=list)
    results: int = 0

    @property
    def rejected(self) -> list[Offered]:
        return [o for o in self.offered if o.status == "rejected"]


def _load_state(into: Path) -> dict[str, Any]:
    path = into / MERGED_JSON
    if not path.exists():
        return {"bundles": [], "results": []}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(state.get("bundles"), list) or not isinstance(state.get("results"), list):
            raise ValueError("bundles/results missing")
    except (OSError, ValueError, AttributeError) as exc:
        raise KioskError(f"{path}: not a merge file this kiosk wrote ({exc})") from exc
    return state


def _key(record: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(record.get("fingerprint")), str(record.get("exam")), str(record.get("candidate")))


def _newest_heads(bundles: list[dict[str, Any]]) -> dict[str, tuple[int, str]]:
    """The highest head merged so far per centre key: an older ledger of the same centre is
    refused (a rollback, or a stale copy), and a newer one must extend it (not a rewrite)."""
    newest: dict[str, tuple[int, str]] = {}
    for b in bundles:
        if b.get("status") not in (None, "merged"):
            continue
        seq, digest = int(b["head"]["seq"]), str(b["head"]["hash"])
        if seq >= newest.get(b["fingerprint"], (0, ""))[0]:
            newest[b["fingerprint"]] = (seq, digest)
    return newest


def _checked(path: Path, report: MergeReport) -> Any:
    """The bundle's verification report, or None (recorded as rejected) when it is unreadable."""
    try:
        return verify_bundle(path)
    except KioskError as exc:
        report.offered.append(Offered(path.name, "", "rejected", f"unreadable: {exc}"))
    except Exception as exc:  # noqa: BLE001 - any input that breaks the verifier
        report.offered.append(Offered(path.name, "", "rejected",
                                      f"unreadable: {type(exc).__name__}: {exc}"))
    return None


def _history_refusal(check: Any, seen: tuple[int, str] | None) -> tuple[str, str] | None:
    """(status, reason) when the bundle's ledger is older than, or forks from, the one of the
    same centre already merged."""
    if seen is None:
        return None
    if check.head_seq < seen[0]:
        return "superseded", (f"an older ledger of {check.centre!r} (head #{check.head_seq}) "
                              f"than one already merged (head #{seen[0]}): refused, results "
                              "kept; ask the centre for a fresh export")
    if check.chain.get(seen[0]) != seen[1]:
        return "rejected", (f"the ledger of {check.centre!r} differs at event #{seen[0]} from "
                            "the one already merged: rewritten history (a fork), refused")
    return None


def merge_bundles(bundles: list[Path], into: Path, trust_file: Path) -> MergeReport:
    trusted = load_trust(trust_file)
    try:
        into.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KioskError(f"{into}: cannot create ({exc.strerror or exc})") from exc
    state = _load_state(into)
    merged_shas = {b["sha256"] for b in state["bundles"]}
    newest = _newest_heads(state["bundles"])
    results = {_key(r): r for r in state["results"]}
    report = MergeReport(into)

    for path in bundles:
        # Each bundle on its own: whatever one bundle holds, the others still merge.
        check = _checked(path, report)
        if check is None:
            continue
        offered = Offered(path.name, check.bundle_sha256, "merged", centre=check.centre,
                          fingerprint=check.fingerprint, head_seq=check.head_seq)
        report.offered.append(offered)
        reason = _rejection(check, trusted)
        if reason:
            offered.status, offered.reason = "rejected", reason
            continue
        if check.bundle_sha256 in merged_shas:
            offered.status, offered.reason = "already merged", "the same bundle was merged before"
            continue
        refusal = _history_refusal(check, newest.get(check.fingerprint))
        if refusal is not None:
            offered.status, offered.reason = refusal
            continue
        staged: dict[tuple[str, str, str], dict[str, Any]] = {}
        try:
            for record in check.records:
                staged_key, entry = _entry(check, record)
                staged[staged_key] = entry
        except ValueError as exc:
            offered.status, offered.reason = "rejected", str(exc)
            continue
        for key, entry in staged.items():
            if key in results:
                offered.replaced += 1
            else:
                offered.added += 1
            results[key] = entry
        newest[check.fingerprint] = (check.head_seq, check.head_hash)
        merged_shas.add(check.bundle_sha256)
        state["bundles"].append({
            "file": path.name, "sha256": check.bundle_sha256, "centre": check.centre,
            "fingerprint": check.fingerprint, "exam": check.exam,
            "head": {"seq": check.head_seq, "hash": check.head_hash},
            "manifest_sha256": check.manifest_sha256, "results": check.results,
            "merged_at": utc_now(), "status": offered.status,
        })

    state["results"] = sorted(results.values(), key=lambda r: (
        str(r.get("centre")), str(r.get("exam")), str(r.get("candidate"))))
    report.results = len(state["results"])
    _write(into / MERGED_JSON, _state_text(state))
    _write(into / MERGED_CSV, _csv(state["results"]))
    log_lines = "".join(json.dumps({"ts": utc_now(), **vars(o)}, ensure_ascii=False) + "\n"
                        for o in report.offered)
    try:
        with open(into / MERGE_LOG, "a", encoding="utf-8") as log:
            log.write(log_lines)
    except OSError as exc:
        raise KioskError(f"{into / MERGE_LOG}: cannot write ({exc.strerror or exc})") from exc
    return report


#: Fields of a merged result that come from the verified bundle itself, never from a record.
FROM_BUNDLE = ("centre", "fingerprint", "bundle_sha256", "head_seq")


def _entry(check: BundleReport, record: Mapping[str, Any]) -> tuple[tuple[str, str, str], dict[str, Any]]:
    """The merged result for one record. The centre, key and head are the bundle's own
    (verified); a record that claims another centre or key is refused (ValueError)."""
    own = {"centre": check.centre, "fingerprint": check.fingerprint,
           "bundle_sha256": check.bundle_sha256, "head_seq": check.head_seq}
    for name in ("centre", "fingerprint"):
        if name in record and record[name] != own[name]:
            raise ValueError(f"a result of candidate {str(record.get('candidate'))[:40]!r} claims "
                             f"{name} {str(record[name])[:60]!r}, not the bundle's own: refused")
    entry = {**{k: v for k, v in record.items() if k not in FROM_BUNDLE}, **own}
    return _key(entry), entry


def _state_text(state: Mapping[str, Any]) -> str:
    """merged.json with one bundle or result per line: readable, and written by the C encoder
    (json.dumps with `indent` falls back to the pure-Python one: half of a 100-bundle merge)."""
    def rows(items: list[Any]) -> str:
        return ",\n".join(" " + json.dumps(i, ensure_ascii=False, sort_keys=True, default=str)
                           for i in items)
    return (f'{{"bundles": [\n{rows(state["bundles"])}\n],\n'
            f'"results": [\n{rows(state["results"])}\n]}}\n')


def _rejection(check: BundleReport, trusted: Mapping[str, str]) -> str:
    if not check.ok:
        return "does not verify: " + check.problems[0] + (
            f" (and {len(check.problems) - 1} more)" if len(check.problems) > 1 else "")
    expected = trusted.get(check.centre)
    if expected is None:
        return f"centre {check.centre!r} is not in the trusted keys file"
    if _norm_fp(expected) != check.fingerprint:
        return (f"centre {check.centre!r} signed with key {check.fingerprint}, but the trusted "
                f"keys file lists {expected}")
    return ""


BASE = ("centre", "fingerprint", "exam", "candidate", "name", "attempt", "points", "max_points",
        "percent", "grade", "grade_name", "passed", "certificate", "outstanding", "provisional",
        "receipt", "latest_receipt", "head_seq", "bundle_sha256")


def _csv(records: list[dict[str, Any]]) -> str:
    return csv_text(BASE, ({k: _cell(r.get(k)) for k in BASE} for r in records))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise KioskError(f"{path}: cannot write ({exc.strerror or exc})") from exc
