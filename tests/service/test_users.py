"""Accounts: scrypt hashes only, disable as an event, authentication never says why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.crypto import passwords
from kiosk.domain import accounts
from kiosk.ledger.centre import Centre

REPO = Path(__file__).resolve().parents[2]


def authenticate(*args: object) -> object:
    return accounts.authenticate(*args, check=passwords.check_password)  # type: ignore[arg-type]


def kiosk(*args: str, input: str | None = None, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True,
                          text=True, input=input, env={**os.environ, **(env or {})})


def test_add_list_disable_and_authenticate(centre: Centre) -> None:
    c = str(centre.path)
    added = kiosk("user", "add", "--role", "invigilator", "anna", "--centre", c,
                  input="titkos-jelszó-1\ntitkos-jelszó-1\n")
    assert added.returncode == 0, added.stderr
    assert kiosk("user", "add", "--role", "examiner", "bela", "--centre", c,
                 env={"KIOSK_NEW_PASSWORD": "masik-jelszo"}).returncode == 0
    dup = kiosk("user", "add", "--role", "examiner", "anna", "--centre", c, input="x" * 9 + "\n" + "x" * 9 + "\n")
    assert dup.returncode == 2 and "already exists" in dup.stderr
    short = kiosk("user", "add", "--role", "examiner", "cili", "--centre", c, input="rövid\nrövid\n")
    assert short.returncode == 2 and "at least 8" in short.stderr

    # Only a scrypt hash is stored; the password appears nowhere in the ledger file.
    with centre.reader() as ledger:
        bodies = [e.body for e in ledger.events(kind="user_added")]
    assert all(b["password_hash"].startswith("scrypt$") for b in bodies)
    raw = centre.ledger_path.read_bytes() + Path(str(centre.ledger_path) + "-wal").read_bytes()
    assert "titkos-jelszó-1".encode() not in raw and b"masik-jelszo" not in raw

    listed = json.loads(kiosk("user", "list", "--centre", c, "--json").stdout)
    assert [(u["user"], u["role"], u["active"]) for u in listed] == [
        ("anna", "invigilator", True), ("bela", "examiner", True)]
    assert "password" not in json.dumps(listed)

    with centre.reader() as ledger:
        users = accounts.fold_users(ledger.events())
    assert authenticate(users, "anna", "titkos-jelszó-1", "invigilator") is not None
    assert authenticate(users, "anna", "titkos-jelszó-1", "examiner") is None
    assert authenticate(users, "anna", "rossz-jelszo", None) is None
    assert authenticate(users, "nincs", "titkos-jelszó-1", None) is None

    assert kiosk("user", "disable", "anna", "--reason", "left", "--centre", c).returncode == 0
    with centre.reader() as ledger:
        users = accounts.fold_users(ledger.events())
    assert users["anna"].active is False
    assert authenticate(users, "anna", "titkos-jelszó-1", None) is None
    again = kiosk("user", "disable", "anna", "--reason", "x", "--centre", c)
    assert again.returncode == 2 and "already disabled" in again.stderr


def test_bad_names_and_missing_centre(tmp_path: Path) -> None:
    Centre.init(tmp_path / "c", "C")
    bad = kiosk("user", "add", "--role", "examiner", "rossz név'; DROP", "--centre", str(tmp_path / "c"))
    assert bad.returncode == 2 and "user name" in bad.stderr and "Traceback" not in bad.stderr
    missing = kiosk("user", "list", "--centre", str(tmp_path / "none"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_hash_is_salted_and_checks() -> None:
    a, b = passwords.hash_password("ugyanaz-jelszo"), passwords.hash_password("ugyanaz-jelszo")
    assert a != b
    assert passwords.check_password("ugyanaz-jelszo", a)
    assert not passwords.check_password("ugyanaz-jelszO", a)
    assert not passwords.check_password("x", "garbage")
