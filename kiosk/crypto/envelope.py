"""The one encrypted envelope: exam packages (`.kpkg`) and a centre's stored exam content
(`.kexam`) are both written and read here.

Layout::

    MAGIC | header length (4 bytes, big-endian) | header (JSON, sorted keys) | ciphertext

The cipher is AES-256-GCM; the header names it, the key derivation and its parameters, and the
nonce. Every byte before the ciphertext is the GCM associated data, so changing any byte of the
file (magic, header or ciphertext) makes decryption fail exactly as a wrong key does.

Two ways to get the key, both recorded in the header with a fresh random salt per file:
- from a passphrase a person types: scrypt (`kiosk.crypto.passwords.scrypt`), with n, r, p in
  the header, bounded before deriving (a doctored header must not demand gigabytes);
- from key material the centre already holds (its Ed25519 private key): HKDF-SHA256 with an
  `info` string naming the use, so the same key never encrypts two kinds of file alike.

The formats written before this module (`KPKG1` by kiosk.domain.packages, `KEXAM1` by
kiosk.exam_store) are this layout byte for byte, so files written by earlier versions open
unchanged (tests/unit/test_crypto.py opens ones written by the old code). A future change of cipher
or KDF is a new header value (or a new magic), read beside the old one.

Why not `age`: it would be a second format beside the packages already handed out, its Python
bindings are not a dependency here, and it offers nothing this layout lacks for a file sealed
and opened by the same program (an authenticated header, a passphrase KDF with stated cost).
"""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.crypto.passwords import scrypt

CIPHER = "AES-256-GCM"
SALT_BYTES = 16
NONCE_BYTES = 12
MAX_HEADER = 4096
# The header is read before it can be authenticated: these bound what it may ask of scrypt.
N_RANGE = (2**14, 2**18)
R_RANGE = (1, 16)
P_RANGE = (1, 4)


class EnvelopeError(ValueError):
    """Not this envelope, damaged, or the wrong key: callers turn it into their own message."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _seal(magic: bytes, key: bytes, plain: bytes, header: Mapping[str, Any]) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    text = json.dumps({**header, "cipher": CIPHER, "nonce": _b64(nonce)}, sort_keys=True,
                      separators=(",", ":")).encode()
    prefix = magic + struct.pack(">I", len(text)) + text
    return prefix + AESGCM(key).encrypt(nonce, plain, prefix)


def _open(magic: bytes, blob: bytes, key_for: Callable[[dict[str, Any]], bytes]) -> bytes:
    """The plain bytes; `key_for(header)` checks the header and derives the key (raising
    EnvelopeError or ValueError/KeyError/TypeError for a header it refuses)."""
    if not blob.startswith(magic):
        raise EnvelopeError("not this kind of file")
    start = len(magic) + 4
    if len(blob) < start:
        raise EnvelopeError("truncated")
    (size,) = struct.unpack(">I", blob[len(magic):start])
    if size > MAX_HEADER or len(blob) < start + size:
        raise EnvelopeError("bad header length")
    prefix = blob[:start + size]
    try:
        header = json.loads(blob[start:start + size])
        if not isinstance(header, dict) or header["cipher"] != CIPHER:
            raise EnvelopeError("unknown cipher")
        nonce = base64.b64decode(header["nonce"], validate=True)
        if len(nonce) != NONCE_BYTES:
            raise EnvelopeError("bad nonce")
        key = key_for(header)
        return AESGCM(key).decrypt(nonce, blob[start + size:], prefix)
    except EnvelopeError:
        raise
    except (ValueError, KeyError, TypeError, InvalidTag):
        raise EnvelopeError("damaged or wrong key") from None


def _salt(header: Mapping[str, Any]) -> bytes:
    salt = base64.b64decode(header["salt"], validate=True)
    if len(salt) != SALT_BYTES:
        raise EnvelopeError("bad salt")
    return salt


# --- keys from a passphrase (scrypt) -------------------------------------------------------


def passphrase_key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return scrypt(passphrase.encode("utf-8"), salt, n, r, p)


def _in(value: Any, bounds: tuple[int, int]) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]


def seal_with_passphrase(magic: bytes, plain: bytes, passphrase: str, *, n: int, r: int,
                         p: int) -> bytes:
    salt = os.urandom(SALT_BYTES)
    return _seal(magic, passphrase_key(passphrase, salt, n, r, p), plain,
                 {"kdf": "scrypt", "n": n, "r": r, "p": p, "salt": _b64(salt)})


def open_with_passphrase(magic: bytes, blob: bytes, passphrase: str) -> bytes:
    def key_for(header: dict[str, Any]) -> bytes:
        n, r, p = header["n"], header["r"], header["p"]
        if not (header["kdf"] == "scrypt" and _in(n, N_RANGE) and n & (n - 1) == 0
                and _in(r, R_RANGE) and _in(p, P_RANGE)):
            raise EnvelopeError("scrypt parameters out of bounds")
        return passphrase_key(passphrase, _salt(header), n, r, p)

    return _open(magic, blob, key_for)


# --- keys from key material the holder already has (HKDF) -----------------------------------


def material_key(material: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(material)


def seal_with_key(magic: bytes, plain: bytes, material: bytes, info: bytes,
                  header: Mapping[str, Any] | None = None) -> bytes:
    """`header` adds authenticated fields (e.g. the exam id a file must belong to)."""
    salt = os.urandom(SALT_BYTES)
    return _seal(magic, material_key(material, salt, info), plain,
                 {**(header or {}), "kdf": "HKDF-SHA256", "salt": _b64(salt)})


def open_with_key(magic: bytes, blob: bytes, material: bytes, info: bytes,
                  expect: Mapping[str, Any] | None = None) -> bytes:
    """`expect`: header fields that must have these values (checked before decrypting)."""
    def key_for(header: dict[str, Any]) -> bytes:
        if header["kdf"] != "HKDF-SHA256" or any(header.get(k) != v
                                                 for k, v in (expect or {}).items()):
            raise EnvelopeError("header does not match")
        return material_key(material, _salt(header), info)

    return _open(magic, blob, key_for)
