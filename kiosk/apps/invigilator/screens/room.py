"""The live room view: one row per candidate, sortable and filterable, and the actions.

The rows come from the centre service (`invigilation.room`, polled on a worker thread about
once a second); every action is a use case (`invigilation.<verb>`) run on a worker thread too,
and its effect is shown when the service answered. Redrawing is by cell: each refresh computes
the rows, and only cells whose text changed are updated (the table is rebuilt only when the
visible order changes: a new sort, a filter, or a row moving under the current sort), so 500
candidates ticking every second stay smooth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select, Static

from kiosk.apps.invigilator.keybar import KeyBar, key_name
from kiosk.apps.invigilator.screens.dialogs import (
    ConfirmDialog,
    Field,
    FormDialog,
    MessageDialog,
)
from kiosk.console_feed import RemoteRoom, RoomFeed
from kiosk.domain import room as R
from kiosk.i18n import t

if TYPE_CHECKING:
    from kiosk.apps.invigilator.app import InvigilatorApp

#: Lockout alerts shown above the table at most (the rest: "+N more"); the table keeps the room.
ALERT_LINES = 3
#: The causes of an extension (kiosk.invigilation.EXTENSION_CAUSES; the service checks them).
EXTENSION_CAUSES = ("accommodation", "lost_time")
COLUMNS = ("seat", "candidate", "name", "status", "answered", "remaining", "extra", "activity",
           "incidents")
#: What stays possible once the sitting is closed: looking, and reopening it.
WHEN_CLOSED = frozenset({"close_sitting", "sort", "reverse", "filter", "status_filter", "help",
                         "back", "detail", "map"})
SYMBOLS = {
    R.NOT_ARRIVED: "·", "logged_in": "→", "admitted": "✓", "in_progress": "▶", "paused": "‖",
    "away": "⇥", "suspended": "⚠", "submitted": "■", "timed_out": "◷", "voided": "✗",
}
STYLES = {"paused": "cyan", "away": "yellow", "suspended": "bold red", "voided": "red",
          "submitted": "green", "timed_out": "green", R.NOT_ARRIVED: "dim"}
Cell = tuple[str, str]  # text, style


class RoomScreen(Screen[None]):
    BINDINGS = [
        # The key bar shows the everyday keys (wrapped onto two lines at 80 columns);
        # F1 lists every key in a table.
        Binding("f1,question_mark", "help", "invigilator.keys.help"),
        Binding("enter", "detail", "invigilator.keys.detail", show=False),
        Binding("a", "admit", "invigilator.keys.admit"),
        Binding("s", "start", "invigilator.keys.start"),
        Binding("p", "pause", "invigilator.keys.pause"),
        Binding("r", "resume", "invigilator.keys.resume"),
        Binding("e", "extend", "invigilator.keys.extend"),
        Binding("l", "away", "invigilator.keys.away"),
        Binding("i", "irregularity", "invigilator.keys.irregularity"),
        Binding("n", "message", "invigilator.keys.message"),
        Binding("N", "message_all", "invigilator.keys.message_all", show=False),
        Binding("g", "map", "invigilator.keys.map"),
        Binding("v", "void", "invigilator.keys.void", show=False),
        Binding("m", "move", "invigilator.keys.move", show=False),
        Binding("f", "force_submit", "invigilator.keys.force", show=False),
        Binding("t", "seat", "invigilator.keys.seat", show=False),
        Binding("S", "start_all", "invigilator.keys.start_all", show=False),
        Binding("P", "pause_all", "invigilator.keys.pause_all", show=False),
        Binding("R", "resume_all", "invigilator.keys.resume_all", show=False),
        Binding("E", "extend_all", "invigilator.keys.extend_all", show=False),
        Binding("F", "force_submit_all", "invigilator.keys.force_all", show=False),
        Binding("c", "close_sitting", "invigilator.keys.close"),
        Binding("k", "pin", "invigilator.keys.pin", show=False),
        Binding("o", "sort", "invigilator.keys.sort", show=False),
        Binding("O", "reverse", "invigilator.keys.reverse", show=False),
        Binding("slash", "filter", "invigilator.keys.filter", show=False),
        Binding("x", "status_filter", "invigilator.keys.status_filter", show=False),
        Binding("escape", "back", "invigilator.keys.back", show=False),
        Binding("u", "unlock", "invigilator.keys.unlock", show=False),
    ]

    def __init__(self, feed: RoomFeed) -> None:
        super().__init__()
        # Key labels are translated now, not at import (the language is chosen at start-up).
        for key, bindings in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [
                replace(b, description=t(b.description)) if b.description else b
                for b in bindings]
        self.feed = feed
        self.sort_key = "seat"
        self.reverse = False
        self.text_filter = ""
        self.status_filter: str | None = None
        self._order: list[str] = []
        self._shown: dict[str, tuple[Cell, ...]] = {}
        #: why the last poll got no answer (shown in the counts line until one comes)
        self.service_error = ""
        #: candidates already alerted about, so an alert is raised once per episode
        self._alerted_stale: set[str] = set()
        self._alerted_pins: dict[str, int] = {}
        #: lockout alerts of the service already toasted: (what, seat, candidate) -> count
        self._alerted_locks: dict[tuple[str, str, str], int] = {}
        self._polling = False
        self.redraws = 0
        self.rows_updated = 0
        self.cells_updated = 0

    @property
    def console(self) -> InvigilatorApp:
        return cast("InvigilatorApp", self.app)

    @property
    def room(self) -> RemoteRoom:
        return self.feed.room

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static("", id="room-header", classes="header")
            yield Static("", id="room-counts", classes="counts")
            with Horizontal(classes="filters"):
                yield Input(placeholder=t("invigilator.filter.placeholder"), id="filter")
                yield Select(self._status_options(), allow_blank=False, value="", id="status",
                             compact=True)
            yield Static("", id="room-alerts", classes="alerts")
            yield DataTable(id="room", cursor_type="row", zebra_stripes=True)
        yield KeyBar(id="keys")

    def _status_options(self) -> list[tuple[str, str]]:
        return ([(t("invigilator.filter.all"), ""),
                 (t("invigilator.filter.attention"), R.ATTENTION)]
                + [(t(f"invigilator.status.{s}"), s) for s in R.STATUSES])

    def on_mount(self) -> None:
        # (styled here rather than in the stylesheet: one line of padding like the header's)
        self.query_one("#room-alerts", Static).styles.padding = (0, 1)
        table = self.query_one("#room", DataTable)
        for key in COLUMNS:
            table.add_column(self._column_label(key), key=key)
        self.redraw(rebuild=True)
        table.focus()
        if self.console.use_timers:
            from kiosk.apps.invigilator.app import POLL_SECONDS

            self.set_interval(POLL_SECONDS, self.poll)

    def _column_label(self, key: str) -> str:
        label = t(f"invigilator.column.{key}")
        if key == self.sort_key:
            label += " ▼" if self.reverse else " ▲"
        return label

    # -- refreshing ------------------------------------------------------------------------

    def poll(self) -> None:
        """Move the clocks, and ask the service (on a worker) what changed since last time."""
        self.redraw()
        if self._polling:
            return  # the last question is still out: a slow service is not asked twice
        self._polling = True
        self.console.background(self.feed.fetch, self._polled, failed=self._poll_failed,
                                group="poll")

    def _polled(self, answer: dict[str, Any]) -> None:
        self._polling = False
        if self.service_error:
            self.service_error = ""
            self.redraw()
        self.show(answer)

    def _poll_failed(self, exc: Exception) -> None:
        # The service is away (restarting, stalled): keep showing the room, say so.
        self._polling = False
        self.service_error = str(exc)
        self.redraw()

    def show(self, answer: dict[str, Any]) -> None:
        """Fold a `invigilation.room` answer and redraw what changed."""
        changed = self.feed.apply(answer)
        if changed is not None:
            self.redraw(changed)

    def refresh_room(self) -> None:
        """Ask and show at once, on the calling thread (tests and benchmarks; the screen itself
        asks from a worker)."""
        self.show(self.feed.fetch())

    def redraw(self, changed: set[str] | None = None, *, rebuild: bool = False) -> None:
        now = self.console.now()
        rows = {r.candidate: r for r in self.room.rows(now)}
        visible = [r.candidate for r in R.sort_rows(
            (r for r in rows.values() if R.matches(r, self.text_filter, self.status_filter)),
            self.sort_key, self.reverse)]
        table = self.query_one("#room", DataTable)
        self.redraws += 1
        if rebuild or visible != self._order:
            selected = self.selected()
            table.clear()
            self._shown = {}
            for cand in visible:
                cells = self.cells(rows[cand], now)
                self._shown[cand] = cells
                table.add_row(*(self._renderable(c) for c in cells), key=cand)
            self._order = visible
            if selected in visible:
                table.move_cursor(row=visible.index(selected), animate=False)
        else:
            for cand in visible:
                cells = self.cells(rows[cand], now)
                old = self._shown.get(cand)
                if cells == old:
                    continue
                self.rows_updated += 1
                for i, cell in enumerate(cells):
                    if old is None or old[i] != cell:
                        table.update_cell(cand, COLUMNS[i], self._renderable(cell))
                        self.cells_updated += 1
                self._shown[cand] = cells
        self._update_header(rows.values())
        self._alerts(rows.values())
        self._lockouts()

    def _alerts(self, rows: Any) -> None:
        """A toast when a running terminal goes silent, and when wrong exit PINs pile up at
        one candidate's terminal (someone trying to leave the kiosk)."""
        for row in rows:
            if row.stale and row.candidate not in self._alerted_stale:
                self._alerted_stale.add(row.candidate)
                self.notify(t("invigilator.alert.stale", who=self._who(row.candidate)),
                            severity="warning", timeout=15)
            elif not row.stale:
                self._alerted_stale.discard(row.candidate)
            # Through the service its own counters say it (`_lockouts`), once: the ledger's
            # count is the fallback of the embedded path.
            if (not self.room.live_known and row.wrong_pins >= R.PIN_ALERT_AFTER
                    and self._alerted_pins.get(row.candidate, 0) < row.wrong_pins):
                self._alerted_pins[row.candidate] = row.wrong_pins
                self.notify(t("invigilator.alert.pins", who=self._who(row.candidate),
                              count=row.wrong_pins), severity="error", timeout=20)

    def _lockouts(self) -> None:
        """The service's failure counters for this room (wrong access codes and exit PINs per
        seat and candidate, with the wait it imposes), in a line above the table, and a toast
        when one grows."""
        alerts = self.room.alerts
        box = self.query_one("#room-alerts", Static)
        now = self.console.now()
        lines = []
        for a in alerts:
            key = (str(a.get("what")), str(a.get("seat")), str(a.get("candidate")))
            text = self._lockout_text(a, now)
            lines.append("⚠ " + text)
            if self._alerted_locks.get(key, 0) < int(a.get("count", 0)):
                self._alerted_locks[key] = int(a.get("count", 0))
                self.notify(text, severity="error", timeout=20)
        if len(lines) > ALERT_LINES:
            lines[ALERT_LINES - 1:] = [t("invigilator.alert.more",
                                         count=len(lines) - ALERT_LINES + 1)]
        box.update(Text("\n".join(lines), style="bold red"))
        box.display = bool(lines)

    def _lockout_text(self, a: dict[str, Any], now: float, *, until: bool = True) -> str:
        cand = str(a.get("candidate") or "")
        who = t("invigilator.who", candidate=cand, name=a.get("name") or "",
                seat=a.get("seat") or "–") if cand else t("invigilator.alert.seat",
                                                         seat=a.get("seat") or "–")
        ends = a.get("locked_until")
        lock = (t("invigilator.alert.locked_until", time=_clock_of(float(ends)))
                if until and isinstance(ends, int | float) and ends > now else "")
        key = "invigilator.alert.lock_pins" if a.get("what") == "pin" \
            else "invigilator.alert.lock_logins"
        return t(key, who=who, count=a.get("count", 0)) + (f" · {lock}" if lock else "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """After the close, only looking and reopening: the footer stops offering the rest."""
        if not self.room.open and action not in WHEN_CLOSED and action in self._actions():
            return False
        return True

    @classmethod
    def _actions(cls) -> set[str]:
        return {b.action for b in cls.BINDINGS if isinstance(b, Binding)}

    @staticmethod
    def _renderable(cell: Cell) -> Text | str:
        text, style = cell
        return Text(text, style=style) if style else text

    def cells(self, row: R.Row, now: float) -> tuple[Cell, ...]:
        status = f"{SYMBOLS.get(row.status, '')} {t(f'invigilator.status.{row.status}')}"
        activity = R.format_age(row.last_activity, now)
        # The seat the candidate really sits at (the planned one is in the detail view).
        seat = row.seat or "–"
        extra = f"+{row.extra_minutes:g}" if row.extra_minutes else ""
        return (
            (seat, ""),
            (row.candidate, ""),
            (row.name, ""),
            (status, STYLES.get(row.status, "")),
            (f"{row.answered}/{row.total}" if row.total else "–", ""),
            (R.format_remaining(row.remaining_s), "bold" if row.remaining_s is not None
             and 0 < row.remaining_s < 300 and row.status == "in_progress" else ""),
            (extra, ""),
            (("⚠ " + activity) if row.stale else activity, "bold reverse yellow" if row.stale
             else ""),
            (str(row.incidents) if row.incidents else "", "bold red" if row.incidents else ""),
        )

    def _update_header(self, rows: Any) -> None:
        s = self.feed.sitting
        state = t("invigilator.open" if self.room.open else "invigilator.closed")
        self.refresh_bindings()
        user = self.console.user.name if self.console.user else ""
        self.query_one("#room-header", Static).update(t(
            "invigilator.room.header", exam=self.feed.exam_title or s.exam, room=s.room or "–", sitting=s.id,
            state=state, user=user))
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        parts = [f"{t(f'invigilator.status.{k}')}: {counts[k]}" for k in R.STATUSES
                 if counts.get(k)]
        sort = t(f"invigilator.column.{self.sort_key}") + (" ▼" if self.reverse else " ▲")
        self.query_one("#room-counts", Static).update(
            f"⚠ {self.service_error}" if self.service_error else
            " · ".join(parts) + f"   ({t('invigilator.room.sorted', key=sort)})")

    # -- selection -------------------------------------------------------------------------

    def selected(self) -> str | None:
        table = self.query_one("#room", DataTable)
        if not self._order or table.cursor_row < 0 or table.cursor_row >= len(self._order):
            return None
        return self._order[table.cursor_row]

    def select_candidate(self, candidate: str) -> None:
        """Move the cursor to a candidate (clearing a filter that hides them)."""
        if candidate not in self._order:
            self.text_filter, self.status_filter = "", None
            self.query_one("#filter", Input).value = ""
            self.redraw(rebuild=True)
        self.query_one("#room", DataTable).move_cursor(row=self._order.index(candidate),
                                                       animate=False)

    def _attempt(self) -> tuple[str, str] | None:
        cand = self.selected()
        if cand is None:
            return None
        data = self.room.data.get(cand)
        attempt = data.attempt if data is not None else None
        if attempt is None:
            self.notify(t("invigilator.msg.not_arrived", candidate=cand), severity="warning")
            return None
        return cand, attempt

    def _who(self, cand: str) -> str:
        row = self.room.row(cand, self.console.now())
        return t("invigilator.who", candidate=cand, name=row.name, seat=row.seat or "–")

    def act(self, use_case: str, then: Callable[[Any], None] | None = None,
            **args: Any) -> None:
        """Run one use case as the logged-in user on a worker thread; then show its effect
        (the room as the service now sees it) and call `then(result)`."""
        calls, feed = self.console.calls, self.feed

        def work() -> tuple[Any, dict[str, Any]]:
            result = calls.call(use_case, **args)
            return result, feed.fetch()

        def done(answer: tuple[Any, dict[str, Any]]) -> None:
            result, room = answer
            self.show(room)
            if then is not None:
                then(result)

        self.console.background(work, done)

    def ask(self, title: str, fields: list[Field], then: Callable[[dict[str, str]], None], *,
            info: str = "", ok: str | None = None) -> None:
        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                then(values)

        self.app.push_screen(FormDialog(title, fields, info=info, ok=ok), done)

    def confirm(self, question: str, then: Callable[[], None]) -> None:
        def done(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmDialog(question), done)

    def _minutes(self, text: str) -> float | None:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            self.notify(t("invigilator.msg.bad_minutes", value=text), severity="error")
            return None

    # -- actions on one candidate ----------------------------------------------------------

    def action_admit(self) -> None:
        if (sel := self._attempt()) is None:
            return
        cand, attempt = sel
        self.ask(t("invigilator.admit.title"),
                 [Field("document", t("invigilator.admit.document"))],
                 lambda v: self.act("invigilation.admit", attempt=attempt,
                                    document=v["document"]),
                 info=t("invigilator.admit.info", who=self._who(cand)),
                 ok=t("invigilator.admit.ok"))

    def action_start(self) -> None:
        if (sel := self._attempt()) is not None:
            self.act("invigilation.start", attempt=sel[1])

    def action_pause(self) -> None:
        if (sel := self._attempt()) is None:
            return
        self.ask(t("invigilator.pause.title", who=self._who(sel[0])),
                 [Field("reason", t("invigilator.field.reason"), required=True)],
                 lambda v: self.act("invigilation.pause", attempt=sel[1],
                                    reason=v["reason"]))

    def action_resume(self) -> None:
        if (sel := self._attempt()) is not None:
            self.act("invigilation.resume", attempt=sel[1])

    def _extension_fields(self) -> list[Field]:
        return [Field("minutes", t("invigilator.field.minutes"), "number", required=True),
                Field("cause", t("invigilator.field.cause"), "choice",
                      choices=tuple((t(f"invigilator.cause.{c}"), c)
                                    for c in EXTENSION_CAUSES), default="lost_time"),
                Field("reason", t("invigilator.field.reason"), required=True)]

    def action_extend(self) -> None:
        if (sel := self._attempt()) is None:
            return

        def then(v: dict[str, str]) -> None:
            if (minutes := self._minutes(v["minutes"])) is not None:
                self.act("invigilation.extend", attempt=sel[1], minutes=minutes,
                         reason=v["reason"], cause=v["cause"])

        self.ask(t("invigilator.extend.title", who=self._who(sel[0])), self._extension_fields(),
                 then)

    def action_away(self) -> None:
        if (sel := self._attempt()) is None:
            return
        if self.room.data_of(sel[0]).away:
            self.act("invigilation.returned", attempt=sel[1])
            return
        self.ask(t("invigilator.away.title", who=self._who(sel[0])),
                 [Field("reason", t("invigilator.field.reason"))],
                 lambda v: self.act("invigilation.left_room", attempt=sel[1],
                                    reason=v["reason"]),
                 info=t("invigilator.away.info"))

    def action_irregularity(self) -> None:
        """Suspend at once (the exact time is the event's), then record while suspended."""
        if (sel := self._attempt()) is None:
            return
        cand, attempt = sel
        if self.room.data_of(cand).suspended:
            self._irregularity_form(cand, attempt, None)
            return
        self.act("invigilation.suspend", lambda event: self._irregularity_form(
            cand, attempt, event), attempt=attempt, reason="irregularity")

    def _irregularity_form(self, cand: str, attempt: str, event: dict[str, Any] | None
                           ) -> None:
        """The record's form, once the candidate is suspended (`event`: the suspension this
        console just made, whose time the record carries)."""
        suspended_seq = int(event["seq"]) if event else None
        info = t("invigilator.irregularity.info")
        if event:
            info += "\n" + t("invigilator.irregularity.at", time=_local_time(str(event["ts"])))

        def then(v: dict[str, str]) -> None:
            self.act("invigilation.record_irregularity", attempt=attempt, nature=v["nature"],
                     candidate_statement=v["candidate"], supervisor_statement=v["supervisor"],
                     suspended_seq=suspended_seq, resume_after=bool(v["continue"]),
                     informed=bool(v.get("informed")))

        self.ask(t("invigilator.irregularity.title", who=self._who(cand)), [
            Field("nature", t("invigilator.irregularity.nature"), required=True),
            Field("candidate", t("invigilator.irregularity.candidate"), "long"),
            Field("supervisor", t("invigilator.irregularity.supervisor"), "long",
                  required=True),
            Field("informed", t("invigilator.irregularity.informed"), "check"),
            Field("continue", t("invigilator.irregularity.continue"), "check", default="1"),
        ], then, info=info)

    def action_void(self) -> None:
        if (sel := self._attempt()) is None:
            return
        self.ask(t("invigilator.void.title", who=self._who(sel[0])),
                 [Field("reason", t("invigilator.field.reason"), required=True)],
                 lambda v: self.act("invigilation.void", attempt=sel[1],
                                    reason=v["reason"]),
                 info=t("invigilator.void.info"), ok=t("invigilator.void.ok"))

    def action_move(self) -> None:
        if (sel := self._attempt()) is None:
            return
        self.ask(t("invigilator.move.title", who=self._who(sel[0])),
                 [Field("seat", t("invigilator.field.seat"), required=True),
                  Field("reason", t("invigilator.field.reason"), required=True)],
                 lambda v: self.act("invigilation.move_seat", attempt=sel[1],
                                    seat=v["seat"], reason=v["reason"]),
                 info=t("invigilator.move.info"))

    def action_force_submit(self) -> None:
        if (sel := self._attempt()) is None:
            return
        self.ask(t("invigilator.force.title", who=self._who(sel[0])),
                 [Field("reason", t("invigilator.field.reason"), required=True)],
                 lambda v: self.act("invigilation.force_submit", attempt=sel[1],
                                    reason=v["reason"]),
                 info=t("invigilator.force.question", who=self._who(sel[0])),
                 ok=t("invigilator.force.ok"))

    def action_seat(self) -> None:
        cand = self.selected()
        if cand is None:
            return
        self.ask(t("invigilator.seat.title", who=self._who(cand)),
                 [Field("seat", t("invigilator.field.seat"), required=True)],
                 lambda v: self.act("sitting.seat", sitting=self.feed.sitting.id,
                                    candidate=cand, seat=v["seat"]))

    # -- actions on the room ---------------------------------------------------------------

    def action_start_all(self) -> None:
        self.confirm(t("invigilator.start_all.question"),
                     lambda: self.act("invigilation.start_all", sitting=self.feed.sitting.id))

    def action_pause_all(self) -> None:
        self.ask(t("invigilator.pause_all.title"),
                 [Field("reason", t("invigilator.field.reason"), required=True)],
                 lambda v: self.act("invigilation.pause_all", sitting=self.feed.sitting.id,
                                    reason=v["reason"]))

    def action_resume_all(self) -> None:
        self.act("invigilation.resume_all", sitting=self.feed.sitting.id)

    def action_extend_all(self) -> None:
        def then(v: dict[str, str]) -> None:
            if (minutes := self._minutes(v["minutes"])) is not None:
                self.act("invigilation.extend_all", sitting=self.feed.sitting.id,
                         minutes=minutes, reason=v["reason"], cause=v["cause"])

        self.ask(t("invigilator.extend_all.title"), self._extension_fields(), then)

    def action_force_submit_all(self) -> None:
        self.ask(t("invigilator.force.title_all"),
                 [Field("reason", t("invigilator.field.reason"), required=True)],
                 lambda v: self.act("invigilation.force_submit_all",
                                    sitting=self.feed.sitting.id, reason=v["reason"]),
                 info=t("invigilator.force_all.question"), ok=t("invigilator.force.ok"))

    def action_message(self) -> None:
        if (sel := self._attempt()) is None:
            return
        self.ask(t("invigilator.message.title", who=self._who(sel[0])),
                 [Field("text", t("invigilator.message.text"), "long", required=True)],
                 lambda v: self.act("invigilation.send_message", self._sent,
                                    sitting=self.feed.sitting.id, text=v["text"],
                                    attempt=sel[1]),
                 info=t("invigilator.message.info"), ok=t("invigilator.message.ok"))

    def action_message_all(self) -> None:
        self.ask(t("invigilator.message.title_all"),
                 [Field("text", t("invigilator.message.text"), "long", required=True)],
                 lambda v: self.act("invigilation.send_message", self._sent,
                                    sitting=self.feed.sitting.id, text=v["text"]),
                 info=t("invigilator.message.info"), ok=t("invigilator.message.ok"))

    def _sent(self, event: Any) -> None:
        if event is not None:
            self.notify(t("invigilator.message.sent"), timeout=4)

    def action_detail(self) -> None:
        """The candidate's details: the row's facts, and their latest events asked of the
        service (on a worker) before the dialog opens."""
        cand = self.selected()
        if cand is None:
            return
        from kiosk.apps.invigilator.screens.detail import candidate_detail

        attempt = self.room.data_of(cand).attempt if cand in self.room.data else None
        sitting, calls = self.feed.sitting.id, self.console.calls

        def work() -> list[dict[str, Any]]:
            if attempt is None:
                return []
            return list(calls.call("invigilation.events", sitting=sitting, attempt=attempt))

        self.console.background(work, lambda events: self.app.push_screen(MessageDialog(
            t("invigilator.detail.title", who=self._who(cand)),
            candidate_detail(self, cand, events))))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_detail()

    def action_map(self) -> None:
        from kiosk.apps.invigilator.screens.detail import room_map

        rows = self.room.rows(self.console.now())
        self.app.push_screen(MessageDialog(t("invigilator.map.title"),
                                           room_map(rows, SYMBOLS)))

    def action_close_sitting(self) -> None:
        sid = self.feed.sitting.id
        if self.room.open:
            running = len(self.room.running())
            self.confirm(t("invigilator.close.question", running=running),
                         lambda: self.act("sitting.close", sitting=sid, force_submit=True))
        else:
            self.confirm(t("invigilator.reopen.question"),
                         lambda: self.act("sitting.open", sitting=sid))

    def action_pin(self) -> None:
        """A new exit PIN, set by the service (its hash in centre.toml; the ledger records who
        changed it); shown here once."""
        from kiosk.exit_pin import PIN_DIGITS

        def then(v: dict[str, str]) -> None:
            pin = v["pin"].strip()
            if pin and not (pin.isdigit() and len(pin) >= 4):
                self.notify(t("invigilator.pin.bad"), severity="error")
                return
            self.act("invigilation.set_exit_pin", lambda result: self.app.push_screen(
                MessageDialog(t("invigilator.pin.title"),
                              t("invigilator.pin.shown", pin=result["pin"]))), pin=pin)

        info = t("invigilator.pin.info_set" if self.room.pin_set
                 else "invigilator.pin.info_none", digits=PIN_DIGITS)
        self.ask(t("invigilator.pin.title"), [Field("pin", t("invigilator.pin.field"))], then,
                 info=info, ok=t("invigilator.pin.ok"))

    def action_unlock(self) -> None:
        """Lift one of the service's lockouts (the alert lines above the table), after the
        invigilator checked the person at that terminal."""
        alerts = self.room.alerts
        if not alerts:
            self.notify(t("invigilator.unlock.none"), timeout=4)
            return
        now = self.console.now()
        choices = tuple((self._lockout_text(a, now, until=False), str(i))
                        for i, a in enumerate(alerts))

        def then(v: dict[str, str]) -> None:
            a = alerts[int(v["which"] or 0)]
            self.act("invigilation.clear_lockout",
                     lambda _r: self.notify(t("invigilator.unlock.done"), timeout=4),
                     sitting=self.feed.sitting.id, seat=str(a.get("seat") or ""),
                     candidate=str(a.get("candidate") or ""))

        self.ask(t("invigilator.unlock.title"),
                 [Field("which", t("invigilator.unlock.which"), "choice", choices=choices,
                        default="0")], then,
                 info=t("invigilator.unlock.info"), ok=t("invigilator.unlock.ok"))

    def on_click(self, event: Any) -> None:
        # A click on the alert lines offers to lift one (the key is u).
        if getattr(event.widget, "id", None) == "room-alerts":
            self.action_unlock()

    # -- sorting, filtering, navigation ----------------------------------------------------

    def set_sort(self, key: str, reverse: bool | None = None) -> None:
        self.sort_key = key if key in R.SORTERS else "seat"
        if reverse is not None:
            self.reverse = reverse
        table = self.query_one("#room", DataTable)
        table.clear(columns=True)  # the headers carry the sort arrow
        for k in COLUMNS:
            table.add_column(self._column_label(k), key=k)
        self.redraw(rebuild=True)

    def action_sort(self) -> None:
        keys = list(COLUMNS)
        self.set_sort(keys[(keys.index(self.sort_key) + 1) % len(keys)]
                      if self.sort_key in keys else "seat")

    def action_reverse(self) -> None:
        self.set_sort(self.sort_key, not self.reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = str(event.column_key.value)
        self.set_sort(key, (not self.reverse) if key == self.sort_key else False)

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.text_filter = event.value
            self.redraw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.query_one("#room", DataTable).focus()

    def action_status_filter(self) -> None:
        options = [v for _, v in self._status_options()]
        current = self.status_filter or ""
        self.query_one("#status", Select).value = options[(options.index(current) + 1)
                                                          % len(options)]

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "status":
            self.status_filter = str(event.value) or None
            self.redraw()

    def action_help(self) -> None:
        """Every key in a two-column table generated from the bindings, so it never goes
        stale and never wraps raggedly."""
        from rich.table import Table

        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False,
                      expand=True)
        table.add_column(t("invigilator.help.key"), no_wrap=True, style="bold")
        table.add_column(t("invigilator.help.action"), ratio=1)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                keys = " / ".join(key_name(k) for k in binding.key.split(","))
                table.add_row(keys, t(binding.description))
        table.add_row("Ctrl+Q", t("invigilator.help.quit"))
        self.app.push_screen(MessageDialog(t("invigilator.help.title"), table))

    def action_back(self) -> None:
        self.console.choose_sitting()


def _clock_of(epoch: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(epoch).strftime("%H:%M:%S")


def _local_time(ts: str) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(R.epoch(ts)).strftime("%H:%M:%S")
