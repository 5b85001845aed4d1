"""`kiosk demo`: prepare the demo centre (kiosk.demo) and start the candidate app on it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kiosk.cli_options import centre_option
from kiosk.demo import DEMO_EXAM, exam_language, prepare_demo


def _candidate_app() -> object | None:
    try:
        from kiosk.apps import candidate
    except ModuleNotFoundError as exc:
        if exc.name in ("kiosk.apps", "kiosk.apps.candidate"):
            return None
        raise
    return getattr(candidate, "run_candidate_app", None)


@click.command("demo")
@centre_option
@click.option("--exam", "exam_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEMO_EXAM, show_default=False,
              help="The exam file to load (default: question_banks/practice_en.exam.toml).")
@click.option("--seat", default=None, help="Seat name for the candidate app.")
@click.option("--no-app", is_flag=True, help="Prepare the centre only (tests, CI).")
def demo_command(centre_dir: Path, exam_path: Path, seat: str | None, no_app: bool) -> None:
    """Prepare a demo centre (exam, candidates, self-start sitting) and start the candidate app."""
    demo = prepare_demo(centre_dir, exam_path)
    for action in demo.actions:
        click.echo(f"- {action}")
    if not demo.actions:
        click.echo(f"Demo centre ready in {centre_dir} (nothing to change)")
    click.echo("")
    click.echo(f"Exam: {demo.exam}   sitting: {demo.sitting}")
    click.echo("Candidates:")
    for cid, name, extra in demo.candidates:
        click.echo(f"  {cid}  {name}" + (f"  (+{extra} min)" if extra else ""))
    click.echo(f"Access code: {demo.code}")
    click.echo(f"Invigilator exit PIN: {demo.pin}")
    click.echo("To leave the kiosk: press Ctrl+E, type the exit PIN and press Enter.")
    click.echo("")
    run = None if no_app else _candidate_app()
    if run is None:  # checked only for availability: the app runs through the service
        if not no_app:
            click.echo("The candidate app is not available in this build.")
        click.echo(f"Start the candidate app with: kiosk sit --centre {centre_dir}")
        return
    if sys.stdin.isatty():
        # The app takes the whole screen: give the person time to note the ids and the code.
        click.pause("Note the ids and the access code, then press any key to start the kiosk…")
    from kiosk.apps.launch import sit_through_service

    sit_through_service(centre_dir, seat=seat, language=exam_language(exam_path), run=run)


COMMANDS = [demo_command]
