"""Tamper-evidence without gaps (issue 14), by attack class: rollback and truncation caught by
every kind of anchor, receipts that mean something, malformed input as one line, zip bombs,
formula payloads in CSV, read-only media."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from kiosk import invigilation
from kiosk.anchors import load_anchors
from kiosk.errors import KioskError
from kiosk.federation import MERGED_CSV, MERGED_JSON, merge_bundles
from kiosk.ledger import keys, receipts
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import HEADS_SLOT, heads_path, read_checkpoints, read_heads
from kiosk.ledger.verify import verify_ledger
from kiosk.minutes import minutes_text
from kiosk.sealed import RESULTS_CSV, RESULTS_JSON, export_sealed, verify_bundle
from tests.support import ledger_tamper as t
from tests.support.cli import kiosk
from tests.support.export_helpers import Sat, centre_with_results, members, resign, rewrite

#: A well-formed PEM public key of a type the cryptography library does not know (OID 1.2.3.4).
UNKNOWN_KEY_PEM = (b"-----BEGIN PUBLIC KEY-----\n"
                   b"MCowBQYDKgMEAyEAAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n"
                   b"-----END PUBLIC KEY-----\n")


def one_line_exit_2(run: subprocess.CompletedProcess[str]) -> None:
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert run.stderr.startswith("kiosk: ") and run.stderr.count("\n") == 1, run.stderr
    assert "Traceback" not in run.stdout + run.stderr


class Story:
    """Two candidates submit; C2 is voided after submission (the change a rollback would cut
    away); then minutes are printed, a bundle exported and merged by the organiser. Every
    place a head was shown is kept as an anchor file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sat: Sat = centre_with_results(root / "story")
        centre = self.sat.centre
        with centre.reader() as ledger:
            created = [e for e in ledger.events(kind="attempt_created")]
        self.c2_attempt = next(e.attempt for e in created if e.body["candidate"] == "C2")
        self.c1_attempt = next(e.attempt for e in created if e.body["candidate"] == "C1")
        with centre.ledger() as ledger:
            self.void = invigilation.void(ledger, invigilation.Invigilator("Felügyelő Feri"),
                                          self.c2_attempt, "talált puska")
            # A later mark on C1's attempt: the newest change, with its own receipt code.
            self.mark = ledger.append("marked", {"attempt": self.c1_attempt, "item": "e1",
                                                 "points": 0, "round": 1},
                                      actor="examiner:vizsga", attempt=self.c1_attempt)
        self.anchors = root / "anchors"
        self.anchors.mkdir()
        self.minutes = self.anchors / "minutes.txt"
        self.minutes.write_text(minutes_text(centre, self.sat.sitting), encoding="utf-8")
        self.bundle = self.anchors / "bundle.zip"
        export_sealed(centre, self.bundle)
        trust = root / "trusted-keys.toml"
        trust.write_text(f'[centres]\n"Teszt központ" = "{self.sat.fingerprint}"\n',
                         encoding="utf-8")
        self.org = root / "org"
        merge_bundles([self.bundle], self.org, trust)
        self.merged = self.org / MERGED_JSON
        self.heads = self.anchors / "heads.json"
        shutil.copy(heads_path(centre.ledger_path), self.heads)
        # The code of C1's latest change, as the result sheet prints it.
        records = json.loads(members(self.bundle)[RESULTS_JSON])["results"]
        self.latest = next(r["latest_receipt"] for r in records if r["candidate"] == "C1")
        self.receipt_file = self.anchors / "receipt.txt"
        self.receipt_file.write_text(f"C2 nyugtakód: {self.latest}\n", encoding="utf-8")
        with centre.reader() as ledger:
            self.checkpoints = read_checkpoints(ledger.conn)
        self.kinds = {
            "heads file": self.heads,
            "receipt after the latest change": self.receipt_file,
            "minutes": self.minutes,
            "sealed bundle": self.bundle,
            "organiser's store": self.merged,
        }

    def rolled_back(self, to_checkpoint: int, where: Path) -> Centre:
        """A copy of the centre whose ledger is cut back to a checkpoint, triggers restored:
        a consistent older state, as restoring an old backup would give."""
        if where.exists():
            shutil.rmtree(where)
        shutil.copytree(self.sat.centre.path, where)
        copy = Centre(where)
        conn = t.open_raw(copy.ledger_path)
        t.truncate_to(conn, to_checkpoint)
        t.restore_triggers(conn)
        conn.close()
        # The attacker also puts back the heads file of that older state.
        heads_path(copy.ledger_path).unlink()
        return copy


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    return Story(tmp_path_factory.mktemp("anchors"))


def test_every_change_gives_the_attempt_a_new_receipt_code_on_paper(story: Story) -> None:
    assert story.latest == receipts.receipt_code(story.mark.hash)
    assert story.latest != story.sat.receipts["C1"]
    text = story.minutes.read_text(encoding="utf-8")
    # The minutes print each attempt's latest code beside its submission code (the void too).
    assert story.latest in text and receipts.receipt_code(story.void.hash) in text
    assert f"#{story.mark.seq} {story.mark.hash}" in text  # and the signed head then
    rows = list(csv.DictReader(io.StringIO(members(story.bundle)[RESULTS_CSV].decode())))
    assert {r["candidate"]: r["latest_receipt"] for r in rows} == {"C1": story.latest}
    assert "C2" not in {r["candidate"] for r in rows}  # voided: no result


@pytest.mark.parametrize("kind", ["heads file", "receipt after the latest change", "minutes",
                                  "sealed bundle", "organiser's store"])
def test_rollback_to_every_earlier_checkpoint_is_caught_by_each_anchor(
        story: Story, tmp_path: Path, kind: str) -> None:
    anchors = load_anchors(story.kinds[kind])
    shown = {"heads file": story.checkpoints[-1].upto_seq,
             "receipt after the latest change": story.mark.seq,
             "minutes": story.mark.seq,
             "sealed bundle": story.mark.seq,
             "organiser's store": story.mark.seq}[kind]
    targets = [cp for cp in story.checkpoints if cp.upto_seq < shown]
    assert len(targets) > 10
    public = story.sat.centre.public_key()
    for cp in targets:
        copy = story.rolled_back(cp.id, tmp_path / "rb")
        # Without an anchor the older state is a valid ledger: that is the gap anchors close.
        assert verify_ledger(copy.ledger_path, public).ok
        report = verify_ledger(copy.ledger_path, public, anchors=anchors)
        assert not report.ok, (kind, cp.id)
        assert any("rolled back" in p.reason for p in report.problems), report.problems
    # The same through the command, once per kind.
    run = kiosk("verify", str(tmp_path / "rb"), "--anchor", str(story.kinds[kind]))
    assert run.returncode == 1 and "rolled back" in run.stdout, run.stdout + run.stderr
    # And the real ledger passes against the same anchor.
    assert verify_ledger(story.sat.centre.ledger_path, public, anchors=anchors).ok


def test_a_writer_refuses_a_ledger_older_than_its_heads_file_at_every_checkpoint(
        story: Story, tmp_path: Path) -> None:
    for cp in story.checkpoints[:-1]:
        copy = story.rolled_back(cp.id, tmp_path / "rb")
        shutil.copy(story.heads, heads_path(copy.ledger_path))
        size = copy.ledger_path.stat().st_size
        with pytest.raises(KioskError, match=r"rolled back or truncated.*kiosk verify --anchor"):
            copy.ledger()
        assert copy.ledger_path.stat().st_size == size  # nothing written


def test_a_second_heads_medium_named_in_centre_toml_also_refuses(tmp_path: Path) -> None:
    centre, _ = Centre.init(tmp_path / "c", "Tükör")
    mirror = tmp_path / "usb" / "heads.json"
    mirror.parent.mkdir()
    with open(centre.path / "centre.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[ledger]\nheads_mirror = "{mirror}"\n')
    with centre.ledger() as ledger:
        ledger.append("note", {"n": 1}, actor="system")
    backup = tmp_path / "backup.db"
    shutil.copy(centre.ledger_path, backup)
    with centre.ledger() as ledger:
        ledger.append("note", {"n": 2}, actor="system")
    assert read_heads(mirror).upto_seq == 3
    # Restore the older file and the older heads file beside it: the mirror still knows.
    shutil.copy(backup, centre.ledger_path)
    heads_path(centre.ledger_path).unlink()
    with pytest.raises(KioskError, match=str(mirror)):
        centre.ledger()
    assert not verify_ledger(centre.ledger_path, centre.public_key(),
                             anchors=load_anchors(mirror)).ok
    # The medium unplugged: the writer refuses rather than start unwitnessed.
    shutil.move(mirror.parent, tmp_path / "drawer")
    with pytest.raises(KioskError, match="heads mirror is not available"):
        centre.ledger()


def test_a_torn_heads_write_leaves_the_other_slot(tmp_path: Path) -> None:
    """A power cut during the in-place write of one slot: the other slot still holds a signed
    (one transaction older) head, so the centre starts; garbage in both is refused."""
    centre, _ = Centre.init(tmp_path / "c", "Áramszünet")
    with centre.ledger() as ledger:
        ledger.append("note", {"n": 1}, actor="system")
        ledger.append("note", {"n": 2}, actor="system")
        newest = ledger.signed_head()
    heads = heads_path(centre.ledger_path)
    assert read_heads(heads) == newest
    with open(heads, "r+b") as f:
        f.seek((newest.id % 2) * HEADS_SLOT + 40)
        f.write(b"\0" * 300)
    assert read_heads(heads).id == newest.id - 1
    with centre.ledger() as ledger:
        ledger.append("note", {"n": 3}, actor="system")
    assert read_heads(heads).id == newest.id + 1
    heads.write_bytes(os.urandom(2 * HEADS_SLOT))
    with pytest.raises(KioskError, match="unreadable heads file"):
        centre.ledger()


def test_truncation_not_at_a_checkpoint_fails_without_any_anchor(story: Story,
                                                                 tmp_path: Path) -> None:
    where = tmp_path / "cut"
    shutil.copytree(story.sat.centre.path, where)
    conn = t.open_raw(where / "ledger.db")
    conn.execute("DELETE FROM events WHERE seq > ?", (story.void.seq - 1,))
    t.restore_triggers(conn)
    conn.close()
    report = verify_ledger(where / "ledger.db", story.sat.centre.public_key())
    assert not report.ok and report.first_bad_seq is not None


def test_receipt_is_confirmed_only_after_full_verification(story: Story, tmp_path: Path) -> None:
    code = story.sat.receipts["C1"]
    assert kiosk("verify", str(story.sat.centre.path), "--receipt", code).returncode == 0
    edited = tmp_path / "edited"
    shutil.copytree(story.sat.centre.path, edited)
    conn = t.open_raw(edited / "ledger.db")
    seq = conn.execute("SELECT MAX(seq) FROM events WHERE kind = 'answer_saved'").fetchone()[0]
    t.change_field(conn, seq, "body")
    t.restore_triggers(conn)
    conn.close()
    run = kiosk("verify", str(edited), "--receipt", code)
    assert run.returncode == 1
    assert "NOT confirmed: the ledger does not verify" in run.stdout
    data = json.loads(kiosk("verify", str(edited), "--receipt", code, "--json").stdout)
    assert data["ok"] is False and data["receipts"][0]["found"] is False
    # A bare ledger file works the same (the genesis key, no centre.pub beside it).
    bare = tmp_path / "bare.db"
    shutil.copy(story.sat.centre.ledger_path, bare)
    assert kiosk("verify", str(bare), "--receipt", code).returncode == 0


def test_receipt_on_a_sealed_bundle(story: Story, tmp_path: Path) -> None:
    ok = kiosk("verify", str(story.bundle), "--receipt", story.sat.receipts["C2"],
               "--receipt", story.latest)
    assert ok.returncode == 0, ok.stdout
    assert ok.stdout.count(" found: event #") == 2
    missing = kiosk("verify", str(story.bundle), "--receipt", "0000-0000-0000")
    assert missing.returncode == 1 and "NOT found" in missing.stdout
    # The bundle changed (resigned by someone else) no longer confirms the receipt.
    forged = rewrite(story.bundle, tmp_path / "forged.zip",
                     lambda f: resign(f, keys.generate(), replace_key=True))
    run = kiosk("verify", str(forged), "--receipt", story.sat.receipts["C2"])
    assert run.returncode == 1 and "NOT confirmed" in run.stdout


def test_fingerprint_option_catches_a_whole_forgery_under_a_new_key(story: Story,
                                                                    tmp_path: Path) -> None:
    fp = story.sat.fingerprint
    assert kiosk("verify", str(story.sat.centre.path), "--fingerprint", fp).returncode == 0
    assert kiosk("verify", str(story.bundle), "--fingerprint", fp).returncode == 0
    forger, _ = Centre.init(tmp_path / "forger", "Teszt központ")
    with forger.ledger() as ledger:
        ledger.append("note", {"forged": True}, actor="system")
    run = kiosk("verify", str(forger.ledger_path), "--fingerprint", fp)
    assert run.returncode == 1 and "not by the expected" in run.stdout
    forged_bundle = rewrite(story.bundle, tmp_path / "f.zip",
                            lambda f: resign(f, keys.generate(), replace_key=True))
    assert kiosk("verify", str(forged_bundle), "--fingerprint", fp).returncode == 1
    one_line_exit_2(kiosk("verify", str(story.bundle), "--fingerprint", "nem ujjlenyomat"))


def test_malformed_keys_ledgers_and_bundles_are_one_line_exit_2(story: Story,
                                                                tmp_path: Path) -> None:
    unknown = tmp_path / "unknown"
    shutil.copytree(story.sat.centre.path, unknown)
    (unknown / "centre.pub").write_bytes(UNKNOWN_KEY_PEM)
    one_line_exit_2(kiosk("verify", str(unknown)))
    (unknown / "centre.pub").write_bytes(b"not a key at all")
    one_line_exit_2(kiosk("verify", str(unknown)))
    garbage = tmp_path / "ledger.db"
    garbage.write_bytes(os.urandom(4096))
    one_line_exit_2(kiosk("verify", str(garbage)))
    cut = tmp_path / "cut.zip"
    cut.write_bytes(story.bundle.read_bytes()[:500])
    one_line_exit_2(kiosk("verify", str(cut)))
    # A bundle whose centre.pub is of an unknown type: reported, not a traceback.
    files = members(story.bundle)
    files["centre.pub"] = UNKNOWN_KEY_PEM
    odd = rewrite(story.bundle, tmp_path / "odd.zip", lambda f: f.update(files))
    run = kiosk("verify", str(odd))
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr
    assert "centre.pub: not a readable public key" in run.stdout


def test_merge_isolates_each_bundle(story: Story, tmp_path: Path) -> None:
    files = members(story.bundle)
    files["centre.pub"] = UNKNOWN_KEY_PEM
    odd = rewrite(story.bundle, tmp_path / "odd.zip", lambda f: f.update(files))
    cut = tmp_path / "cut.zip"
    cut.write_bytes(story.bundle.read_bytes()[:500])
    trust = tmp_path / "t.toml"
    trust.write_text(f'[centres]\n"Teszt központ" = "{story.sat.fingerprint}"\n')
    report = merge_bundles([odd, cut, story.bundle], tmp_path / "org", trust)
    assert [o.status for o in report.offered] == ["rejected", "rejected", "merged"]
    assert report.results == 1  # C1 (C2 was voided)


def test_merge_poisoning_by_another_trusted_centre_is_refused(tmp_path: Path) -> None:
    """Centre B, with only its own key, puts a 999-point result 'of centre A' into its own
    signed bundle. Merged first, it used to block A's real result for good."""
    a = centre_with_results(tmp_path / "a", "Győri központ")
    b = centre_with_results(tmp_path / "b", "Pécsi központ")
    a1, b1 = tmp_path / "a1.zip", tmp_path / "b1.zip"
    export_sealed(a.centre, a1)
    export_sealed(b.centre, b1)
    b_key = keys.read_private(b.centre.private_key_path, None)

    def poison(claims: dict[str, object]):  # type: ignore[no-untyped-def]
        def change(files: dict[str, bytes]) -> None:
            data = json.loads(files[RESULTS_JSON])
            data["results"][0].update({"points": 999, "grade": 5, **claims})
            files[RESULTS_JSON] = json.dumps(data, ensure_ascii=False, indent=1,
                                             sort_keys=True).encode() + b"\n"
            resign(files, b_key)
        return change

    claims_a = rewrite(b1, tmp_path / "b-claims-a.zip", poison(
        {"centre": "Győri központ", "fingerprint": a.fingerprint, "head_seq": 10**9}))
    high_head = rewrite(b1, tmp_path / "b-high-head.zip", poison(
        {"head_seq": 10**9, "bundle_sha256": "0" * 64}))
    assert verify_bundle(claims_a).ok and verify_bundle(high_head).ok  # B signed them itself
    trust = tmp_path / "t.toml"
    trust.write_text(f'[centres]\n"Győri központ" = "{a.fingerprint}"\n'
                     f'"Pécsi központ" = "{b.fingerprint}"\n', encoding="utf-8")
    into = tmp_path / "org"
    report = merge_bundles([claims_a, high_head, a1], into, trust)
    assert [o.status for o in report.offered] == ["rejected", "merged", "merged"]
    assert "claims centre 'Győri központ'" in report.offered[0].reason
    state = json.loads((into / MERGED_JSON).read_text())
    by_centre = {(r["centre"], r["candidate"]): r for r in state["results"]}
    # A's results are A's own; B's record carries B's bundle head, not the claimed one.
    assert by_centre[("Győri központ", "C1")]["fingerprint"] == a.fingerprint
    assert by_centre[("Győri központ", "C1")]["points"] != 999
    assert 10**9 not in {r["head_seq"] for r in state["results"]}
    assert all(r["fingerprint"] == b.fingerprint for (c, _), r in by_centre.items()
               if c == "Pécsi központ")


def test_merge_refuses_a_forked_ledger_of_the_same_centre(tmp_path: Path) -> None:
    """The key holder rewrites history after an export: the next bundle must extend the head
    the organiser already has."""
    a = centre_with_results(tmp_path / "a", "Győri központ")
    fork_dir = tmp_path / "fork"
    shutil.copytree(a.centre.path, fork_dir)
    with a.centre.ledger() as ledger:  # what really happened next, e.g. a void
        ledger.append("note", {"original": True}, actor="system")
    first = tmp_path / "a1.zip"
    export_sealed(a.centre, first)
    fork = Centre(fork_dir)
    with fork.ledger() as ledger:  # the fork's own history from the same point
        for i in range(5):
            ledger.append("note", {"rewritten": i}, actor="system")
    forked = tmp_path / "fork.zip"
    export_sealed(fork, forked)
    trust = tmp_path / "t.toml"
    trust.write_text(f'[centres]\n"Győri központ" = "{a.fingerprint}"\n', encoding="utf-8")
    report = merge_bundles([first, forked], tmp_path / "org", trust)
    assert [o.status for o in report.offered] == ["merged", "rejected"]
    assert "a fork" in report.offered[1].reason


def _bomb(path: Path, members_: dict[str, bytes], compress: bool) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as zf:
        for name, data in members_.items():
            zf.writestr(name, data)
    return path


def test_zip_bombs_are_refused_before_anything_is_inflated(story: Story, tmp_path: Path) -> None:
    files = members(story.bundle)
    files["ledger/events.jsonl"] = b"\0" * (64 * 1024 * 1024)  # deflates to ~64 KB
    bomb = _bomb(tmp_path / "bomb.zip", files, compress=True)
    assert bomb.stat().st_size < 1024 * 1024
    run = kiosk("verify", str(bomb))
    one_line_exit_2(run)
    assert "compressed" in run.stderr
    many = _bomb(tmp_path / "many.zip", {f"pad/{i}": b"" for i in range(5000)}, compress=False)
    run = kiosk("verify", str(many))
    one_line_exit_2(run)
    assert "5000 members" in run.stderr
    trust = tmp_path / "t.toml"
    trust.write_text(f'[centres]\n"Teszt központ" = "{story.sat.fingerprint}"\n')
    report = merge_bundles([bomb, many, story.bundle], tmp_path / "org", trust)
    assert [o.status for o in report.offered] == ["rejected", "rejected", "merged"]


def test_a_bundle_over_the_size_cap_is_not_read(story: Story, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.sealed as sealed

    monkeypatch.setattr(sealed, "MAX_BUNDLE_BYTES", story.bundle.stat().st_size - 1)
    read: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: read.append(p) or real(p))
    with pytest.raises(KioskError, match="more than a sealed export may hold"):
        verify_bundle(story.bundle)
    assert story.bundle not in read


PAYLOADS = ["=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "=HYPERLINK(\"http://x.example\")",
            "\r=1+1"]


def _dangerous(cell: str) -> bool:
    import re

    return cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not re.fullmatch(
        r"[+-]?\d+(\.\d+)?", cell)


def test_formula_payloads_are_neutralised_in_every_csv(tmp_path: Path) -> None:
    from kiosk.domain.csv_cells import safe_cell
    from tests.support.session_helpers import ONE_PART, import_roster, load_exam

    # Every payload through the shared writer (a roster may not carry a tab or a CR).
    for payload in PAYLOADS:
        assert safe_cell(payload) == "'" + payload
    assert safe_cell("-3.5") == "-3.5" and safe_cell(-3.5) == -3.5

    centre, fp = Centre.init(tmp_path / "c", "=Központ")
    exam = load_exam(centre, tmp_path, ONE_PART.format(self_start="true"))
    names = [p for p in PAYLOADS if "\t" not in p and "\r" not in p]
    roster = "id;name;extra_minutes\n" + "".join(
        f"P{i};{name.replace(';', ',')};\n" for i, name in enumerate(names))
    import_roster(centre, roster)
    from kiosk.service.rooms.sittings import create_sitting
    from tests.support.export_helpers import submit_attempt

    with centre.ledger() as ledger:
        _, code = create_sitting(ledger, exam, room="B204", candidates="all", self_start=True)
    for i in range(len(names)):
        submit_attempt(centre, code, f"P{i}")
    outputs: dict[str, str] = {}
    outputs["kiosk results --csv"] = kiosk("results", "--centre", str(centre.path), "--csv").stdout
    outputs["kiosk stats --csv"] = kiosk("stats", exam, "--centre", str(centre.path),
                                         "--csv").stdout
    bundle = tmp_path / "b.zip"
    export_sealed(centre, bundle)
    outputs["bundle results.csv"] = members(bundle)[RESULTS_CSV].decode()
    trust = tmp_path / "t.toml"
    trust.write_text(f'[centres]\n"=Központ" = "{fp}"\n', encoding="utf-8")
    merge_bundles([bundle], tmp_path / "org", trust)
    outputs["merged.csv"] = (tmp_path / "org" / MERGED_CSV).read_text(encoding="utf-8")
    for where, text in outputs.items():
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert cells, where
        assert not [c for c in cells if _dangerous(c)], where
    # The names are still there, readable, marked as text.
    assert "'=cmd|' /C calc'!A0" in outputs["kiosk results --csv"]
    assert "'=Központ" in outputs["merged.csv"]


def test_verify_creates_no_file_and_works_on_read_only_media(story: Story,
                                                             tmp_path: Path) -> None:
    # A live centre: verify leaves the directory exactly as it was.
    centre = story.sat.centre
    before = sorted(p.name for p in centre.path.iterdir())
    assert kiosk("verify", str(centre.path)).returncode == 0
    assert sorted(p.name for p in centre.path.iterdir()) == before
    # A read-only copy (a CD): no -wal/-shm can be made, the ledger still verifies.
    media = tmp_path / "cd"
    shutil.copytree(centre.path, media)
    for p in [*media.iterdir(), media]:
        p.chmod(stat.S_IRUSR | stat.S_IXUSR if p.is_dir() else stat.S_IRUSR)
    try:
        run = kiosk("verify", str(media))
        listing = sorted(p.name for p in media.iterdir())
    finally:
        for p in [media, *media.iterdir()]:
            p.chmod(stat.S_IRWXU)
    assert run.returncode == 0, run.stdout + run.stderr
    assert listing == sorted(p.name for p in centre.path.iterdir())


def test_verify_reads_a_ledger_with_its_wal_without_writing_beside_it(tmp_path: Path) -> None:
    centre, _ = Centre.init(tmp_path / "c", "WAL")
    lone = tmp_path / "lone"
    lone.mkdir()
    ledger = centre.ledger()  # held open: the -wal and -shm exist
    try:
        ledger.append("note", {"n": 1}, actor="system")
        before = sorted(p.name for p in centre.path.iterdir())
        assert "ledger.db-wal" in before and "ledger.db-shm" in before
        report = verify_ledger(centre.ledger_path, centre.public_key())
        assert report.ok and report.events == 2
        assert sorted(p.name for p in centre.path.iterdir()) == before
        # A -wal copied without its -shm: read from a private copy, nothing made beside it.
        shutil.copy(centre.ledger_path, lone / "ledger.db")
        shutil.copy(centre.path / "ledger.db-wal", lone / "ledger.db-wal")
    finally:
        ledger.close()
    report = verify_ledger(lone / "ledger.db", centre.public_key())
    assert report.ok and report.events == 2
    assert sorted(p.name for p in lone.iterdir()) == ["ledger.db", "ledger.db-wal"]


@pytest.mark.parametrize("trigger", ["meta_no_update", "meta_no_delete",
                                     "events_no_update", "checkpoints_no_delete"])
def test_every_trigger_is_checked_including_meta(story: Story, tmp_path: Path,
                                                 trigger: str) -> None:
    where = tmp_path / "t"
    shutil.copytree(story.sat.centre.path, where)
    conn = sqlite3.connect(where / "ledger.db", isolation_level=None)
    conn.execute(f"DROP TRIGGER {trigger}")
    conn.close()
    report = verify_ledger(where / "ledger.db", story.sat.centre.public_key())
    assert not report.ok and trigger in report.problems[0].reason
    # A trigger replaced by a harmless one of the same name is caught too.
    conn = sqlite3.connect(where / "ledger.db", isolation_level=None)
    table = trigger.split("_no_")[0]
    conn.execute(f"CREATE TRIGGER {trigger} BEFORE UPDATE ON {table} BEGIN SELECT 1; END")
    conn.close()
    report = verify_ledger(where / "ledger.db", story.sat.centre.public_key())
    assert not report.ok and "replaced" in report.problems[0].reason


def test_the_minutes_pdf_is_an_anchor_too(story: Story, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from kiosk.minutes import collect_minutes, minutes_pdf

    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(minutes_pdf(collect_minutes(story.sat.centre, story.sat.sitting)))
    # Every line on its page (each line used to start where the last one ended, off the page).
    placed: list[tuple[str, float]] = []
    for page in PdfReader(str(pdf)).pages:
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: placed.append(
            (text, tm[4] * cm[0] + cm[4])) if text.strip() else None)
        assert placed and max(x for _, x in placed) < float(page.mediabox.width)
    with story.sat.centre.reader() as reader:
        head = reader.head()  # the signed head when the minutes were printed
    assert head is not None and head.seq >= story.mark.seq
    head_x = [x for text, x in placed if head.hash in text]
    assert head_x and head_x[0] < 100  # at the left margin, whole
    anchors = load_anchors(pdf)
    assert any(a.seq == head.seq and a.hash == head.hash for a in anchors)
    public = story.sat.centre.public_key()
    assert verify_ledger(story.sat.centre.ledger_path, public, anchors=anchors).ok
    earlier = next(cp for cp in reversed(story.checkpoints) if cp.upto_seq < story.mark.seq)
    copy = story.rolled_back(earlier.id, tmp_path / "rb")
    run = kiosk("verify", str(copy.path), "--anchor", str(pdf))
    assert run.returncode == 1 and "rolled back" in run.stdout


def test_the_result_sheet_prints_the_code_after_the_latest_change(story: Story,
                                                                   tmp_path: Path) -> None:
    from pypdf import PdfReader

    from kiosk.commands.documents import write_result_sheet

    out = tmp_path / "C1.pdf"
    record = write_result_sheet(story.sat.centre, "C1", out, language="en")
    assert record["latest_receipt"] == story.latest
    text = "".join(page.extract_text() for page in PdfReader(str(out)).pages)
    assert story.sat.receipts["C1"] in text and story.latest in text
    # … and the sheet is itself an anchor: the code it carries must stay in the ledger.
    assert any(a.receipt == story.latest for a in load_anchors(out))


def test_a_directory_of_a_million_members_is_refused_from_its_end_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count comes from the end-of-directory record: zipfile never lists the entries."""
    import kiosk.sealed as sealed

    tiny = _bomb(tmp_path / "tiny.zip", {"a": b"x"}, compress=False)
    raw = bytearray(tiny.read_bytes())
    eocd = raw.rfind(b"PK\x05\x06")
    raw[eocd + 8:eocd + 12] = (0xFFFF).to_bytes(2, "little") * 2  # claims 65,535 entries
    forged = tmp_path / "million.zip"
    forged.write_bytes(bytes(raw))
    monkeypatch.setattr(sealed.zipfile, "ZipFile", None)  # would raise TypeError if reached
    with pytest.raises(KioskError, match="65535 members"):
        verify_bundle(forged)
