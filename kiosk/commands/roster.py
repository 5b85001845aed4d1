"""`kiosk roster import` and `kiosk roster list`: the centre's candidates."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

from kiosk.commands.common import centre_option, echo_json, writable_ledger
from kiosk.domain import roster as rosters
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import NewEvent

ACTOR = "examiner"


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KioskError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise KioskError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise KioskError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _refuse(file: Path, errors: list[str]) -> None:
    for error in errors:
        click.echo(error, err=True)
    n = len(errors)
    raise KioskError(f"{file}: {n} problem{'s' if n != 1 else ''}; nothing imported")


@click.group("roster")
def roster_group() -> None:
    """The candidates of a centre (kept in the ledger)."""


@roster_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@centre_option
def roster_import(file: Path, centre_dir: Path) -> None:
    """Register the candidates of a CSV roster: all of them, or none when any row is wrong."""
    centre = Centre.open(centre_dir)
    data = read_bytes(file)
    parsed = rosters.parse_roster(data, str(file))
    if parsed.errors:
        _refuse(file, parsed.errors)
    sha = hashlib.sha256(data).hexdigest()
    new = [NewEvent(kind, body, ACTOR)
           for kind, body in rosters.import_bodies(parsed, file.name, sha)]
    with writable_ledger(centre) as ledger:
        # Checked outside append_many's transaction: two imports racing each other could both
        # pass. Rosters are imported by one examiner at a desk, so this is accepted for now.
        errors = rosters.conflicts(parsed, rosters.roster_registrations(ledger))
        if errors:
            _refuse(file, errors)
        events = ledger.append_many(new)
    n = len(parsed.rows)
    click.echo(f"Imported {n} candidate{'s' if n != 1 else ''} from {file.name} "
               f"(events #{events[0].seq}–#{events[-1].seq})")
    # The caps depend on the exam's regime, so they are enforced when a sitting is created;
    # say so now, while the clerk still has the file open.
    from kiosk.plugins import regime_rules

    caps = [r.time_caps for r in regime_rules().values() if r.time_caps is not None]
    if not caps:
        return
    written, oral = min(c[0] for c in caps), min(c[1] for c in caps)
    for row in parsed.rows:
        acc = row.candidate.accommodations
        if acc.extra_minutes > written or acc.oral_prep_minutes > oral:
            click.echo(f"{file}:{row.line}: note: {row.candidate.id} has "
                       f"{acc.extra_minutes}/{acc.oral_prep_minutes} extra minutes (written/oral "
                       f"preparation); in-school and vocational exams allow at most "
                       f"{written}/{oral}, so their sittings need an examiner's override")


@roster_group.command("list")
@centre_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def roster_list(centre_dir: Path, as_json: bool) -> None:
    """List the registered candidates."""
    centre = Centre.open(centre_dir)
    with centre.reader() as reader:
        regs = rosters.roster_registrations(reader)
    if as_json:
        echo_json([{**r.candidate.as_dict(), "seq": r.seq, "registered": r.ts}
                   for r in regs.values()])
        return
    if not regs:
        click.echo("No candidates registered (kiosk roster import FILE).")
        return
    rows = [(c.id, c.name, c.education_id or "", c.email or "",
             str(c.accommodations.extra_minutes or ""), ", ".join(c.accommodations.aids))
            for c in (r.candidate for r in regs.values())]
    head = ("id", "name", "education id", "email", "+min", "aids")
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=False)]
    for row in (head, *rows):
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    click.echo(f"{len(rows)} candidates")


COMMANDS = [roster_group]
