"""Screens of the examiner app: login, queue, marking, statistics. Every call to the centre
service runs in a worker thread; the screens only show what comes back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Markdown, Static, TextArea

from kiosk.apps.examiner.app import Entry, Group, Response
from kiosk.apps.widgets.staff_login import StaffLoginScreen
from kiosk.errors import KioskError
from kiosk.i18n import t

if TYPE_CHECKING:
    from kiosk.apps.examiner.app import ExaminerApp


class _Base(Screen[None]):
    @property
    def examiner(self) -> ExaminerApp:
        return cast("ExaminerApp", self.app)


class LoginScreen(StaffLoginScreen, _Base):
    ROLE = "examiner"

    def start_login(self, name: str, password: str) -> None:
        # The password check (scrypt) and the first queue take a moment: off the UI thread.
        self._login(name, password)

    @work(thread=True, exclusive=True, group="login")
    def _login(self, name: str, password: str) -> None:
        from kiosk.apps.examiner.app import LoginRefused

        try:
            self.examiner.login(name, password)
        except LoginRefused:
            # A wrong name, password or role: one generic message.
            self.app.call_from_thread(self._failed, None)
        except KioskError as exc:
            # No service, or it did not start: what it said.
            self.app.call_from_thread(self._failed, str(exc))
        else:
            self.app.call_from_thread(self._logged_in)

    def _failed(self, message: str | None) -> None:
        self.login_failed(message or t(f"{self.ROLE}.login.failed"))

    def _logged_in(self) -> None:
        self.app.switch_screen(QueueScreen())


class QueueScreen(_Base):
    """Items with responses to mark (left) and the anonymous responses of the chosen item."""

    BINDINGS = [
        Binding("r", "refresh", t("examiner.keys.refresh")),
        Binding("s", "stats", t("examiner.keys.stats")),
        Binding("m", "mark", t("examiner.keys.mark")),
    ]

    def compose(self) -> ComposeResult:
        yield Static(t("examiner.queue.header", user=self.examiner.user or ""),
                     classes="header")
        with Horizontal(classes="columns"):
            with Vertical(classes="pane"):
                yield Label(t("examiner.queue.items"))
                yield DataTable(id="groups", cursor_type="row", zebra_stripes=True)
            with Vertical(classes="pane"):
                yield Label(t("examiner.queue.responses"))
                yield DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        yield Static("", id="queue-message", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        groups = self.query_one("#groups", DataTable)
        groups.add_columns(t("examiner.column.exam"), t("examiner.column.item"),
                           t("examiner.column.waiting"), t("examiner.column.done"))
        entries = self.query_one("#entries", DataTable)
        entries.add_columns(t("examiner.column.code"), t("examiner.column.round"))
        self.fill()
        groups.focus()

    def on_screen_resume(self) -> None:
        self.fill()

    def groups(self) -> list[Group]:
        return self.examiner.groups

    def fill(self) -> None:
        table = self.query_one("#groups", DataTable)
        keep = table.cursor_row
        table.clear()
        groups = self.groups()
        for g in groups:
            table.add_row(g.exam, g.item, str(len(g.entries)), str(g.done),
                          key=f"{g.exam}|{g.item}")
        if groups:
            table.move_cursor(row=min(max(keep, 0), len(groups) - 1))
        self.query_one("#queue-message", Static).update(
            t("examiner.queue.empty") if not any(g.entries for g in groups)
            else t("examiner.queue.hint"))
        self.fill_entries()

    def selected_group(self) -> Group | None:
        groups = self.groups()
        row = self.query_one("#groups", DataTable).cursor_row
        return groups[row] if 0 <= row < len(groups) else None

    def fill_entries(self) -> None:
        table = self.query_one("#entries", DataTable)
        table.clear()
        group = self.selected_group()
        for e in group.entries if group else []:
            table.add_row(e.code, str(e.round), key=e.code)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "groups":
            self.fill_entries()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_mark(event.data_table.id == "entries")

    def action_mark(self, from_entries: bool = False) -> None:
        group = self.selected_group()
        if group is None or not group.entries:
            return
        row = self.query_one("#entries", DataTable).cursor_row if from_entries else 0
        entry = group.entries[row if 0 <= row < len(group.entries) else 0]
        self.query_one("#queue-message", Static).update("…")
        self._open(entry)

    @work(thread=True, exclusive=True, group="queue")
    def _open(self, entry: Entry) -> None:
        try:
            response = self.examiner.open_response(entry)
        except KioskError as exc:
            self.app.call_from_thread(self._problem, str(exc))
            return
        self.app.call_from_thread(self.app.push_screen, MarkScreen(response))

    def _problem(self, message: str) -> None:
        self.query_one("#queue-message", Static).update(message)

    def action_refresh(self) -> None:
        self.query_one("#queue-message", Static).update("…")
        self._reload()

    @work(thread=True, exclusive=True, group="queue")
    def _reload(self) -> None:
        try:
            self.examiner.reload()
        except KioskError as exc:
            self.app.call_from_thread(self._problem, str(exc))
            return
        self.app.call_from_thread(self.fill)

    def action_stats(self) -> None:
        self.app.push_screen(StatsScreen())


#: What a points field accepts while typing: digits and one decimal mark, comma or point.
POINTS_CHARS = r"[0-9]*[.,]?[0-9]*"


class MarkScreen(_Base):
    """One response: the whole question, the answer field by field, the question type's checks,
    the model answer, (for a third marker) both earlier marks, and the rubric's inputs."""

    BINDINGS = [Binding("escape", "back", t("examiner.keys.back")),
                Binding("f4", "zoom", show=False)]

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.entry = response.entry
        self.item = response.item
        self.rubric: list[dict[str, Any]] = list(self.item.spec.get("rubric") or [])
        self.view = response.view
        #: a save is with the service: no second one until it answered
        self.saving = False

    def compose(self) -> ComposeResult:
        e, v = self.entry, self.view
        yield Static(t("examiner.mark.header", code=e.code, item=e.item, round=e.round,
                       points=_pts(self.item.points)), classes="header", id="mark-header")
        with Horizontal(classes="columns"):
            with VerticalScroll(classes="pane", id="question-pane"):
                yield Markdown(v.stem, classes="stem", id="stem")
                if self.item.attachments:  # images and passages, as the candidate saw them
                    from kiosk.apps.widgets.media import Attachments

                    yield Attachments(self.item, classes="attachments")
                if v.question_rest:
                    yield Static(v.question_rest, classes="case", id="question-rest",
                                 markup=False)
                yield Label(t("examiner.mark.response"))
                yield TextArea(v.answer, id="response", read_only=True, soft_wrap=True)
                if v.check_rows or v.checks:
                    yield Label(t("examiner.mark.checks"))
                    yield Static(self._checks_text(), id="checks", classes="checks",
                                 markup=False)
                if v.model:
                    yield Label(t("examiner.mark.model"))
                    yield Static(v.model, id="model", classes="hint", markup=False)
            with VerticalScroll(classes="pane", id="rubric-pane"):
                if v.earlier:
                    yield Label(t("examiner.mark.earlier"))
                    yield Static(self._earlier_text(), id="earlier", classes="earlier",
                                 markup=False)
                yield Label(t("examiner.mark.rubric"))
                if self.rubric:
                    for i, row in enumerate(self.rubric):
                        with Horizontal(classes="criterion"):
                            yield Label(f"{row.get('criterion')} (0–{_pts(row.get('points'))})")
                            yield Input(id=f"crit-{i}", restrict=POINTS_CHARS, max_length=8)
                else:
                    with Horizontal(classes="criterion"):
                        yield Label(t("examiner.mark.points", points=_pts(self.item.points)))
                        yield Input(id="points", restrict=POINTS_CHARS, max_length=8)
                yield Label(t("examiner.mark.comment"))
                yield Input(id="comment", max_length=500)
                yield Static("", id="total", classes="hint")
                yield Static("", id="mark-message", classes="message")
                with Horizontal(classes="buttons"):
                    yield Button(t("examiner.mark.cancel"), id="cancel")
                    yield Button(t("examiner.mark.save"), id="save", variant="primary")
        yield Footer()

    def _checks_text(self) -> str:
        words = {True: t("examiner.mark.check_ok"), False: t("examiner.mark.check_wrong"),
                 None: t("examiner.mark.check_unreadable")}
        lines = [t("examiner.mark.check_row", label=label, given=given or "—",
                   verdict=words[ok], expected=expected)
                 for label, given, expected, ok in self.view.check_rows]
        if not lines and self.view.checks:
            lines.append(self.view.checks)
        return "\n".join(lines)

    def _earlier_text(self) -> str:
        lines = []
        for m in self.view.earlier:
            lines.append(t("examiner.mark.earlier_row", round=m.round, marker=m.marker,
                           points=_pts(m.points)))
            lines.extend(f"  {name}: {_pts(p)}" for name, p in m.criteria)
            if m.comment:
                lines.append(f"  „{m.comment}”")
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.query("Input").first().focus()
        self._update_total()

    def action_zoom(self) -> None:
        from kiosk.apps.widgets.media import zoom

        zoom(self, self.item)

    def _values(self) -> tuple[float | None, dict[str, float]]:
        """The typed points; raises KioskError (in the UI's language) before anything is
        saved when a value is not a number, above its criterion's maximum, or the total is
        above the item's maximum."""
        from kiosk.domain.marking_view import parse_points

        def number(widget_id: str, top: float, name: str) -> float:
            value = parse_points(self.query_one(f"#{widget_id}", Input).value)
            if value is None:
                raise KioskError(t("examiner.mark.not_number"))
            if value > top + 1e-9:
                raise KioskError(t("examiner.mark.above", name=name, max=_pts(top)))
            return value

        if not self.rubric:
            points = number("points", self.item.points, t("examiner.mark.the_item"))
            self._check_step(points)
            return points, {}
        criteria = {str(row.get("criterion")): number(
            f"crit-{i}", float(row.get("points") or 0), str(row.get("criterion")))
            for i, row in enumerate(self.rubric)}
        total = sum(criteria.values())
        if total > self.item.points + 1e-9:
            raise KioskError(t("examiner.mark.over_max", total=_pts(total),
                               points=_pts(self.item.points)))
        self._check_step(total)
        return None, criteria

    def _check_step(self, points: float) -> None:
        step = self.item.step
        if step and abs(points / step - round(points / step)) > 1e-9:
            raise KioskError(t("examiner.mark.step", step=_pts(step)))

    def _update_total(self) -> None:
        """The running total, and a range problem shown (and Save disabled) as soon as it is
        typed; fields still blank are not a problem until Save."""
        from kiosk.domain.marking_view import parse_points

        if self.rubric:
            fields = [(f"crit-{i}", float(r.get("points") or 0), str(r.get("criterion")))
                      for i, r in enumerate(self.rubric)]
        else:
            fields = [("points", self.item.points, t("examiner.mark.the_item"))]
        total, problems, complete = 0.0, [], True
        for wid, top, name in fields:
            value = parse_points(self.query_one(f"#{wid}", Input).value)
            if value is None:
                complete = False
                continue
            total += value
            if value > top + 1e-9:
                problems.append(t("examiner.mark.above", name=name, max=_pts(top)))
        if total > self.item.points + 1e-9:
            problems.append(t("examiner.mark.over_max", total=_pts(total),
                              points=_pts(self.item.points)))
        if complete and not problems:
            try:
                self._check_step(total)
            except KioskError as exc:
                problems.append(str(exc))
        problem = " ".join(problems)
        self.query_one("#total", Static).update(
            t("examiner.mark.total", total=_pts(total), points=_pts(self.item.points)))
        if self.saving:
            return  # "Saving…" and a disabled Save stand until the service answers
        self.query_one("#mark-message", Static).update(problem)
        self.query_one("#save", Button).disabled = bool(problem)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "comment":
            self._update_total()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.save()
        else:
            self.action_back()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
        else:
            self.save()

    def save(self) -> None:
        if self.saving:
            return
        try:
            points, criteria = self._values()
        except KioskError as exc:
            self.query_one("#mark-message", Static).update(str(exc))
            return
        # Nothing is "saved" until the service acknowledged its commit.
        self.saving = True
        self.query_one("#save", Button).disabled = True
        self.query_one("#mark-message", Static).update(t("exam.saving"))
        comment = self.query_one("#comment", Input).value
        # The app's worker, not this screen's: going back to the queue while the service is
        # slow must not abandon the save (a screen's workers end with the screen).
        app = self.examiner
        app.run_worker(lambda: self._save(app, points, criteria, comment), thread=True,
                       group="save", name="save a mark")

    def _save(self, app: ExaminerApp, points: float | None, criteria: dict[str, float],
              comment: str) -> None:
        # `app`, not `self.app`: this screen may have left the screen stack by now.
        try:
            done, following = app.save_mark(self.entry, points, criteria, comment)
        except KioskError as exc:
            app.call_from_thread(self._not_saved, app, str(exc))
            return
        app.call_from_thread(self._saved, app, done, following)

    def _not_saved(self, app: ExaminerApp, message: str) -> None:
        # The typed marks stay on screen: fix them, or save again when the service answers.
        self.saving = False
        if app.screen is not self:  # the marker went back meanwhile
            app.notify(message, severity="error")
            return
        self.query_one("#mark-message", Static).update(message)
        self.query_one("#save", Button).disabled = False

    def _saved(self, app: ExaminerApp, done: dict[str, Any], following: Response | None
               ) -> None:
        # Straight on to the next response of the same item, as markers work through a pile;
        # the acknowledgement is shown on the screen that follows.
        self.saving = False
        current = app.screen
        if current is not self:  # the marker went back meanwhile: only the news
            if isinstance(current, QueueScreen):
                current.fill()
        elif following is not None:
            app.switch_screen(MarkScreen(following))
        else:
            app.pop_screen()
        app.call_after_refresh(
            app.notify, f"{t('exam.saved')}: {done['code']} {done['item']} "
                        f"({_pts(done['points'])})")

    def action_back(self) -> None:
        self.app.pop_screen()


def _pts(value: Any) -> str:
    from kiosk.domain.numbers import points_text
    from kiosk.i18n import current_language

    return points_text(float(value or 0), current_language())


class StatsScreen(_Base):
    """Item statistics of one exam, with the score distribution as a histogram."""

    BINDINGS = [Binding("escape", "back", t("examiner.keys.back")),
                Binding("n", "next_exam", t("examiner.keys.next_exam"))]

    def __init__(self) -> None:
        super().__init__()
        self.exam_ids: list[str] = []
        self.index = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="stats-header", classes="header")
        with VerticalScroll():
            yield from self._plot()
            yield Static("", id="stats-text")
        yield Footer()

    def _plot(self) -> ComposeResult:
        try:
            from textual_plotext import PlotextPlot
        except ImportError:  # the text histogram below is shown either way
            return
        yield PlotextPlot(id="histogram")

    def on_mount(self) -> None:
        self.query_one("#stats-text", Static).update(t("examiner.stats.computing"))
        self._compute(None)

    def show(self) -> None:
        header = self.query_one("#stats-header", Static)
        if not self.exam_ids:
            header.update(t("examiner.stats.none"))
            self.query_one("#stats-text", Static).update("")
            return
        exam_id = self.exam_ids[self.index]
        header.update(t("examiner.stats.header", exam=exam_id))
        self.query_one("#stats-text", Static).update(t("examiner.stats.computing"))
        self._compute(exam_id)

    @work(thread=True, exclusive=True, group="stats")
    def _compute(self, exam_id: str | None) -> None:
        """Item analysis and the Rasch calibration are the service's (`results.stats`) and
        take a while: off the UI thread, so the screen keeps answering keys. Without
        `exam_id`: first the exams with papers, then the first one's."""
        app = self.examiner
        try:
            if exam_id is None:
                exams = app.exams()
                self.app.call_from_thread(self._set_exams, exams)
                if not exams:
                    return
                exam_id = exams[0]
            stats = app.stats(exam_id)
        except KioskError as exc:
            self.app.call_from_thread(self._show_text, str(exc))
            return
        self.app.call_from_thread(self._show_stats, exam_id, stats)

    def _set_exams(self, exams: list[str]) -> None:
        self.exam_ids, self.index = exams, 0
        header = self.query_one("#stats-header", Static)
        header.update(t("examiner.stats.header", exam=exams[0]) if exams
                      else t("examiner.stats.none"))
        if not exams:
            self.query_one("#stats-text", Static).update("")

    def _show_text(self, text: str) -> None:
        self.query_one("#stats-text", Static).update(text)

    def _show_stats(self, exam_id: str, stats: dict[str, Any]) -> None:
        if not self.exam_ids or self.exam_ids[self.index] != exam_id:
            return  # the examiner moved on to another exam meanwhile
        self.query_one("#stats-text", Static).update(stats["text"])
        plots = self.query("#histogram")
        if plots:
            widget = plots.first()
            plt = widget.plt  # type: ignore[attr-defined]
            plt.clear_data()
            labels = [f"{low:.0f}" for low, _count in stats["histogram"]]
            plt.bar(labels, [count for _low, count in stats["histogram"]])
            plt.title(t("examiner.stats.histogram"))
            widget.refresh()

    def action_next_exam(self) -> None:
        if self.exam_ids:
            self.index = (self.index + 1) % len(self.exam_ids)
            self.show()

    def action_back(self) -> None:
        self.app.pop_screen()
