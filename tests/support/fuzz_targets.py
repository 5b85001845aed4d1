"""Every parser of untrusted input, with a seed corpus and the promise each keeps: no traceback,
only a clear error (KioskError or its subclasses: BankError, ExamError, ImportFormatError,
PackageError) or an ordinary result. Shared by tests/unit/test_fuzz_parsers.py (few examples, CI) and
benchmarks/fuzz.py (10,000 per parser).

Inputs are random text or bytes, and valid samples with random mutations (lines deleted,
duplicated or swapped, characters inserted, bytes flipped), so the parsers are exercised past
their first line.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from kiosk.errors import KioskError

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO.parent / "shared" / "samples"
BANK = (REPO / "question_banks" / "practice_en.toml").read_text(encoding="utf-8")
EXAM = (REPO / "question_banks" / "practice_en.exam.toml").read_text(encoding="utf-8")

GIFT = """// a comment
::Q1:: Which city is the capital of Hungary? {=Budapest ~Vienna ~Prague}

::Q2:: The Danube flows through Budapest. {T}

::Q3:: Two plus two equals {#4:0}.

::Q4:: Match the pairs. {=Hungary -> Budapest =Poland -> Warsaw =Austria -> Vienna}

::Q5:: Name the lake. {=Balaton =Lake Balaton}

::Q6:: Explain the seasons. {}

$CATEGORY: geography/europe

::Q7:: Budapest is on the {~Tisza =Danube ~Rhine} river.
"""
AIKEN = """What is the capital of Hungary?
A. Vienna
B. Budapest
C. Prague
ANSWER: B

Which is a prime number?
A) 4
B) 6
C) 7
ANSWER: C
"""
QTI = b"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="c1" title="Choice"
  adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>B</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="1">
      <prompt>Which city is the capital of Hungary?</prompt>
      <simpleChoice identifier="A">Vienna</simpleChoice>
      <simpleChoice identifier="B">Budapest</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
</assessmentItem>
"""
ROSTER = ("id;name;extra_minutes;oktatasi_azonosito;email\n"
          "C1;Kovács Anna;;;anna@example.org\nC2;Nagy Gergő;10;;\nC3;\"O'Brien; Seán\";;;\n")
MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m">
  <resources>
    <resource identifier="r1" type="imsqti_item_xmlv2p1" href="item.xml">
      <file href="item.xml"/>
    </resource>
  </resources>
</manifest>
"""


def _sample(name: str, fallback: str | bytes) -> str | bytes:
    path = SAMPLES / name
    if path.is_file():
        data = path.read_bytes()
        return data if isinstance(fallback, bytes) else data.decode("utf-8", "replace")
    return fallback


# --- mutations ----------------------------------------------------------------------------------

_ops = st.sampled_from(["delete", "duplicate", "swap", "insert", "replace"])


@st.composite
def mutated_text(draw: st.DrawFn, seed: str) -> str:
    lines = seed.splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(1, 6))):
        op = draw(_ops)
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            junk = draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
                        | st.sampled_from(['"', "'", "[", "]]", "{", "}", "=", "\\", "\n",
                                           "\x00", "#", "::", "~", "->", "<", "&", ";", "\r",
                                           "1e999", "-0", "nan", "ANSWER:", "[[items]]"]))
            lines[i] = lines[i][:pos] + junk + lines[i][pos:]
        else:
            pos = draw(st.integers(0, len(lines[i])))
            end = draw(st.integers(pos, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.text(max_size=8)) + lines[i][end:]
    return "".join(lines)


@st.composite
def mutated_bytes(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[i:i + draw(st.integers(1, 64))]
        elif op == "insert":
            data[i:i] = draw(st.binary(max_size=16))
        else:
            del data[i:]
    return bytes(data)


def text_or_mutation(seed: str) -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=400), mutated_text(seed))


def bytes_or_mutation(seed: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=400), mutated_bytes(seed))


# --- the parsers ----------------------------------------------------------------------------------


def _bank(text: str) -> Any:
    from kiosk.loading import check_bank_texts

    result = check_bank_texts({"practice_en.toml": text})
    assert all(isinstance(e, str) and e for e in result.errors)
    return result


def _exam(text: str) -> Any:
    from kiosk.loading import check_exam_texts

    result = check_exam_texts("exam.toml", {"exam.toml": text, "practice_en.toml": BANK})
    assert all(isinstance(e, str) and e for e in result.errors)
    return result


def _exam_bank(text: str) -> Any:
    from kiosk.loading import check_exam_texts

    result = check_exam_texts("exam.toml", {"exam.toml": EXAM, "practice_en.toml": text})
    assert all(isinstance(e, str) and e for e in result.errors)
    return result


def _roster(data: bytes) -> Any:
    from kiosk.domain.roster import parse_roster

    result = parse_roster(data, "roster.csv")
    assert all(isinstance(e, str) and e for e in result.errors)
    assert result.errors or all(r.candidate.id for r in result.rows)
    return result


def _gift(text: str) -> Any:
    from kiosk.builtins.importers.gift import parse_gift

    return parse_gift(text, "fuzz.gift", "Fuzz")


def _aiken(text: str) -> Any:
    from kiosk.builtins.importers.aiken import parse_aiken

    return parse_aiken(text, "fuzz.txt", "Fuzz")


def _qti(data: bytes) -> Any:
    from kiosk.builtins.importers.qti import parse_qti_item

    return parse_qti_item(data, "item.xml", "Fuzz")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


QTI_PACKAGE = _zip({"imsmanifest.xml": MANIFEST, "item.xml": QTI})


def _with_file(suffix: str, data: bytes, call: Callable[[Path], Any]) -> Any:
    with tempfile.TemporaryDirectory(prefix="kiosk-fuzz-") as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        return call(path)


def _qti_package(data: bytes) -> Any:
    from kiosk.builtins.importers.common import IdAllocator
    from kiosk.builtins.importers.qti import import_package

    return _with_file(".zip", data, lambda p: import_package(p, "Fuzz", IdAllocator()))


def _package(data: bytes) -> Any:
    from kiosk.packages import unseal

    return unseal(data, "a passphrase", "fuzz.kpkg")


def _payload(data: bytes) -> Any:
    from kiosk.domain.packages import decode_payload

    return decode_payload(data, "fuzz.kpkg")


def _bundle(data: bytes) -> Any:
    from kiosk import sealed

    def check(path: Path) -> Any:
        report = sealed.verify_bundle(path)
        assert all(isinstance(p, str) and p for p in report.problems)
        return report

    return _with_file(".zip", data, check)


def _package_seed() -> bytes:
    from kiosk.packages import seal

    return seal(b'{"format": 1}', "a passphrase", n=2**4)


def _payload_seed() -> bytes:
    import json

    return json.dumps({"format": 1, "exam": "practice-en", "title": "Practice",
                       "exam_file": "exam.toml", "banks": ["practice_en.toml"],
                       "files": {"exam.toml": EXAM, "practice_en.toml": BANK}}).encode()


def _bundle_seed() -> bytes:
    return _zip({"manifest.json": b'{"format": 1, "files": {}}', "manifest.sig": b"AAAA",
                 "centre.pub": b"-----BEGIN PUBLIC KEY-----\n", "results.json": b"{}",
                 "ledger/events.jsonl": b'{"seq": 1}\n', "ledger/checkpoints.jsonl": b""})


@dataclass(frozen=True)
class Target:
    name: str
    strategy: Callable[[], st.SearchStrategy[Any]]
    call: Callable[[Any], Any]
    available: Callable[[], bool] = lambda: True


def _has_sealed() -> bool:
    try:
        from kiosk import sealed  # noqa: F401
    except ImportError:
        return False
    return True


TARGETS = [
    Target("bank", lambda: text_or_mutation(BANK), _bank),
    Target("exam", lambda: text_or_mutation(EXAM), _exam),
    Target("exam-with-bad-bank", lambda: mutated_text(BANK), _exam_bank),
    Target("roster", lambda: st.one_of(bytes_or_mutation(ROSTER.encode()),
                                       mutated_text(ROSTER).map(str.encode)), _roster),
    Target("gift", lambda: text_or_mutation(str(_sample("gift/moodle-examples.gift", GIFT))),
           _gift),
    Target("aiken", lambda: text_or_mutation(AIKEN), _aiken),
    Target("qti-item", lambda: st.one_of(
        bytes_or_mutation(bytes(_sample("qti21/choice.xml", QTI))),
        mutated_text(QTI.decode()).map(str.encode)), _qti),
    Target("qti-package", lambda: bytes_or_mutation(QTI_PACKAGE), _qti_package),
    Target("exam-package", lambda: bytes_or_mutation(_package_seed()), _package),
    Target("package-payload", lambda: bytes_or_mutation(_payload_seed()), _payload),
    Target("sealed-bundle", lambda: bytes_or_mutation(_bundle_seed()), _bundle, _has_sealed),
]


def check(target: Target, data: Any) -> str:
    """Run one input; "ok" or "error" (a clear KioskError). Anything else propagates."""
    try:
        result = target.call(data)
    except KioskError as exc:
        message = str(exc)
        assert message.strip(), f"{target.name}: empty error message"
        return "error"
    # Checkers report problems as a list of lines instead of raising.
    if getattr(result, "errors", None) or getattr(result, "problems", None):
        return "error"
    return "ok"
