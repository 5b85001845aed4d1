"""The operator's content and export work: loading an exam package into the centre and writing
a sealed results bundle. Both write the centre directory and sign with the centre key, so they
are the operator's (the service's own account): the paths are that account's, read and written
by the service under the same uid, which grants the caller nothing it did not have."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.service.usecases import OPERATOR, Context, use_case


def _absolute(value: str, what: str) -> Path:
    path = Path(value)
    if not path.is_absolute():
        raise KioskError(f"{what}: an absolute path is required")
    return path


@use_case("exam.load", roles=(OPERATOR,))
def load(ctx: Context, *, package: str, package_passphrase: str, replace: bool = False
         ) -> dict[str, Any]:
    from kiosk.exam_store import load_package

    path = _absolute(package, "package")
    if not path.is_file():
        raise KioskError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    event = load_package(ctx.centre, path, package_passphrase, replace=replace,
                         centre_passphrase=ctx.passphrase, ledger=ctx.ledger)
    return {"seq": event.seq, "body": event.body}


@use_case("results.export", roles=(OPERATOR,))
def export(ctx: Context, *, out: str, exam: str | None = None) -> dict[str, Any]:
    from kiosk.sealed import export_sealed

    path = _absolute(out, "--sealed")
    if path.exists():
        raise KioskError(f"{path}: exists already; choose another name (nothing written)")
    done = export_sealed(ctx.centre, path, exam=exam, passphrase=ctx.passphrase,
                         ledger=ctx.ledger)
    return {"results": done.results, "head_seq": done.head_seq,
            "manifest_sha256": done.manifest_sha256, "event_seq": done.event_seq,
            "withheld": done.withheld, "fingerprint": done.fingerprint}
