"""The public plugin API (kiosk.api): the shipped plugins use nothing else, regimes are known by
their declared capabilities rather than their names, plugins hear every actor's lifecycle
events once they are durable, and plugin failures are logged."""

from __future__ import annotations

import ast
import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import kiosk.api
from kiosk import invigilation as inv
from kiosk import plugins
from kiosk.api import Regime, hookimpl
from kiosk.session import CandidateSession
from tests.support.invigilation_helpers import PASSWORD, USER, room_setup

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p for p in (REPO / "plugins").iterdir() if (p / "pyproject.toml").is_file())
#: What a plugin's own code may import of the kiosk.
PUBLIC = {"kiosk.api", "kiosk.api.widgets"}
#: What its test helpers may import besides.
PUBLIC_TESTING = PUBLIC | {"kiosk.api.testing"}


def kiosk_imports(source: str, filename: str) -> list[tuple[int, str]]:
    """(line, module) for every import of the kiosk package in `source`: `import kiosk.x`,
    `from kiosk.x import y`, `from kiosk import x` (as kiosk.x) and import_module("kiosk.x")."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names
                      if a.name == "kiosk" or a.name.startswith("kiosk.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "kiosk":
                found += [(node.lineno, f"kiosk.{a.name}") for a in node.names]
            elif node.module.startswith("kiosk."):
                found.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and node.args[0].value.startswith("kiosk.")
              and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"):
            found.append((node.lineno, node.args[0].value))
    return found


def outside(paths: list[Path], allowed: set[str]) -> list[str]:
    return [f"{p.relative_to(REPO)}:{line}: {module}"
            for p in paths
            for line, module in kiosk_imports(p.read_text(encoding="utf-8"), str(p))
            if module not in allowed]


def test_the_import_check_sees_every_form_of_internal_import() -> None:
    source = textwrap.dedent("""
        import kiosk.domain.items
        from kiosk.builtins.qtypes.base import BuiltinType
        from kiosk import plugins, api
        from kiosk.api import Item
        from kiosk.api.widgets import QuestionWidget
        import kiosk_accounting.amounts
        from . import sibling
        def later():
            from kiosk.i18n import current_language
            importlib.import_module("kiosk.hookspecs")
        """)
    bad = [m for _, m in kiosk_imports(source, "x.py") if m not in PUBLIC]
    assert sorted(bad) == ["kiosk.builtins.qtypes.base", "kiosk.domain.items", "kiosk.hookspecs",
                           "kiosk.i18n", "kiosk.plugins"]


def test_shipped_plugins_import_nothing_of_the_kiosk_but_kiosk_api() -> None:
    assert [p.name for p in SHIPPED] == ["accounting", "informatics", "public_admin"]
    sources = [f for p in SHIPPED for pkg in p.glob("kiosk_*") for f in pkg.rglob("*.py")]
    assert len(sources) >= 15
    assert outside(sources, PUBLIC) == []


def test_shipped_plugins_test_helpers_use_the_public_testing_api() -> None:
    helpers = [f for p in SHIPPED for f in (p / "tests").glob("*_support.py")]
    assert len(helpers) == 3
    assert outside(helpers, PUBLIC_TESTING) == []


def test_kiosk_api_names_exist_and_pull_in_no_textual() -> None:
    missing = [n for n in kiosk.api.__all__ if not hasattr(kiosk.api, n)]
    assert missing == []
    code = "import sys, kiosk.api; print(json.dumps(sorted(m for m in sys.modules " \
           "if m.split('.')[0] in ('textual', 'rich'))))"
    out = subprocess.run([sys.executable, "-c", "import json; " + code], cwd=REPO,
                         capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == [], "judging must not load the UI"


# --- regimes: capabilities, not names ------------------------------------------------------

REGIME_NAMES = {"hu-szakvizsga", "hu-szkr", "hu-iskolai", "generic"}


def regime_name_comparisons(source: str, filename: str) -> list[str]:
    """`regime == "hu-szkr"`, `name in ("generic", …)` and tables keyed by regime names
    (`{"hu-iskolai": 30}`), as file:line."""
    out = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            values = [e for o in operands
                      for e in (o.elts if isinstance(o, ast.Tuple | ast.List | ast.Set) else [o])]
        elif isinstance(node, ast.Dict):
            values = [k for k in node.keys if k is not None]
        else:
            continue
        if any(isinstance(v, ast.Constant) and v.value in REGIME_NAMES for v in values):
            out.append(f"{filename}:{node.lineno}")
    return out


def test_no_caller_recognises_a_regime_by_its_name() -> None:
    probe = ('if exam.regime == "hu-szakvizsga": pass\nok = name in ("x", "hu-szkr")\n'
             'MIN = {"hu-iskolai": 30}\n')
    assert regime_name_comparisons(probe, "probe.py") == ["probe.py:1", "probe.py:2",
                                                           "probe.py:3"]
    sources = [p for p in (REPO / "kiosk").rglob("*.py") if not p.name.startswith("regime_")]
    hits = [hit for p in sources for hit in regime_name_comparisons(
        p.read_text(encoding="utf-8"), str(p.relative_to(REPO)))]
    assert hits == []


def test_builtin_regimes_declare_their_capabilities() -> None:
    regimes = plugins.registry().regimes
    assert {name: (r.groups, r.every_attempt_counts, r.written_points_shown, r.replacement_card)
            for name, r in regimes.items()} == {
        "generic": ("parts", False, False, True),
        "hu-iskolai": ("parts", False, False, True),
        "hu-szakvizsga": ("subjects", True, True, False),
        "hu-szkr": ("activities", False, False, True),
    }


class ProbeRegime(Regime):
    """A third party's regime: grouped by subjects, no replacement card, its own paper rule."""

    name = "acme-subjects"
    groups = "subjects"
    replacement_card = False

    def paper_errors(self, exam: Any, items: Any) -> list[str]:
        return [f"{exam.id}: {len(items)} items, acme wants 7"]


def test_a_plugin_regime_gets_what_its_capabilities_declare() -> None:
    from kiosk.domain import oral as O
    from kiosk.domain.exams import regime_errors
    from kiosk.domain.regimes import PartMark
    from kiosk.results import _regime_input

    class Exam:
        id, regime, parts, extra = "e1", "acme-subjects", (), {}

    regime = ProbeRegime()
    assert regime_errors(Exam(), [], regime) == ["e1: 0 items, acme wants 7"]  # type: ignore
    assert regime_errors(Exam(), [], Regime()) == []  # type: ignore[arg-type]
    marks = [PartMark("w", 5, 10)]
    shaped = _regime_input(Exam(), {}, marks, None, None, None,  # type: ignore[arg-type]
                           groups=regime.groups)
    assert [s.subject_id for s in shaped.subjects] == ["kotelezo"] and shaped.marks == ()
    flat = _regime_input(Exam(), {}, marks, None, None, None)  # type: ignore[arg-type]
    assert flat.marks == tuple(marks) and flat.subjects == ()
    part = O.OralPart(id="o", title="Oral", cards=(O.Card("1", "one"), O.Card("2", "two")),
                      max_points=20)
    state = O.fold_events([])
    refused = O.draw_refusal(part, state, "e1", "C1", "2026-01-01", True,
                             replacement_card=regime.replacement_card)
    assert refused and "replacement card" in refused
    other = O.draw_refusal(part, state, "e1", "C1", "2026-01-01", True)
    assert other and "replacement card" not in other  # the next rule: nothing to replace yet


def test_a_plugin_regime_declares_its_scheduling_rules() -> None:
    from datetime import date, time
    from types import ModuleType

    from kiosk.api.testing import installed
    from kiosk.domain import exam_rules as R
    from kiosk.domain import oral as O

    class Acme(Regime):
        name = "acme"
        rules = R.RegimeRules(time_caps=(15, 5), day_window=(time(9), time(12)),
                              max_written_per_day=1, results_due_days=2, oral_min_prep=45)

    module = ModuleType("acme_regime")

    @hookimpl
    def register_regimes(register: Any) -> None:
        register(Acme())

    module.register_regimes = register_regimes  # type: ignore[attr-defined]
    with installed(module, "acme"):
        rules = plugins.regime_rules()
    assert rules["acme"] is Acme.rules and rules["hu-szkr"] is R.VOCATIONAL_RULES
    assert "acme" not in plugins.regime_rules()  # uninstalled again
    day = date(2026, 6, 1)
    first = R.Planned("S1", "e1", "acme", day, 60, ("C1",), start=time(9))
    second = R.Planned("S2", "e2", "acme", day, 60, ("C1",), start=time(11))
    errors = R.schedule_errors(second, [first], {"C1": 15}, rules)
    assert len(errors) == 2, errors
    assert "11:00–12:15" in errors[0] and "outside 09:00–12:00" in errors[0]
    assert "at most 1 a day" in errors[1]
    assert R.schedule_errors(second, [first], {}, {}) == []  # a regime with no rules
    assert R.time_cap_errors("acme", {"C1": (20, 0)}, (), rules)
    assert R.time_cap_errors("acme", {"C1": (15, 5)}, (), rules) == []
    (due,) = R.results_due([("S1", "e1", "acme", day)], [], {}, day, rules)
    assert due.due == date(2026, 6, 3)
    with pytest.raises(O.OralConfigError, match="45"):
        O.oral_parts({"oral": {"prep_minutes": 30}}, "acme", rules)


# --- lifecycle notifications ---------------------------------------------------------------


class Listener:
    def __init__(self, ledger_path: Path) -> None:
        self.ledger_path = ledger_path
        self.heard: list[tuple[str, str, str, bool]] = []

    @hookimpl
    def attempt_lifecycle(self, point: str, attempt: str, event: dict[str, Any]) -> None:
        import sqlite3

        # Durable means another connection already sees it.
        conn = sqlite3.connect(f"file:{self.ledger_path}?mode=ro", uri=True)
        try:
            seen = conn.execute("SELECT 1 FROM events WHERE seq = ?",
                                (event["seq"],)).fetchone() is not None
        finally:
            conn.close()
        self.heard.append((point, attempt, event["actor"], seen))


class Broken:
    @hookimpl
    def attempt_lifecycle(self, point: str, attempt: str, event: dict[str, Any]) -> None:
        raise RuntimeError("listener bug")


def test_invigilator_actions_reach_plugins_after_the_commit(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    setup = room_setup(tmp_path)
    listener = Listener(setup.centre.ledger_path)
    plugins.pm.register(Broken(), name="test-broken")
    plugins.pm.register(listener, name="test-listener")
    try:
        one = CandidateSession.login(setup.centre, "C1", setup.code, seat="S1")
        two = CandidateSession.login(setup.centre, "C2", setup.code, seat="S2")
        a, b = one.attempt_id, two.attempt_id
        with setup.centre.ledger() as ledger:
            user = inv.login(ledger, USER, PASSWORD)
            inv.admit(ledger, user, a)
            inv.admit(ledger, user, b)
            with ledger.transaction():  # as the service's group commit runs an action
                inv.start(ledger, user, a)
                assert listener.heard == [], "announced before the commit"
            inv.start(ledger, user, b)
            inv.pause(ledger, user, a, "noise")
            inv.resume(ledger, user, a)
            inv.pause_all(ledger, user, setup.sitting, "fire alarm")
            inv.resume_all(ledger, user, setup.sitting)
            inv.void(ledger, user, b, "copying")
            inv.force_submit(ledger, user, a, "time")
        one.close(force=True)
        two.close(force=True)
    finally:
        plugins.pm.unregister(name="test-listener")
        plugins.pm.unregister(name="test-broken")
    staff = "invigilator:anna"
    assert [(p, x) for p, x, actor, _ in listener.heard if actor == staff] == [
        ("started", a), ("started", b), ("paused", a), ("resumed", a),
        ("paused", a), ("paused", b), ("resumed", a), ("resumed", b),
        ("voided", b), ("part_submitted", a), ("submitted", a)]
    assert all(seen for *_, seen in listener.heard)
    # The broken listener was logged each time, by name, and stopped nothing.
    failures = [r for r in caplog.records if r.name == "kiosk.plugins"
                and "test-broken" in r.getMessage() and "listener bug" in r.getMessage()]
    assert len(failures) == len(listener.heard)
    assert all(r.levelno == logging.WARNING for r in failures)


def test_a_failing_registration_is_logged_and_recorded(caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    class BadTypes:
        @hookimpl
        def register_question_types(self, register: Any) -> None:
            raise ValueError("no such field")

    plugins.pm.register(BadTypes(), name="test-bad-types")
    plugins.reset()
    try:
        reg = plugins.registry()
    finally:
        plugins.pm.unregister(name="test-bad-types")
        plugins.reset()
    assert ("test-bad-types", "ValueError: no such field") in reg.failures
    assert "single_choice" in reg.question_types
    assert any(r.name == "kiosk.plugins" and "test-bad-types" in r.getMessage()
               for r in caplog.records)


def test_what_breaks_a_contract_is_refused_at_registration() -> None:
    class HalfType:  # forgot most of the contract
        name = "half"

        def judge(self, item: Any, response: Any) -> None: ...

    class Broken:
        @hookimpl
        def register_question_types(self, register: Any) -> None:
            register(HalfType())

        @hookimpl
        def register_scoring_rules(self, register: Any) -> None:
            register("not_a_rule", 42)

    plugins.pm.register(Broken(), name="test-contract")
    plugins.reset()
    try:
        reg = plugins.registry()
    finally:
        plugins.pm.unregister(name="test-contract")
        plugins.reset()
    assert "half" not in reg.question_types and "not_a_rule" not in reg.scoring_rules
    failures = [e for n, e in reg.failures if n == "test-contract"]
    assert len(failures) == 2, failures
    assert any("'half' is not a QuestionTypeContract" in e and "validate" in e and "widget" in e
               for e in failures), failures
    assert any("'not_a_rule' must be callable" in e for e in failures), failures


PROBE = '''
import json, os
from kiosk.api import hookimpl

@hookimpl
def attempt_lifecycle(point, attempt, event):
    with open(os.environ["KIOSK_PROBE_FILE"], "a") as f:
        f.write(json.dumps([point, attempt, event["actor"]]) + "\\n")
'''


def test_the_centre_service_announces_invigilator_actions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin installed on the centre hears the console's actions, which the service runs."""
    from kiosk.client import RemoteSession
    from kiosk.testing import PluginUnderTest
    from tests.support.service_helpers import add_user, running_service, staff_client
    from tests.support.session_helpers import make_setup

    code = tmp_path / "probe"
    (code / "kiosk_probe").mkdir(parents=True)
    (code / "kiosk_probe" / "__init__.py").write_text(PROBE)
    site = PluginUnderTest(directory=code, module="kiosk_probe", dist="kiosk-probe",
                           repo=REPO).install_dist_info(tmp_path)
    heard = tmp_path / "heard.jsonl"
    monkeypatch.setenv("PYTHONPATH", f"{REPO}:{code}:{site}")
    monkeypatch.setenv("KIOSK_PROBE_FILE", str(heard))
    s = make_setup(tmp_path)
    add_user(s.centre.path, "ivy", "invigilator", "invigilator-pass-1")
    with running_service(s.centre.path) as svc:
        r = RemoteSession.login(svc.path, "C1", s.code, seat="PC1")
        r.start()
        staff = staff_client(svc.path, "ivy", "invigilator-pass-1")
        for action in ("pause", "resume", "force_submit", "void"):
            staff.request("POST", f"/v1/call/invigilation.{action}",
                          {"attempt": r.attempt_id, "reason": "test"})
        r.close()
    lines = [json.loads(x) for x in heard.read_text().splitlines()]
    assert ["started", r.attempt_id, "candidate:C1"] in lines
    assert [x[0] for x in lines if x[2] == "invigilator:ivy"] == [
        "paused", "resumed", "part_submitted", "submitted", "voided"]


def test_marks_reach_plugins_after_the_commit(tmp_path: Path) -> None:
    from kiosk import marking
    from tests.support.marking_helpers import essay_answers, mark_setup, sit

    s = mark_setup(tmp_path)
    attempt = sit(s, "C1", essay_answers())
    listener = Listener(s.centre.ledger_path)
    plugins.pm.register(listener, name="test-listener")
    try:
        with s.centre.ledger() as ledger:
            ctx = marking.load_context(s.centre, ledger)
            with ledger.transaction():
                marking.record_mark(ledger, ctx, attempt, "m:e1", "anna",
                                    criteria={"Tartalom": 5, "Nyelvhelyesség": 3})
                assert listener.heard == [], "announced before the commit"
    finally:
        plugins.pm.unregister(name="test-listener")
    assert listener.heard == [("marked", attempt, "examiner:anna", True)]
