"""`kiosk simulate`: N simulated candidates sit an exam through the candidate session code, each
in its own process (load tests, fault drills and demo data)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_option, echo_json


@click.command("simulate")
@centre_option
@click.option("--exam", "exam", required=True,
              help="A loaded exam's id, or an exam file (.toml) to load first.")
@click.option("--candidates", type=click.IntRange(1, 2000), default=10, show_default=True,
              help="How many candidates sit at once (SIM0001… are registered if missing).")
@click.option("--speed", type=click.FloatRange(0.1, 10_000), default=20.0, show_default=True,
              help="Time compression: 20 runs a 10-minute exam in 30 s.")
@click.option("--seed", type=int, default=1, show_default=True, help="Pacing and answers.")
@click.option("--kill", "kill_fraction", type=click.FloatRange(0, 1), default=0.1,
              show_default=True,
              help="Share of candidates killed (SIGKILL) mid-exam and resumed by a new process.")
@click.option("--console", is_flag=True,
              help="Also measure the invigilator room view's refresh during the load.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--in-process", is_flag=True,
              help="Drive the session code in each candidate process instead of through a "
                   "centre service (the old model: every process writes the ledger).")
def simulate_command(centre_dir: Path, exam: str, candidates: int, speed: float, seed: int,
                     kill_fraction: float, console: bool, as_json: bool,
                     in_process: bool) -> int:
    """Simulate candidates sitting EXAM; prints saves, errors and save latency percentiles.

    Creates the centre if the directory holds none, registers SIM0001… as needed and creates a
    new self-start sitting (room SIM) for them on every run."""
    from kiosk.simulation import prepare, simulate

    setup = prepare(centre_dir, exam, candidates)
    if not as_json:
        for action in setup.actions:
            click.echo(f"- {action}")
    report = simulate(setup, speed=speed, seed=seed, kill_fraction=kill_fraction,
                      console=console, service=not in_process)
    if as_json:
        echo_json({"sitting": setup.sitting, **report.as_dict()})
    else:
        for line in report.lines():
            click.echo(line)
    return 1 if report.lost or report.verify_ok is False else 0


COMMANDS = [simulate_command]
