"""The plugin manager: built-ins are default plugins, others come from entry points `kiosk`."""

from __future__ import annotations

import importlib
import importlib.metadata
from dataclasses import dataclass, field
from typing import Any

import pluggy

from kiosk import hookspecs

DEFAULT_PLUGINS = (
    "kiosk.builtins.commands",
    "kiosk.builtins.grade_scales",
    "kiosk.builtins.importers",
    "kiosk.builtins.question_types",
    "kiosk.builtins.regimes",
    "kiosk.builtins.scoring_rules",
)

# hook name -> registry attribute
REGISTRATION_HOOKS = {
    "register_question_types": "question_types",
    "register_scoring_rules": "scoring_rules",
    "register_grade_scales": "grade_scales",
    "register_regimes": "regimes",
    "register_importers": "importers",
    "register_exporters": "exporters",
    "register_translations": "translations",
}


@dataclass
class Registry:
    question_types: dict[str, Any] = field(default_factory=dict)
    scoring_rules: dict[str, Any] = field(default_factory=dict)
    grade_scales: dict[str, Any] = field(default_factory=dict)
    regimes: dict[str, Any] = field(default_factory=dict)
    importers: dict[str, Any] = field(default_factory=dict)
    exporters: dict[str, Any] = field(default_factory=dict)
    #: gettext domain -> the plugin's locale dir (kiosk.i18n reads the catalogues there)
    translations: dict[str, Any] = field(default_factory=dict)
    #: plugin name -> kind -> names it registered
    provided: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: (plugin name, one-line error) for plugins that failed to load or register
    failures: list[tuple[str, str]] = field(default_factory=list)


pm = pluggy.PluginManager("kiosk")
pm.add_hookspecs(hookspecs)
_loaded = False
_registry: Registry | None = None
_load_failures: list[tuple[str, str]] = []


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def load_plugins() -> None:
    """Register built-ins, then every entry point of group `kiosk`; a broken plugin is recorded,
    not fatal."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in DEFAULT_PLUGINS:
        module = importlib.import_module(name)
        pm.register(module, name=name)
    for ep in importlib.metadata.entry_points(group="kiosk"):
        if pm.get_plugin(ep.name) is not None:
            continue
        try:
            plugin = ep.load()
            pm.register(plugin, name=ep.name)
        except Exception as exc:  # a broken plugin must not take the kiosk down
            _load_failures.append((ep.name, _one_line(exc)))


def plugin_name(plugin: Any) -> str:
    return pm.get_name(plugin) or getattr(plugin, "__name__", repr(plugin))


def registry() -> Registry:
    """Collect everything the loaded plugins register (cached)."""
    global _registry
    if _registry is not None:
        return _registry
    load_plugins()
    reg = Registry(failures=list(_load_failures))
    for hook_name, attr in REGISTRATION_HOOKS.items():
        hook = getattr(pm.hook, hook_name)
        target: dict[str, Any] = getattr(reg, attr)
        # Call each implementation on its own so a failure is attributed and contained.
        for impl in hook.get_hookimpls():
            name = plugin_name(impl.plugin)
            got = reg.provided.setdefault(name, {})

            def register(
                *args: Any, _attr: str = attr, _got: dict = got, _target: dict = target
            ) -> None:
                if len(args) == 1:
                    obj = args[0]
                    key = getattr(obj, "name", None) or getattr(obj, "id", None)
                else:
                    key, obj = args
                if not key:
                    raise ValueError(f"{_attr} registered without a name")
                _target[str(key)] = obj
                _got.setdefault(_attr, []).append(str(key))

            try:
                impl.function(register=register)
            except Exception as exc:
                reg.failures.append((name, _one_line(exc)))
    for plugin in pm.get_plugins():
        reg.provided.setdefault(plugin_name(plugin), {})
    from kiosk import i18n

    for name, localedir in reg.translations.items():
        i18n.domain(name, localedir)
    _registry = reg
    return reg


def reset() -> None:
    """Forget the cached registry (tests that install or remove plugins)."""
    global _registry
    _registry = None


def notify(point: str, attempt: str, event: dict[str, Any]) -> None:
    """Lifecycle notification; a failing listener never disturbs the candidate."""
    load_plugins()
    for impl in pm.hook.attempt_lifecycle.get_hookimpls():
        try:
            impl.function(point=point, attempt=attempt, event=event)
        except Exception:
            pass
