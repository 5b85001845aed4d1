"""Words for people that the domain produces but does not translate (it knows no language).

A `Text` names a string of the kiosk's gettext catalogue (`msgid`, e.g. "grade.5"); kiosk.i18n
translates it where the language is known (a result sheet, a screen). Words that came with user
content instead (a scale file's own `name_hu`/`name_en` for a band) travel as `given`
translations, which win over the catalogue. `source` is the Hungarian wording, what notes and
logs print (Hungarian grade names are the legal terms). `domain` is the gettext domain of the
msgid: "kiosk" for the core, a plugin's own for its question types' titles.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    msgid: str = ""
    source: str = ""
    #: (language, text) pairs that came with user content
    given: tuple[tuple[str, str], ...] = ()
    domain: str = "kiosk"

    def __bool__(self) -> bool:
        return bool(self.msgid or self.source or self.given)

    def __str__(self) -> str:
        return self.source or dict(self.given).get("hu", "") or self.msgid


NO_TEXT = Text()
