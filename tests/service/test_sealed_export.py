"""Sealed exports: round trip, offline verification, every kind of tampering, no secrets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.errors import KioskError
from kiosk.ledger import keys
from kiosk.ledger.canonical import event_hash
from kiosk.ledger.centre import Centre
from kiosk.sealed import (
    CHECKPOINTS,
    EVENTS,
    MANIFEST,
    PUBLIC_KEY,
    RESULTS_CSV,
    RESULTS_JSON,
    SIGNATURE,
    export_sealed,
    verify_bundle,
)
from tests.support.cli import kiosk
from tests.support.export_helpers import (
    STAFF_PASSWORD,
    Sat,
    centre_with_results,
    members,
    resign,
    rewrite,
)

ALL_FILES = (MANIFEST, SIGNATURE, PUBLIC_KEY, RESULTS_JSON, RESULTS_CSV, EVENTS, CHECKPOINTS)


@pytest.fixture(scope="module")
def sat(tmp_path_factory: pytest.TempPathFactory) -> Sat:
    return centre_with_results(tmp_path_factory.mktemp("centre"))


@pytest.fixture(scope="module")
def bundle(sat: Sat, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "export.zip"
    export_sealed(sat.centre, out)
    return out


def problems_of(path: Path) -> list[str]:
    report = verify_bundle(path)
    assert not report.ok, "tampering went unnoticed"
    return report.problems


# --- round trip ------------------------------------------------------------------------------


def test_round_trip_holds_results_ledger_and_key(sat: Sat, bundle: Path) -> None:
    files = members(bundle)
    assert set(files) == set(ALL_FILES)
    manifest = json.loads(files[MANIFEST])
    assert manifest["centre"] == "Teszt központ" and manifest["fingerprint"] == sat.fingerprint
    results = json.loads(files[RESULTS_JSON])
    by_candidate = {r["candidate"]: r for r in results["results"]}
    assert set(by_candidate) == {"C1", "C2"}
    assert by_candidate["C1"]["points"] == 3 and by_candidate["C2"]["points"] == 2
    # the receipt the candidate took home is in the result and checked against the ledger
    assert {c: r["receipt"] for c, r in by_candidate.items()} == sat.receipts
    assert results["head"] == manifest["head"]
    csv_text = files[RESULTS_CSV].decode()
    assert csv_text.splitlines()[0].startswith("candidate,name,exam,attempt")
    assert "Nagy Gergő" in csv_text and sat.receipts["C2"] in csv_text

    report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert report.fingerprint == sat.fingerprint
    assert report.results == 2 and report.head_seq == manifest["head"]["seq"]
    assert report.withheld >= 2  # the examiner account and the sitting's access code


def test_export_appends_an_exported_event_after_the_head_it_names(sat: Sat,
                                                                   bundle: Path) -> None:
    manifest_bytes = members(bundle)[MANIFEST]
    manifest = json.loads(manifest_bytes)
    with sat.centre.reader() as ledger:
        exported = [e for e in ledger.events(kind="exported")]
    import hashlib

    mine = [e for e in exported
            if e.body["manifest_sha256"] == hashlib.sha256(manifest_bytes).hexdigest()]
    assert len(mine) == 1
    assert mine[0].body["head"] == {"seq": manifest["head"]["seq"],
                                    "hash": manifest["head"]["hash"]}
    assert mine[0].seq > manifest["head"]["seq"]  # the head is named before the event
    assert mine[0].body["file"] == bundle.name


def test_export_of_one_exam_and_unknown_exam(sat: Sat, tmp_path: Path) -> None:
    out = tmp_path / "one.zip"
    done = export_sealed(sat.centre, out, exam=sat.exam)
    assert done.results == 2 and verify_bundle(out).ok
    with pytest.raises(KioskError, match="no such exam"):
        export_sealed(sat.centre, tmp_path / "x.zip", exam="nincs")
    assert not (tmp_path / "x.zip").exists()


def test_cli_export_and_verify_print_the_init_fingerprint(sat: Sat, tmp_path: Path) -> None:
    out = tmp_path / "cli.zip"
    run = kiosk("export", "--sealed", str(out), "--centre", str(sat.centre.path))
    assert run.returncode == 0, run.stderr
    assert sat.fingerprint in run.stdout
    again = kiosk("export", "--sealed", str(out), "--centre", str(sat.centre.path))
    assert again.returncode == 2 and "exists already" in again.stderr
    ok = kiosk("verify", str(out))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"Key fingerprint: {sat.fingerprint}" in ok.stdout
    data = json.loads(kiosk("verify", str(out), "--json").stdout)
    assert data["ok"] is True and data["fingerprint"] == sat.fingerprint


def test_cli_exit_codes_for_tampered_and_unreadable(bundle: Path, tmp_path: Path) -> None:
    bad = rewrite(bundle, tmp_path / "bad.zip",
                  lambda f: f.__setitem__(RESULTS_CSV, f[RESULTS_CSV].replace(b"yes", b"no ")))
    run = kiosk("verify", str(bad))
    assert run.returncode == 1
    assert "FAILED" in run.stdout and "results.csv: SHA-256 differs" in run.stdout
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip at all")
    run = kiosk("verify", str(junk))
    assert run.returncode == 2 and "not a readable zip" in run.stderr
    assert "Traceback" not in run.stderr


# --- tampering ------------------------------------------------------------------------------


def _flip(data: bytes, at: float = 0.5) -> bytes:
    i = int(len(data) * at)
    # change a byte to another printable one, so it is a plausible edit, not noise
    new = b"0" if data[i:i + 1] != b"0" else b"1"
    return data[:i] + new + data[i + 1:]


@pytest.mark.parametrize("name", ALL_FILES)
def test_a_changed_byte_in_any_file_is_named(bundle: Path, tmp_path: Path, name: str) -> None:
    bad = rewrite(bundle, tmp_path / "bad.zip", lambda f: f.__setitem__(name, _flip(f[name])))
    found = problems_of(bad)
    assert any(name in p for p in found), found


@pytest.mark.parametrize("name", ALL_FILES)
def test_a_removed_file_is_named(bundle: Path, tmp_path: Path, name: str) -> None:
    bad = rewrite(bundle, tmp_path / "bad.zip", lambda f: f.pop(name))
    found = problems_of(bad)
    assert any(name in p for p in found), found


def test_an_added_file_is_named(bundle: Path, tmp_path: Path) -> None:
    bad = rewrite(bundle, tmp_path / "bad.zip",
                  lambda f: f.__setitem__("ledger/extra.jsonl", b"{}\n"))
    assert any("ledger/extra.jsonl: not listed" in p for p in problems_of(bad))


def test_every_single_byte_flip_of_the_zip_fails(bundle: Path, tmp_path: Path) -> None:
    raw = bundle.read_bytes()
    bad = tmp_path / "flip.zip"
    step = max(1, len(raw) // 150)
    for i in range(0, len(raw), step):
        bad.write_bytes(raw[:i] + bytes([raw[i] ^ 0x01]) + raw[i + 1:])
        try:
            report = verify_bundle(bad)
        except KioskError:
            continue  # unreadable: exit 2, also a failure
        assert not report.ok, f"flipping byte {i} went unnoticed"


def test_results_changed_and_resigned_with_another_key(sat: Sat, bundle: Path,
                                                       tmp_path: Path) -> None:
    other = keys.generate()

    def forge(files: dict[str, bytes]) -> None:
        files[RESULTS_CSV] = files[RESULTS_CSV].replace(b",2,3,", b",3,3,")
        resign(files, other, replace_key=True)

    bad = rewrite(bundle, tmp_path / "forged.zip", forge)
    report = verify_bundle(bad)
    assert not report.ok
    # the forger's own signature checks, but the key is not the centre's …
    assert report.fingerprint != sat.fingerprint
    assert any("genesis names another key" in p for p in report.problems)
    assert any("signed by another key" in p for p in report.problems)
    # … and without swapping the key, the signature itself fails
    bad2 = rewrite(bundle, tmp_path / "forged2.zip", lambda f: resign(f, other))
    assert any("manifest.json: the signature" in p for p in problems_of(bad2))


def test_a_ledger_row_changed_even_with_a_valid_centre_signature(sat: Sat, bundle: Path,
                                                                 tmp_path: Path) -> None:
    """An insider with the centre key re-signs the manifest: the chain still exposes the row."""
    private = keys.read_private(sat.centre.private_key_path, None)

    def change_answer(files: dict[str, bytes]) -> None:
        lines = files[EVENTS].decode().splitlines()
        for n, line in enumerate(lines):
            event = json.loads(line)
            if event["kind"] == "answer_saved":
                body = json.loads(event["body"])
                body["response"] = not body.get("response")
                event["body"] = json.dumps(body, sort_keys=True, separators=(",", ":"))
                lines[n] = json.dumps(event, ensure_ascii=False, sort_keys=True)
                break
        else:
            raise AssertionError("no answer event")
        files[EVENTS] = ("\n".join(lines) + "\n").encode()
        resign(files, private)

    bad = rewrite(bundle, tmp_path / "row.zip", change_answer)
    found = problems_of(bad)
    assert any(EVENTS in p and "hash does not match" in p for p in found), found


def test_withholding_cannot_hide_a_changed_answer(sat: Sat, bundle: Path,
                                                 tmp_path: Path) -> None:
    private = keys.read_private(sat.centre.private_key_path, None)

    def hide(files: dict[str, bytes]) -> None:
        lines = files[EVENTS].decode().splitlines()
        n, event = next((n, json.loads(x)) for n, x in enumerate(lines)
                        if json.loads(x)["kind"] == "answer_saved")
        event["body"] = event["body"].replace("true", "false")
        event["withheld"] = ["password_hash"]
        lines[n] = json.dumps(event, ensure_ascii=False, sort_keys=True)
        files[EVENTS] = ("\n".join(lines) + "\n").encode()
        resign(files, private)

    found = problems_of(rewrite(bundle, tmp_path / "hide.zip", hide))
    assert any("its hash would go unchecked" in p for p in found), found


def test_a_ledger_row_rehashed_breaks_the_chain_or_the_checkpoints(sat: Sat, bundle: Path,
                                                                   tmp_path: Path) -> None:
    private = keys.read_private(sat.centre.private_key_path, None)

    def rehash(files: dict[str, bytes]) -> None:
        lines = files[EVENTS].decode().splitlines()
        event = json.loads(lines[-1])
        event["actor"] = "forger"
        event["hash"] = event_hash(event["prev_hash"], event["seq"], event["ts"], event["actor"],
                                   event["attempt"], event["kind"], event["body"])
        lines[-1] = json.dumps(event, ensure_ascii=False, sort_keys=True)
        files[EVENTS] = ("\n".join(lines) + "\n").encode()
        resign(files, private)

    found = problems_of(rewrite(bundle, tmp_path / "rehash.zip", rehash))
    assert any(CHECKPOINTS in p or "head" in p for p in found), found


def test_results_that_disagree_with_the_ledger_are_caught(sat: Sat, bundle: Path,
                                                          tmp_path: Path) -> None:
    private = keys.read_private(sat.centre.private_key_path, None)

    def swap_receipts(files: dict[str, bytes]) -> None:
        data = json.loads(files[RESULTS_JSON])
        first, second = data["results"]
        first["receipt"], second["receipt"] = second["receipt"], first["receipt"]
        files[RESULTS_JSON] = json.dumps(data).encode()
        resign(files, private)

    found = problems_of(rewrite(bundle, tmp_path / "r.zip", swap_receipts))
    assert any("receipt code differs" in p for p in found), found

    def drop_one(files: dict[str, bytes]) -> None:
        data = json.loads(files[RESULTS_JSON])
        data["results"] = data["results"][:1]
        files[RESULTS_JSON] = json.dumps(data).encode()
        resign(files, private)

    found = problems_of(rewrite(bundle, tmp_path / "d.zip", drop_one))
    assert any("without a result" in p for p in found), found


# --- secrets ----------------------------------------------------------------------------------


def test_no_secret_in_the_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    passphrase = "titkos-kulcs-jelmondat"
    monkeypatch.setenv("KIOSK_PASSPHRASE", passphrase)  # the encrypted key, for the sessions
    sat = centre_with_results(tmp_path / "c", passphrase=passphrase)
    from kiosk.exit_pin import set_pin

    set_pin(sat.centre, "482913")
    out = tmp_path / "s.zip"
    monkeypatch.delenv("KIOSK_PASSPHRASE")
    export_sealed(sat.centre, out, passphrase=passphrase)
    assert verify_bundle(out).ok
    blob = b"\n".join(members(out).values())

    with sat.centre.reader() as ledger:
        user = next(ledger.events(kind="user_added")).body
        sitting = next(ledger.events(kind="sitting_created")).body
    secrets = [user["password_hash"], sitting["code_hash"], sitting["code_salt"],
               STAFF_PASSWORD, passphrase, sat.code, sat.code.replace("-", ""), "482913"]
    private_pem = sat.centre.private_key_path.read_bytes()
    for secret in secrets:
        assert secret.encode() not in blob, f"{secret!r} leaked into the bundle"
    assert private_pem.splitlines()[1] not in blob
    assert b"PRIVATE KEY" not in blob
    assert b'password_hash\\":' not in blob and b'"password_hash":' not in blob
    # what was left out is declared, not silently missing
    events = [json.loads(line) for line in members(out)[EVENTS].decode().splitlines()]
    withheld = {e["kind"]: e["withheld"] for e in events if e.get("withheld")}
    assert withheld["user_added"] == ["password_hash"]
    assert set(withheld["sitting_created"]) == {"code_hash", "code_salt"}


def test_verify_needs_nothing_but_the_bundle(bundle: Path, tmp_path: Path) -> None:
    """Copied away from the centre (and with the centre gone), the bundle still verifies."""
    alone = tmp_path / "elsewhere" / "copy.zip"
    alone.parent.mkdir()
    alone.write_bytes(bundle.read_bytes())
    run = subprocess.run([sys.executable, "-m", "kiosk", "verify", str(alone)],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("OK: sealed export of "), run.stdout


def test_export_refuses_a_centre_without_a_ledger(tmp_path: Path) -> None:
    with pytest.raises(KioskError):
        export_sealed(Centre.open(tmp_path / "nothing"), tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()
