"""Interface strings: gettext catalogues, one domain for the core (`kiosk`) and one per plugin.

A catalogue is `<locale dir>/<language>/LC_MESSAGES/<domain>.po` (Babel extracts and compiles
them; the compiled `.mo` sits beside it). A msgid is a dotted key (`login.heading`), the msgstr
the text in that language, a `str.format` template. Why keys and not English msgids: see
ARCHITECTURE.md ("Translation").

Languages are the catalogues found, so adding a language is adding a catalogue: in a domain's
locale dir, or in a directory listed in `KIOSK_LOCALE_PATH` (separated by os.pathsep, same
layout, for any domain). A string missing from a language falls back to the default language
(Hungarian), then to the key itself, so a gap shows something readable instead of crashing a
candidate's exam.

The current language is process-wide because one kiosk process serves one candidate; apps
switch it at login. Documents pass `language=` per call (a document is in one language).
"""

from __future__ import annotations

import gettext
import io
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.domain.texts import Text

#: a message to translate where the language is known: Message("qtype.cloze", "Kiegészítés"),
#: or with domain="kiosk_x" for a plugin's own (the domain layer's Text, under its i18n name)
Message = Text

DEFAULT_LANGUAGE = "hu"
CORE_DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).parent / "locale"
#: extra locale dirs (any domain): a centre's own catalogues, a third language
LOCALE_PATH_ENV = "KIOSK_LOCALE_PATH"

_current = DEFAULT_LANGUAGE
_log = logging.getLogger(__name__)


# --- catalogues -------------------------------------------------------------------------------


def _compile_po(po: Path, language: str, domain: str) -> gettext.GNUTranslations:
    """A `.po` without a `.mo`, compiled in memory (Babel): a new catalogue works without a
    compile step."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as handle:
        catalog = read_po(handle, locale=language, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _load(localedir: Path, language: str, domain: str) -> gettext.GNUTranslations | None:
    base = localedir / language / "LC_MESSAGES" / domain
    po, mo = base.with_suffix(".po"), base.with_suffix(".mo")
    # The shipped .mo wins (no Babel import, no parsing at start-up); a test keeps each one equal
    # to its .po, and `make mo` recompiles. Modification times cannot decide: a checkout writes
    # both files in whatever order.
    path = mo if mo.is_file() else po if po.is_file() else None
    if path is None:
        return None
    try:
        if path is mo:
            with open(mo, "rb") as handle:
                return gettext.GNUTranslations(handle)
        return _compile_po(po, language, domain)
    except Exception as exc:  # a broken catalogue must not take a candidate's screen down
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        _log.warning("%s: catalogue skipped (%s); the default language stands in", path, reason)
        return None


def _extra_dirs() -> list[Path]:
    raw = os.environ.get(LOCALE_PATH_ENV, "")
    return [Path(p) for p in raw.split(os.pathsep) if p]


@dataclass
class Domain:
    """One gettext domain (the core's or a plugin's) and the locale dirs it is read from."""

    name: str
    dirs: list[Path] = field(default_factory=list)
    # loaded catalogues by language; KIOSK_LOCALE_PATH is read when they load (reset() re-reads)
    _strings: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    # plural messages by language: msgid -> (the plural rule of the catalogue it came from, its
    # forms); each catalogue's own `Plural-Forms` rule picks the form
    _plurals: dict[str, dict[str, tuple[Callable[[int], int], list[str]]]] = field(
        default_factory=dict, repr=False)
    _languages: list[tuple[str, ...]] = field(default_factory=list, repr=False)

    def search_path(self) -> list[Path]:
        return [*_extra_dirs(), *self.dirs]

    def languages(self) -> tuple[str, ...]:
        """The languages that have a catalogue for this domain."""
        if not self._languages:
            self._languages.append(_scan(self.name, self.search_path()))
        return self._languages[0]

    def strings(self, language: str) -> Mapping[str, str]:
        """`language`'s strings from every dir (earlier dirs win), over the default language's:
        one dict, so a lookup on a screen is one dict access."""
        got = self._strings.get(language)
        if got is None:
            plurals: dict[str, tuple[Callable[[int], int], list[str]]] = {}
            got = self._strings[language] = _merge(self.name, self.search_path(), language,
                                                   plurals)
            self._plurals[language] = plurals
        return got

    def plurals(self, language: str) -> dict[str, tuple[Callable[[int], int], list[str]]]:
        self.strings(language)
        return self._plurals[language]

    def __call__(self, key: str, /, *, language: str | None = None, **params: Any) -> str:
        """The string for `key` in the current (or given) language, formatted with `params`."""
        lang = normalise_language(language) if language else _current
        text = self.strings(lang).get(key, key)
        if params:
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def n(self, key: str, count: int, /, *, language: str | None = None, **params: Any) -> str:
        """For a count: the plural form the catalogue's `Plural-Forms` rule picks for `count`
        (gettext's ngettext: "1 minute left", never "1 minutes left"; a language with more
        forms gets all of them), formatted with `count` and `params`. A key without plural
        forms is looked up as a plain string."""
        lang = normalise_language(language) if language else _current
        found = self.plurals(lang).get(key)
        if found is None:
            return self(key, language=lang, count=count, **params)
        rule, forms = found
        text = forms[min(max(rule(count), 0), len(forms) - 1)]
        try:
            return text.format(count=count, **params)
        except (KeyError, IndexError, ValueError):
            return text

    def has(self, key: str, language: str | None = None) -> bool:
        """Whether `key` is in `language`'s catalogues or the default language's."""
        lang = normalise_language(language) if language else _current
        return key in self.strings(lang) or key in self.plurals(lang)

    def forget(self) -> None:
        self._strings.clear()
        self._plurals.clear()
        self._languages.clear()

    def message(self, key: str, source: str = "") -> Text:
        """A message to translate later, where the language is known (a question type's title)."""
        return Text(key, source, domain=self.name)


def _scan(domain: str, dirs: list[Path]) -> tuple[str, ...]:
    found: set[str] = set()
    for d in dirs:
        if d.is_dir():
            for sub in d.iterdir():
                cat = sub / "LC_MESSAGES" / domain
                if cat.with_suffix(".po").is_file() or cat.with_suffix(".mo").is_file():
                    found.add(sub.name)
    return tuple(sorted(found))


def _merge(domain: str, dirs: list[Path], language: str,
           plurals: dict[str, tuple[Callable[[int], int], list[str]]] | None = None
           ) -> dict[str, str]:
    out: dict[str, str] = {}
    for lang in dict.fromkeys((DEFAULT_LANGUAGE, language)):  # the language's own words last
        for d in reversed(dirs):  # an earlier dir wins
            got = _load(d, lang, domain)
            if got is not None:
                # gettext keeps a catalogue's strings in `_catalog` (msgid -> msgstr; the
                # header is msgid "", a plural message's forms are (msgid, n) -> msgstr)
                items = got._catalog.items()  # type: ignore[attr-defined]
                out.update((k, v) for k, v in items if isinstance(k, str) and k)
                if plurals is not None:
                    forms: dict[str, dict[int, str]] = {}
                    for k, v in items:
                        if isinstance(k, tuple):
                            forms.setdefault(k[0], {})[k[1]] = v
                    for msgid, by_index in forms.items():
                        plurals[msgid] = (got.plural,  # type: ignore[attr-defined]
                                          [by_index[i] for i in sorted(by_index)])
    return out


_domains: dict[str, Domain] = {}


def domain(name: str, localedir: str | Path | None = None) -> Domain:
    """The gettext domain `name`, adding `localedir` to where it is read from. A plugin calls
    this once with its own locale dir (or registers it with the `register_translations` hook)."""
    got = _domains.setdefault(name, Domain(name))
    if localedir is not None:
        path = Path(localedir)
        if path not in got.dirs:
            got.dirs.append(path)
            got.forget()
    return got


def domains() -> dict[str, Domain]:
    """Every domain known in this process (the core's and the plugins' that registered)."""
    return dict(_domains)


def reset() -> None:
    """Forget loaded catalogues (after a catalogue file or `KIOSK_LOCALE_PATH` changed)."""
    for dom in _domains.values():
        dom.forget()


CORE = domain(CORE_DOMAIN, LOCALE_DIR)


def languages() -> tuple[str, ...]:
    """The interface languages, those with a core catalogue: the default first, then by code."""
    found = CORE.languages()
    return tuple(sorted(found, key=lambda code: (code != DEFAULT_LANGUAGE, code)))


def catalogue(language: str, name: str = CORE_DOMAIN) -> dict[str, str]:
    """Every string of one language in one domain, from its own catalogues (no fallback)."""
    dom = domain(name)
    if language not in dom.languages():
        known = ", ".join(dom.languages())
        raise ValueError(f"unknown interface language {language!r} (known: {known})")
    out: dict[str, str] = {}
    for d in reversed(dom.search_path()):
        got = _load(d, language, name)
        if got is not None:
            for k, v in got._catalog.items():
                if isinstance(k, str) and k:
                    out[k] = v
                elif isinstance(k, tuple) and k[1] == 0:
                    out[k[0]] = v  # a plural message, by its first form
    return out


# --- the current language ---------------------------------------------------------------------


def normalise_language(language: str | None) -> str:
    """A supported language code for `language` ("en-GB" → "en"), else the default."""
    if not language:
        return DEFAULT_LANGUAGE
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return code if code in languages() else DEFAULT_LANGUAGE


def centre_language(config: dict[str, Any], language: str | None = None) -> str:
    """`language` when given, else the centre's (`[centre] language` in its config), supported."""
    return normalise_language(language or config.get("centre", {}).get("language"))


def set_language(language: str) -> None:
    global _current
    _current = normalise_language(language)


def current_language() -> str:
    return _current


def t(key: str, /, *, language: str | None = None, **params: Any) -> str:
    """The core string for `key` in the current (or given) language, formatted with `params`."""
    return CORE(key, language=language, **params)


def tn(key: str, count: int, /, *, language: str | None = None, **params: Any) -> str:
    """`t` for a count: the catalogue's plural form for `count` (ngettext)."""
    return CORE.n(key, count, language=language, **params)


class Labels(Mapping[str, str]):
    """The strings under one key prefix in one language, read like a dict (`lab["title"]`): a
    document's labels, fixed to the document's language."""

    def __init__(self, prefix: str, language: str, name: str = CORE_DOMAIN) -> None:
        self.prefix, self.language, self.domain = prefix, normalise_language(language), name

    def __getitem__(self, key: str) -> str:
        full = f"{self.prefix}.{key}"
        dom = domain(self.domain)
        if not dom.has(full, self.language):
            raise KeyError(key)
        return dom(full, language=self.language)

    def __iter__(self) -> Iterator[str]:
        start = self.prefix + "."
        return iter(sorted({k[len(start):] for k in catalogue(DEFAULT_LANGUAGE, self.domain)
                            if k.startswith(start)}))

    def __len__(self) -> int:
        return sum(1 for _ in self)


# --- messages carried by data -----------------------------------------------------------------


def translate(text: Any, language: str | None = None) -> str:
    """Text for people in `language` (default: the current one) from any form data carries: a
    Text/Message (given translations win, then its msgid in its domain), a legacy {"hu": …,
    "en": …} mapping (a third-party plugin's title), or a plain string. A missing translation
    falls back to the default language, then to whatever there is."""
    lang = normalise_language(language) if language else _current
    if text is None:
        return ""
    if isinstance(text, Mapping):
        given = dict(text)
        return str(given.get(lang) or given.get(DEFAULT_LANGUAGE) or next(iter(given.values()), ""))
    if isinstance(text, Text):
        given = dict(text.given)
        if given.get(lang):
            return given[lang]
        dom = domain(text.domain)
        if text.msgid and dom.has(text.msgid, lang):
            return dom(text.msgid, language=lang)
        return given.get(DEFAULT_LANGUAGE) or str(text)
    return str(text)
