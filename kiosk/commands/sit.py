"""`kiosk sit`: the candidate kiosk on this terminal."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_option
from kiosk.errors import KioskError


@click.command("sit")
@centre_option
@click.option("--seat", default=None, help="This terminal's seat name (default: $KIOSK_SEAT or the host name).")
@click.option(
    "--lang",
    "language",
    type=click.Choice(["hu", "en"]),
    default=None,
    help="Interface language (default: the centre's).",
)
@click.option("--high-contrast", is_flag=True, help="Start with the high-contrast theme (F3 toggles).")
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    hidden=True,
    help="Write a line to this file once the login screen is shown (benchmarks).",
)
def sit_command(
    centre_dir: Path,
    seat: str | None,
    language: str | None,
    high_contrast: bool,
    ready_file: Path | None,
) -> None:
    """Start the candidate app: login, the exam, submission. Only the invigilator PIN exits."""
    if not (centre_dir / "ledger.db").is_file():
        raise KioskError(f"{centre_dir}: no centre here (run `kiosk init` or `kiosk demo`)")
    # Refuse a damaged ledger before a candidate types anything (read-only: nothing written).
    from kiosk.ledger.store import check_integrity, connect

    conn = connect(centre_dir / "ledger.db", readonly=True)
    try:
        check_integrity(conn, centre_dir / "ledger.db")
    finally:
        conn.close()
    from kiosk.apps.candidate.app import run_candidate_app

    run_candidate_app(
        centre_dir,
        seat=seat,
        language=language,
        high_contrast=high_contrast,
        ready_marker=ready_file,
    )


COMMANDS = [sit_command]
