"""QTI 2.1 import: the specification's example items one by one, content packages, several
interactions per item, and hostile input (entity bombs, external entities, zip path tricks)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from kiosk.builtins.importers.qti import import_qti, parse_qti_item
from tests.support.import_helpers import Refused, bank_errors, run_cli, sample, strip_common

RICHARD = (
    "> Now is the winter of our discontent\n"
    "> Made glorious summer by this sun of [[RESPONSE]];\n"
    "> And all the clouds that lour'd upon our house\n"
    "> In the deep bosom of the ocean buried."
)
PLAYS = ["Romeo and Juliet", "A Midsummer-Night's Dream", "The Tempest"]
SEASONS = ["winter", "spring", "summer", "autumn"]

# file -> (items without topic, warning endings)
EXPECTED: dict[str, tuple[list[dict[str, Any]], list[str]]] = {
    "associate.xml": (
        [
            {
                "id": "associate",
                "type": "matching",
                "points": 4,
                "stem": "Hidden in this list of characters from famous Shakespeare plays are three "
                "pairs of rivals. Can you match each character to his adversary?",
                "scoring": "mapped",
                "pairs": [
                    {"id": "A", "left": "Antonio", "right": "Prospero"},
                    {"id": "C", "left": "Capulet", "right": "Montague"},
                    {"id": "D", "left": "Demetrius", "right": "Lysander"},
                ],
                "mapping": {"entries": {"A": 2, "C": 1, "D": 1}},
            }
        ],
        [],
    ),
    "choice.xml": (
        [
            {
                "id": "choice",
                "type": "single_choice",
                "points": 1,
                "stem": "Look at the text in the picture.\n\n[image: NEVER LEAVE LUGGAGE UNATTENDED]"
                "\n\nWhat does it say?",
                "options": [
                    {"id": "ChoiceA", "text": "You must stay with your luggage at all times.", "correct": True, "fixed": True},
                    {"id": "ChoiceB", "text": "Do not let someone else look after your luggage.", "correct": False, "fixed": True},
                    {"id": "ChoiceC", "text": "Remember your luggage when you leave.", "correct": False, "fixed": True},
                ],
            }
        ],
        ["item choice: missing media images/sign.png; kept its alt text"],
    ),
    "choice_multiple.xml": (
        [
            {
                "id": "choiceMultiple",
                "type": "multiple_response",
                "points": 2,
                "stem": "Which of the following elements are used to form water?",
                "scoring": "mapped",
                "options": [
                    {"id": "H", "text": "Hydrogen", "correct": True},
                    {"id": "He", "text": "Helium", "correct": False},
                    {"id": "C", "text": "Carbon", "correct": False},
                    {"id": "O", "text": "Oxygen", "correct": True},
                    {"id": "N", "text": "Nitrogen", "correct": False},
                    {"id": "Cl", "text": "Chlorine", "correct": False},
                ],
                "mapping": {
                    "entries": {"H": 1, "O": 1, "Cl": -1},
                    "default": -2,
                    "lower_bound": 0,
                    "upper_bound": 2,
                },
            }
        ],
        [],
    ),
    "extended_text.xml": (
        [
            {
                "id": "extendedText",
                "type": "essay",
                "points": 1,
                "stem": "Read this postcard from your English pen-friend, Sam.\n\n"
                "> Here is a postcard of my town. Please send me\n"
                "> a postcard from your town. What size is your\n"
                "> town? What is the nicest part of your town?\n"
                "> Where do you go in the evenings?\n"
                "> Sam.\n\n"
                "Write Sam a postcard. Answer the questions. Write 25-35 words.",
            }
        ],
        ["item extendedText: missing media images/postcard.png; kept its alt text"],
    ),
    "gap_match.xml": (
        [
            {
                "id": "gapMatch",
                "type": "cloze",
                "points": 3,
                "stem": "Identify the missing words in this famous quote from Shakespeare's Richard III.\n\n"
                + RICHARD.replace("winter", "[[G1]]", 1)
                .replace("summer", "[[G2]]", 1)
                .replace("[[RESPONSE]]", "York"),
                "scoring": "mapped",
                "gaps": [
                    {"id": "G1", "options": SEASONS, "correct": "winter", "points": 1},
                    {"id": "G2", "options": SEASONS, "correct": "summer", "points": 2},
                ],
                "mapping": {"entries": {"G1": 1, "G2": 2}, "lower_bound": 0},
            }
        ],
        ["item gapMatch: mapping defaultValue -1 for wrong answers is not supported; dropped"],
    ),
    "inline_choice.xml": (
        [
            {
                "id": "inlineChoice",
                "type": "cloze",
                "points": 1,
                "stem": "Identify the missing word in this famous quote from Shakespeare's Richard III."
                "\n\n" + RICHARD,
                "gaps": [
                    {"id": "RESPONSE", "options": ["Gloucester", "Lancaster", "York"], "correct": "York"}
                ],
            }
        ],
        [],
    ),
    "match.xml": (
        [
            {
                "id": "match",
                "type": "cloze",
                "points": 3,
                "stem": "Match the following characters to the Shakespeare play they appeared in:\n\n"
                "- Capulet: [[C]]\n- Demetrius: [[D]]\n- Lysander: [[L]]\n- Prospero: [[P]]",
                "scoring": "mapped",
                "mapping": {"entries": {"C": 1, "D": 0.5, "L": 0.5, "P": 1}},
                "gaps": [
                    {"id": "C", "options": PLAYS, "correct": "Romeo and Juliet"},
                    {"id": "D", "options": PLAYS, "correct": "A Midsummer-Night's Dream"},
                    {"id": "L", "options": PLAYS, "correct": "A Midsummer-Night's Dream"},
                    {"id": "P", "options": PLAYS, "correct": "The Tempest"},
                ],
            }
        ],
        [
            "item match: text \"A Midsummer-Night's Dream\" is in several pairs; imported as a cloze "
            "with one choice gap per pair"
        ],
    ),
    "order.xml": (
        [
            {
                "id": "order",
                "type": "ordering",
                "points": 1,
                "stem": "The following F1 drivers finished on the podium in the first ever Grand Prix "
                "of Bahrain. Can you rearrange them into the correct finishing order?",
                "scoring": "all_or_nothing",
                "sequence": ["Michael Schumacher", "Rubens Barrichello", "Jenson Button"],
            }
        ],
        ["item order: fixed positions in orderInteraction are not supported; ignored"],
    ),
    "text_entry.xml": (
        [
            {
                "id": "textEntry",
                "type": "cloze",
                "points": 1,
                "stem": "Identify the missing word in this famous quote from Shakespeare's Richard III."
                "\n\n" + RICHARD,
                "gaps": [
                    {
                        "id": "RESPONSE",
                        "answers": [{"text": "York"}, {"text": "york", "weight": 0.5}],
                        "points": 1,
                        "case_sensitive": True,
                    }
                ],
            }
        ],
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_item(name: str) -> None:
    path = sample("qti21", name)
    result = import_qti([path])
    items, warnings = EXPECTED[name]
    assert strip_common(result.items, path.stem, points=None) == items
    assert result.warnings == [f"{path}: {w}" for w in warnings]


def test_every_sample_imports_into_one_valid_bank(tmp_path: Path) -> None:
    files = sorted(sample("qti21").glob("*.xml"))
    assert len(files) == 9
    result = import_qti(files, topic="Shakespeare")
    assert len(result.items) == 9
    assert {i["topic"] for i in result.items} == {"Shakespeare"}
    assert bank_errors(result, tmp_path) == []


def test_cli_imports_the_samples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted(sample("qti21").glob("*.xml"))]
    out = tmp_path / "qti.toml"
    code, stdout, stderr = run_cli(["import", "qti", *files, "-o", str(out)], capsys)
    assert code == 0, stderr
    assert "9 items imported from 9 file(s)" in stdout and "cloze              4" in stdout
    assert "missing media images/sign.png" in stderr
    code, stdout, stderr = run_cli(["bank", "check", str(out)], capsys)
    assert code == 0, stdout + stderr


# -- hand-made items ----------------------------------------------------------------------------

NS = 'xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"'
MATCH_CORRECT = '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>'


def qti(decls: str, body: str, rp: str = MATCH_CORRECT, ident: str = "it", extra: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>\n<assessmentItem {NS} identifier="{ident}" title="T" adaptive="false" '
        f'timeDependent="false">{decls}{extra}<itemBody>{body}</itemBody>{rp}</assessmentItem>'
    ).encode()


def decl(rid: str, values: list[str], base: str = "string", card: str = "single", mapping: str = "") -> str:
    vals = "".join(f"<value>{v}</value>" for v in values)
    return (
        f'<responseDeclaration identifier="{rid}" cardinality="{card}" baseType="{base}">'
        f"<correctResponse>{vals}</correctResponse>{mapping}</responseDeclaration>"
    )


def test_several_gap_interactions_become_one_cloze(tmp_path: Path) -> None:
    data = qti(
        decl("R1", ["Budapest"]) + decl("R2", ["D"], base="identifier"),
        '<p>Capital: <textEntryInteraction responseIdentifier="R1"/>, river: '
        '<inlineChoiceInteraction responseIdentifier="R2" shuffle="false">'
        '<inlineChoice identifier="T">Tisza</inlineChoice><inlineChoice identifier="D">Duna</inlineChoice>'
        "</inlineChoiceInteraction>.</p>",
    )
    result = parse_qti_item(data, "multi.xml", "Geo")
    assert result.items == [
        {
            "id": "it",
            "type": "cloze",
            "topic": "Geo",
            "points": 1,
            "stem": "Capital: [[R1]], river: [[R2]].",
            "scoring": "all_or_nothing",
            "gaps": [
                {"id": "R1", "answers": ["Budapest"], "case_sensitive": True},
                {"id": "R2", "options": ["Tisza", "Duna"], "correct": "Duna"},
            ],
        }
    ]
    assert bank_errors(result, tmp_path) == []


def test_mixed_interactions_are_skipped_whole_and_the_rest_imports(tmp_path: Path) -> None:
    mixed = qti(
        decl("R1", ["A"], base="identifier") + decl("R2", ["x"]),
        '<choiceInteraction responseIdentifier="R1" maxChoices="1"><prompt>Pick</prompt>'
        '<simpleChoice identifier="A">a</simpleChoice><simpleChoice identifier="B">b</simpleChoice>'
        '</choiceInteraction><p>and type <textEntryInteraction responseIdentifier="R2"/> here</p>',
        ident="mixed",
    )
    (tmp_path / "mixed.xml").write_bytes(mixed)
    shutil.copy(sample("qti21", "choice.xml"), tmp_path / "choice.xml")
    result = import_qti([tmp_path / "mixed.xml", tmp_path / "choice.xml"])
    assert [i["id"] for i in result.items] == ["choice"]
    assert result.warnings[0] == (
        f"{tmp_path / 'mixed.xml'}: item mixed: several interactions (choiceInteraction, "
        "textEntryInteraction) that cannot form one cloze; item skipped"
    )


def test_unsupported_interaction_is_a_warning() -> None:
    data = qti(decl("R", ["A"], base="identifier"), '<hotspotInteraction responseIdentifier="R"/>', ident="hs")
    result = parse_qti_item(data, "hs.xml", "t")
    assert result.items == []
    assert result.warnings == ["hs.xml: item hs: hotspotInteraction is not supported; item skipped"]


def test_text_entry_at_the_end_is_short_text_or_numeric() -> None:
    text = parse_qti_item(
        qti(decl("RESPONSE", ["Paris"]), '<p>Capital of France? <textEntryInteraction responseIdentifier="RESPONSE"/></p>'),
        "a.xml",
        "t",
    ).items[0]
    assert (text["type"], text["stem"], text["answers"], text["case_sensitive"]) == (
        "short_text", "Capital of France?", [{"text": "Paris"}], True
    )
    num = parse_qti_item(
        qti(decl("RESPONSE", ["3.5"], base="float"), '<p>Half of 7? <textEntryInteraction responseIdentifier="RESPONSE"/></p>'),
        "b.xml",
        "t",
    ).items[0]
    assert (num["type"], num["answers"]) == ("numeric", [{"value": 3.5}])


def test_shuffle_keeps_only_fixed_choices_in_place_and_normal_maximum_sets_points() -> None:
    data = qti(
        decl("RESPONSE", ["B", "C"], base="identifier", card="multiple"),
        '<choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="0">'
        '<simpleChoice identifier="A">one</simpleChoice><simpleChoice identifier="B">two</simpleChoice>'
        '<simpleChoice identifier="C" fixed="true">all of these</simpleChoice></choiceInteraction>',
        extra='<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float" normalMaximum="3"/>',
    )
    item = parse_qti_item(data, "a.xml", "t").items[0]
    assert item["type"] == "multiple_response" and item["points"] == 3
    assert item["scoring"] == "all_or_nothing"
    assert [(o["id"], o["correct"], o.get("fixed", False)) for o in item["options"]] == [
        ("A", False, False), ("B", True, False), ("C", True, True)
    ]


def test_scorer_rubric_blocks_are_kept_for_markers() -> None:
    data = qti(
        decl("RESPONSE", []),
        '<rubricBlock view="scorer"><p>Two points for a greeting.</p></rubricBlock>'
        '<rubricBlock view="candidate"><p>Be polite.</p></rubricBlock>'
        '<extendedTextInteraction responseIdentifier="RESPONSE"><prompt>Write.</prompt></extendedTextInteraction>',
        rp="",
    )
    item = parse_qti_item(data, "e.xml", "t").items[0]
    assert item["type"] == "essay"
    assert item["stem"] == "Be polite.\n\nWrite."
    assert item["rubric"] == [{"criterion": "Two points for a greeting.", "points": 1}]


# -- hostile and broken input ---------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<assessmentItem identifier="x"><itemBody><p>&lol9;</p></itemBody></assessmentItem>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<assessmentItem identifier="x"><itemBody><p>&xxe;</p></itemBody></assessmentItem>
"""


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_bytes(BILLION_LAUGHS)
    info = Refused(import_qti([path]))
    assert str(info.value) == (
        f"{path}:3: XML entity declarations are not allowed (entity 'lol'): refused as a possible "
        "entity-expansion or external-entity attack"
    )


def test_external_entity_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "xxe.xml"
    path.write_bytes(EXTERNAL_ENTITY)
    code, stdout, stderr = run_cli(["import", "qti", str(path), "-o", str(tmp_path / "o.toml")], capsys)
    assert code == 2
    assert stderr.startswith(f"error: {path}:2: XML entity declarations are not allowed (entity 'xxe')")
    assert "root:" not in stdout + stderr
    assert not (tmp_path / "o.toml").exists()


def test_broken_xml_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n<assessmentItem identifier="x">\n<itemBody><p>text</itemBody>\n')
    info = Refused(import_qti([path]))
    assert str(info.value) == f"{path}:3: not well-formed XML: mismatched tag (column 20)"


def test_not_an_item(tmp_path: Path) -> None:
    path = tmp_path / "test.xml"
    path.write_bytes(f"<assessmentTest {NS} identifier='t'/>".encode())
    Refused(import_qti([path]), match="an assessmentTest, not an item")


# -- content packages -----------------------------------------------------------------------------

MANIFEST = """<?xml version="1.0"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m">
  <resources>
    <resource identifier="test" type="imsqti_test_xmlv2p1" href="test.xml"/>
    {resources}
  </resources>
</manifest>"""


def resource(href: str) -> str:
    return f'<resource identifier="{href}" type="imsqti_item_xmlv2p1" href="{href}"><file href="{href}"/></resource>'


def package(path: Path, files: dict[str, bytes], items: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("imsmanifest.xml", MANIFEST.format(resources="".join(resource(h) for h in items)))
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return path


def test_content_package_imports_the_listed_items(tmp_path: Path) -> None:
    files = {
        "items/choice.xml": sample("qti21", "choice.xml").read_bytes(),
        "items/images/sign.png": b"\x89PNG",
        "items/order.xml": sample("qti21", "order.xml").read_bytes(),
        "items/unlisted.xml": b"<not-read/>",
    }
    pkg = package(tmp_path / "pkg.zip", files, ["items/choice.xml", "items/order.xml"])
    result = import_qti([pkg])
    assert [(i["id"], i["type"], i["topic"]) for i in result.items] == [
        ("choice", "single_choice", "pkg"),
        ("order", "ordering", "pkg"),
    ]
    assert result.warnings == [
        f"{pkg}!imsmanifest.xml: assessment test 'test.xml' is not imported (its items are, as "
        "listed in the manifest)",
        f"{pkg}!items/choice.xml: item choice: media images/sign.png is not carried into the bank; "
        "kept its alt text",
        f"{pkg}!items/order.xml: item order: fixed positions in orderInteraction are not supported; ignored",
    ]
    assert bank_errors(result, tmp_path) == []


@pytest.mark.parametrize("bad", ["../evil.xml", "/etc/evil.xml", "a/../../evil.xml", "C:/evil.xml", "..\\evil.xml"])
def test_package_with_unsafe_entry_is_refused(tmp_path: Path, bad: str) -> None:
    files = {"items/choice.xml": sample("qti21", "choice.xml").read_bytes(), bad: b"x"}
    pkg = package(tmp_path / "evil.zip", files, ["items/choice.xml"])
    info = Refused(import_qti([pkg]))
    assert str(info.value) == f"{pkg}: unsafe path {bad!r} in the package (absolute or '..')"


def test_manifest_href_escaping_the_package_is_refused(tmp_path: Path) -> None:
    pkg = package(tmp_path / "p.zip", {"a.xml": b"<x/>"}, ["../a.xml"])
    Refused(import_qti([pkg]), match=r"unsafe item path '\.\./a\.xml'")


def test_manifest_listing_a_missing_item(tmp_path: Path) -> None:
    pkg = package(tmp_path / "p.zip", {}, ["items/gone.xml"])
    info = Refused(import_qti([pkg]))
    assert str(info.value) == f"{pkg}!imsmanifest.xml: lists item 'items/gone.xml', which is not in the package"


def test_zip_without_manifest(tmp_path: Path) -> None:
    pkg = tmp_path / "plain.zip"
    with zipfile.ZipFile(pkg, "w") as zf:
        zf.writestr("item.xml", sample("qti21", "choice.xml").read_bytes())
    Refused(import_qti([pkg]), match="zip without imsmanifest.xml")


def test_bomb_inside_a_package_names_the_member(tmp_path: Path) -> None:
    pkg = package(tmp_path / "p.zip", {"items/bomb.xml": BILLION_LAUGHS}, ["items/bomb.xml"])
    info = Refused(import_qti([pkg]))
    assert str(info.value).startswith(f"{pkg}!items/bomb.xml:3: XML entity declarations are not allowed")
