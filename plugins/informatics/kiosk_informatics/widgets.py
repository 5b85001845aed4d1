"""Textual widgets: a code editor per item, with a Run button where the item allows trying.

Like the built-in widgets they post `QuestionWidget.Answered` with the whole code as the response
(typed: the exam screen saves after a pause). Running happens in a worker thread so the clock and
the rest of the screen keep moving while a query or the candidate's examples run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Static, TextArea

from kiosk.api import domain
from kiosk.api.widgets import QuestionWidget, plain
from kiosk_informatics import python_function, sql_query, sqlrun

#: This plugin's strings: its own gettext domain (locale/<lang>/LC_MESSAGES/<domain>.po), which
#: plugin.py also registers with the kiosk (`register_translations`).
TEXTS = domain("kiosk_informatics", Path(__file__).parent / "locale")


def text(key: str, **params: Any) -> str:
    return TEXTS(key, **params)


ROWS_SHOWN = 20


def table_text(result: sqlrun.QueryResult | sqlrun.QueryError, limit: int = ROWS_SHOWN) -> str:
    """A query result as the candidate reads it: `sqlrun.format_table`'s box, with the row count
    line in the interface's language."""
    if isinstance(result, sqlrun.QueryError):
        return result.message
    if not result.columns:
        return text("no_columns")
    body = sqlrun.format_table(result, limit).rsplit("\n", 1)[0]
    shown = min(limit, len(result.rows))
    total = f"{len(result.rows)}{'+' if result.truncated else ''}"
    if shown < len(result.rows):
        count = text("rows_cut", total=total, shown=shown)
    else:
        count = text("rows_one") if total == "1" else text("rows", total=total)
    return f"{body}\n{count}"


class CodeArea(TextArea):
    """The code editor: Enter keeps the line's indentation, and after a Python line ending in
    ":" indents one level more (what every code editor a candidate has used does)."""

    #: Python's block rule, set whether or not the highlighting grammar is installed.
    python = False

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and not self.read_only:
            event.stop()
            event.prevent_default()
            row, column = self.cursor_location
            line = self.document[row][:column]
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            if self.python and line.rstrip().endswith(":"):
                indent += " " * self.indent_width
            start, end = self.selection
            self._replace_via_keyboard("\n" + indent, start, end)
            return
        await super()._on_key(event)


def code_editor(source: str, language: str) -> TextArea:
    """A code editor; syntax highlighting when Textual's tree-sitter extra is installed."""
    from textual._tree_sitter import TREE_SITTER

    area = CodeArea.code_editor(
        source,
        language=language if TREE_SITTER else None,
        soft_wrap=False,
        tab_behavior="indent",
        classes="answer code",
    )
    area.python = language == "python"
    area.show_line_numbers = True
    return area


class _CodeWidget(QuestionWidget):
    """Keys: F4 runs from anywhere in the item (the editor keeps Tab for indenting); Escape
    leaves the editor so that Tab moves on, as the hint under the editor says."""

    typed = True
    language = ""
    BINDINGS = [Binding("f4", "run", show=False)]

    def initial_code(self) -> str:
        return self.response if isinstance(self.response, str) else ""

    def hint(self) -> str:
        return ""

    def can_run(self) -> bool:
        return False

    def run_label(self) -> str:
        return text("run")

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Static(self.hint(), classes="hint")
        yield Static(text("keys_run" if self.can_run() else "keys"), classes="hint code-keys")
        yield code_editor(self.initial_code(), self.language)
        if self.can_run():
            with Horizontal(classes="code-actions"):
                yield Button(f"{self.run_label()} (F4)", id="run-code", compact=True)
            yield Static("", id="run-output", classes="run-output")

    def on_mount(self) -> None:
        if self.can_run():
            self.prewarm()

    @work(thread=True, exclusive=True, group="prewarm-runner")
    def prewarm(self) -> None:
        """Probe the sandbox and start a runner while the candidate reads the task, so the
        first Run does not pay for them."""
        from kiosk_informatics import pyrun, sandbox, sqlrun

        sandbox.prewarm(sqlrun.RUNNER if self.language == "sql" else pyrun.RUNNER)

    @property
    def code(self) -> str:
        return self.query_one(TextArea).text

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.answer(event.text_area.text)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "run-code":
            return
        event.stop()
        self.action_run()

    def action_run(self) -> None:
        if not self.can_run():
            return
        if not self.code.strip():
            self.show_output(text("empty"))
            return
        self.show_output(text("running"))
        self.execute(self.code)

    @work(thread=True, exclusive=True, group="run-code")
    def execute(self, code: str) -> None:
        output = self.run_text(code)
        self.app.call_from_thread(self.show_output, output)

    def run_text(self, code: str) -> str:
        raise NotImplementedError

    def show_output(self, output: str) -> None:
        shown = self.query_one("#run-output", Static)
        shown.update(plain(output))
        # The Run button stays in view and the output's first lines come into view under it.
        self.call_after_refresh(shown.scroll_visible, animate=False, top=False)


class SqlQueryWidget(_CodeWidget):
    language = "sql"

    def hint(self) -> str:
        return text("sql_hint")

    def can_run(self) -> bool:
        return self.item.spec.get("allow_run", True) is True

    def run_text(self, code: str) -> str:
        try:
            return table_text(sql_query.run(self.item, code))
        except sqlrun.DataSetError as exc:  # the bank's own data set: not the candidate's doing
            return f"⚠ {exc}"


class PythonFunctionWidget(_CodeWidget):
    language = "python"

    def initial_code(self) -> str:
        if isinstance(self.response, str) and self.response:
            return self.response
        starter = self.item.spec.get("starter")
        return starter if isinstance(starter, str) else ""

    def hint(self) -> str:
        return text("py_hint", name=self.item.spec.get("function", ""))

    def can_run(self) -> bool:
        return bool(python_function.tests_of(self.item, examples_only=True))

    def run_label(self) -> str:
        return text("run_examples")

    def run_text(self, code: str) -> str:
        tests = python_function.tests_of(self.item, examples_only=True)
        from kiosk_informatics import sandbox

        lines = []
        if not sandbox.detect().exam_ready:
            if not sandbox.practice_unisolated():
                return f"⚠ {sandbox.refusal()}"
            lines.append("⚠ gyakorló mód: a program operációsrendszer-szintű elkülönítés nélkül "
                         "fut / practice mode: code runs without OS isolation")
        try:
            outcomes = python_function.run_tests(self.item, code, examples_only=True,
                                                 allow_unisolated=sandbox.practice_unisolated())
        except python_function.ScoringError as exc:
            return f"⚠ {exc}"
        name = self.item.spec.get("function", "f")
        for test, outcome in zip(tests, outcomes, strict=True):
            args = ", ".join(repr(a) for a in test.get("args", []))
            call = f"{name}({args})"
            if outcome["passed"]:
                lines.append(f"✓ {call} == {test.get('expected')!r}: {text('passed')}")
            elif "error" in outcome:
                lines.append(f"✗ {call}: {outcome['error']}")
            else:
                got = text("got", got=outcome["got"], want=repr(test.get("expected")))
                lines.append(f"✗ {call}: {got}")
        return "\n".join(lines)
