"""The marking view (issue 20, issue 15): a case study shown whole — facts, the answer field by
field, the plugin's automatic checks and the model answer; the third examiner sees both earlier
marks; decimal commas; a total over the maximum refused before save in the UI's language; after
a save the next response opens."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Static

from kiosk import marking
from kiosk.apps.examiner.app import ExaminerApp
from kiosk.apps.examiner.screens import MarkScreen, QueueScreen
from kiosk.domain.marking_view import parse_points
from kiosk.i18n import t
from kiosk.ledger.centre import Centre
from tests.apps.test_examiner_app import log_in, settle
from tests.support.marking_helpers import MarkSetup, add_examiners, load, sit
from tests.support.session_helpers import import_roster, new_sitting

pytest.importorskip("kiosk_public_admin")

CASE_BANK = '''
[bank]
id = "jog"
title = "Jogesetek"

[[items]]
id = "jog-001"
type = "case_study"
topic = "II"
points = 10
stem = "**Jogeset.** Oldja meg az esetet!"
case = """Kovács Péter 2025. március 3-án (hétfőn) kérelmet nyújtott be a járási hivatalhoz."""
fields = [
  { id = "eljaras", label = "Az eljárás fajtája", kind = "choice", options = ["sommás eljárás", "teljes eljárás"], answer = "sommás eljárás" },
  { id = "jogalap", label = "Jogalap", kind = "text" },
  { id = "hatarido", label = "A határidő utolsó napja", kind = "date", deadline = { from = "2025-03-03", days = 8 } },
]
rubric = [
  { criterion = "Eljárás", points = 4 },
  { criterion = "Jogalap", points = 3 },
  { criterion = "Határidő", points = 3 },
]
model_answer = { jogalap = "Ákr. a sommás eljárásról" }
'''

CASE_EXAM = '''
[exam]
id = "jogeset"
title = "Jogeset"
banks = ["bank.toml"]
regime = "generic"
grade_scale = "hu-szkr"
shuffle_questions = false
shuffle_options = false
self_start = true
{extra}

[[parts]]
id = "1"
title = "Írásbeli"
minutes = 60
[[parts.draw]]
fixed = ["jog-001"]
'''

ANSWER = {"eljaras": "sommás eljárás", "jogalap": "Ákr. 41. §", "hatarido": "2025.03.12."}


def case_setup(tmp: Path, extra: str = "") -> MarkSetup:
    centre, _ = Centre.init(tmp / "centre", "Kormányhivatal")
    exam_id = load(centre, tmp, CASE_EXAM.format(extra=extra), bank=CASE_BANK)
    import_roster(centre)
    add_examiners(centre)
    sitting, code = new_sitting(centre, exam_id)
    return MarkSetup(centre, exam_id, sitting, code, tmp)


def text_of(screen: Any) -> str:
    return "\n".join(str(w.render()) for w in screen.query(Static))


def test_parse_points_reads_decimal_commas() -> None:
    assert parse_points("1,5") == 1.5 and parse_points(" 2.25 ") == 2.25
    assert parse_points("") is None and parse_points("1.000,5") is None
    assert parse_points("x") is None


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_case_study_marking_view_shows_facts_fields_checks_and_model(
        tmp_path: Path, size: tuple[int, int]) -> None:
    s = case_setup(tmp_path)
    sit(s, "C1", {"jog-001": ANSWER})

    async def body() -> None:
        app = ExaminerApp(s.centre.path, language="hu")
        async with app.run_test(size=size) as pilot:
            await log_in(pilot)
            await pilot.press("m")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, MarkScreen)
            shown = text_of(screen)
            assert "Kovács Péter 2025. március 3-án" in shown  # the case's facts
            assert "**" not in shown and "Jogeset." in shown  # the stem as Markdown
            answer = screen.query_one("#response").text  # type: ignore[attr-defined]
            assert "A határidő utolsó napja: 2025.03.12." in answer
            assert "Jogalap: Ákr. 41. §" in answer and "{" not in answer
            checks = str(screen.query_one("#checks", Static).render())
            assert "A határidő utolsó napja: 2025.03.12. — eltér" in checks
            assert "(helyes: 2025. 03. 11.)" in checks
            assert "Az eljárás fajtája: sommás eljárás — egyezik" in checks
            assert "Ákr. a sommás eljárásról" in str(screen.query_one("#model", Static).render())

    asyncio.run(body())


def test_decimal_comma_over_maximum_refused_in_the_ui_language_then_next_response(
        tmp_path: Path) -> None:
    s = case_setup(tmp_path)
    for cid in ("C1", "C2"):
        sit(s, cid, {"jog-001": ANSWER})

    async def body() -> None:
        app = ExaminerApp(s.centre.path, language="hu")
        async with app.run_test(size=(120, 36)) as pilot:
            await log_in(pilot)
            await pilot.press("m")
            await settle(pilot)
            first = app.screen
            assert isinstance(first, MarkScreen)
            first.query_one("#crit-0", Input).focus()
            await pilot.press("3", ",", "5")
            assert first.query_one("#crit-0", Input).value == "3,5"
            first.query_one("#crit-1", Input).value = "3"
            first.query_one("#crit-2", Input).value = "3"
            await pilot.pause()
            # 5 is above the criterion's 4 points: the total reads 11 / 10, and the problem is
            # named at once in Hungarian, Save disabled
            first.query_one("#crit-0", Input).value = "5"
            await pilot.pause()
            assert "Összesen: 11 / 10 pont" in str(first.query_one("#total", Static).render())
            message = str(first.query_one("#mark-message", Static).render())
            assert t("examiner.mark.above", name="Eljárás", max="4") in message
            assert t("examiner.mark.over_max", total="11", points="10") in message
            assert "legfeljebb" in message and "Összesen" not in message
            assert first.query_one("#save", Button).disabled
            first.query_one("#crit-0", Input).value = "3,5"
            await pilot.pause()
            assert "Összesen: 9,5 / 10 pont" in str(first.query_one("#total", Static).render())
            assert not first.query_one("#save", Button).disabled
            first.save()
            await settle(pilot)
            # the next response opens at once
            second = app.screen
            assert isinstance(second, MarkScreen) and second is not first
            assert second.entry.code != first.entry.code
            second.save()  # blank fields: refused in Hungarian, nothing saved
            await settle(pilot)
            assert str(second.query_one("#mark-message", Static).render()) == t(
                "examiner.mark.not_number")
            for i, v in enumerate(("4", "3", "3")):
                second.query_one(f"#crit-{i}", Input).value = v
            second.save()
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)

    asyncio.run(body())
    with s.centre.reader() as r:
        points = [e.body["points"] for e in r.events(kind="marked")]
    assert points == [9.5, 10]


def test_third_examiner_sees_both_earlier_marks(tmp_path: Path) -> None:
    s = case_setup(tmp_path, "double_marking = true\ndouble_marking_threshold = 1")
    attempt = sit(s, "C1", {"jog-001": ANSWER})
    with s.centre.ledger() as ledger:
        ctx = marking.load_context(s.centre, ledger)
        marking.record_mark(ledger, ctx, attempt, "jog:jog-001", "anna",
                            criteria={"Eljárás": 4, "Jogalap": 3, "Határidő": 0},
                            comment="a határidő hibás")
        marking.record_mark(ledger, ctx, attempt, "jog:jog-001", "bela",
                            criteria={"Eljárás": 4, "Jogalap": 0, "Határidő": 0},
                            comment="jogalap hiányos")

    async def body() -> None:
        app = ExaminerApp(s.centre.path, language="en")
        async with app.run_test(size=(120, 36)) as pilot:
            await log_in(pilot, user="cecil")
            await pilot.press("m")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, MarkScreen) and screen.entry.round == 3
            earlier = str(screen.query_one("#earlier", Static).render())
            assert "Mark 1 by anna: 7 points" in earlier and "a határidő hibás" in earlier
            assert "Mark 2 by bela: 4 points" in earlier and "jogalap hiányos" in earlier

    asyncio.run(body())
    # the second (blind) marker sees no earlier mark
    s2 = case_setup(tmp_path / "b", "double_marking = true")
    a2 = sit(s2, "C1", {"jog-001": ANSWER})
    with s2.centre.ledger() as ledger:
        ctx = marking.load_context(s2.centre, ledger)
        marking.record_mark(ledger, ctx, a2, "jog:jog-001", "anna", points=5)

    async def blind() -> None:
        app = ExaminerApp(s2.centre.path, language="en")
        async with app.run_test(size=(120, 36)) as pilot:
            await log_in(pilot, user="bela")
            await pilot.press("m")
            await settle(pilot)
            assert isinstance(app.screen, MarkScreen) and not app.screen.query("#earlier")

    asyncio.run(blind())


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_case_study_marking_view_snapshot(snap_compare: Any, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          size: tuple[int, int]) -> None:
    """The marking view of a case study as a marker sees it (tests/__snapshots__/)."""
    from kiosk.domain import marking as M

    # The anonymous code depends on the centre's random genesis: a fixed one keeps the
    # snapshot stable.
    monkeypatch.setattr(M, "anon_code", lambda attempt, key: "K7QD-2MXA")
    s = case_setup(tmp_path)
    sit(s, "C1", {"jog-001": ANSWER})
    from kiosk.service.usecases import LocalCalls

    # In-process use cases, so the fixed code above is the one the service side computes.
    app = ExaminerApp(s.centre.path, language="hu", calls=lambda: LocalCalls(s.centre))

    async def open_mark(pilot: Any) -> None:
        await log_in(pilot)
        await pilot.press("m")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_mark)


def test_mark_set_takes_a_decimal_comma(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.marking_helpers import PASSWORD, essay_answers, mark_setup
    from tests.unit.test_oral_results import run

    monkeypatch.setenv("KIOSK_PASSWORD", PASSWORD)
    s = mark_setup(tmp_path)
    a1 = sit(s, "C1", essay_answers())
    c = str(s.centre.path)
    rc, _, err = run(capsys, "mark-set", a1, "e2", "4,5", "--user", "anna", "--centre", c)
    assert rc == 0, err
    rc, _, err = run(capsys, "mark-set", a1, "e1", "1,2,3", "--user", "anna", "--centre", c)
    assert rc == 2 and "not a number of points" in err
    with s.centre.reader() as r:
        [ev] = list(r.events(kind="marked"))
    assert ev.body["points"] == 4.5


def test_points_off_the_items_step_are_refused_in_the_ui_language(tmp_path: Path) -> None:
    from tests.support.marking_helpers import BANK, essay_answers, exam_text

    centre, _ = Centre.init(tmp_path / "centre", "Javító központ")
    bank = BANK.replace('points = 10\nstem = "Mutassa be', 'points = 10\nstep = 1\nstem = "Mutassa be')
    exam_id = load(centre, tmp_path, exam_text(), bank=bank)
    import_roster(centre)
    add_examiners(centre)
    sitting, code = new_sitting(centre, exam_id)
    s = MarkSetup(centre, exam_id, sitting, code, tmp_path)
    sit(s, "C1", essay_answers())

    async def body() -> None:
        app = ExaminerApp(centre.path, language="hu")
        async with app.run_test(size=(120, 36)) as pilot:
            await log_in(pilot)
            await pilot.press("m")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, MarkScreen) and screen.entry.item == "m:e1"
            screen.query_one("#crit-0", Input).value = "2,5"
            screen.query_one("#crit-1", Input).value = "1"
            await pilot.pause()
            # shown as soon as typed, Save disabled; and refused by Save itself
            assert screen.query_one("#save", Button).disabled
            screen.save()
            await settle(pilot)
            assert str(screen.query_one("#mark-message", Static).render()) == t(
                "examiner.mark.step", step="1")

    asyncio.run(body())
    with centre.reader() as r:
        assert list(r.events(kind="marked")) == []
