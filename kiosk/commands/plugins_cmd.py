"""`kiosk plugins`: what is loaded and what each plugin registered."""

from __future__ import annotations

import json

import click

from kiosk.plugins import registry


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--lang", "language", default=None, help="Language of the titles (hu, en, …).")
def plugins_command(as_json: bool, language: str | None) -> None:
    """List loaded plugins and what each registered."""
    from kiosk.i18n import translate

    reg = registry()
    data = {
        "plugins": [
            {"name": name, "registered": {k: sorted(v) for k, v in sorted(kinds.items())}}
            for name, kinds in sorted(reg.provided.items())
        ],
        "failures": [{"name": n, "error": e} for n, e in reg.failures],
        # question types' and regimes' titles, translated from their plugins' catalogues
        "titles": {kind: {name: translate(getattr(obj, "title", None), language)
                          for name, obj in sorted(getattr(reg, kind).items())}
                   for kind in ("question_types", "regimes")},
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
