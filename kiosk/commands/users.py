"""`kiosk user add|list|disable`: invigilator and examiner accounts, as ledger events."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kiosk.commands.common import centre_calls, centre_option, echo_json
from kiosk.domain import accounts
from kiosk.errors import KioskError

NEW_PASSWORD_ENV = "KIOSK_NEW_PASSWORD"


@click.group("user")
def user_group() -> None:
    """Invigilator and examiner accounts."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
@centre_option
def add_command(name: str, role: str, centre_dir: Path) -> None:
    """Add an account; the password is asked twice and stored only as a scrypt hash.
    The centre's operator account (or an admin) adds accounts."""
    if (err := accounts.name_error(name)) is not None:
        raise KioskError(err)
    with centre_calls(centre_dir) as calls:
        if any(u["user"] == name for u in calls.call("user.list")):
            raise KioskError(f"user {name!r} already exists (names are never reused)")
        password = os.environ.get(NEW_PASSWORD_ENV) or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True)
        if (err := accounts.password_error(password)) is not None:
            raise KioskError(err)
        calls.call("user.add", name=name, role=role, password=password)
    click.echo(f"User {name} ({role}) added")


@user_group.command("list")
@centre_option
@click.option("--json", "as_json", is_flag=True)
def list_command(centre_dir: Path, as_json: bool) -> None:
    """List accounts (never their password hashes)."""
    with centre_calls(centre_dir) as calls:
        rows = calls.call("user.list")
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No users yet: kiosk user add --role invigilator NAME")
    for r in rows:
        state = "active" if r["active"] else f"disabled ({r['disabled_reason'] or '-'})"
        click.echo(f"{r['user']:<24} {r['role']:<12} {state}")


@user_group.command("disable")
@click.argument("name")
@click.option("--reason", required=True)
@centre_option
def disable_command(name: str, reason: str, centre_dir: Path) -> None:
    """Disable an account (an event; the account's history stays)."""
    with centre_calls(centre_dir) as calls:
        calls.call("user.disable", name=name, reason=reason)
    click.echo(f"User {name} disabled")


COMMANDS = [user_group]
