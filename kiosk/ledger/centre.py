"""A centre: a directory holding the ledger, the key pair and the centre's settings."""

from __future__ import annotations

import os
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.errors import KioskError
from kiosk.ledger import keys, store

LEDGER = "ledger.db"
PRIVATE_KEY = "centre.key"
PUBLIC_KEY = "centre.pub"
CONFIG = "centre.toml"
DEFAULT_CENTRE = Path("results")
PASSPHRASE_ENV = "KIOSK_PASSPHRASE"


#: Every centre directory this process has opened: runners of candidate code hide them
#: explicitly (kiosk_informatics.sandbox), even where one lies inside a tree they must bind.
OPENED: set[Path] = set()


@dataclass
class Centre:
    path: Path

    def __post_init__(self) -> None:
        OPENED.add(Path(os.path.realpath(self.path)))

    @property
    def ledger_path(self) -> Path:
        return self.path / LEDGER

    @property
    def private_key_path(self) -> Path:
        return self.path / PRIVATE_KEY

    @property
    def public_key_path(self) -> Path:
        return self.path / PUBLIC_KEY

    @classmethod
    def init(cls, path: Path, name: str, passphrase: str | None = None) -> tuple[Centre, str]:
        """Create a centre; refuses a directory that already holds any part of one."""
        path = Path(path)
        existing = [p for p in (LEDGER, PRIVATE_KEY, PUBLIC_KEY, CONFIG) if (path / p).exists()]
        if existing:
            raise KioskError(f"{path}: a centre already exists here ({existing[0]}); nothing changed")
        created_dir = not path.exists()
        try:
            path.mkdir(parents=True, exist_ok=True)
            centre = cls(path)
            private = keys.generate()
            public = private.public_key()
            keys.write_private(private, centre.private_key_path, passphrase)
            keys.write_public(public, centre.public_key_path)
            (path / CONFIG).write_text(_config_text(name), encoding="utf-8")
            store.create(centre.ledger_path)
            fp = keys.fingerprint(public)
            with store.Ledger(centre.ledger_path, private) as ledger:
                ledger.append(
                    "genesis",
                    {
                        "centre": name,
                        "public_key": keys.public_b64(public),
                        "fingerprint": fp,
                        "format": store.FORMAT_VERSION,
                    },
                    actor="system",
                )
        except KioskError:
            raise
        except OSError as exc:
            # Leave nothing half-made behind.
            for p in (LEDGER, PRIVATE_KEY, PUBLIC_KEY, CONFIG, LEDGER + "-wal", LEDGER + "-shm",
                      LEDGER + store.HEADS_SUFFIX):
                try:
                    (path / p).unlink()
                except OSError:
                    pass
            if created_dir:
                shutil.rmtree(path, ignore_errors=True)
            raise KioskError(f"{path}: cannot create the centre ({exc.strerror or exc})") from exc
        return centre, fp

    @classmethod
    def open(cls, path: Path) -> Centre:
        path = Path(path)
        if not path.is_dir():
            raise KioskError(f"{path}: no centre here (run `kiosk init --centre {path}` first)")
        if not (path / LEDGER).exists():
            raise KioskError(f"{path}: no centre here: {LEDGER} missing (run `kiosk init`)")
        return cls(path)

    def config(self) -> dict[str, Any]:
        try:
            return tomllib.loads((self.path / CONFIG).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise KioskError(f"{self.path / CONFIG}: {exc}") from exc

    @property
    def name(self) -> str:
        return str(self.config().get("centre", {}).get("name", self.path.name))

    def public_key(self) -> Ed25519PublicKey:
        return keys.read_public(self.public_key_path)

    def key_is_encrypted(self) -> bool:
        return keys.is_encrypted(self.private_key_path)

    def ledger(self, passphrase: str | None = None) -> store.Ledger:
        """A writable ledger signed with the centre key. It keeps its signed heads file beside
        the ledger and, when centre.toml names one (`[ledger] heads_mirror = "PATH"`), a second
        copy on another medium; it refuses to open a ledger older than either."""
        passphrase = passphrase or os.environ.get(PASSPHRASE_ENV) or None
        private = keys.read_private(self.private_key_path, passphrase)
        if keys.public_raw(private.public_key()) != keys.public_raw(self.public_key()):
            raise KioskError(f"{self.path}: {PRIVATE_KEY} does not match {PUBLIC_KEY}")
        return store.Ledger(self.ledger_path, private, anchors=self.anchor_paths())

    def anchor_paths(self) -> list[Path]:
        """Where the writer keeps its signed high-water mark of the head."""
        paths = [store.heads_path(self.ledger_path)]
        mirror = self.config().get("ledger", {}).get("heads_mirror")
        if mirror is not None:
            if not isinstance(mirror, str) or not mirror.strip():
                raise KioskError(f"{self.path / CONFIG}: ledger.heads_mirror must be a path")
            target = Path(mirror).expanduser()
            paths.append(target if target.is_absolute() else self.path / target)
        return paths

    def reader(self) -> store.Ledger:
        return store.Ledger(self.ledger_path, None, readonly=True)


def _config_text(name: str) -> str:
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'[centre]\nname = "{escaped}"\nlanguage = "hu"\n'
