"""`kiosk user add|list|disable`: invigilator and examiner accounts, as ledger events."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kiosk.commands.common import centre_option, echo_json, writable_ledger
from kiosk.crypto import passwords
from kiosk.domain import accounts
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre

NEW_PASSWORD_ENV = "KIOSK_NEW_PASSWORD"


@click.group("user")
def user_group() -> None:
    """Invigilator and examiner accounts."""


def _users(centre: Centre) -> dict[str, accounts.User]:
    with centre.reader() as ledger:
        return accounts.fold_users(ledger.events(kind={"user_added", "user_disabled"}))


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
@centre_option
def add_command(name: str, role: str, centre_dir: Path) -> None:
    """Add an account; the password is asked twice and stored only as a scrypt hash."""
    if (err := accounts.name_error(name)) is not None:
        raise KioskError(err)
    centre = Centre.open(centre_dir)
    if name in _users(centre):
        raise KioskError(f"user {name!r} already exists (names are never reused)")
    password = os.environ.get(NEW_PASSWORD_ENV) or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    if (err := accounts.password_error(password)) is not None:
        raise KioskError(err)
    with writable_ledger(centre) as ledger:
        ledger.append("user_added", {"user": name, "role": role,
                                     "password_hash": passwords.hash_password(password)},
                      actor="system")
    click.echo(f"User {name} ({role}) added")


@user_group.command("list")
@centre_option
@click.option("--json", "as_json", is_flag=True)
def list_command(centre_dir: Path, as_json: bool) -> None:
    """List accounts (never their password hashes)."""
    users = _users(Centre.open(centre_dir))
    rows = [{"user": u.name, "role": u.role, "active": u.active, "disabled_reason": u.disabled_reason}
            for u in users.values()]
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
    centre = Centre.open(centre_dir)
    user = _users(centre).get(name)
    if user is None:
        raise KioskError(f"no user {name!r}")
    if not user.active:
        raise KioskError(f"user {name!r} is already disabled")
    with writable_ledger(centre) as ledger:
        ledger.append("user_disabled", {"user": name, "reason": reason}, actor="system")
    click.echo(f"User {name} disabled")


COMMANDS = [user_group]
