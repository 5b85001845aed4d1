"""The trust boundary and durability with real processes: a candidate terminal under another
uid sits a whole exam through the socket while the centre directory is closed to it; the
service killed (SIGKILL) at random points under several clients loses no acknowledged answer
and leaves a ledger that verifies after every restart."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.ledger.verify import find_receipt, verify_ledger
from kiosk.service.spawn import start_service
from tests.support.service_helpers import env_with_repo, running_service, socket_dir
from tests.support.session_helpers import BANK, import_roster, new_sitting

NOBODY = 65534


def client_cmd(sock: Path, cid: str, code: str, seat: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tests.support.service_client", str(sock), cid, code, seat, *extra]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the client as another uid")
def test_candidate_under_another_uid_sits_a_whole_exam(tmp_path: Path) -> None:
    from tests.support.session_helpers import make_setup

    s = make_setup(tmp_path)
    centre = s.centre.path
    centre.chmod(0o700)  # the service's account only
    sock = socket_dir() / "service.sock"
    with running_service(centre, sock=sock):
        out = subprocess.run(
            client_cmd(sock, "C1", s.code, "PC1", "--as-uid", str(NOBODY), "--centre",
                       str(centre)),
            capture_output=True, text=True, timeout=120, env=env_with_repo(),
            cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["uid"] == NOBODY
    assert report["read_key"] is False and report["read_ledger"] is False
    assert report["saves"] == 3
    found = find_receipt(s.centre.ledger_path, report["receipt"])
    assert found is not None and found[1] == "attempt_submitted"
    with s.centre.reader() as r:
        login = next(r.events(kind="candidate_logged_in"))
    assert login.body["peer_uid"] == NOBODY


def _centre_with_text_items(tmp: Path, clients: int = 3) -> tuple[Path, str]:
    from kiosk.ledger.centre import Centre

    centre, _ = Centre.init(tmp / "centre", "Kill test")
    text_bank = BANK + "".join(f"""
[[items]]
id = "s{i}"
type = "short_text"
topic = "S"
points = 1
stem = "Írj valamit {i}"
answers = ["x"]
""" for i in range(1, 5))
    d = tmp / "content"
    d.mkdir()
    (d / "bank.toml").write_text(text_bank, encoding="utf-8")
    (d / "exam.toml").write_text("""
[exam]
id = "kill"
title = "Kill"
banks = ["bank.toml"]
self_start = true
[[parts]]
id = "1"
title = "R"
minutes = 600
[[parts.draw]]
topic = "S"
count = 4
""", encoding="utf-8")
    from kiosk.demo import load_exam_file

    exam = load_exam_file(centre, d / "exam.toml")
    import_roster(centre, "id;name;extra_minutes\n" + "".join(
        f"C{i};Jelölt {i};\n" for i in range(1, clients + 1)))
    _sitting, code = new_sitting(centre, exam)
    return centre.path, code


def kill_run(tmp: Path, *, kills: int, clients: int = 3, seed: int = 1) -> dict[str, int]:
    """Clients save unique answers in a loop while the service is SIGKILLed `kills` times at
    random moments and restarted. Returns counts; raises AssertionError on any loss."""
    rng = random.Random(seed)
    centre, code = _centre_with_text_items(tmp, clients)
    sock = socket_dir() / "service.sock"
    log = tmp / "service.log"
    acks = [tmp / f"ack{i}.tsv" for i in range(clients)]
    service = start_service(centre, sock, log=log)
    procs = [subprocess.Popen(
        client_cmd(sock, f"C{i + 1}", code, f"PC{i + 1}", "--saves", "1000000", "--ack-log",
                   str(acks[i]), "--no-submit"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env_with_repo(),
        cwd=Path(__file__).resolve().parents[2]) for i in range(clients)]
    from kiosk.ledger.centre import Centre

    c = Centre.open(centre)
    try:
        # Every client is in and saving before the first kill (a loaded machine is slow to
        # start 3 processes).
        deadline = time.monotonic() + 90
        while not all(f.exists() and f.stat().st_size for f in acks):
            assert time.monotonic() < deadline, "the clients did not start saving"
            time.sleep(0.2)
        for _ in range(kills):
            # A random moment after the restart, long enough for the clients to log in again
            # and save (the service starts in about half a second).
            time.sleep(rng.uniform(0.3, 1.5))
            os.kill(service.proc.pid, signal.SIGKILL)
            service.proc.wait()
            # After every crash: the ledger verifies (every commit was signed).
            report = verify_ledger(c.ledger_path, c.public_key())
            assert report.ok, report
            service = start_service(centre, sock, log=log)
        time.sleep(0.5)
    finally:
        for p in procs:
            p.kill()
            p.wait()
        service.stop()
    with c.reader() as r:
        saved = {(e.attempt, e.body["item"], json.dumps(e.body["response"]))
                 for e in r.events(kind="answer_saved")}
    acked = [tuple(line.split("\t")) for f in acks if f.exists()
             for line in f.read_text(encoding="utf-8").splitlines()]
    lost = [a for a in acked if a not in saved]
    silent = [i for i, f in enumerate(acks) if not f.exists() or not f.read_text().strip()]
    assert not silent, f"clients {silent} never got a save acknowledged"
    assert not lost, f"{len(lost)} acknowledged answers lost, e.g. {lost[:3]}"
    assert verify_ledger(c.ledger_path, c.public_key()).ok
    return {"acknowledged": len(acked), "saved": len(saved), "kills": kills}


def test_sigkill_of_the_service_loses_no_acknowledged_answer(tmp_path: Path) -> None:
    counts = kill_run(tmp_path, kills=4)
    assert counts["acknowledged"] > 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a process as another uid")
def test_a_stolen_token_is_refused_from_another_uid(tmp_path: Path) -> None:
    """A candidate token works only for the Unix user that logged in with it."""
    from kiosk.client import RemoteSession
    from tests.support.session_helpers import make_setup

    s = make_setup(tmp_path)
    sock = socket_dir() / "service.sock"
    script = ("import os, sys\nfrom kiosk.client import Client\nimport kiosk.session_errors\n"
              "os.setgid(65534); os.setuid(65534)\n"
              "c = Client(sys.argv[1]); c.token = sys.argv[2]\n"
              "try:\n    c.request('POST', '/v1/candidate/answer', "
              "{'item': sys.argv[3], 'response': True})\n    print('ACCEPTED')\n"
              "except Exception as exc:\n    print(type(exc).__name__)\n")
    with running_service(s.centre.path, sock=sock):
        mine = RemoteSession.login(sock, "C1", s.code, seat="PC1")
        mine.start()
        key = mine.parts[0].items[0].key
        out = subprocess.run([sys.executable, "-c", script, str(sock), str(mine.client.token),
                              key], capture_output=True, text=True, timeout=60,
                             env=env_with_repo(), cwd=Path(__file__).resolve().parents[2])
        assert out.stdout.strip() == "SessionLost", out.stderr
        # the owner still can
        mine.save_answer(key, True)
    with s.centre.reader() as r:
        answers = [e for e in r.events(kind="answer_saved")]
    assert [e.body["response"] for e in answers] == [True]
