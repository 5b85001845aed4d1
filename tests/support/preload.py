"""What a test process must load before it drops to another uid: the test Python lives where
only root may read (pyenv under /root), so anything imported or read lazily after the drop
fails there (in production every account can read the interpreter)."""

from __future__ import annotations


def number_symbols() -> None:
    """Numbers are written with the language's decimal symbol, read from Babel's locale data
    (which imports zoneinfo and reads data files) at the first number shown: once per shipped
    language now, while the files are readable (the answers are cached)."""
    from kiosk.domain.numbers import decimal_symbol
    from kiosk.i18n import languages

    for language in languages():
        decimal_symbol(language)
