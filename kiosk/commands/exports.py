"""`kiosk export --sealed` and `kiosk merge`: results that anyone can check offline, and an
organiser's view merged from many centres' exports."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_calls, centre_option, echo_json
from kiosk.errors import KioskError


@click.command("export")
@click.option("--sealed", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the sealed bundle (a zip) here.")
@click.option("--exam", default=None, help="Only this exam's results (default: every exam).")
@centre_option
def export_command(out: Path, exam: str | None, centre_dir: Path) -> None:
    """Export the results with the ledger they rest on, signed by the centre key; check the
    bundle anywhere with `kiosk verify OUT.zip`."""
    if out.exists():
        raise KioskError(f"{out}: exists already; choose another name (nothing written)")
    with centre_calls(centre_dir) as calls:
        done = calls.call("results.export", out=str(out.absolute()), exam=exam)
    click.echo(f"Sealed export written to {out}: {done['results']} result(s), ledger head "
               f"#{done['head_seq']}")
    click.echo(f"Manifest SHA-256: {done['manifest_sha256']} (recorded as ledger event "
               f"#{done['event_seq']})")
    if done["withheld"]:
        click.echo(f"{done['withheld']} event(s) exported without their secret fields")
    click.echo(f"Key fingerprint: {done['fingerprint']}")


@click.command("merge")
@click.argument("bundles", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--into", "into", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The organiser's directory (merged.json, merged.csv, merge-log.jsonl).")
@click.option("--trust", "trust", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Trusted centres and their key fingerprints (default: INTO/trusted-keys.toml).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def merge_command(bundles: tuple[Path, ...], into: Path, trust: Path | None,
                  as_json: bool) -> int:
    """Verify sealed exports and merge their results into one view (exit 1 if any bundle was
    rejected; the others are merged)."""
    from kiosk.federation import TRUST_FILE, merge_bundles

    report = merge_bundles(list(bundles), into, trust or into / TRUST_FILE)
    if as_json:
        echo_json({"into": str(into), "results": report.results,
                   "bundles": [vars(o) for o in report.offered]})
    else:
        for o in report.offered:
            line = f"{o.status.upper():<15} {o.file}"
            if o.centre:
                line += f"  ({o.centre}, head #{o.head_seq})"
            if o.status == "merged":
                line += f": {o.added} new, {o.replaced} updated"
            if o.reason:
                line += f": {o.reason}"
            click.echo(line)
        click.echo(f"{report.results} result(s) in {into}")
    return 1 if report.rejected else 0


COMMANDS = [export_command, merge_command]
