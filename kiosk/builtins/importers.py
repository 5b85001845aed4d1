"""Built-in importers (gift, aiken, qti, moodle-xml) and exporters (gift, moodle-xml),
registered like plugin ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.hookspecs import hookimpl

if TYPE_CHECKING:
    from kiosk.api.contracts import RegisterNamed


@hookimpl
def register_importers(register: RegisterNamed) -> None:
    from kiosk.importers.aiken import import_aiken
    from kiosk.importers.gift import import_gift
    from kiosk.importers.moodle_xml import import_moodle_xml
    from kiosk.importers.qti import import_qti

    register("gift", import_gift)
    register("aiken", import_aiken)
    register("qti", import_qti)
    register("moodle-xml", import_moodle_xml)


@hookimpl
def register_exporters(register: RegisterNamed) -> None:
    from kiosk.importers.gift_export import export_gift
    from kiosk.importers.moodle_xml_export import export_moodle_xml

    register("gift", export_gift)
    register("moodle-xml", export_moodle_xml)
