"""Interface strings in Hungarian and English.

Catalogues are TOML files in `kiosk/locale/` (`hu.toml`, `en.toml`) with nested tables; a key is
the dotted path (`login.title`). Values are `str.format` templates. The current language is
process-wide because one kiosk process serves one candidate; apps switch it at login.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES: tuple[str, ...] = ("hu", "en")
DEFAULT_LANGUAGE = "hu"
LOCALE_DIR = Path(__file__).parent / "locale"

_current = DEFAULT_LANGUAGE


def _flatten(table: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{path}.", out)
        else:
            out[path] = str(value)


@cache
def catalogue(language: str) -> dict[str, str]:
    """All strings of one language, keyed by dotted path."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown interface language {language!r} (known: {', '.join(LANGUAGES)})")
    with open(LOCALE_DIR / f"{language}.toml", "rb") as handle:
        data = tomllib.load(handle)
    out: dict[str, str] = {}
    _flatten(data, "", out)
    return out


def normalise_language(language: str | None) -> str:
    """A supported language code for `language` ("en-GB" → "en"), else the default."""
    if not language:
        return DEFAULT_LANGUAGE
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def centre_language(config: dict[str, Any], language: str | None = None) -> str:
    """`language` when given, else the centre's (`[centre] language` in its config), supported."""
    return normalise_language(language or config.get("centre", {}).get("language"))


def set_language(language: str) -> None:
    global _current
    _current = normalise_language(language)


def current_language() -> str:
    return _current


def tn(key: str, count: int, /, **params: Any) -> str:
    """`t` for a count: `key_one` when `count` is 1 and the catalogue has it ("1 minute left",
    never "1 minutes left"), else `key`."""
    if count == 1 and (key + "_one") in catalogue(_current):
        return t(key + "_one", count=count, **params)
    return t(key, count=count, **params)


def t(key: str, /, *, language: str | None = None, **params: Any) -> str:
    """The string for `key` in the current (or given) language, formatted with `params`.

    A key missing from a catalogue falls back to Hungarian, then to the key itself, so a gap in a
    translation shows something readable instead of crashing a candidate's exam.
    """
    lang = normalise_language(language) if language else _current
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text
