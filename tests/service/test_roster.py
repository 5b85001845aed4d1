"""Roster CSV parsing, and `kiosk roster import/list` keeping the roster in the ledger."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from kiosk.domain.roster import (
    IMPORTED,
    REGISTERED,
    Accommodations,
    Candidate,
    parse_roster,
    registrations,
    roster,
)
from kiosk.ledger.centre import Centre
from tests.support.cli import kiosk


def edu(middle: int) -> str:
    """A valid education id computed from nine digits (skipping never-issued numbers)."""
    for n in range(middle, middle + 20):
        first = "7" + f"{n:09d}"
        r = sum(int(d) * i for i, d in enumerate(first, start=1)) % 11
        if r != 10:
            return first + str(r)
    raise AssertionError("unreachable")


EDU_A = edu(123456789)
EDU_B = edu(555000111)
EDU_C = edu(900000001)

HU_SEMICOLON = (
    "\ufeffAzonosító;Név;Oktatási azonosító;E-mail;Többletidő (perc);Segédeszközök;Megjegyzés\r\n"
    f"K001;Kovács Anna;{EDU_A};anna@example.hu;15;számológép, függvénytábla;SNI\r\n"
    f'K002;"Nagy ""Béla"" Péter";{EDU_B};;;;\r\n'
    ";;;;;;\r\n"
    'K003;Szabó Éva;;;0;;"külön terem; ablak mellett"\r\n'
)
# A comma-separated export with English headers in another order and no BOM.
EN_COMMA = (
    "name,id,email,extra_minutes,aids,note,education_id\n"
    f'"Tóth, Gábor",T-01,gabor@example.com,30,dictionary,,{EDU_C}\n'
    "Lakatos Zsófia,T.02,,,,,\n"
)
HEADER = "azonosító;név;oktatási azonosító;email;többletidő;segédeszközök;megjegyzés\n"


def errors_of(body: str, header: str = HEADER, name: str = "roster.csv") -> list[str]:
    return parse_roster((header + body).encode("utf-8"), name).errors


# --- parsing --------------------------------------------------------------------------------


def test_hungarian_semicolon_file_with_bom() -> None:
    result = parse_roster(HU_SEMICOLON.encode("utf-8"), "névsor.csv")
    assert result.errors == []
    assert [r.line for r in result.rows] == [2, 3, 5]
    a, b, c = result.candidates
    assert a == Candidate("K001", "Kovács Anna", EDU_A, "anna@example.hu",
                          Accommodations(15, ("számológép", "függvénytábla"), "SNI"))
    assert b.name == 'Nagy "Béla" Péter' and b.email is None and b.education_id == EDU_B
    assert b.accommodations == Accommodations()
    assert c.accommodations.note == "külön terem; ablak mellett"


def test_english_comma_file_without_bom() -> None:
    result = parse_roster(EN_COMMA.encode("utf-8"), "roster.csv")
    assert result.errors == []
    t1, t2 = result.candidates
    assert (t1.id, t1.name, t1.email, t1.education_id) == (
        "T-01", "Tóth, Gábor", "gabor@example.com", EDU_C)
    assert t1.accommodations == Accommodations(30, ("dictionary",), "")
    assert (t2.id, t2.name, t2.education_id) == ("T.02", "Lakatos Zsófia", None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("K1;;;;;;\n", "roster.csv:2: name is missing"),
        (";Kiss Ádám;;;;;\n", "roster.csv:2: candidate id is missing"),
        ("K 1;Kiss Ádám;;;;;\n",
         "roster.csv:2: candidate id 'K 1' may only hold letters A-Z, digits and . _ -"),
        ("K1;Kiss Ádám;71234567890;;;;\n",
         "roster.csv:2: education id 71234567890 wrong check digit 0 (expected 7): mistyped?"),
        ("K1;Kiss Ádám;7123456789;;;;\n",
         "roster.csv:2: education id 7123456789 must be 11 digits, got 10"),
        ("K1;Kiss Ádám;61234567897;;;;\n",
         "roster.csv:2: education id 61234567897 must start with 7, got 6"),
        ("K1;Kiss Ádám;7,12346E+10;;;;\n",
         "roster.csv:2: education id 7,12346E+10 must contain only the digits 0-9"),
        ("K1;Kiss Ádám;;kiss.adam.example.hu;;;\n",
         "roster.csv:2: email 'kiss.adam.example.hu' does not look like an address "
         "(name@example.hu)"),
        ("K1;Kiss Ádám;;;-5;;\n",
         "roster.csv:2: extra minutes must be a whole number of minutes ≥ 0, got '-5'"),
        ("K1;Kiss Ádám;;;7.5;;\n",
         "roster.csv:2: extra minutes must be a whole number of minutes ≥ 0, got '7.5'"),
        ("K1;Kiss Ádám;;;3000;;\n", "roster.csv:2: extra minutes 3000 is more than 600: mistyped?"),
        ("K1;Kiss\x07Ádám;;;;;\n", "roster.csv:2: name: contains a control character (U+0007)"),
        ('K1;"Kiss\nÁdám";;;;;\n', "roster.csv:2: name: contains a control character (U+000A)"),
        ("K1;\u202eKiss Ádám;;;;;\n", "roster.csv:2: name: contains a control character (U+202E)"),
        ("K1;" + "Á" * 201 + ";;;;;\n", "roster.csv:2: name: too long (201 characters, at most 200)"),
        ("K" * 65 + ";Kiss Ádám;;;;;\n", "roster.csv:2: id: too long (65 characters, at most 64)"),
        ("K1;Kiss Ádám;;;;;;extra\n",
         "roster.csv:2: 8 fields but the header has 7 (a name with the separator in it must be "
         "in double quotes)"),
    ],
)
def test_each_row_error_names_file_line_and_reason(body: str, message: str) -> None:
    assert errors_of(body) == [message]


def test_a_name_may_hold_quotes_and_the_separator_when_quoted() -> None:
    result = parse_roster((HEADER + 'K1;"O\'Brien; ""Jack""";;;;;\n').encode(), "r.csv")
    assert result.errors == [] and result.candidates[0].name == 'O\'Brien; "Jack"'


def test_duplicate_candidate_id_names_both_lines() -> None:
    body = ("K123;Kiss Ádám;;;;;\n"       # line 2
            "K200;Fekete Ilona;;;;;\n"     # line 3
            "K123;Kiss Ádám;;;;;\n"        # line 4
            "k123;Más Valaki;;;;;\n")      # line 5: case differs, still the same id
    assert errors_of(body) == [
        "roster.csv:4: candidate id K123 already on line 2",
        "roster.csv:5: candidate id k123 already on line 2 (as K123)",
    ]


def test_duplicate_education_id_names_both_lines() -> None:
    body = (f"K1;Kiss Ádám;{EDU_A};;;;\n"
            "K2;Fekete Ilona;;;;;\n"
            f"K3;Kiss Á.;{EDU_A};;;;\n")
    assert errors_of(body) == [f"roster.csv:4: education id {EDU_A} already on line 2"]


def test_all_errors_are_collected_in_one_pass() -> None:
    body = "K1;;;;;;\n;Név;;;;;\nK3;Jó Név;;x;;;\n"
    assert [e.split(":")[1] for e in errors_of(body)] == ["2", "3", "4"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id;vezetéknév\n", "roster.csv:1: unknown column 'vezetéknév' (known: id, name, "
         "education_id, email, extra_minutes, oral_prep_minutes, aids, note, or their Hungarian names)"),
        ("id;név;name\n", "roster.csv:1: column 'name' repeats column 'név'"),
        ("név;email\n", "roster.csv:1: the header has no 'id' column (first line must name the "
         "columns, e.g. \"id;name\")"),
    ],
)
def test_header_errors(header: str, message: str) -> None:
    assert message in errors_of("K1;Kiss Ádám\n", header=header)


def test_unusable_files() -> None:
    assert parse_roster(b"", "r.csv").errors[0].startswith("r.csv:1: empty file")
    assert parse_roster(b"id;name\n", "r.csv").errors == ["r.csv:1: no candidates below the header"]
    latin2 = "id;név\nK1;Kovács Ödön\n".encode("cp1250")
    assert parse_roster(latin2, "r.csv").errors == [
        'r.csv:1: not UTF-8 text (in Excel save as "CSV UTF-8"; LibreOffice: character set '
        "Unicode UTF-8)"]


# --- the roster in the ledger ---------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def event_count(centre: Centre) -> int:
    with centre.reader() as reader:
        return reader.count()


def test_import_registers_each_candidate_and_the_import(centre: Centre, tmp_path: Path) -> None:
    path = write(tmp_path, "névsor.csv", HU_SEMICOLON)
    run = kiosk("roster", "import", str(path), "--centre", str(centre.path))
    assert run.returncode == 0, run.stderr
    assert "Imported 3 candidates from névsor.csv" in run.stdout
    with centre.reader() as reader:
        events = list(reader.events(kind=[REGISTERED, IMPORTED]))
        people = roster(reader)
    assert [e.kind for e in events] == [REGISTERED] * 3 + [IMPORTED]
    assert events[0].body == {
        "candidate": "K001", "name": "Kovács Anna", "education_id": EDU_A,
        "email": "anna@example.hu", "source": "névsor.csv:2",
        "accommodations": {"extra_minutes": 15, "aids": ["számológép", "függvénytábla"],
                           "note": "SNI"},
    }
    assert events[-1].body == {"file": "névsor.csv", "count": 3,
                               "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    assert list(people) == ["K001", "K002", "K003"]
    assert people["K002"].name == 'Nagy "Béla" Péter'
    listed = json.loads(kiosk("roster", "list", "--json", "--centre", str(centre.path)).stdout)
    assert [c["candidate"] for c in listed] == ["K001", "K002", "K003"]
    assert listed[0]["accommodations"]["extra_minutes"] == 15
    table = kiosk("roster", "list", "--centre", str(centre.path)).stdout
    assert "Kovács Anna" in table and "3 candidates" in table


def test_one_bad_row_imports_nothing(centre: Centre, tmp_path: Path) -> None:
    before = event_count(centre)
    path = write(tmp_path, "r.csv", HEADER + "K1;Kiss Ádám;;;;;\nK2;Fekete Ilona;;;;;\n"
                 "K1;Kiss Ádám;;;;;\n")
    run = kiosk("roster", "import", str(path), "--centre", str(centre.path))
    assert run.returncode == 2
    assert f"{path}:4: candidate id K1 already on line 2" in run.stderr
    assert f"kiosk: {path}: 1 problem; nothing imported" in run.stderr
    assert "Traceback" not in run.stderr
    assert event_count(centre) == before


def test_reimport_of_a_registered_person_is_rejected_naming_the_registration(
        centre: Centre, tmp_path: Path) -> None:
    first = write(tmp_path, "first.csv", HU_SEMICOLON)
    assert kiosk("roster", "import", str(first), "--centre", str(centre.path)).returncode == 0
    before = event_count(centre)
    second = write(tmp_path, "second.csv",
                   HEADER + "K9;Új Ember;;;;;\n"
                   "K001;Kovács Anna;;;;;\n"
                   f"K7;Nagy Béla;{EDU_B};;;;\n")
    run = kiosk("roster", "import", str(second), "--centre", str(centre.path))
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert lines[0].startswith(f"{second}:3: candidate id K001 is already registered "
                               "(Kovács Anna, event #2 of ")
    assert lines[0].endswith(", from first.csv:2)")
    assert lines[1].startswith(f"{second}:4: education id {EDU_B} is already registered to "
                               "K002 (Nagy \"Béla\" Péter, event #3 of ")
    assert event_count(centre) == before
    with centre.reader() as reader:
        assert "K9" not in roster(reader)


def test_fold_is_a_pure_function_of_events() -> None:
    from kiosk.ledger.store import Event

    def event(seq: int, kind: str, body: dict[str, object]) -> Event:
        return Event(seq, f"ts{seq}", "examiner", None, kind, body, "", "")

    regs = registrations([
        event(2, REGISTERED, {"candidate": "A", "name": "Ada", "education_id": None,
                              "email": None, "accommodations": {"extra_minutes": 5}}),
        event(3, "something_else", {}),
        event(4, IMPORTED, {"file": "x.csv", "sha256": "0", "count": 1}),
    ])
    assert list(regs) == ["A"]
    assert regs["A"].seq == 2 and regs["A"].candidate.accommodations.extra_minutes == 5


def test_missing_file_and_missing_centre_are_one_line(centre: Centre, tmp_path: Path) -> None:
    run = kiosk("roster", "import", str(tmp_path / "nope.csv"), "--centre", str(centre.path))
    assert run.returncode == 2 and run.stderr == f"kiosk: {tmp_path / 'nope.csv'}: no such file\n"
    path = write(tmp_path, "r.csv", EN_COMMA)
    run = kiosk("roster", "import", str(path), "--centre", str(tmp_path / "nocentre"))
    assert run.returncode == 2 and "no centre here" in run.stderr
    assert run.stderr.count("\n") == 1
