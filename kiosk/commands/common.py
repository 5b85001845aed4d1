"""Options and helpers shared by the built-in commands."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

# Re-exported: every command takes its options from here.
from kiosk.cli_options import centre_option as centre_option
from kiosk.cli_options import centre_passphrase as centre_passphrase
from kiosk.cli_options import may_open as _may_open
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre


def echo_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2))




PASSWORD_ENV = "KIOSK_PASSWORD"


def staff_password(name: str) -> str:
    return os.environ.get(PASSWORD_ENV) or str(click.prompt(f"Password for {name}",
                                                            hide_input=True))


@contextmanager
def centre_calls(centre_dir: Path, *, user: str | None = None,
                 roles: tuple[str, ...] = ()) -> Iterator[Any]:
    """The centre's use cases for a command: through the centre service when one listens on the
    centre's socket (the only way for an account that cannot read the centre directory), else —
    the single-user embedded setup — in this process on the centre's own ledger, by the same
    functions. `user` logs in a staff member (password from $KIOSK_PASSWORD or asked); without
    it the caller is the operator (the service's own account)."""
    from kiosk.client import RemoteCalls, socket_path
    from kiosk.service.spawn import listening

    path = socket_path(centre_dir)
    calls: Any
    if listening(path):
        calls = RemoteCalls(path)
    else:
        from kiosk.service.usecases import LocalCalls

        where = Path(centre_dir)
        if not _may_open(where):
            raise KioskError(f"{where}: this account may not open the centre, and no centre "
                             f"service listens at {path} (start `kiosk serve --centre "
                             f"{where}` as the centre's account)")
        centre = Centre.open(where)
        calls = LocalCalls(centre, lambda: centre_passphrase(centre))
    try:
        if user:
            calls.login(user, staff_password(user), roles)
        yield calls
    finally:
        calls.close()




def echo_errors(exc: KioskError) -> None:
    """The lines of a refused input, on stderr, before the one-line summary."""
    for line in exc.errors:
        click.echo(line, err=True)
