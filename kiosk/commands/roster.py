"""`kiosk roster import` and `kiosk roster list`: the centre's candidates."""

from __future__ import annotations

import base64
from pathlib import Path

import click

from kiosk.commands.common import centre_calls, centre_option, echo_errors, echo_json
from kiosk.domain import roster as rosters
from kiosk.errors import KioskError


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KioskError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise KioskError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise KioskError(f"{path}: cannot read: {exc.strerror or exc}") from None


@click.group("roster")
def roster_group() -> None:
    """The candidates of a centre (kept in the ledger)."""


@roster_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@centre_option
def roster_import(file: Path, centre_dir: Path) -> None:
    """Register the candidates of a CSV roster: all of them, or none when any row is wrong."""
    data = read_bytes(file)
    with centre_calls(centre_dir) as calls:
        try:
            done = calls.call("roster.import", filename=file.name, path=str(file),
                              data_b64=base64.b64encode(data).decode("ascii"))
        except KioskError as exc:
            echo_errors(exc)
            raise
    n = done["count"]
    click.echo(f"Imported {n} candidate{'s' if n != 1 else ''} from {file.name} "
               f"(events #{done['first_seq']}–#{done['last_seq']})")
    for note in done["notes"]:
        click.echo(note)


@roster_group.command("list")
@centre_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def roster_list(centre_dir: Path, as_json: bool) -> None:
    """List the registered candidates."""
    with centre_calls(centre_dir) as calls:
        regs = calls.call("roster.list")
    if as_json:
        echo_json(regs)
        return
    if not regs:
        click.echo("No candidates registered (kiosk roster import FILE).")
        return
    people = [rosters.Candidate.from_body(r) for r in regs]
    rows = [(c.id, c.name, c.education_id or "", c.email or "",
             str(c.accommodations.extra_minutes or ""), ", ".join(c.accommodations.aids))
            for c in people]
    head = ("id", "name", "education id", "email", "+min", "aids")
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=False)]
    for row in (head, *rows):
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    click.echo(f"{len(rows)} candidates")


COMMANDS = [roster_group]
