"""`kiosk init` and `kiosk verify`: create a centre and check its ledger."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_option, echo_json
from kiosk.errors import KioskError
from kiosk.ledger import receipts
from kiosk.ledger.centre import LEDGER, PUBLIC_KEY, Centre
from kiosk.ledger.keys import read_public
from kiosk.ledger.verify import find_receipt, verify_ledger

#: Seconds an unsigned tail may be young before `verify` calls it a problem (the policy signs
#: within one second while the appending process lives).
LIVE_GRACE_SECONDS = 2.0


@click.command("init")
@centre_option
@click.option("--name", default="Demo vizsgaközpont", show_default=True, help="The centre's name.")
@click.option(
    "--passphrase",
    is_flag=False,
    flag_value="__prompt__",
    default=None,
    help="Encrypt the private key; give no value to be asked (recommended).",
)
@click.option("--tls-host", "tls_hosts", multiple=True,
              help="Name or address of the kiosk for lab browsers, in the TLS certificate "
                   "(repeatable; default: this host's name, localhost, 127.0.0.1).")
def init_command(centre_dir: Path, name: str, passphrase: str | None,
                 tls_hosts: tuple[str, ...]) -> None:
    """Create a centre: the ledger, an Ed25519 key pair and a TLS certificate."""
    if passphrase == "__prompt__":
        passphrase = click.prompt("Passphrase", hide_input=True, confirmation_prompt=True)
    _, fingerprint = Centre.init(centre_dir, name, passphrase)
    click.echo(f"Centre created in {centre_dir}")
    click.echo(f"Key fingerprint: {fingerprint}")
    click.echo("Write the fingerprint down: anyone verifying this centre's results compares it.")
    from kiosk.commands.web import echo_certificate, make_certificate

    echo_certificate(make_certificate(centre_dir, tls_hosts, name=name))


@click.command("verify")
@click.argument("target", required=False, type=click.Path(path_type=Path))
@centre_option
@click.option("--receipt", help="Check that the ledger contains the head this receipt was made from.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def verify_command(target: Path | None, centre_dir: Path, receipt: str | None, as_json: bool) -> int:
    """Recompute the chain and every signature (exit 1 when anything is wrong). TARGET may
    be a centre directory, a ledger file or a sealed export (OUT.zip, checked offline)."""
    if target is not None and target.is_file() and receipt is None:
        from kiosk.sealed import is_bundle

        if target.suffix.lower() == ".zip" or is_bundle(target):
            return _verify_bundle(target, as_json)
    ledger_path, trusted = _locate(target or centre_dir)
    if receipt is not None:
        return _check_receipt(ledger_path, receipt, as_json)
    report = verify_ledger(ledger_path, trusted, grace_seconds=LIVE_GRACE_SECONDS)
    if as_json:
        echo_json(report.as_dict())
        return 0 if report.ok else 1
    if report.ok:
        click.echo(f"OK: {report.events} events, {report.checkpoints} signed checkpoints")
        click.echo(f"Head: #{report.head_seq} {report.head_hash}")
        click.echo(f"Key fingerprint: {report.fingerprint}")
        if report.pending:
            click.echo(f"({report.pending} newest events await their checkpoint, due within a second)")
        return 0
    click.echo(f"FAILED: first bad event #{report.first_bad_seq}" if report.first_bad_seq else "FAILED")
    for problem in report.problems:
        where = f"#{problem.seq}: " if problem.seq is not None else ""
        click.echo(f"  {where}{problem.reason}")
    return 1


def _verify_bundle(path: Path, as_json: bool) -> int:
    from kiosk.sealed import verify_bundle

    report = verify_bundle(path)
    if as_json:
        echo_json(report.as_dict())
        return 0 if report.ok else 1
    if report.ok:
        click.echo(f"OK: sealed export of {report.centre}"
                   + (f", exam {report.exam}" if report.exam else "")
                   + f": {report.results} result(s), {report.events} events "
                   f"({report.withheld} without their secret fields), "
                   f"{report.checkpoints} signed checkpoints")
        click.echo(f"Head: #{report.head_seq} {report.head_hash}")
        click.echo(f"Key fingerprint: {report.fingerprint}")
        click.echo("Compare the fingerprint with the one the centre printed at `kiosk init`.")
        return 0
    click.echo(f"FAILED: {path} is not the sealed export its centre signed")
    for problem in report.problems:
        click.echo(f"  {problem}")
    if report.fingerprint:
        click.echo(f"Key fingerprint in the bundle: {report.fingerprint}")
    return 1


def _locate(target: Path) -> tuple[Path, object]:
    """A centre directory or a bare ledger file; the centre's public key when there is one."""
    if target.is_dir():
        centre = Centre.open(target)
        trusted = read_public(centre.public_key_path) if centre.public_key_path.exists() else None
        return centre.ledger_path, trusted
    if not target.exists():
        raise KioskError(f"{target}: no such centre or ledger")
    pub = target.parent / PUBLIC_KEY
    trusted = read_public(pub) if target.name == LEDGER and pub.exists() else None
    return target, trusted


def _check_receipt(ledger_path: Path, code: str, as_json: bool) -> int:
    found = find_receipt(ledger_path, code)
    normal = receipts.normalise(code)
    if as_json:
        echo_json({"receipt": normal, "found": found is not None,
                   "seq": found[0] if found else None, "kind": found[1] if found else None,
                   "ts": found[2] if found else None})
    elif found:
        click.echo(f"Receipt {normal} found: event #{found[0]} ({found[1]}, {found[2]})")
    else:
        click.echo(f"Receipt {normal} NOT found: this ledger does not contain that head")
    return 0 if found else 1


COMMANDS = [init_command, verify_command]
