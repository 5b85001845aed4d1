"""Password, access-code and PIN hashing, and keys derived from a passphrase: scrypt, set up here
only.

Two stored forms exist, both read and written here, because ledgers already hold them:
- staff passwords as one string `scrypt$N$r$p$<salt b64>$<digest b64>` (`user_added` events);
- sitting access codes and exit PINs as hex fields {hash, salt, kdf = "scrypt:N:r:p"}
  (`sitting_created` events, centre.toml's exit PIN).
The cost parameters travel with every stored hash, so raising them later leaves old hashes
readable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from typing import Any

from kiosk.domain.sittings import CODE_ALPHABET, CODE_LENGTH, normalise_code

# scrypt cost: ~50 ms per check here, so guessing offline is slow and login still feels instant.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES = 16
KDF_NAME = f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}"
# A stored password of the right shape that no password matches (its digest is all zeros): an
# unknown user name is checked against it, so the time taken does not tell which names exist.
_NOBODY = (f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$" + base64.b64encode(b"\0" * SALT_BYTES).decode()
           + "$" + base64.b64encode(b"\0" * 32).decode())


# What a stored hash or a file's header may ask of scrypt (about 128·n·r bytes of memory: 512 MiB
# at the top); more is refused as a damaged value, never attempted.
N_RANGE = (2, 2**18)
R_RANGE = (1, 16)
P_RANGE = (1, 4)


def scrypt(secret: bytes, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P,
           length: int = 32) -> bytes:
    """The one scrypt call of the project. ValueError for cost parameters outside the ranges
    above (they come from ledgers and files) or a length outside 16..64 bytes."""
    if not (N_RANGE[0] <= n <= N_RANGE[1] and n & (n - 1) == 0 and R_RANGE[0] <= r <= R_RANGE[1]
            and P_RANGE[0] <= p <= P_RANGE[1] and 16 <= length <= 64):
        raise ValueError(f"scrypt parameters out of range: n={n} r={r} p={p} length={length}")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=128 * n * r * (p + 1) + 1024 * 1024)


# --- staff passwords: one string ------------------------------------------------------------


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(SALT_BYTES)
    digest = scrypt(password.encode(), salt)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str | None) -> bool:
    """Constant-time check; None (no such user) spends one check's time and answers False."""
    try:
        scheme, n, r, p, salt, digest = (stored or _NOBODY).split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = scrypt(password.encode(), base64.b64decode(salt), int(n), int(r), int(p),
                     len(expected))
    except (ValueError, TypeError):
        return False
    return stored is not None and hmac.compare_digest(got, expected)


# --- access codes and PINs: hex fields ------------------------------------------------------


def _kdf(secret: str, salt: bytes, kdf: str = KDF_NAME) -> bytes:
    name, n, r, p = kdf.split(":")
    if name != "scrypt":
        raise ValueError(f"unknown kdf {kdf!r}")
    return scrypt(secret.encode("utf-8"), salt, int(n), int(r), int(p))


def hash_secret(secret: str) -> dict[str, str]:
    """{hash, salt, kdf} (hex) of a code or PIN; the secret itself is kept nowhere."""
    salt = os.urandom(SALT_BYTES)
    return {"hash": _kdf(secret, salt).hex(), "salt": salt.hex(), "kdf": KDF_NAME}


def check_secret(secret: str, hash_hex: str, salt_hex: str, kdf: str = KDF_NAME) -> bool:
    """Constant-time comparison of `secret` with a stored hash."""
    try:
        salt = bytes.fromhex(salt_hex)
        expected = bytes.fromhex(hash_hex)
        got = _kdf(secret, salt, kdf)
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


def burn_check() -> None:
    """Spend the time of one secret check (an unknown id answers as slowly as a wrong code)."""
    _kdf("x", b"\0" * SALT_BYTES)


# --- sitting access codes -------------------------------------------------------------------


def generate_code() -> str:
    """8 random characters from the sitting code alphabet, grouped 4-4: `KX7M-3QRT`."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def hash_code(code: str) -> dict[str, str]:
    """The stored form of a sitting's access code (compared as `normalise_code` gives it)."""
    return hash_secret(normalise_code(code))


def check_code(code: str, hash_hex: str, salt_hex: str, kdf: str = KDF_NAME) -> bool:
    return check_secret(normalise_code(code), hash_hex, salt_hex, kdf)


def code_matches(sitting: Any, code: str) -> bool:
    """Whether `code` opens this sitting (a kiosk.domain.sittings.Sitting)."""
    return check_code(code, sitting.code_hash, sitting.code_salt, sitting.code_kdf)
