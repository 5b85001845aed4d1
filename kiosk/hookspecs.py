"""The hooks a kiosk plugin may implement (import `hookimpl` from `kiosk.api`).

Registration hooks take a `register` callback (the llm style), so one plugin can register several
things and the core records which plugin registered what. What each registered object must
provide is in `kiosk.api.contracts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from kiosk.api.contracts import RegisterNamed, RegisterObject

hookspec = pluggy.HookspecMarker("kiosk")
hookimpl = pluggy.HookimplMarker("kiosk")


@hookspec
def register_question_types(register: RegisterObject) -> None:
    """register(question_type) — a `kiosk.api.QuestionTypeContract`, keyed by its `name`."""


@hookspec
def register_scoring_rules(register: RegisterNamed) -> None:
    """register(name, rule) where rule(judgement, item) -> points (`kiosk.api.ScoringRule`)."""


@hookspec
def register_grade_scales(register: RegisterObject) -> None:
    """register(grade_scale) — a `kiosk.api.GradeScale`, keyed by its `id`."""


@hookspec
def register_regimes(register: RegisterObject) -> None:
    """register(regime) — a `kiosk.api.RegimeContract`: turns marks into part, subject and
    final results and declares its capabilities."""


@hookspec
def register_importers(register: RegisterNamed) -> None:
    """register(name, importer) — importer(paths, topic) -> ImportResult (`kiosk.api.Importer`)."""


@hookspec
def register_exporters(register: RegisterNamed) -> None:
    """register(name, exporter) — exporter(items, bank) -> ExportResult (`kiosk.api.Exporter`)."""


@hookspec
def register_translations(register: Any) -> None:
    """register(domain, locale_dir): the plugin's gettext catalogues,
    locale_dir/<language>/LC_MESSAGES/<domain>.po (and .mo); see kiosk.i18n."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands to the `kiosk` group."""


@hookspec
def attempt_lifecycle(point: str, attempt: str, event: dict[str, Any]) -> None:
    """Notification after the event is durable, for every actor: `started` (session or
    invigilator), `answer_saved`, `part_submitted`, `submitted` (candidate or an invigilator's
    force-submit), `paused`, `resumed`, `voided` (invigilator) and `marked` (examiner, board).
    `event` holds the ledger event's seq, kind, actor and body. Must not raise: an exception is
    logged (logger "kiosk.plugins") and ignored, never the candidate's or invigilator's problem."""
