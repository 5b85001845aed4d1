"""The plugin manager: built-ins are default plugins, others come from entry points `kiosk`."""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

from kiosk import hookspecs
from kiosk.domain import attempts as A

if TYPE_CHECKING:
    from kiosk.api.contracts import Exporter, Importer, QuestionTypeContract, RegimeContract
    from kiosk.domain.exam_rules import RegimeRules
    from kiosk.domain.grading import GradeScale
    from kiosk.domain.scoring import ScoringRule
    from kiosk.ledger.store import Event

log = logging.getLogger("kiosk.plugins")

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
    """Everything the loaded plugins registered, by name (contracts in kiosk.api.contracts)."""

    question_types: dict[str, QuestionTypeContract] = field(default_factory=dict)
    scoring_rules: dict[str, ScoringRule] = field(default_factory=dict)
    grade_scales: dict[str, GradeScale] = field(default_factory=dict)
    regimes: dict[str, RegimeContract] = field(default_factory=dict)
    importers: dict[str, Importer] = field(default_factory=dict)
    exporters: dict[str, Exporter] = field(default_factory=dict)
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
            log.warning("plugin %s failed to load: %s", ep.name, _one_line(exc))
            _load_failures.append((ep.name, _one_line(exc)))


def _check_contract(kind: str, key: str, obj: object) -> None:
    """Refuse at registration what would fail later, in front of a candidate or a marker."""
    from kiosk.api.contracts import QuestionTypeContract, RegimeContract, missing_members

    contract = {"question_types": QuestionTypeContract, "regimes": RegimeContract}.get(kind)
    if contract is not None:
        gaps = missing_members(obj, contract)
        if gaps:
            raise TypeError(f"{kind} {key!r} is not a {contract.__name__}: it lacks "
                            f"{', '.join(gaps)} (subclass kiosk.api.QuestionType or Regime)")
    elif kind in ("scoring_rules", "importers", "exporters") and not callable(obj):
        raise TypeError(f"{kind} {key!r} must be callable, got {type(obj).__name__}")


def plugin_name(plugin: object) -> str:
    return pm.get_name(plugin) or str(getattr(plugin, "__name__", repr(plugin)))


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
                *args: Any, _attr: str = attr, _got: dict[str, Any] = got,
                _target: dict[str, Any] = target
            ) -> None:
                if len(args) == 1:
                    obj = args[0]
                    key = getattr(obj, "name", None) or getattr(obj, "id", None)
                else:
                    key, obj = args
                if not key:
                    raise ValueError(f"{_attr} registered without a name")
                _check_contract(_attr, str(key), obj)
                _target[str(key)] = obj
                _got.setdefault(_attr, []).append(str(key))

            try:
                impl.function(register=register)
            except Exception as exc:
                log.warning("plugin %s failed in %s: %s", name, hook_name, _one_line(exc))
                reg.failures.append((name, _one_line(exc)))
    for plugin in pm.get_plugins():
        reg.provided.setdefault(plugin_name(plugin), {})
    from kiosk import i18n

    for name, localedir in reg.translations.items():
        i18n.domain(name, localedir)
    _registry = reg
    return reg


def regime_rules(reg: Registry | None = None) -> dict[str, RegimeRules]:
    """Every registered regime's declared scheduling and records rules, by regime name (what
    the functions of kiosk.domain.exam_rules take as `rules`)."""
    from kiosk.domain.exam_rules import NO_RULES

    regimes = (reg or registry()).regimes
    return {name: getattr(regime, "rules", NO_RULES) for name, regime in regimes.items()}


def reset() -> None:
    """Forget the cached registry (tests that install or remove plugins)."""
    global _registry
    _registry = None


def notify(point: str, attempt: str, event: dict[str, Any]) -> None:
    """Lifecycle notification; a failing listener is logged and never disturbs the candidate
    or the invigilator (each listener is called on its own, so one failure stops no other)."""
    load_plugins()
    for impl in pm.hook.attempt_lifecycle.get_hookimpls():
        try:
            impl.function(point=point, attempt=attempt, event=event)
        except Exception as exc:  # noqa: BLE001 - a plugin's bug is contained, by contract
            log.warning("plugin %s failed in attempt_lifecycle(%s, %s): %s",
                        plugin_name(impl.plugin), point, attempt, _one_line(exc))


#: Ledger kinds announced through `attempt_lifecycle`, and their point names there. The marks'
#: kinds are announced by kiosk.marking as "marked".
LIFECYCLE_KINDS = {
    A.STARTED: "started",
    A.ANSWER: "answer_saved",
    A.PART_SUBMITTED: "part_submitted",
    A.SUBMITTED: "submitted",
    A.PAUSED: "paused",
    A.RESUMED: "resumed",
    A.SUSPENDED: "suspended",
    A.UNSUSPENDED: "resumed",
    A.VOIDED: "voided",
}


def notify_events(events: Iterable[Event], attempts: Iterable[str] = ()) -> None:
    """Announce the lifecycle events among `events` (call it once they are durable, e.g. from
    `ledger.after_commit`). A room-wide event (no attempt: pause or resume of a sitting) is
    announced for each of `attempts`."""
    targets = list(attempts)
    for event in events:
        point = LIFECYCLE_KINDS.get(event.kind)
        if point is None:
            continue
        body = {"seq": event.seq, "kind": event.kind, "actor": event.actor, "body": event.body}
        for attempt in [event.attempt] if event.attempt else targets:
            notify(point, str(attempt), body)
