"""Sealed exports: a zip anyone can check offline with the kiosk alone.

Layout of OUT.zip::

    manifest.json          centre, key, head, exam, SHA-256 of every other file
    manifest.sig           Ed25519 signature (base64) over SIGNED_DOMAIN + manifest.json bytes
    centre.pub             the centre's public key (PEM)
    results.json           {"head": {...}, "exam": ..., "results": [records]}
    results.csv            the same results, one row per attempt
    ledger/events.jsonl    every event 1..head, the body as its stored canonical text
    ledger/checkpoints.jsonl  every signed checkpoint up to the head (the last one covers it)

The events, not a copy of the database: the chain must be complete (a hash covers its
predecessor), but secret-bearing fields (password and access-code hashes, salts) do not belong
in a results export. Such an event is exported with those fields left out and listed under
`withheld`; its own hash cannot be recomputed then, so it counts as a link of the chain (its
neighbours' hashes are still checked against it). Everything else is recomputed byte for byte.

The manifest names the head *before* the `exported` event: that event records the manifest's
SHA-256, so it cannot be inside what the manifest describes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.domain.csv_cells import csv_text
from kiosk.errors import KioskError
from kiosk.ledger import keys
from kiosk.ledger.canonical import GENESIS_PREV, canonical_json, event_hash
from kiosk.ledger.centre import PASSPHRASE_ENV
from kiosk.ledger.receipts import latest_receipts, normalise, receipt_code
from kiosk.ledger.store import Checkpoint, Event, read_checkpoints, utc_now

FORMAT = "kiosk-sealed-export"
VERSION = 1
SIGNED_DOMAIN = b"kiosk-sealed-export-v1\n"
EXPORTED = "exported"

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "centre.pub"
RESULTS_JSON = "results.json"
RESULTS_CSV = "results.csv"
EVENTS = "ledger/events.jsonl"
CHECKPOINTS = "ledger/checkpoints.jsonl"
CONTENT_FILES = (PUBLIC_KEY, RESULTS_JSON, RESULTS_CSV, EVENTS, CHECKPOINTS)

#: Body fields never exported, by event kind: hashes and salts an attacker could grind offline.
#: By kind and top-level field, never by name alone: a cloze gap may well be called "salt".
SECRET_FIELDS: dict[str, frozenset[str]] = {
    "user_added": frozenset({"password_hash"}),
    "sitting_created": frozenset({"code_hash", "code_salt"}),
}
#: Caps checked from the zip's directory before anything is read into memory. A bundle is
#: written uncompressed (ZIP_STORED) with exactly the files above, so a compressed member, a
#: declared size beyond the file's own, or more members than a bundle has is refused outright.
MAX_BUNDLE_BYTES = 1024**3
MAX_MEMBERS = 16


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    path: Path
    manifest_sha256: str
    head_seq: int
    head_hash: str
    results: int
    withheld: int
    fingerprint: str
    event_seq: int


def _strip_secrets(kind: str, body: Any) -> tuple[Any, list[str]]:
    secret = SECRET_FIELDS.get(kind)
    if not secret or not isinstance(body, dict):
        return body, []
    dropped = sorted(k for k in body if k in secret)
    return {k: v for k, v in body.items() if k not in secret}, dropped


def _event_line(row: tuple[Any, ...]) -> tuple[str, bool]:
    seq, ts, actor, attempt, kind, body_text, prev_hash, digest = row
    line: dict[str, Any] = {"seq": seq, "ts": ts, "actor": actor, "attempt": attempt,
                            "kind": kind, "prev_hash": prev_hash, "hash": digest}
    body, dropped = _strip_secrets(kind, json.loads(body_text))
    if dropped:
        line["body"] = canonical_json(body)
        line["withheld"] = dropped
    else:
        line["body"] = body_text
    return json.dumps(line, ensure_ascii=False, sort_keys=True), bool(dropped)


def _csv_text(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return csv_text(columns or ["attempt"], ({k: _cell(v) for k, v in row.items()} for row in rows))


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def export_sealed(centre: Any, out: Path, *, exam: str | None = None,
                  passphrase: str | None = None, ledger: Any = None) -> Exported:
    """Write the sealed bundle for `centre` (a kiosk.ledger.Centre) and record an `exported`
    event. Results are computed from a ledger fixed at the exported head, so they rest on
    exactly the events inside. `ledger`: the centre service's, inside its write transaction
    (which already fixes what is read); else the centre's own is opened."""
    from kiosk import result_source

    out = Path(out)
    passphrase = passphrase or os.environ.get(PASSPHRASE_ENV) or None
    from contextlib import nullcontext

    with (nullcontext(ledger) if ledger is not None else centre.ledger(passphrase)) as ledger:
        # centre.ledger() has checked that this key matches centre.pub.
        private: Ed25519PrivateKey = keys.read_private(centre.private_key_path, passphrase)
        conn = ledger.conn
        with ledger._lock:
            own = not conn.in_transaction  # the service's transaction is consistent already
            if own:
                conn.execute("BEGIN")
            try:
                cps = read_checkpoints(conn)
                if not cps:
                    raise KioskError(f"{centre.path}: the ledger has no signed checkpoint")
                head_seq, head_hash = cps[-1].upto_seq, cps[-1].head_hash
                rows = conn.execute(
                    "SELECT seq, ts, actor, attempt, kind, body, prev_hash, hash FROM events"
                    " WHERE seq <= ? ORDER BY seq", (head_seq,)).fetchall()
            finally:
                if own:
                    conn.execute("COMMIT")
        if not rows or rows[-1][7] != head_hash:
            raise KioskError(f"{centre.path}: the ledger does not verify at its last "
                             "checkpoint; run `kiosk verify` first")
        lines, withheld = [], 0
        for row in rows:
            line, dropped = _event_line(row)
            lines.append(line)
            withheld += dropped
        if exam is not None and exam not in (known := _exam_ids(rows)):
            raise KioskError(f"--exam {exam}: no such exam in this centre "
                             f"(known: {', '.join(sorted(known)) or 'none'})")
        # The results rest on exactly the events the bundle holds, up to its head.
        records, csv_rows = result_source.compute(
            centre, exam, events=[_event(line) for line in lines], passphrase=passphrase)
        public = private.public_key()
        head = {"seq": head_seq, "hash": head_hash, "receipt": receipt_code(head_hash)}
        files: dict[str, bytes] = {
            PUBLIC_KEY: public.public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo),
            RESULTS_JSON: (json.dumps({"head": head, "exam": exam, "results": records},
                                      default=str, ensure_ascii=False, indent=1, sort_keys=True)
                           + "\n").encode(),
            RESULTS_CSV: _csv_text(csv_rows).encode(),
            EVENTS: ("\n".join(lines) + "\n").encode(),
            CHECKPOINTS: ("\n".join(json.dumps(c.as_dict(), sort_keys=True) for c in cps)
                          + "\n").encode(),
        }
        manifest = {
            "format": FORMAT, "version": VERSION, "created": utc_now(),
            "centre": centre.name, "fingerprint": keys.fingerprint(public),
            "public_key": keys.public_b64(public), "exam": exam, "head": head,
            "head_is": "before the exported event that records this manifest",
            "results": len(records),
            # How long the bundle must be kept (kiosk.domain.exam_rules.retention).
            "retention": _retention(rows, exam),
            "withheld": {"events": withheld,
                         "note": "secret fields left out; these events count as chain links"},
            "files": {name: sha256(data) for name, data in files.items()},
        }
        manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
                          + "\n").encode()
        signature = keys.sign(private, SIGNED_DOMAIN + manifest_bytes).encode() + b"\n"
        _write_zip(out, {MANIFEST: manifest_bytes, SIGNATURE: signature, **files})
        manifest_sha = sha256(manifest_bytes)
        event = ledger.append(EXPORTED, {"file": out.name, "manifest_sha256": manifest_sha,
                                         "head": {"seq": head_seq, "hash": head_hash},
                                         "exam": exam, "results": len(records)},
                              actor="system")
    return Exported(out, manifest_sha, head_seq, head_hash, len(records), withheld,
                    manifest["fingerprint"], event.seq)


def _retention(rows: Iterable[tuple[Any, ...]], exam: str | None) -> dict[str, Any]:
    """Five years from the last exam day of the bundle's sittings (of `exam`, or all)."""
    from datetime import date

    from kiosk.domain.exam_rules import retention

    days = []
    for row in rows:
        if row[4] != "sitting_created":
            continue
        try:
            body = json.loads(row[5])
            if exam is None or body.get("exam") == exam:
                days.append(date.fromisoformat(str(body.get("date"))))
        except (ValueError, TypeError):
            continue
    return retention(days)


def _exam_ids(rows: Iterable[tuple[Any, ...]]) -> set[str]:
    ids: set[str] = set()
    for row in rows:
        if row[4] == "attempt_created" or row[4].startswith("exam_"):
            try:
                body = json.loads(row[5])
            except ValueError:
                continue
            for key in ("exam", "id", "exam_id"):
                if isinstance(body.get(key), str):
                    ids.add(body[key])
    return ids


def _event(line: str) -> Event:
    e = json.loads(line)
    return Event.from_row((e["seq"], e["ts"], e["actor"], e["attempt"], e["kind"], e["body"],
                           e["prev_hash"], e["hash"]))


def zip_bytes(members: Mapping[str, bytes]) -> bytes:
    """The canonical archive: stored (not compressed), fixed dates and modes, in the given
    order. Deterministic, so a verifier rebuilds it and any byte changed outside the files
    (dates, flags, comments, padding) shows too; compression would tie that to a zlib build."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, data)
    return buf.getvalue()


def _write_zip(out: Path, members: Mapping[str, bytes]) -> None:
    tmp = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(zip_bytes(members))
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise KioskError(f"{out}: cannot write the export ({exc.strerror or exc})") from exc


# --- verifying ------------------------------------------------------------------------------


@dataclass
class BundleReport:
    path: str
    centre: str = ""
    fingerprint: str = ""
    exam: str | None = None
    head_seq: int = 0
    head_hash: str = ""
    events: int = 0
    withheld: int = 0
    checkpoints: int = 0
    results: int = 0
    manifest_sha256: str = ""
    bundle_sha256: str = ""
    problems: list[str] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list, repr=False)
    #: receipt code → (seq, kind, ts) for the codes asked about that were found
    receipts: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    #: seq → hash of every event in the bundle's ledger (a merge checks a newer bundle extends
    #: the head it merged before)
    chain: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "centre": self.centre,
                "fingerprint": self.fingerprint, "exam": self.exam,
                "head": {"seq": self.head_seq, "hash": self.head_hash},
                "events": self.events, "withheld": self.withheld,
                "checkpoints": self.checkpoints, "results": self.results,
                "manifest_sha256": self.manifest_sha256, "bundle_sha256": self.bundle_sha256,
                "problems": list(self.problems)}


def is_bundle(path: Path) -> bool:
    return path.is_file() and zipfile.is_zipfile(path)


def _read_members(path: Path) -> tuple[dict[str, bytes], list[str], bytes]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise KioskError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if size > MAX_BUNDLE_BYTES:
        raise KioskError(f"{path}: {size:,} bytes, more than a sealed export may hold "
                         f"({MAX_BUNDLE_BYTES:,}); not read")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KioskError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    # The member count from the end-of-directory record, before zipfile builds an object for
    # every entry of a directory that may list millions.
    entries = _declared_entries(raw)
    if entries is not None and entries > MAX_MEMBERS:
        raise KioskError(f"{path}: {entries} members, more than a sealed export has "
                         f"({MAX_MEMBERS}); not read")
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError) as exc:
        raise KioskError(f"{path}: not a readable zip archive ({exc})") from exc
    if len(infos) > MAX_MEMBERS:
        raise KioskError(f"{path}: {len(infos)} members, more than a sealed export has "
                         f"({MAX_MEMBERS}); not read")
    declared = 0
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
            raise KioskError(f"{path}: {info.filename} is compressed; a sealed export stores "
                             "its files uncompressed (refused unread: a zip bomb is no bundle)")
        declared += info.file_size
    if declared > size:
        raise KioskError(f"{path}: members declare {declared:,} bytes in a {size:,}-byte file; "
                         "not read")
    members: dict[str, bytes] = {}
    problems: list[str] = []
    for info in infos:
        if info.filename in members:
            problems.append(f"{info.filename}: appears twice in the archive")
            continue
        try:
            members[info.filename] = zf.read(info)
        except Exception as exc:  # BadZipFile (CRC), zlib.error, EOFError: a flipped byte
            problems.append(f"{info.filename}: damaged inside the archive ({exc})")
    return members, problems, raw


def _declared_entries(raw: bytes) -> int | None:
    """Entries the zip's end-of-central-directory record declares (0xFFFF: a Zip64 archive,
    which a bundle never is); None if there is no such record (zipfile then says why)."""
    at = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65_557))
    if at < 0 or at + 22 > len(raw):
        return None
    return int.from_bytes(raw[at + 10:at + 12], "little")


def _member_at(raw: bytes, offset: int) -> str:
    """Which member's headers or data hold this byte, for the reader of the problem."""
    try:
        infos = sorted(zipfile.ZipFile(io.BytesIO(raw)).infolist(), key=lambda i: i.header_offset)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return "unreadable layout"
    name = "before the first file"
    for info in infos:
        if info.header_offset <= offset:
            name = f"in {info.filename}"
    end = max((i.header_offset + 30 + len(i.filename.encode()) + i.compress_size for i in infos),
              default=0)
    return "in the archive's directory" if offset >= end else name


def verify_bundle(path: Path, *, anchors: Sequence[Any] = (),
                  receipt_codes: Iterable[str] = ()) -> BundleReport:
    """Check a sealed export. Unreadable input raises KioskError (exit 2); everything a
    tamperer could change is reported as a problem (exit 1). `anchors` (kiosk.ledger.verify
    Anchor) are heads known from outside that the bundle's ledger must contain; receipt codes
    are looked up in its chain (`report.receipts`)."""
    path = Path(path)
    members, problems, raw = _read_members(path)
    report = BundleReport(str(path), bundle_sha256=sha256(raw), problems=problems)
    manifest_bytes = members.get(MANIFEST)
    if manifest_bytes is None:
        problems.append(f"{MANIFEST}: missing (removed, or this is not a sealed export)")
        return report
    report.manifest_sha256 = sha256(manifest_bytes)
    manifest = _read_manifest(manifest_bytes, problems)
    if manifest is None:
        return report
    files = manifest["files"]
    report.centre = str(manifest.get("centre", ""))
    report.exam = manifest.get("exam")

    public = _bundled_key(members, manifest, problems)
    if public is not None:
        report.fingerprint = keys.fingerprint(public)
        _check_signature(members, manifest_bytes, public, problems)
    _check_files(members, files, problems)

    if public is not None and EVENTS in members and CHECKPOINTS in members:
        rows, cps = _verify_chain(members[EVENTS], members[CHECKPOINTS], public, manifest, report)
        if RESULTS_JSON in members:
            _verify_results(members, rows, manifest, report)
        _check_outside_heads(rows, cps, public, anchors, receipt_codes, report)
    elif anchors or receipt_codes:
        problems.append("no ledger in the bundle to check the receipts or anchors against")
    if not problems and (rebuilt := zip_bytes(members)) != raw:
        # Only worth saying when every file checked out: then the change is in the container.
        at = next((i for i, (a, b) in enumerate(zip(rebuilt, raw, strict=False)) if a != b),
                  min(len(rebuilt), len(raw)))
        problems.append(f"{path.name}: the archive differs from its canonical layout at byte "
                        f"{at} ({_member_at(raw, at)}): changed outside the files' contents")
    return report


def _read_manifest(manifest_bytes: bytes, problems: list[str]) -> dict[str, Any] | None:
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError("not a kiosk sealed-export manifest")
        if not isinstance(manifest["files"], dict):
            raise ValueError("files is not a table")
    except (UnicodeDecodeError, ValueError, KeyError) as exc:
        problems.append(f"{MANIFEST}: unreadable ({exc}): changed or not a sealed export")
        return None
    return manifest


def _check_signature(members: dict[str, bytes], manifest_bytes: bytes,
                     public: Ed25519PublicKey, problems: list[str]) -> None:
    sig = members.get(SIGNATURE)
    if sig is None:
        problems.append(f"{SIGNATURE}: missing (removed): the manifest is not signed")
    elif not keys.verify_signature(public, sig.decode("ascii", "replace").strip(),
                                   SIGNED_DOMAIN + manifest_bytes):
        problems.append(f"{MANIFEST}: the signature in {SIGNATURE} does not match: the "
                        "manifest or its signature was changed, or signed by another key")


def _check_files(members: dict[str, bytes], files: dict[str, Any], problems: list[str]) -> None:
    """Every file listed, present and unchanged; nothing added."""
    for name in sorted(set(members) - set(files) - {MANIFEST, SIGNATURE}):
        problems.append(f"{name}: not listed in the manifest (added to the bundle)")
    for name, digest in sorted(files.items()):
        data = members.get(name)
        if data is None:
            if not any(p.startswith(f"{name}:") for p in problems):
                problems.append(f"{name}: listed in the manifest but missing (removed)")
        elif sha256(data) != digest:
            problems.append(f"{name}: SHA-256 differs from the manifest: the file was changed")
    for name in CONTENT_FILES:
        if name not in files:
            problems.append(f"{MANIFEST}: does not list {name}")


def _check_outside_heads(rows: list[tuple[Any, ...]], cps: list[Checkpoint],
                         public: Ed25519PublicKey, anchors: Sequence[Any],
                         receipt_codes: Iterable[str], report: BundleReport) -> None:
    from kiosk.ledger.verify import VerifyReport, check_anchors

    wanted = {n for c in receipt_codes if (n := normalise(c)) is not None}
    for seq, _ts, _actor, _attempt, kind, _body, _prev, digest in rows:
        if wanted and (code := receipt_code(digest)) in wanted:
            report.receipts.setdefault(code, (seq, kind, _ts))
    if anchors and rows:
        hashes = [GENESIS_PREV] + [""] * rows[-1][0]
        for row in rows:
            if isinstance(row[0], int) and 0 < row[0] < len(hashes):
                hashes[row[0]] = row[7]
        outside = VerifyReport(report.path, head_seq=rows[-1][0])
        check_anchors(anchors, outside, hashes, {cp.id: cp for cp in cps}, public)
        report.problems.extend(p.reason for p in outside.problems)


def _bundled_key(members: Mapping[str, bytes], manifest: Mapping[str, Any],
                 problems: list[str]) -> Ed25519PublicKey | None:
    pem = members.get(PUBLIC_KEY)
    if pem is None:
        return None
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        problems.append(f"{PUBLIC_KEY}: not a readable public key")
        return None
    if not isinstance(key, Ed25519PublicKey):
        problems.append(f"{PUBLIC_KEY}: not an Ed25519 public key")
        return None
    if manifest.get("public_key") != keys.public_b64(key):
        problems.append(f"{MANIFEST}: names another public key than {PUBLIC_KEY}")
    return key


def _jsonl(data: bytes, name: str, problems: list[str]) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
            if not isinstance(value, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            problems.append(f"{name}: line {n} unreadable ({exc})")
            continue
        out.append(value)
    return out


def _verify_chain(events_data: bytes, cps_data: bytes, public: Ed25519PublicKey,
                  manifest: Mapping[str, Any], report: BundleReport
                  ) -> tuple[list[tuple[Any, ...]], list[Checkpoint]]:
    """Recompute the chain and check every checkpoint against the bundled key; returns the
    rows (as stored in a ledger) for the results check."""
    problems = report.problems
    rows: list[tuple[Any, ...]] = []
    prev = GENESIS_PREV
    hashes = report.chain  # seq → hash, kept for the merge
    for n, e in enumerate(_jsonl(events_data, EVENTS, problems), 1):
        try:
            seq, ts, actor, attempt, kind = e["seq"], e["ts"], e["actor"], e["attempt"], e["kind"]
            body, prev_hash, digest = e["body"], e["prev_hash"], e["hash"]
            if not (isinstance(body, str) and isinstance(seq, int)):
                raise TypeError
        except (KeyError, TypeError):
            problems.append(f"{EVENTS}: line {n} lacks an event's fields")
            continue
        where = f"{EVENTS}: event #{seq}"
        if seq != n:
            problems.append(f"{where} is out of place (expected #{n}): events removed or reordered")
        if prev_hash != prev:
            problems.append(f"{where} does not follow the previous event (chain broken)")
        withheld = e.get("withheld")
        if withheld:
            report.withheld += 1
            # Only secrets may be withheld, and never from an attempt's own events: otherwise
            # "withheld" would be a way to skip the hash check of an answer or a mark.
            fields = withheld if isinstance(withheld, list) else [withheld]
            if attempt is not None or not all(
                    str(f) in SECRET_FIELDS.get(str(kind), ()) for f in fields):
                problems.append(f"{where}: withholds {fields} ({kind}), which are not secrets: "
                                "its hash would go unchecked")
        elif event_hash(prev_hash, seq, ts, actor, attempt, kind, body) != digest:
            problems.append(f"{where}: hash does not match its content (the event was changed)")
        if n == 1:
            _check_genesis(kind, body, public, manifest, problems)
        hashes[seq] = digest
        prev = digest
        rows.append((seq, ts, actor, attempt, kind, body, prev_hash, digest))
    report.events = len(rows)
    head = manifest.get("head") or {}
    report.head_seq = int(head.get("seq") or 0)
    report.head_hash = str(head.get("hash") or "")
    if not rows:
        problems.append(f"{EVENTS}: no events")
        return rows, []
    if (rows[-1][0], rows[-1][7]) != (report.head_seq, report.head_hash):
        problems.append(f"{EVENTS}: ends at #{rows[-1][0]}, not at the manifest's head "
                        f"#{report.head_seq}")

    cps: list[Checkpoint] = []
    for n, data in enumerate(_jsonl(cps_data, CHECKPOINTS, problems), 1):
        try:
            cps.append(Checkpoint.from_dict(data))
        except ValueError as exc:
            problems.append(f"{CHECKPOINTS}: line {n} is not a checkpoint ({exc})")
    report.checkpoints = len(cps)
    from kiosk.ledger.verify import check_checkpoints

    found, _, _ = check_checkpoints(lambda: cps, public, hashes.get, rows[-1][0])
    for seq, reason in found:
        problems.append(f"{CHECKPOINTS}: {reason}" + (f" (from event #{seq})" if seq else ""))
    return rows, cps


def _check_genesis(kind: str, body: str, public: Ed25519PublicKey,
                   manifest: Mapping[str, Any], problems: list[str]) -> None:
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    if kind != "genesis" or not isinstance(data, dict):
        problems.append(f"{EVENTS}: the first event is not the genesis")
        return
    if data.get("public_key") != keys.public_b64(public):
        problems.append(f"{EVENTS}: the genesis names another key than {PUBLIC_KEY}: "
                        "not this centre's ledger, or the key was replaced")
    if data.get("centre") != manifest.get("centre"):
        problems.append(f"{MANIFEST}: centre {manifest.get('centre')!r} differs from the "
                        f"ledger's genesis ({data.get('centre')!r})")


class _RowEvent(NamedTuple):
    """A bundle's event row with the attribute names the receipt helpers read."""

    seq: int
    ts: str
    actor: str
    attempt: str | None
    kind: str
    body: str
    prev_hash: str
    hash: str


def _attempts_in(rows: list[tuple[Any, ...]]
                 ) -> tuple[dict[str, dict[str, Any]], dict[str, str], set[str]]:
    """Per attempt in the bundle's ledger: its creation body, its first submission's receipt
    code, and whether it was voided."""
    created: dict[str, dict[str, Any]] = {}
    receipts: dict[str, str] = {}
    voided: set[str] = set()
    for row in rows:
        kind, attempt = row[4], str(row[3])
        if kind == "attempt_created":
            try:
                created[attempt] = json.loads(row[5])
            except ValueError:
                pass
        elif kind == "attempt_submitted":
            receipts.setdefault(attempt, receipt_code(row[7]))
        elif kind == "attempt_voided":
            voided.add(attempt)
    return created, receipts, voided


def _record_problems(record: Mapping[str, Any], attempt: str,
                     created: Mapping[str, Mapping[str, Any]], receipts: Mapping[str, str],
                     latest: Mapping[str, str]) -> list[str]:
    """What a result record claims about its attempt that the ledger does not say."""
    body = created.get(attempt)
    if body is None:
        return [f"{RESULTS_JSON}: attempt {attempt} is not in the ledger"]
    out = []
    if str(body.get("candidate")) != str(record.get("candidate")) or \
            str(body.get("exam")) != str(record.get("exam")):
        out.append(f"{RESULTS_JSON}: attempt {attempt} belongs to another candidate "
                   "or exam in the ledger")
    if attempt not in receipts:
        out.append(f"{RESULTS_JSON}: attempt {attempt} was never submitted in the ledger")
    elif record.get("receipt") != receipts[attempt]:
        out.append(f"{RESULTS_JSON}: attempt {attempt}'s receipt code differs from "
                   "the ledger's")
    if "latest_receipt" in record and record.get("latest_receipt") != latest.get(attempt, ""):
        out.append(f"{RESULTS_JSON}: attempt {attempt}'s latest receipt code differs "
                   "from the ledger's")
    return out


def _check_csv(data: bytes, report: BundleReport) -> None:
    try:
        csv_attempts = sorted(r.get("attempt") or "" for r in csv.DictReader(
            io.StringIO(data.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        report.problems.append(f"{RESULTS_CSV}: unreadable ({exc})")
        return
    if csv_attempts != sorted(str(r.get("attempt") or "") for r in report.records):
        report.problems.append(f"{RESULTS_CSV}: lists other attempts than {RESULTS_JSON}")


def _verify_results(members: Mapping[str, bytes], rows: list[tuple[Any, ...]],
                    manifest: Mapping[str, Any], report: BundleReport) -> None:
    problems = report.problems
    try:
        results = json.loads(members[RESULTS_JSON].decode("utf-8"))
        records = results["results"]
        if not isinstance(records, list):
            raise ValueError("results is not a list")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        problems.append(f"{RESULTS_JSON}: unreadable ({exc})")
        return
    report.results = len(records)
    report.records = [r for r in records if isinstance(r, dict)]
    head = manifest.get("head") or {}
    if results.get("head") != head:
        problems.append(f"{RESULTS_JSON}: computed at another ledger head than the manifest's")
    if results.get("exam") != manifest.get("exam"):
        problems.append(f"{RESULTS_JSON}: for another exam than the manifest names")
    created, receipts, voided = _attempts_in(rows)
    latest = latest_receipts(_RowEvent(*row) for row in rows)
    covered: set[str] = set()
    for record in report.records:
        attempt = str(record.get("attempt") or "")
        covered.update(str(a) for a in record.get("attempts") or [attempt] if a)
        if attempt:  # (oral marks only: no written attempt to check)
            problems.extend(_record_problems(record, attempt, created, receipts, latest))
    exam = manifest.get("exam")
    missing = sorted(a for a in receipts if a not in voided and a not in covered
                     and (exam is None or created.get(a, {}).get("exam") == exam))
    if missing:
        problems.append(f"{RESULTS_JSON}: submitted attempts without a result: "
                        f"{', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}")
    if RESULTS_CSV in members:
        _check_csv(members[RESULTS_CSV], report)
