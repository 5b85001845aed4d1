"""`kiosk plugins`: what is loaded and what each plugin registered."""

from __future__ import annotations

import json

import click

from kiosk.plugins import registry


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins_command(as_json: bool) -> None:
    """List loaded plugins and what each registered."""
    reg = registry()
    data = {
        "plugins": [
            {"name": name, "registered": {k: sorted(v) for k, v in sorted(kinds.items())}}
            for name, kinds in sorted(reg.provided.items())
        ],
        "failures": [{"name": n, "error": e} for n, e in reg.failures],
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for plugin in data["plugins"]:
        click.echo(plugin["name"])
        for kind, names in plugin["registered"].items():
            click.echo(f"  {kind}: {', '.join(names)}")
    for failure in data["failures"]:
        click.echo(f"FAILED {failure['name']}: {failure['error']}")


COMMANDS = [plugins_command]
