"""Textual widgets: a code editor per item, with a Run button where the item allows trying.

Like the built-in widgets they post `QuestionWidget.Answered` with the whole code as the response
(typed: the exam screen saves after a pause). Running happens in a worker thread so the clock and
the rest of the screen keep moving while a query or the candidate's examples run.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static, TextArea

from kiosk.apps.widgets.questions.base import QuestionWidget, plain
from kiosk.i18n import current_language
from kiosk_informatics import python_function, sql_query, sqlrun

TEXTS = {
    "hu": {
        "sql_hint": "Írja be a lekérdezést (egyetlen SELECT utasítás).",
        "py_hint": "Írja meg a(z) {name} függvényt. A rejtett tesztek a leadás után futnak.",
        "run": "Futtatás",
        "run_examples": "Példák futtatása",
        "running": "Fut…",
        "empty": "Nincs mit futtatni.",
        "passed": "rendben",
        "failed": "hibás",
        "got": "kapott érték: {got}, várt: {want}",
    },
    "en": {
        "sql_hint": "Type the query (a single SELECT statement).",
        "py_hint": "Write the function {name}. Hidden tests run after you submit.",
        "run": "Run",
        "run_examples": "Run the examples",
        "running": "Running…",
        "empty": "Nothing to run.",
        "passed": "passed",
        "failed": "failed",
        "got": "returned {got}, expected {want}",
    },
}


def text(key: str, **params: Any) -> str:
    table = TEXTS.get(current_language(), TEXTS["hu"])
    return table[key].format(**params) if params else table[key]


def code_editor(source: str, language: str) -> TextArea:
    """A code editor; syntax highlighting when Textual's tree-sitter extra is installed."""
    from textual._tree_sitter import TREE_SITTER

    area = TextArea.code_editor(
        source,
        language=language if TREE_SITTER else None,
        soft_wrap=False,
        tab_behavior="indent",
        classes="answer code",
    )
    area.show_line_numbers = True
    return area


class _CodeWidget(QuestionWidget):
    typed = True
    language = ""

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
        yield code_editor(self.initial_code(), self.language)
        if self.can_run():
            with Horizontal(classes="code-actions"):
                yield Button(self.run_label(), id="run-code", compact=True)
            yield Static("", id="run-output", classes="hint run-output")

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
        self.query_one("#run-output", Static).update(plain(output))


class SqlQueryWidget(_CodeWidget):
    language = "sql"

    def hint(self) -> str:
        return text("sql_hint")

    def can_run(self) -> bool:
        return self.item.spec.get("allow_run", True) is True

    def run_text(self, code: str) -> str:
        try:
            return sqlrun.format_table(sql_query.run(self.item, code))
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
