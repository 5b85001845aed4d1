"""`kiosk merge`: three centres, an overlap, a tampered and an untrusted bundle."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.errors import KioskError
from kiosk.federation import MERGE_LOG, MERGED_CSV, MERGED_JSON, load_trust, merge_bundles
from kiosk.ledger import keys
from kiosk.sealed import RESULTS_JSON, export_sealed, sha256
from tests.support.export_helpers import Sat, centre_with_results, rewrite, submit_attempt

REPO = Path(__file__).resolve().parents[2]


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.a = centre_with_results(root / "a", "Győri központ")
        self.b = centre_with_results(root / "b", "Pécsi központ", candidates=("C1", "C2", "C3"))
        self.c = centre_with_results(root / "c", "Ismeretlen központ")
        self.bundles = root / "bundles"
        self.bundles.mkdir()
        self.a1 = self.export(self.a, "a1.zip")
        self.b1 = self.export(self.b, "b1.zip")
        self.c1 = self.export(self.c, "c1.zip")
        # later, a third candidate sits at centre A: a2 holds C1 and C2 again, and C3
        self.a_c3 = submit_attempt(self.a.centre, self.a.code, "C3")
        self.a2 = self.export(self.a, "a2.zip")
        self.trust = root / "trusted-keys.toml"
        self.trust.write_text(
            "[centres]\n"
            f'"Győri központ" = "{self.a.fingerprint}"\n'
            f'"Pécsi központ" = {{ public_key = "{keys.public_b64(self.b.centre.public_key())}" }}\n',
            encoding="utf-8")

    def export(self, sat: Sat, name: str) -> Path:
        out = self.bundles / name
        export_sealed(sat.centre, out)
        return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("fed"))


def merged(into: Path) -> dict:
    return json.loads((into / MERGED_JSON).read_text(encoding="utf-8"))


def test_three_centres_with_overlap_untrusted_and_tampered(world: World, tmp_path: Path) -> None:
    forged = rewrite(world.b1, world.bundles / "b1-forged.zip",
                     lambda f: f.__setitem__(RESULTS_JSON, f[RESULTS_JSON].replace(b'"points": 2',
                                                                                   b'"points": 3')))
    into = tmp_path / "org"
    report = merge_bundles([world.a1, world.b1, world.a1, world.c1, forged], into, world.trust)
    status = {(o.file, i): o.status for i, o in enumerate(report.offered)}
    assert list(status.values()) == ["merged", "merged", "already merged", "rejected",
                                     "rejected"]
    reasons = [o.reason for o in report.offered]
    assert "not in the trusted keys file" in reasons[3]
    assert "does not verify" in reasons[4] and RESULTS_JSON in reasons[4]
    state = merged(into)
    keys_seen = [(r["centre"], r["candidate"]) for r in state["results"]]
    assert sorted(keys_seen) == sorted([("Győri központ", "C1"), ("Győri központ", "C2"),
                                        ("Pécsi központ", "C1"), ("Pécsi központ", "C2"),
                                        ("Pécsi központ", "C3")])
    # the same candidate id at two centres is two people: kept apart by centre
    assert {r["fingerprint"] for r in state["results"]} == {world.a.fingerprint,
                                                            world.b.fingerprint}
    recorded = {b["file"]: b for b in state["bundles"]}
    assert set(recorded) == {"a1.zip", "b1.zip"}
    assert recorded["a1.zip"]["sha256"] == sha256(world.a1.read_bytes())
    assert recorded["b1.zip"]["centre"] == "Pécsi központ"
    assert recorded["b1.zip"]["head"]["seq"] > 0 and len(recorded["b1.zip"]["head"]["hash"]) == 64
    rows = list(csv.DictReader((into / MERGED_CSV).open(encoding="utf-8")))
    assert len(rows) == 5 and {r["centre"] for r in rows} == {"Győri központ", "Pécsi központ"}
    log = [json.loads(line) for line in (into / MERGE_LOG).read_text().splitlines()]
    assert [e["status"] for e in log] == list(status.values())

    # a later bundle of centre A: its earlier attempts are updated, not duplicated
    later = merge_bundles([world.a2], into, world.trust)
    assert later.offered[0].status == "merged"
    assert (later.offered[0].added, later.offered[0].replaced) == (1, 2)
    state = merged(into)
    a_results = [r for r in state["results"] if r["centre"] == "Győri központ"]
    assert sorted(r["candidate"] for r in a_results) == ["C1", "C2", "C3"]
    assert next(r for r in a_results if r["candidate"] == "C3")["receipt"] == world.a_c3
    assert len(state["results"]) == 6

    # the older bundle offered again changes nothing, and is not counted twice
    again = merge_bundles([world.a1, world.a2], into, world.trust)
    assert [o.status for o in again.offered] == ["already merged", "already merged"]
    assert len(merged(into)["results"]) == 6


def test_an_older_bundle_after_a_newer_one_keeps_the_newer_results(world: World,
                                                                   tmp_path: Path) -> None:
    into = tmp_path / "org"
    merge_bundles([world.a2], into, world.trust)
    report = merge_bundles([world.a1], into, world.trust)
    assert report.offered[0].status == "superseded"
    state = merged(into)
    a2_head = next(b["head"]["seq"] for b in state["bundles"] if b["file"] == "a2.zip")
    a_results = [r for r in state["results"] if r["centre"] == "Győri központ"]
    assert len(a_results) == 3 and {r["head_seq"] for r in a_results} == {a2_head}


def test_a_key_that_does_not_match_the_trusted_fingerprint(world: World,
                                                           tmp_path: Path) -> None:
    trust = tmp_path / "t.toml"
    trust.write_text(f'[centres]\n"Győri központ" = "{world.b.fingerprint}"\n', encoding="utf-8")
    report = merge_bundles([world.a1], tmp_path / "org", trust)
    assert report.offered[0].status == "rejected"
    assert "but the trusted keys file lists" in report.offered[0].reason
    assert merged(tmp_path / "org")["results"] == []


def test_bad_trust_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(KioskError, match="no trusted keys file"):
        load_trust(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('[centres]\n"X" = "nem ujjlenyomat"\n', encoding="utf-8")
    with pytest.raises(KioskError, match="centres.X"):
        load_trust(bad)


def test_merge_cli_exit_code_and_output(world: World, tmp_path: Path) -> None:
    into = tmp_path / "org"
    run = subprocess.run([sys.executable, "-m", "kiosk", "merge", str(world.a2), str(world.b1),
                          str(world.c1), "--into", str(into), "--trust", str(world.trust)],
                         cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr  # one bundle rejected
    assert "REJECTED" in run.stdout and "Ismeretlen központ" in run.stdout
    assert "6 result(s)" in run.stdout
    ok = subprocess.run([sys.executable, "-m", "kiosk", "merge", str(world.a2), "--into",
                         str(into), "--trust", str(world.trust)],
                        cwd=REPO, capture_output=True, text=True)
    assert ok.returncode == 0 and "ALREADY MERGED" in ok.stdout


def test_an_older_ledger_of_the_same_centre_is_refused_whatever_its_exam(
        world: World, tmp_path: Path) -> None:
    """The organiser keeps the highest head seen per centre: a bundle below it (a rollback, or
    a stale copy) is refused with a clear message, even for another exam; its results come
    from a fresh export, which holds every event of the older one."""
    into = tmp_path / "org"
    into.mkdir()
    other = {"file": "other.zip", "sha256": "0" * 64, "centre": "Győri központ",
             "fingerprint": world.a.fingerprint, "exam": "masik-vizsga",
             "head": {"seq": 10_000, "hash": "f" * 64}, "manifest_sha256": "0" * 64,
             "results": 0, "merged_at": "", "status": "merged"}
    (into / MERGED_JSON).write_text(json.dumps({"bundles": [other], "results": []}),
                                    encoding="utf-8")
    report = merge_bundles([world.a1], into, world.trust)
    assert report.offered[0].status == "superseded"
    assert "older ledger of 'Győri központ'" in report.offered[0].reason
    assert "#10000" in report.offered[0].reason and "fresh export" in report.offered[0].reason
    assert merged(into)["results"] == []
