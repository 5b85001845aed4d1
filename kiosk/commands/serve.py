"""`kiosk serve`: the centre service (docs/deployment.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kiosk.commands.common import centre_option
from kiosk.errors import KioskError


@click.command("serve")
@centre_option
@click.option("--socket", "socket_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Unix socket to listen on (default: $KIOSK_SOCKET or CENTRE/service.sock).")
@click.option("--time-scale", type=float, default=1.0, hidden=True,
              help="Exam seconds charged per real second (simulations and benchmarks only).")
@click.option("--ready-fd", type=int, default=None, hidden=True,
              help="Write the socket path and close this fd once listening (child services).")
@click.option("--with-parent", is_flag=True, hidden=True,
              help="Stop when the parent process ends (child services).")
def serve_command(centre_dir: Path, socket_path: Path | None, time_scale: float,
                  ready_fd: int | None, with_parent: bool) -> None:
    """Run the centre service: the only process that holds the centre key and writes the
    ledger. Terminals (`kiosk sit`) and tools connect to its socket. Stops on SIGTERM/SIGINT."""
    from kiosk.commands.common import centre_passphrase
    from kiosk.ledger.centre import Centre
    from kiosk.service.server import serve

    if time_scale <= 0:
        raise KioskError("--time-scale must be positive")
    centre = Centre.open(centre_dir)
    passphrase = centre_passphrase(centre)

    def ready(path: Path) -> None:
        if ready_fd is not None:
            os.write(ready_fd, f"{path}\n".encode())
            os.close(ready_fd)
        else:
            click.echo(f"kiosk service for {centre_dir} listening on {path}", err=True)

    serve(centre_dir, socket_path=socket_path, passphrase=passphrase, time_scale=time_scale,
          ready=ready, parent=os.getppid() if with_parent else None)


COMMANDS = [serve_command]
