"""case_study: the case text, then one labelled input per answer field (a line, a text area, a
drop-down or a date). Every change posts the whole form as the response (typed: saved after a
pause); a date that cannot be read is pointed out at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, Static, TextArea

from kiosk.api import domain
from kiosk.api.widgets import QuestionWidget, plain, stem_renderable
from kiosk_public_admin.case_study import fields_of
from kiosk_public_admin.deadlines import parse_date

#: This plugin's strings: its own gettext domain (locale/<lang>/LC_MESSAGES/<domain>.po), which
#: plugin.py also registers with the kiosk (`register_translations`).
TEXTS = domain("kiosk_public_admin", Path(__file__).parent / "locale")


def text(key: str) -> str:
    return TEXTS(key)


class CaseStudyWidget(QuestionWidget):
    typed = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        given = self.response if isinstance(self.response, dict) else {}
        self._values: dict[str, str] = {
            k: v for k, v in given.items() if isinstance(k, str) and isinstance(v, str)
        }

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Label(text("case"), classes="case-title")
        yield Static(stem_renderable(str(self.item.spec.get("case", ""))), classes="case-text")
        for spec_field in fields_of(self.item):
            fid = str(spec_field.get("id"))
            value = self._values.get(fid, "")
            yield Label(plain(str(spec_field.get("label", fid))), classes="field-label")
            kind = spec_field.get("kind", "text")
            widget: Any
            if kind == "choice":
                options = [o for o in spec_field.get("options", []) if isinstance(o, str)]
                widget = Select([(Text(o), o) for o in options], prompt=text("choose"),
                                value=value if value in options else Select.NULL,
                                classes="answer case-choice")
            elif kind == "text" and int(spec_field.get("lines", 1)) > 1:
                widget = TextArea(value, soft_wrap=True, tab_behavior="focus",
                                  classes="answer case-text-area")
                widget.styles.height = int(spec_field["lines"]) + 2
            else:
                widget = Input(value=value, max_length=2000, compact=True, select_on_focus=False,
                               placeholder=text("date") if kind == "date" else "",
                               classes=f"answer case-{kind}")
            widget.field_id = fid
            yield widget
            if kind == "date":
                note = Static("", classes="hint date-check")
                note.field_id = fid
                yield note

    def _changed(self, fid: str | None, value: str) -> None:
        if fid is None:
            return
        if value.strip():
            self._values[fid] = value
        else:
            self._values.pop(fid, None)
        for note in self.query(".date-check"):
            if getattr(note, "field_id", None) == fid and isinstance(note, Static):
                bad = bool(value.strip()) and parse_date(value) is None
                note.update(text("bad_date") if bad else "")
        self.answer(dict(self._values) or None)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._changed(getattr(event.input, "field_id", None), event.value)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._changed(getattr(event.text_area, "field_id", None), event.text_area.text)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) else ""
        self._changed(getattr(event.select, "field_id", None), value)
