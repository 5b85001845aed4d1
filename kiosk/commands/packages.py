"""`kiosk package` and `kiosk load`: sealing an exam for transport and loading it into a centre."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import click

from kiosk.commands.common import centre_calls, centre_option
from kiosk.domain.packages import MIN_PASSPHRASE
from kiosk.errors import KioskError
from kiosk.exam_store import write_atomically
from kiosk.packages import build_payload, seal

PACKAGE_PASSPHRASE_ENV = "KIOSK_PACKAGE_PASSPHRASE"

passphrase_option = click.option(
    "--passphrase",
    default=None,
    help=f"The package passphrase (for scripts; default: ${PACKAGE_PASSPHRASE_ENV}, else asked).",
)


@click.command("package")
@click.argument("exam", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The package file to write (.kpkg).")
@passphrase_option
def package_command(exam: Path, out: Path, passphrase: str | None) -> None:
    """Seal an exam file and its banks into an encrypted package."""
    if not exam.is_file():
        raise KioskError(f"{exam}: no such file" if not exam.exists() else f"{exam}: not a file")
    payload, errors = build_payload(exam)
    if payload is None:
        for error in errors:
            click.echo(error, err=True)
        n = len(errors)
        raise KioskError(f"{exam}: {n} problem{'s' if n != 1 else ''}; no package written")
    passphrase = passphrase or os.environ.get(PACKAGE_PASSPHRASE_ENV) or click.prompt(
        "Package passphrase", hide_input=True, confirmation_prompt=True)
    if len(passphrase) < MIN_PASSPHRASE:
        raise KioskError(f"the package passphrase must have at least {MIN_PASSPHRASE} "
                         "characters; no package written")
    blob = seal(payload.to_bytes(), passphrase)
    try:
        write_atomically(out, blob)
    except OSError as exc:
        raise KioskError(f"{out}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"Sealed exam {payload.exam} ({len(payload.files)} files, banks: "
               f"{', '.join(payload.banks)}) into {out}")
    click.echo(f"SHA-256: {hashlib.sha256(blob).hexdigest()}")
    click.echo("Send the passphrase to the centre by another channel than the package.")


@click.command("load")
@click.argument("package", type=click.Path(path_type=Path))
@centre_option
@passphrase_option
@click.option("--replace", is_flag=True, help="Load an exam that is already loaded again.")
def load_command(package: Path, centre_dir: Path, passphrase: str | None, replace: bool) -> None:
    """Load an exam package into a centre; its content stays encrypted on disk."""
    if not package.is_file():
        raise KioskError(f"{package}: no such file" if not package.exists()
                         else f"{package}: not a file")
    passphrase = passphrase or os.environ.get(PACKAGE_PASSPHRASE_ENV) or click.prompt(
        "Package passphrase", hide_input=True)
    with centre_calls(centre_dir) as calls:
        done = calls.call("exam.load", package=str(package.absolute()),
                          package_passphrase=passphrase, replace=replace)
    body = done["body"]
    again = f", replacing event #{body['replaces']}" if "replaces" in body else ""
    click.echo(f"Loaded exam {body['exam']} ({body['title']}) into {Path(centre_dir)}: "
               f"{len(body['files'])} files, banks {', '.join(body['banks'])} "
               f"(event #{done['seq']}{again})")


COMMANDS = [package_command, load_command]
