"""Centres with submitted attempts, and bundle surgery, for the export, document and merge
tests."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.ledger import keys
from kiosk.ledger.centre import Centre
from kiosk.sealed import MANIFEST, SIGNATURE, SIGNED_DOMAIN, sha256, zip_bytes
from kiosk.session import CandidateSession
from tests.support import world
from tests.support.session_helpers import ONE_PART, correct, import_roster, load_exam

STAFF_PASSWORD = "vizsgáztató-jelszó-42"


@dataclass
class Sat:
    centre: Centre
    fingerprint: str
    exam: str
    sitting: str
    code: str
    receipts: dict[str, str]


def centre_with_results(tmp: Path, name: str = "Teszt központ", *,
                        candidates: Iterable[str] = ("C1", "C2"), wrong: int = 1,
                        passphrase: str | None = None) -> Sat:
    """A centre where each candidate submitted one attempt (the first `wrong` answers wrong
    for C2, so results differ), with an examiner account in the ledger."""
    tmp.mkdir(parents=True, exist_ok=True)
    centre, fp = world.new_centre(tmp, name, passphrase)
    exam = load_exam(centre, tmp, ONE_PART.format(self_start="true"))
    import_roster(centre)
    world.add_user(centre, "vizsga", "examiner", STAFF_PASSWORD, passphrase=passphrase)
    sitting, code = world.new_sitting(centre, exam, passphrase=passphrase)
    receipts = {cid: submit_attempt(centre, code, cid, wrong=wrong if cid == "C2" else 0)
                for cid in candidates}
    return Sat(centre, fp, exam, sitting, code, receipts)


def submit_attempt(centre: Centre, code: str, cid: str, *, wrong: int = 0) -> str:
    """Log in, answer (the first `wrong` items wrongly), submit; the receipt code."""
    session = CandidateSession.login(centre.path, cid, code, seat=f"PC-{cid}")
    try:
        session.start()
        for i, view in enumerate(session.parts[0].items):
            answer = correct(session, view.key)
            session.save_answer(view.key, (not answer) if i < wrong else answer)
        return session.submit()
    finally:
        session.close()


def members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_members(bundle: Path, files: dict[str, bytes]) -> Path:
    """Zipped as the exporter does: a careful tamperer leaves no trace in the container."""
    bundle.write_bytes(zip_bytes(files))
    return bundle


def rewrite(src: Path, dst: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    files = members(src)
    change(files)
    return write_members(dst, files)


def resign(files: dict[str, bytes], key: Ed25519PrivateKey, *,
           replace_key: bool = False) -> None:
    """Recompute every file hash in the manifest and sign it with `key` (a tamperer who has a
    key: another one, or the centre's own)."""
    manifest = json.loads(files[MANIFEST])
    if replace_key:
        from cryptography.hazmat.primitives import serialization

        public = key.public_key()
        files["centre.pub"] = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        manifest["public_key"] = keys.public_b64(public)
        manifest["fingerprint"] = keys.fingerprint(public)
    manifest["files"] = {n: sha256(d) for n, d in files.items()
                         if n not in (MANIFEST, SIGNATURE)}
    data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode() + b"\n"
    files[MANIFEST] = data
    files[SIGNATURE] = keys.sign(key, SIGNED_DOMAIN + data).encode() + b"\n"
