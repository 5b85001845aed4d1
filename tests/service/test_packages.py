"""Encrypted exam packages: sealing, tamper detection, and loading into a centre encrypted."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.crypto import envelope
from kiosk.domain.packages import PackageError, Payload, decode_payload
from kiosk.errors import KioskError
from kiosk.exam_store import (
    LOADED,
    exam_and_banks,
    exam_file,
    load_exam_content,
    load_package,
)
from kiosk.ledger.centre import Centre
from kiosk.packages import MAGIC, build_payload, seal, unseal

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "helyes ló elem tűzőgép"
STEM_MARK = "TITKOS-KERDES"


def bank_text() -> str:
    items = "".join(f'''
[[items]]
id = "q{i}"
type = "single_choice"
topic = "Földrajz"
points = 1
stem = "{STEM_MARK}-{i}: Melyik Magyarország fővárosa? Árvíztűrő tükörfúrógép"
options = [
  {{ id = "a", text = "Budapest", correct = true }},
  {{ id = "b", text = "Debrecen" }},
]
''' for i in range(1, 5))
    return '[bank]\nid = "foldrajz"\ntitle = "Földrajz"\n' + items


EXAM_TEXT = '''[exam]
id = "proba-2026"
title = "Próba vizsga"
banks = ["banks/foldrajz.toml"]

[[parts]]
id = "1"
title = "Írásbeli"
minutes = 10

[[parts.draw]]
count = 2
'''


@pytest.fixture
def exam_path(tmp_path: Path) -> Path:
    (tmp_path / "src" / "banks").mkdir(parents=True)
    (tmp_path / "src" / "banks" / "foldrajz.toml").write_text(bank_text(), encoding="utf-8")
    path = tmp_path / "src" / "proba.exam.toml"
    path.write_text(EXAM_TEXT, encoding="utf-8")
    return path


def kiosk(*args: str, input: str | None = None, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True,
                          text=True, input=input, env=full_env)


def package(exam_path: Path, out: Path) -> Path:
    run = kiosk("package", str(exam_path), "--out", str(out), "--passphrase", PASSPHRASE)
    assert run.returncode == 0, run.stderr
    return out


def centre_bytes(centre: Centre) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(centre.path.rglob("*")) if p.is_file())


def ledger_state(centre: Centre) -> tuple[int, list[str]]:
    with centre.reader() as reader:
        count = reader.count()
    exams_dir = centre.path / "exams"
    return count, sorted(p.name for p in exams_dir.iterdir()) if exams_dir.exists() else []


# --- the format -----------------------------------------------------------------------------


@functools.cache
def sealed() -> bytes:
    # The smallest scrypt cost the reader accepts keeps the property test quick.
    return seal(b'{"secret": "' + STEM_MARK.encode() + b'"}', PASSPHRASE, n=2**14)


def test_seal_round_trip_and_no_clear_text() -> None:
    blob = sealed()
    assert blob.startswith(MAGIC)
    assert STEM_MARK.encode() not in blob
    assert unseal(blob, PASSPHRASE) == b'{"secret": "' + STEM_MARK.encode() + b'"}'
    assert seal(b"x", PASSPHRASE, n=2**14) != seal(b"x", PASSPHRASE, n=2**14)  # fresh salt


def test_wrong_passphrase() -> None:
    with pytest.raises(PackageError, match=r"^p.kpkg: wrong passphrase or the package was "
                                           r"modified$"):
        unseal(sealed(), PASSPHRASE + "!", "p.kpkg")


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_flipped_byte_is_rejected(data: st.DataObject) -> None:
    blob = bytearray(sealed())
    position = data.draw(st.integers(0, len(blob) - 1), label="position")
    blob[position] ^= data.draw(st.integers(1, 255), label="xor")
    with pytest.raises(PackageError, match="the package was modified"):
        unseal(bytes(blob), PASSPHRASE, "p.kpkg")


def test_truncated_or_extended_package_is_rejected() -> None:
    blob = sealed()
    for bad in (blob[:-1], blob + b"\0", blob[:8], b""):
        with pytest.raises(PackageError, match="the package was modified"):
            unseal(bad, PASSPHRASE)


def test_a_header_asking_for_huge_scrypt_cost_is_refused_before_deriving(
        monkeypatch: pytest.MonkeyPatch) -> None:
    blob = sealed()
    size = int.from_bytes(blob[5:9], "big")
    header = json.loads(blob[9:9 + size])
    header["n"] = 2**22
    new_header = json.dumps(header).encode()
    doctored = MAGIC + len(new_header).to_bytes(4, "big") + new_header + blob[9 + size:]
    derived: list[int] = []
    monkeypatch.setattr(envelope, "passphrase_key", lambda *args: derived.append(1) or b"\0" * 32)
    with pytest.raises(PackageError, match="the package was modified"):
        unseal(doctored, PASSPHRASE)
    assert derived == []
    with pytest.raises(PackageError, match="the package was modified"):
        unseal(blob, PASSPHRASE)  # the spy works: the genuine header does derive a key
    assert derived == [1]


def test_payload_must_be_consistent() -> None:
    good = Payload("e1", "T", "e.toml", ("b",), {"e.toml": '[exam]\nid = "e1"\nbanks = ["b.toml"]\n',
                                                 "b.toml": '[bank]\nid = "b"\n'})
    assert decode_payload(good.to_bytes(), "p").exam == "e1"
    missing = Payload("e1", "T", "e.toml", ("b",), {"e.toml": good.files["e.toml"]})
    with pytest.raises(KioskError, match="p: e.toml: bank file 'b.toml' is not in the package"):
        decode_payload(missing.to_bytes(), "p")
    with pytest.raises(KioskError, match="p: the package content is not an exam package"):
        decode_payload(b'{"format": 1}', "p")


def test_build_payload_holds_the_raw_texts(exam_path: Path) -> None:
    payload, errors = build_payload(exam_path)
    assert errors == [] and payload is not None
    assert (payload.exam, payload.title, payload.exam_file, payload.banks) == (
        "proba-2026", "Próba vizsga", "proba.exam.toml", ("foldrajz",))
    assert payload.files == {"proba.exam.toml": EXAM_TEXT, "banks/foldrajz.toml": bank_text()}


# --- the commands ---------------------------------------------------------------------------


def test_round_trip_through_the_centre(exam_path: Path, centre: Centre, tmp_path: Path) -> None:
    pkg = package(exam_path, tmp_path / "proba.kpkg")
    assert STEM_MARK.encode() not in pkg.read_bytes()
    run = kiosk("load", str(pkg), "--centre", str(centre.path),
                env={"KIOSK_PACKAGE_PASSPHRASE": PASSPHRASE})
    assert run.returncode == 0, run.stderr
    assert "Loaded exam proba-2026 (Próba vizsga)" in run.stdout
    assert exam_file(centre, "proba-2026").is_file()
    assert load_exam_content(centre, "proba-2026") == {
        "proba.exam.toml": EXAM_TEXT, "banks/foldrajz.toml": bank_text()}
    # No question text anywhere in the centre: not in the .kexam, the ledger nor its WAL.
    everything = centre_bytes(centre)
    for secret in (STEM_MARK, "Árvíztűrő tükörfúrógép", "Debrecen"):
        assert secret.encode("utf-8") not in everything
    with centre.reader() as reader:
        (event,) = reader.events(kind=LOADED)
    assert event.body["exam"] == "proba-2026" and event.body["banks"] == ["foldrajz"]
    assert event.body["files"] == ["proba.exam.toml", "banks/foldrajz.toml"]
    assert event.body["package_sha256"] == hashlib.sha256(pkg.read_bytes()).hexdigest()


def test_passphrase_is_asked_twice_when_packaging(exam_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.kpkg"
    mismatch = kiosk("package", str(exam_path), "--out", str(out),
                     input=f"{PASSPHRASE}\nvalami más\n{PASSPHRASE}\n{PASSPHRASE}\n")
    assert mismatch.returncode == 0, mismatch.stderr
    assert unseal(out.read_bytes(), PASSPHRASE)
    short = kiosk("package", str(exam_path), "--out", str(tmp_path / "s.kpkg"),
                  "--passphrase", "rövid")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    assert not (tmp_path / "s.kpkg").exists()


def test_invalid_exam_is_not_packaged(exam_path: Path, tmp_path: Path) -> None:
    exam_path.write_text(EXAM_TEXT.replace("count = 2", "count = 9"), encoding="utf-8")
    run = kiosk("package", str(exam_path), "--out", str(tmp_path / "p.kpkg"),
                "--passphrase", PASSPHRASE)
    assert run.returncode == 2
    assert f"kiosk: {exam_path}: 1 problem; no package written" in run.stderr
    assert not (tmp_path / "p.kpkg").exists()


def test_wrong_passphrase_writes_nothing(exam_path: Path, centre: Centre, tmp_path: Path) -> None:
    pkg = package(exam_path, tmp_path / "p.kpkg")
    before = ledger_state(centre)
    run = kiosk("load", str(pkg), "--centre", str(centre.path), input="rossz jelszó\n")
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1] == (
        f"kiosk: {pkg}: wrong passphrase or the package was modified")
    assert ledger_state(centre) == before == (1, [])


@pytest.mark.parametrize("where", ["magic", "header", "middle", "last"])
def test_modified_package_writes_nothing(exam_path: Path, centre: Centre, tmp_path: Path,
                                         where: str) -> None:
    pkg = package(exam_path, tmp_path / "p.kpkg")
    data = bytearray(pkg.read_bytes())
    position = {"magic": 2, "header": 20, "middle": len(data) // 2, "last": len(data) - 1}[where]
    data[position] ^= 0x01
    pkg.write_bytes(bytes(data))
    run = kiosk("load", str(pkg), "--centre", str(centre.path), "--passphrase", PASSPHRASE)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "the package was modified" in run.stderr
    assert ledger_state(centre) == (1, [])


def test_loading_again_needs_replace(exam_path: Path, centre: Centre, tmp_path: Path) -> None:
    pkg = package(exam_path, tmp_path / "p.kpkg")
    load_package(centre, pkg, PASSPHRASE)
    again = kiosk("load", str(pkg), "--centre", str(centre.path), "--passphrase", PASSPHRASE)
    assert again.returncode == 2
    assert "exam 'proba-2026' is already loaded" in again.stderr and "--replace" in again.stderr
    assert ledger_state(centre) == (2, ["proba-2026.kexam"])
    replaced = kiosk("load", str(pkg), "--centre", str(centre.path), "--passphrase", PASSPHRASE,
                     "--replace")
    assert replaced.returncode == 0, replaced.stderr
    with centre.reader() as reader:
        first, second = reader.events(kind=LOADED)
    assert second.body["replaces"] == first.seq
    assert ledger_state(centre)[1] == ["proba-2026.kexam"]


def test_stored_content_is_bound_to_the_centre_and_the_ledger(
        exam_path: Path, centre: Centre, tmp_path: Path) -> None:
    pkg = package(exam_path, tmp_path / "p.kpkg")
    load_package(centre, pkg, PASSPHRASE)
    stored = exam_file(centre, "proba-2026")
    good = stored.read_bytes()
    # Another centre's key cannot read it.
    other, _ = Centre.init(tmp_path / "other", "Másik")
    (other.path / "exams").mkdir()
    (other.path / "exams" / stored.name).write_bytes(good)
    with pytest.raises(KioskError, match="not loaded"):
        load_exam_content(other, "proba-2026")
    with pytest.raises(KioskError, match="exists but the ledger records no load"):
        load_package(other, pkg, PASSPHRASE)
    load_package(other, pkg, PASSPHRASE, replace=True)
    (other.path / "exams" / stored.name).write_bytes(good)
    with pytest.raises(KioskError, match="damaged or was not written by this centre"):
        load_exam_content(other, "proba-2026")
    # A flipped byte in the stored file is refused.
    damaged = bytearray(good)
    damaged[-5] ^= 0x40
    stored.write_bytes(bytes(damaged))
    with pytest.raises(KioskError, match="damaged"):
        load_exam_content(centre, "proba-2026")
    # An older load's file put back after a newer load does not match the ledger.
    stored.write_bytes(good)
    exam_path.write_text(EXAM_TEXT.replace("Próba vizsga", "Próba vizsga 2"), encoding="utf-8")
    load_package(centre, package(exam_path, tmp_path / "p2.kpkg"), PASSPHRASE, replace=True)
    stored.write_bytes(good)
    with pytest.raises(KioskError, match="differs from the load recorded in event"):
        load_exam_content(centre, "proba-2026")


def test_parsed_exam_and_banks(exam_path: Path, centre: Centre, tmp_path: Path) -> None:
    load_package(centre, package(exam_path, tmp_path / "p.kpkg"), PASSPHRASE)
    exam, banks = exam_and_banks(centre, "proba-2026")
    assert exam.id == "proba-2026" and list(banks) == ["foldrajz"]
    assert len(banks["foldrajz"].items) == 4


def test_json_of_loaded_event_has_no_question_text(exam_path: Path, centre: Centre,
                                                    tmp_path: Path) -> None:
    load_package(centre, package(exam_path, tmp_path / "p.kpkg"), PASSPHRASE)
    with centre.reader() as reader:
        text = json.dumps([e.body for e in reader.events()], ensure_ascii=False)
    assert STEM_MARK not in text and "Budapest" not in text
