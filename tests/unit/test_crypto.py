"""kiosk.crypto: the one envelope and the one password-hashing module still open what the code
before them wrote (tests/data/legacy/ was written by that code: the package with
kiosk.domain.packages.seal, the stored content with kiosk.exam_store.encrypt_content under a
fixed Ed25519 key, the hashes with kiosk.domain.accounts/sittings)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.crypto import envelope, passwords
from kiosk.domain.packages import PackageError, decode_payload
from kiosk.errors import KioskError
from kiosk.exam_store import decrypt_content, encrypt_content
from kiosk.packages import seal, unseal

LEGACY = Path(__file__).parents[1] / "data" / "legacy"
SECRETS = json.loads((LEGACY / "secrets.json").read_text())
CENTRE_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def test_a_package_written_before_the_envelope_module_opens() -> None:
    plain = unseal((LEGACY / "practice_en.kpkg").read_bytes(), "legacy passphrase")
    assert hashlib.sha256(plain).hexdigest() == SECRETS["content_sha256"]
    payload = decode_payload(plain, "practice_en.kpkg")
    assert payload.exam == SECRETS["exam"] and payload.exam_file in payload.files
    with pytest.raises(PackageError, match="wrong passphrase or the package was modified"):
        unseal((LEGACY / "practice_en.kpkg").read_bytes(), "legacy passphrase!")


def test_stored_exam_content_written_before_the_envelope_module_opens() -> None:
    blob = (LEGACY / "practice_en.kexam").read_bytes()
    plain = decrypt_content(CENTRE_KEY, SECRETS["exam"], blob, "x.kexam")
    assert hashlib.sha256(plain).hexdigest() == SECRETS["content_sha256"]
    # bound to the exam id and to the key, as before
    with pytest.raises(KioskError, match="damaged or was not written by this centre"):
        decrypt_content(CENTRE_KEY, "another-exam", blob, "x.kexam")
    with pytest.raises(KioskError, match="damaged or was not written by this centre"):
        decrypt_content(Ed25519PrivateKey.generate(), SECRETS["exam"], blob, "x.kexam")


def test_new_files_keep_the_old_layout() -> None:
    """What is written now is what the old readers expected: same magic, same header keys."""
    old_pkg = (LEGACY / "practice_en.kpkg").read_bytes()
    new_pkg = seal(b"x", "a passphrase", n=2**14)
    old_store = (LEGACY / "practice_en.kexam").read_bytes()
    new_store = encrypt_content(CENTRE_KEY, "e1", b"x")

    def header(blob: bytes, magic: bytes) -> dict[str, object]:
        size = int.from_bytes(blob[len(magic):len(magic) + 4], "big")
        return json.loads(blob[len(magic) + 4:len(magic) + 4 + size])

    assert header(new_pkg, b"KPKG1").keys() == header(old_pkg, b"KPKG1").keys()
    assert header(new_store, b"KEXAM1").keys() == header(old_store, b"KEXAM1").keys()
    assert decrypt_content(CENTRE_KEY, "e1", new_store, "n") == b"x"


def test_the_envelope_authenticates_every_byte() -> None:
    blob = envelope.seal_with_key(b"TEST1", b"secret text", b"k" * 32, b"test v1", {"id": "a"})
    assert b"secret text" not in blob
    assert envelope.open_with_key(b"TEST1", blob, b"k" * 32, b"test v1", {"id": "a"}) == \
        b"secret text"
    for i in range(len(blob)):
        bad = bytearray(blob)
        bad[i] ^= 0x01
        with pytest.raises(envelope.EnvelopeError):
            envelope.open_with_key(b"TEST1", bytes(bad), b"k" * 32, b"test v1", {"id": "a"})
    for info, expect in ((b"test v2", {"id": "a"}), (b"test v1", {"id": "b"})):
        with pytest.raises(envelope.EnvelopeError):
            envelope.open_with_key(b"TEST1", blob, b"k" * 32, info, expect)


def test_password_and_code_hashes_written_before_the_passwords_module_check() -> None:
    assert passwords.check_password(SECRETS["password"], SECRETS["password_hash"])
    assert not passwords.check_password(SECRETS["password"] + "x", SECRETS["password_hash"])
    code = SECRETS["code_hash"]
    assert passwords.check_code("kx7m 3qrt", code["hash"], code["salt"], code["kdf"])
    assert not passwords.check_code("KX7M-3QRA", code["hash"], code["salt"], code["kdf"])
    pin = SECRETS["pin_hash"]
    assert passwords.check_secret(SECRETS["pin"], pin["hash"], pin["salt"], pin["kdf"])
    assert not passwords.check_secret("246811", pin["hash"], pin["salt"], pin["kdf"])


def test_unknown_user_costs_one_check_and_never_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The old code hashed a dummy password and then checked it (two scrypt runs for an unknown
    name, one for a known one): the time told which names exist. Now both cost one."""
    calls: list[int] = []
    real = passwords.scrypt
    monkeypatch.setattr(passwords, "scrypt", lambda *a, **k: calls.append(1) or real(*a, **k))
    stored = SECRETS["password_hash"]
    assert passwords.check_password("correct horse", stored) and len(calls) == 1
    assert not passwords.check_password("correct horse", None) and len(calls) == 2
    assert not passwords.check_password("", None) and len(calls) == 3


def test_a_legacy_package_loads_into_a_centre_and_reads_back(tmp_path: Path) -> None:
    """End to end: `kiosk load` of a package sealed by the old code, then the exam read back
    from the centre's store (re-encrypted with the envelope) as the service reads it."""
    from kiosk.exam_store import exam_and_banks, load_package
    from kiosk.ledger.centre import Centre

    centre, _ = Centre.init(tmp_path / "centre", "Teszt")
    event = load_package(centre, LEGACY / "practice_en.kpkg", "legacy passphrase")
    assert event.body["content_sha256"] == SECRETS["content_sha256"]
    exam, banks = exam_and_banks(centre, SECRETS["exam"])
    assert exam.id == SECRETS["exam"] and banks and all(b.items for b in banks.values())


def test_authenticate_checks_an_unknown_name_once_like_a_known_one() -> None:
    from kiosk.domain import accounts

    users = {"anna": accounts.User("anna", "invigilator", SECRETS["password_hash"])}
    seen: list[str | None] = []

    def check(password: str, stored: str | None) -> bool:
        seen.append(stored)
        return passwords.check_password(password, stored)

    assert accounts.authenticate(users, "anna", "correct horse", check=check) is not None
    assert accounts.authenticate(users, "bela", "correct horse", check=check) is None
    assert accounts.authenticate(users, "anna", "wrong horse", check=check) is None
    assert seen == [SECRETS["password_hash"], None, SECRETS["password_hash"]]


def test_a_stored_hash_asking_for_huge_scrypt_cost_is_refused_not_attempted() -> None:
    """A damaged or hostile stored hash cannot make a login allocate gigabytes."""
    huge = SECRETS["password_hash"].replace("scrypt$16384$8$1$", "scrypt$1073741824$8$1$")
    assert not passwords.check_password("correct horse", huge)
    code = SECRETS["code_hash"]
    assert not passwords.check_code("KX7M-3QRT", code["hash"], code["salt"], "scrypt:16384:1024:1")
    with pytest.raises(ValueError, match="out of range"):
        passwords.scrypt(b"x", b"salt", n=2**20)
