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
    assert i18n.languages() == ("en", "hu")
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
    assert i18n.languages() == ("de", "en", "hu")
    i18n.set_language("de-AT")
    assert i18n.current_language() == "de"
    assert t("login.heading") == "Anmelden"
    assert t("login.throttled", seconds=9) == "Zu viele Versuche. 9 s warten."
    assert t("login.missing") == catalogue("hu")["login.missing"]
    assert t("login.heading", language="en") == "Sign in"
    # Documents take the language per call, German included.
    assert Labels("sheet", "de")["title"] == catalogue("hu")["sheet.title"]


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
    root = Path(__file__).resolve().parents[1]
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
