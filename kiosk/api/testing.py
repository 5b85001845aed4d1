"""Test helpers for plugin authors (public, like the rest of `kiosk.api`).

- `Host(widget)`: a Textual app holding one question widget; `host.answers` records what the
  widget posted, as the exam screen would get it. Use it with `run_test()`.
- `bank_items(path)`: the items of a one-bank file by id (the bank must check clean).
- `judge(item, response)` / `score(item, response)`: the registered type's judgement and the
  item's points under its scoring rule, as the kiosk computes them.
- `installed(module, name)`: register a plugin module with the plugin manager for the duration
  of a `with` block (no packaging needed), so `kiosk plugins` and the registry see it.
- `clean_site`, `PluginUnderTest`: install and uninstall checks in a subprocess.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from kiosk.domain.items import Item
from kiosk.domain.scoring import ItemScore, Judgement, NeedsMarking, score_item
from kiosk.testing import Host, PluginUnderTest, bank_items, clean_site

__all__ = ["Host", "PluginUnderTest", "bank_items", "clean_site", "installed", "judge", "score"]


def judge(item: Item, response: Any) -> Judgement | NeedsMarking:
    """What the registered type of `item` finds in `response`."""
    from kiosk.plugins import registry

    return registry().question_types[item.type].judge(item, response)


def score(item: Item, response: Any, default_rule: str = "all_or_nothing") -> ItemScore:
    """`item` scored as the kiosk scores it: the type judges, the item's rule (or
    `default_rule`, the exam's) gives points; a failure leaves it for a marker."""
    from kiosk.plugins import registry

    reg = registry()
    rule = reg.scoring_rules[item.scoring or default_rule]
    return score_item(item, response, reg.question_types[item.type], rule)


@contextmanager
def installed(module: ModuleType, name: str) -> Iterator[None]:
    """`module`'s hook implementations registered as plugin `name` inside the block, then
    removed again; the registry is rebuilt on both sides."""
    from kiosk import plugins

    plugins.load_plugins()
    plugins.pm.register(module, name=name)
    plugins.reset()
    try:
        yield
    finally:
        plugins.pm.unregister(name=name)
        plugins.reset()
