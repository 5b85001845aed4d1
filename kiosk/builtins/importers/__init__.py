"""Default plugin: the built-in importers (GIFT, Aiken, QTI 2.1, Moodle XML) and exporters (GIFT,
Moodle XML), registered like plugin ones. The modules beside this one are pure parsing into
bank-format dicts (`common.py` holds the results every importer and exporter returns)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.hookspecs import hookimpl

if TYPE_CHECKING:
    from kiosk.api.contracts import RegisterNamed


@hookimpl
def register_importers(register: RegisterNamed) -> None:
    from kiosk.builtins.importers.aiken import import_aiken
    from kiosk.builtins.importers.gift import import_gift
    from kiosk.builtins.importers.moodle_xml import import_moodle_xml
    from kiosk.builtins.importers.qti import import_qti

    register("gift", import_gift)
    register("aiken", import_aiken)
    register("qti", import_qti)
    register("moodle-xml", import_moodle_xml)


@hookimpl
def register_exporters(register: RegisterNamed) -> None:
    from kiosk.builtins.importers.gift_export import export_gift
    from kiosk.builtins.importers.moodle_xml_export import export_moodle_xml

    register("gift", export_gift)
    register("moodle-xml", export_moodle_xml)
