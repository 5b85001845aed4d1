"""`kiosk demo`: prepare the demo centre under results/ (the candidate app comes next)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_option
from kiosk.ledger.centre import Centre
from kiosk.ledger.verify import verify_ledger


@click.command("demo")
@centre_option
def demo_command(centre_dir: Path) -> None:
    """Initialise (or reopen) the demo centre and show its state."""
    if (centre_dir / "ledger.db").exists():
        centre = Centre.open(centre_dir)
        click.echo(f"Demo centre already in {centre_dir}")
    else:
        centre, fingerprint = Centre.init(centre_dir, "Demo vizsgaközpont")
        click.echo(f"Demo centre created in {centre_dir}")
    report = verify_ledger(centre.ledger_path, centre.public_key(), grace_seconds=2.0)
    click.echo(f"Ledger: {report.events} events, {'verified' if report.ok else 'NOT VERIFIED'}")
    click.echo(f"Key fingerprint: {report.fingerprint}")
    click.echo("")
    click.echo("The candidate kiosk (kiosk sit) is not built yet; until then try:")
    click.echo(f"  kiosk verify --centre {centre_dir}")
    click.echo("  kiosk plugins")


COMMANDS = [demo_command]
