"""The one translation mechanism: gettext catalogues (Babel), a core domain and one per plugin."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from kiosk import i18n
from kiosk.i18n import Labels, Message, catalogue, domain, t, tn, translate


@pytest.fixture(autouse=True)
def _language():
    before = i18n.current_language()
    yield
    i18n.set_language(before)
    i18n.reset()


def _write_po(root: Path, language: str, name: str, messages: dict[str, str]) -> Path:
    cat = Catalog(locale=language, domain=name)
    for key, text in messages.items():
        cat.add(key, text)
    out = root / language / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / f"{name}.po", "wb") as handle:
        write_po(handle, cat)
    return out / f"{name}.po"


def test_the_shipped_languages_and_per_call_language() -> None:
    assert i18n.languages() == ("hu", "en")
    i18n.set_language("hu")
    assert t("login.heading") == "Bejelentkezés"
    assert t("login.heading", language="en") == "Sign in"
    # A per-call language leaves the process-wide one alone.
    assert i18n.current_language() == "hu"
    i18n.set_language("en-GB")
    assert i18n.current_language() == "en" and t("login.heading") == "Sign in"
    assert t("login.throttled", seconds=30) == "Too many failed attempts. Wait 30 seconds."


def test_counts_and_gaps() -> None:
    assert tn("exam.warning", 1, minutes=1, language="en") == "1 minute left."
    assert tn("exam.warning", 5, minutes=5, language="en") == "5 minutes left."
    # A key no catalogue has shows itself rather than crashing a screen.
    assert t("no.such.key", language="en") == "no.such.key"
    # A bad template shows the text unformatted.
    assert t("login.throttled", language="en", wrong=1).startswith("Too many")


def test_a_third_language_is_a_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """German as a drop-in .po in a directory on KIOSK_LOCALE_PATH: no code changes, no compile
    step; what it lacks comes from the default language (Hungarian)."""
    _write_po(tmp_path, "de", "kiosk", {"login.heading": "Anmelden",
                                        "login.throttled": "Zu viele Versuche. {seconds} s warten."})
    assert i18n.normalise_language("de") == "hu"
    monkeypatch.setenv(i18n.LOCALE_PATH_ENV, str(tmp_path))
    i18n.reset()
    assert i18n.languages() == ("hu", "de", "en")
    i18n.set_language("de-AT")
    assert i18n.current_language() == "de"
    assert t("login.heading") == "Anmelden"
    assert t("login.throttled", seconds=9) == "Zu viele Versuche. 9 s warten."
    assert t("login.missing") == catalogue("hu")["login.missing"]
    assert t("login.heading", language="en") == "Sign in"
    # Documents take the language per call, German included.
    assert Labels("sheet", "de")["title"] == catalogue("hu")["sheet.title"]


def test_counts_take_each_catalogues_own_plural_rule(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """gettext plural forms, not a `key_one` special case: a language with three forms (Polish:
    1 minuta, 2–4 minuty, 5+ minut) gets all three from its catalogue's Plural-Forms rule."""
    d = tmp_path / "pl" / "LC_MESSAGES"
    d.mkdir(parents=True)
    (d / "kiosk.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && '
        '(n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n'
        'msgid "exam.warning"\nmsgid_plural "exam.warning"\n'
        'msgstr[0] "Została {minutes} minuta."\nmsgstr[1] "Zostały {minutes} minuty."\n'
        'msgstr[2] "Zostało {minutes} minut."\n', encoding="utf-8")
    monkeypatch.setenv(i18n.LOCALE_PATH_ENV, str(tmp_path))
    i18n.reset()
    try:
        got = [tn("exam.warning", n, minutes=n, language="pl") for n in (1, 3, 5, 22, 25)]
        assert got == ["Została 1 minuta.", "Zostały 3 minuty.", "Zostało 5 minut.",
                       "Zostały 22 minuty.", "Zostało 25 minut."]
        # the shipped languages keep their two forms; a plural key counts as present
        assert tn("exam.warning", 1, minutes=1, language="en") == "1 minute left."
        assert tn("exam.warning", 2, minutes=2, language="hu") == "Még 2 perc van hátra."
        assert "exam.warning" in catalogue("en") and i18n.CORE.has("exam.warning", "pl")
    finally:
        monkeypatch.delenv(i18n.LOCALE_PATH_ENV)
        i18n.reset()


def test_a_plugin_domain_falls_back_and_is_separate(tmp_path: Path) -> None:
    _write_po(tmp_path, "hu", "kiosk_example", {"box.title": "Doboz", "box.only_hu": "Csak"})
    _write_po(tmp_path, "en", "kiosk_example", {"box.title": "Box"})
    dom = domain("kiosk_example", tmp_path)
    assert dom("box.title", language="en") == "Box"
    assert dom("box.only_hu", language="en") == "Csak"
    # The plugin's keys are not the core's and the other way round.
    assert t("box.title") == "box.title" and dom("login.heading") == "login.heading"
    title = dom.message("box.title")
    assert translate(title, "en") == "Box" and translate(title, "hu") == "Doboz"
    assert "kiosk_example" in i18n.domains()


def test_translate_reads_every_form_data_carries() -> None:
    assert translate({"hu": "Jogeset", "en": "Case study"}, "en") == "Case study"
    assert translate({"hu": "Jogeset", "en": "Case study"}, "de") == "Jogeset"
    assert translate(Message("login.heading"), "en") == "Sign in"
    assert translate(None) == "" and translate("plain text") == "plain text"


def test_labels_read_like_the_old_dicts() -> None:
    hu, en = Labels("sheet", "hu"), Labels("sheet", "en")
    assert hu["title"] == "EREDMÉNYLAP" and en["title"] == "RESULT SHEET"
    assert en["appeal_row"].format(part="A", n=2, original="3", final="4").startswith("A, question 2")
    with pytest.raises(KeyError):
        hu["nonexistent"]
    assert "title" in set(hu)


def _catalogue_dirs() -> list[tuple[str, Path]]:
    """Every shipped (domain, locale dir): the core's and each shipped plugin's."""
    root = Path(__file__).resolve().parents[2]
    out = [("kiosk", root / "kiosk" / "locale")]
    for plugin in sorted((root / "plugins").glob("*/kiosk_*/locale")):
        out.append((plugin.parent.name, plugin))
    return out


@pytest.mark.parametrize(("name", "localedir"), _catalogue_dirs(), ids=lambda v: str(v)[-30:])
def test_each_mo_is_compiled_from_its_po(name: str, localedir: Path) -> None:
    """The committed .mo (what the kiosk reads) says what the .po (what people edit) says; on
    failure run `make mo` (or `pybabel compile -d DIR -D DOMAIN`)."""
    for language in ("hu", "en"):
        po = localedir / language / "LC_MESSAGES" / f"{name}.po"
        with open(po, "rb") as handle:
            catalog = read_po(handle, locale=language, domain=name)
        fresh = io.BytesIO()
        write_mo(fresh, catalog)
        import gettext

        fresh.seek(0)
        want = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
        with open(po.with_suffix(".mo"), "rb") as handle:
            have = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        assert have == want, f"{po.with_suffix('.mo')} is stale: run `make mo`"


# --- every key the code uses is in every shipped catalogue -------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _keys_used(package: Path, callers: frozenset[str]) -> tuple[set[str], list[str]]:
    """Keys through Babel's extraction with the kiosk's method (tools/babel_keys.py, as
    `make pot` runs it), and the patterns of keys built at run time."""
    from babel.messages.extract import extract_from_dir

    from tools.babel_keys import scan

    method = "tools.babel_keys:extract"
    keys = {msg for _, _, msg, _, _ in extract_from_dir(
        package, method_map=[("**.py", method)], keywords={c: None for c in callers})}
    patterns = [p for path in sorted(package.rglob("*.py"))
                for p in scan(path.read_text(), callers, str(path))[1]]
    return keys, patterns


def _check(name: str, keys: set[str], patterns: list[str]) -> None:
    import re

    for language in ("hu", "en"):
        have = catalogue(language, name)
        missing = sorted(k for k in keys if k not in have)
        assert not missing, f"{name} {language}: keys the code uses but the catalogue lacks: {missing}"
        for pattern in patterns:
            assert any(re.fullmatch(pattern, k) for k in have), (
                f"{name} {language}: no key matches {pattern!r}")


def test_every_core_key_the_code_uses_is_in_hu_and_en() -> None:
    from tools.babel_keys import CORE_CALLERS

    keys, patterns = _keys_used(ROOT / "kiosk", CORE_CALLERS)
    # both branches of a conditional key are there, not one joined msgid
    assert {"instructions.part", "instructions.part_extra"} <= keys
    assert len(keys) > 200  # the scan sees the apps' strings
    _check("kiosk", keys, patterns)


@pytest.mark.parametrize("plugin", ["informatics", "accounting", "public_admin"])
def test_every_plugin_key_the_code_uses_is_in_hu_and_en(plugin: str) -> None:
    package = ROOT / "plugins" / plugin / f"kiosk_{plugin}"
    domain(f"kiosk_{plugin}", package / "locale")
    from tools.babel_keys import PLUGIN_CALLERS

    keys, patterns = _keys_used(package, PLUGIN_CALLERS)
    assert keys
    _check(f"kiosk_{plugin}", keys, patterns)


@pytest.mark.parametrize(("name", "localedir"), _catalogue_dirs(), ids=lambda v: str(v)[-30:])
def test_hungarian_and_english_have_the_same_keys(name: str, localedir: Path) -> None:
    """Keys read through Labels (documents) or built at run time are covered here: a key in one
    language and not the other would show the other language (or the key) on screen."""
    domain(name, localedir)
    hu, en = catalogue("hu", name), catalogue("en", name)
    assert set(hu) == set(en), set(hu) ^ set(en)
    assert all(text.strip() for text in [*hu.values(), *en.values()])


def test_shipped_plugins_register_their_own_domain() -> None:
    """The plugin API carries a plugin's catalogues (register_translations): after loading, its
    widgets' strings come from its own domain, in either language."""
    from kiosk.plugins import registry

    reg = registry()
    for plugin in ("informatics", "accounting", "public_admin"):
        name = f"kiosk_{plugin}"
        assert name in reg.translations and name in i18n.domains()
        assert reg.provided[plugin]["translations"] == [name]
    from kiosk_informatics.widgets import text

    i18n.set_language("hu")
    assert text("rows", total=3) == "(3 sor)"
    i18n.set_language("en")
    assert text("rows", total=3) == "(3 rows)"
    assert domain("kiosk_accounting")("debit", language="hu") == "Tartozik"


# --- grade names are messages -----------------------------------------------------------------


def test_grade_names_are_messages_and_scale_files_keep_their_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A band with the usual name is the catalogue's grade.N (so a new language translates it);
    a scale file's own name_hu/name_en (user content, the old format) are used as written."""
    from kiosk.domain.grading import grade, parse_scale

    scale = parse_scale({"id": "x", "basis": "percent", "rounding": "none", "bands": [
        {"min": 90, "grade": 5, "name_hu": "kitűnő", "name_en": "outstanding"},
        {"min": 50, "grade": 3, "name_hu": "közepes", "name_en": "satisfactory"},
        {"min": 0, "grade": 1}]})
    own, usual, default = grade(scale, 95).name, grade(scale, 60).name, grade(scale, 10).name
    assert (translate(own, "hu"), translate(own, "en")) == ("kitűnő", "outstanding")
    assert usual.msgid == "grade.3" and default.msgid == "grade.1"
    assert (translate(usual, "hu"), translate(usual, "en")) == ("közepes", "satisfactory")
    assert translate(default, "en") == "fail"

    _write_po(tmp_path, "de", "kiosk", {"grade.3": "befriedigend"})
    monkeypatch.setenv(i18n.LOCALE_PATH_ENV, str(tmp_path))
    i18n.reset()
    assert translate(usual, "de") == "befriedigend"
    assert translate(default, "de") == "elégtelen"  # not in German: the default language
    assert translate(own, "de") == "kitűnő"  # the file's own words: Hungarian is the default


# --- titles of question types and regimes -----------------------------------------------------


def test_titles_are_messages_of_their_plugins_domain() -> None:
    """`kiosk plugins --json` lists each question type's and regime's title in the language
    asked for, read from the catalogue of the plugin that registered it."""
    import json

    from click.testing import CliRunner

    from kiosk.commands.plugins_cmd import plugins_command

    titles = {}
    for language in ("hu", "en"):
        got = CliRunner().invoke(plugins_command, ["--json", "--lang", language])
        assert got.exit_code == 0, got.output
        titles[language] = json.loads(got.output)["titles"]
    assert titles["hu"]["question_types"]["sql_query"] == "SQL-lekérdezés"
    assert titles["en"]["question_types"]["sql_query"] == "SQL query"
    assert titles["en"]["question_types"]["cloze"] == "Cloze"
    assert titles["hu"]["regimes"]["hu-szkr"] == "Szakmai vizsga (Szkr. 290. §)"
    for language in ("hu", "en"):
        for kind in ("question_types", "regimes"):
            # every shipped title is translated: none shows its msgid
            assert not [t for t in titles[language][kind].values() if t.startswith(
                ("qtype.", "regime."))], titles[language][kind]
    assert set(titles["hu"]["question_types"]) == set(titles["en"]["question_types"])
    assert titles["hu"]["question_types"] != titles["en"]["question_types"]


def test_a_legacy_title_mapping_still_reads() -> None:
    """A third-party type written against the old contract (title = {"hu": …, "en": …})."""
    from kiosk.domain.qtypes import QuestionType

    class Old(QuestionType):
        name = "old"
        title = {"hu": "Régi", "en": "Old"}

    assert translate(Old.title, "en") == "Old" and translate(Old.title, "hu") == "Régi"
    assert translate(QuestionType.title, "en") == ""


# --- a third language end to end --------------------------------------------------------------


def _screen_text(app) -> str:
    import html
    import re

    svg = app.export_screenshot()
    bodies = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return " ".join(" ".join(html.unescape(b) for b in bodies).split())


def test_a_third_language_reaches_the_login_screen_and_the_commands(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A German catalogue dropped into KIOSK_LOCALE_PATH: the login screen offers it (named in
    its own words) and F2 goes round hu → de → en; what German lacks shows in Hungarian; the
    commands' --lang accept it."""
    import asyncio

    from kiosk.apps.candidate.app import CandidateApp
    from kiosk.domain.timing import ManualClock
    from tests.support.candidate_helpers import make_centre, settle

    _write_po(tmp_path / "locale", "de", "kiosk", {"language.name": "Deutsch",
                                                   "login.heading": "Anmelden"})
    monkeypatch.setenv(i18n.LOCALE_PATH_ENV, str(tmp_path / "locale"))
    i18n.reset()
    setup = make_centre(tmp_path)

    async def scenario() -> None:
        app = CandidateApp(setup.centre, seat="S1", language="hu", clock=ManualClock(),
                           timers=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            shown = _screen_text(app)
            assert "Magyar" in shown and "Deutsch" in shown and "English" in shown
            assert "Bejelentkezés" in shown
            await pilot.press("f2")
            await settle(pilot)
            shown = _screen_text(app)
            assert i18n.current_language() == "de"
            assert "Anmelden" in shown and "● Deutsch" in shown
            assert "Vizsgázói azonosító" in shown  # not in German: the default language
            await pilot.press("f2")
            await settle(pilot)
            assert i18n.current_language() == "en" and "Candidate ID" in _screen_text(app)

    asyncio.run(scenario())

    # The commands read the catalogues when they start (a fresh process, as in use).
    import subprocess
    import sys

    got = subprocess.run([sys.executable, "-m", "kiosk", "results", "--help"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert got.returncode == 0 and "[hu|de|en]" in got.stdout, got.stdout + got.stderr


def test_a_broken_catalogue_is_skipped_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """A corrupt .mo or a .po that is not a catalogue: the screen shows the default language and
    the log names the file, instead of every t() raising in a candidate's exam."""
    bad_mo = tmp_path / "de" / "LC_MESSAGES" / "kiosk.mo"
    bad_mo.parent.mkdir(parents=True)
    bad_mo.write_bytes(b"not a catalogue at all")
    bad_po = tmp_path / "fr" / "LC_MESSAGES" / "kiosk.po"
    bad_po.parent.mkdir(parents=True)
    bad_po.write_bytes(b'msgid "login.heading"\nmsgstr "\xff\xfe unterminated\n')
    monkeypatch.setenv(i18n.LOCALE_PATH_ENV, str(tmp_path))
    i18n.reset()
    with caplog.at_level("WARNING", logger="kiosk.i18n"):
        assert t("login.heading", language="de") == "Bejelentkezés"
        assert t("login.heading", language="fr") == "Bejelentkezés"
    assert str(bad_mo) in caplog.text and str(bad_po) in caplog.text
