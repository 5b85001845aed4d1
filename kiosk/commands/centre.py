"""`kiosk init` and `kiosk verify`: create a centre and check its ledger."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.anchors import load_anchors
from kiosk.commands.common import centre_option, echo_json
from kiosk.errors import KioskError
from kiosk.ledger import receipts
from kiosk.ledger.centre import LEDGER, PUBLIC_KEY, Centre
from kiosk.ledger.keys import read_public
from kiosk.ledger.store import heads_path
from kiosk.ledger.verify import Anchor, Problem, verify_ledger


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
@click.option("--receipt", "receipt_codes", multiple=True,
              help="After full verification, check that the ledger contains the head this "
                   "receipt was made from (repeatable).")
@click.option("--anchor", "anchor_files", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="A file of known heads (heads file, minutes PDF, sealed bundle, the "
                   "organiser's merged.json, receipts in a text file): each must be in the "
                   "ledger, or it was rolled back or truncated (repeatable).")
@click.option("--fingerprint", "expected_fp", default=None,
              help="Fail unless the ledger is signed by the key with this fingerprint.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def verify_command(target: Path | None, centre_dir: Path, receipt_codes: tuple[str, ...],
                   anchor_files: tuple[Path, ...], expected_fp: str | None,
                   as_json: bool) -> int:
    """Recompute the chain and every signature (exit 1 when anything is wrong). TARGET may
    be a centre directory, a ledger file or a sealed export (OUT.zip, checked offline)."""
    wanted = []
    for code in receipt_codes:
        normal = receipts.normalise(code)
        if normal is None:
            raise KioskError(f"not a receipt code: {code!r} (12 characters, e.g. 7K3M-Q9XW-2HTB)")
        wanted.append(normal)
    anchors = [a for f in anchor_files for a in load_anchors(f)]
    if target is not None and target.is_file():
        from kiosk.sealed import is_bundle

        if target.suffix.lower() == ".zip" or is_bundle(target):
            return _verify_bundle(target, as_json, wanted, anchors, expected_fp)
    ledger_path, trusted = _locate(target or centre_dir)
    anchors += _own_heads(ledger_path, target or centre_dir)
    report = verify_ledger(ledger_path, trusted, anchors=anchors, receipt_codes=wanted)
    fp_problem = _fingerprint_problem(expected_fp, report.fingerprint)
    if fp_problem:
        report.problems.append(Problem(None, fp_problem))
    ok = report.ok and all(c in report.receipts for c in wanted)
    if as_json:
        data = report.as_dict()
        data["receipts"] = [_receipt_json(c, report.receipts.get(c), report.ok) for c in wanted]
        data["ok"] = ok
        echo_json(data)
        return 0 if ok else 1
    if report.ok:
        click.echo(f"OK: {report.events} events, {report.checkpoints} signed checkpoints"
                   + (f", {report.anchors} known head(s) present" if report.anchors else ""))
        click.echo(f"Head: #{report.head_seq} {report.head_hash}")
        click.echo(f"Key fingerprint: {report.fingerprint}")
    else:
        click.echo(f"FAILED: first bad event #{report.first_bad_seq}" if report.first_bad_seq else "FAILED")
        for problem in report.problems:
            where = f"#{problem.seq}: " if problem.seq is not None else ""
            click.echo(f"  {where}{problem.reason}")
    _echo_receipts(wanted, report.receipts, report.ok)
    return 0 if ok else 1


def _receipt_json(code: str, found: tuple[int, str, str] | None, verified: bool) -> dict[str, object]:
    return {"receipt": code, "found": bool(found and verified), "seq": found[0] if found else None,
            "kind": found[1] if found else None, "ts": found[2] if found else None}


def _echo_receipts(wanted: list[str], found: dict[str, tuple[int, str, str]], verified: bool) -> None:
    for code in wanted:
        hit = found.get(code)
        if not verified:
            # A receipt in a ledger that fails verification proves nothing.
            click.echo(f"Receipt {code} NOT confirmed: the ledger does not verify")
        elif hit:
            click.echo(f"Receipt {code} found: event #{hit[0]} ({hit[1]}, {hit[2]})")
        else:
            click.echo(f"Receipt {code} NOT found: this ledger does not contain that head")


def _fingerprint_problem(expected: str | None, actual: str) -> str:
    if expected is None:
        return ""
    want = expected.strip().upper()
    if not want.startswith("SHA256:"):
        raise KioskError(f"--fingerprint {expected!r}: expected \"SHA256:XXXX:...\" as `kiosk init` printed it")
    if want != actual.upper():
        return (f"signed by key {actual or '(none)'}, not by the expected {want}: "
                "a forgery under another key, or another centre")
    return ""


def _verify_bundle(path: Path, as_json: bool, wanted: list[str], anchors: list, expected_fp: str | None) -> int:
    from kiosk.sealed import verify_bundle

    report = verify_bundle(path, anchors=anchors, receipt_codes=wanted)
    fp_problem = _fingerprint_problem(expected_fp, report.fingerprint)
    if fp_problem:
        report.problems.append(fp_problem)
    ok = report.ok and all(c in report.receipts for c in wanted)
    if as_json:
        data = report.as_dict()
        data["receipts"] = [_receipt_json(c, report.receipts.get(c), report.ok) for c in wanted]
        data["ok"] = ok
        echo_json(data)
        return 0 if ok else 1
    if report.ok:
        click.echo(f"OK: sealed export of {report.centre}"
                   + (f", exam {report.exam}" if report.exam else "")
                   + f": {report.results} result(s), {report.events} events "
                   f"({report.withheld} without their secret fields), "
                   f"{report.checkpoints} signed checkpoints")
        click.echo(f"Head: #{report.head_seq} {report.head_hash}")
        click.echo(f"Key fingerprint: {report.fingerprint}")
        if expected_fp is None:
            click.echo("Compare the fingerprint with the one the centre printed at `kiosk init`.")
    else:
        click.echo(f"FAILED: {path} is not the sealed export its centre signed")
        for problem in report.problems:
            click.echo(f"  {problem}")
        if report.fingerprint:
            click.echo(f"Key fingerprint in the bundle: {report.fingerprint}")
    _echo_receipts(wanted, report.receipts, report.ok)
    return 0 if ok else 1


def _own_heads(ledger_path: Path, target: Path) -> list[Anchor]:
    """The centre's own heads files (beside the ledger, and the mirror centre.toml names) are
    anchors without asking: restoring an old ledger.db alone is then caught by plain verify."""
    paths = [heads_path(ledger_path)]
    if target.is_dir():
        try:
            paths = Centre.open(target).anchor_paths()
        except KioskError:
            pass
    found: list[Anchor] = []
    for path in paths:
        if path.is_file():
            found += load_anchors(path)
    return found


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


COMMANDS = [init_command, verify_command]
