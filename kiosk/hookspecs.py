"""The hooks a kiosk plugin may implement.

Registration hooks take a `register` callback (the llm style), so one plugin can register several
things and the core records which plugin registered what.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("kiosk")
hookimpl = pluggy.HookimplMarker("kiosk")


@hookspec
def register_question_types(register: Any) -> None:
    """register(question_type_instance)"""


@hookspec
def register_scoring_rules(register: Any) -> None:
    """register(name, rule) where rule(judgement, item) -> points"""


@hookspec
def register_grade_scales(register: Any) -> None:
    """register(grade_scale)"""


@hookspec
def register_regimes(register: Any) -> None:
    """register(regime) — turns marks into part, subject and final results"""


@hookspec
def register_importers(register: Any) -> None:
    """register(name, importer) — importer(paths, topic) -> ImportResult"""


@hookspec
def register_exporters(register: Any) -> None:
    """register(name, exporter)"""


@hookspec
def register_translations(register: Any) -> None:
    """register(domain, locale_dir): the plugin's gettext catalogues,
    locale_dir/<language>/LC_MESSAGES/<domain>.po (and .mo); see kiosk.i18n."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add click commands to the `kiosk` group."""


@hookspec
def attempt_lifecycle(point: str, attempt: str, event: dict[str, Any]) -> None:
    """Notification at attempt lifecycle points: started, answer_saved, part_submitted,
    submitted, marked. Must not raise; failures are logged and ignored."""
