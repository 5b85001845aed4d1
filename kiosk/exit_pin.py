"""The invigilator's exit PIN: the only way out of the candidate app.

Kept in the centre's centre.toml as a scrypt hash (`[kiosk] exit_pin_hash`, `exit_pin_salt`,
`exit_pin_kdf`); the PIN itself is shown once when it is set and is never stored.
"""

from __future__ import annotations

import hmac
import secrets
import tomllib
from typing import Any

import tomli_w

from kiosk.crypto.passwords import KDF_NAME, check_secret, hash_secret
from kiosk.errors import KioskError
from kiosk.ledger.centre import CONFIG, Centre

PIN_DIGITS = 6


def generate_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def _settings(centre: Centre) -> dict[str, Any]:
    kiosk = centre.config().get("kiosk", {})
    return kiosk if isinstance(kiosk, dict) else {}


def has_pin(centre: Centre) -> bool:
    settings = _settings(centre)
    return bool(settings.get("exit_pin_hash") and settings.get("exit_pin_salt")
                or settings.get("exit_pin"))


def check_pin(centre: Centre, pin: str) -> bool:
    settings = _settings(centre)
    hash_hex, salt_hex = settings.get("exit_pin_hash"), settings.get("exit_pin_salt")
    if not isinstance(hash_hex, str) or not isinstance(salt_hex, str):
        # A PIN an administrator wrote into centre.toml by hand; `set_pin` replaces it by a hash.
        plain = settings.get("exit_pin")
        return isinstance(plain, str | int) and bool(str(plain)) and hmac.compare_digest(
            str(plain).strip().encode(), pin.strip().encode())
    return check_secret(pin.strip(), hash_hex, salt_hex, str(settings.get("exit_pin_kdf",
                                                                           KDF_NAME)))


def set_pin(centre: Centre, pin: str) -> None:
    """Store the hash of `pin` in centre.toml (other settings are kept)."""
    path = centre.path / CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KioskError(f"{path}: {exc}") from None
    hashed = hash_secret(pin.strip())
    kiosk = data.get("kiosk") if isinstance(data.get("kiosk"), dict) else {}
    kiosk.pop("exit_pin", None)  # a clear-text PIN someone typed in must not survive
    kiosk.update(exit_pin_hash=hashed["hash"], exit_pin_salt=hashed["salt"],
                 exit_pin_kdf=hashed["kdf"])
    data["kiosk"] = kiosk
    from kiosk.exam_store import write_atomically

    try:
        write_atomically(path, tomli_w.dumps(data).encode("utf-8"))
    except OSError as exc:
        raise KioskError(f"{path}: cannot write: {exc.strerror or exc}") from None


def ensure_pin(centre: Centre) -> str | None:
    """Set a new random PIN when the centre has none; returns it (to show once) or None."""
    if has_pin(centre):
        return None
    pin = generate_pin()
    set_pin(centre, pin)
    return pin
