"""`kiosk simulate`: candidates in separate processes through the real session code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.ledger.centre import Centre
from kiosk.ledger.verify import verify_ledger
from kiosk.simulation import percentile, response_for

REPO = Path(__file__).resolve().parents[2]
PRACTICE = REPO / "question_banks" / "practice_en.exam.toml"


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=120)


def test_simulate_runs_candidates_to_submission_and_reports(tmp_path: Path) -> None:
    centre = tmp_path / "centre"
    proc = kiosk("simulate", "--centre", str(centre), "--exam", str(PRACTICE),
                 "--candidates", "5", "--speed", "200", "--kill", "0.4", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["candidates"] == 5
    assert data["saves_acked"] >= 5 * 5 and data["saves_made"] >= data["saves_acked"]
    assert data["lost"] == 0 and data["verify_ok"] is True
    # Two victims (40 %); a kill planned after its victim finished does not happen.
    assert data["kills"] <= 2 and data["resumed"] == data["kills"]
    assert data["submitted"] + data["timed_out"] == 5
    assert 0 < data["p50_ms"] <= data["p95_ms"] <= data["p99_ms"]
    # What the report counts is what the ledger holds: one attempt per candidate, every one
    # finished, and the answers the processes acknowledged.
    c = Centre.open(centre)
    with c.reader() as reader:
        created = list(reader.events(kind="attempt_created"))
        finished = list(reader.events(kind="attempt_submitted"))
        answers = list(reader.events(kind="answer_saved"))
        kinds = {e.kind for e in reader.events()}
        logins = list(reader.events(kind="candidate_logged_in"))
    assert len(created) == 5 and len(finished) == 5
    assert len(answers) >= data["saves_acked"]
    # (time_tick: the service persists idle time every few real seconds; this run is shorter)
    assert {"flag_set", "navigated"} <= kinds
    # The candidates went through a centre service: it recorded each client's Unix uid.
    assert logins and all(e.body.get("peer_uid") == os.getuid() for e in logins)
    assert verify_ledger(c.ledger_path, c.public_key()).ok


def test_simulate_again_reuses_candidates_and_prints_figures(tmp_path: Path) -> None:
    centre = tmp_path / "centre"
    first = kiosk("simulate", "--centre", str(centre), "--exam", str(PRACTICE),
                  "--candidates", "2", "--speed", "300", "--kill", "0")
    assert first.returncode == 0, first.stderr
    assert "registered 2 simulated candidates" in first.stdout
    second = kiosk("simulate", "--centre", str(centre), "--exam", "practice-en",
                   "--candidates", "3", "--speed", "300", "--kill", "0")
    assert second.returncode == 0, second.stderr
    out = second.stdout
    assert "registered 1 simulated candidates" in out
    for text in ("saves made:", "acknowledged:", "errors: 0", "save latency ms: p50",
                 "p95", "p99", "lost acknowledged saves: 0", "ledger verify: OK"):
        assert text in out, out


def test_simulate_refuses_an_unknown_exam_in_one_line(tmp_path: Path) -> None:
    centre = tmp_path / "centre"
    kiosk("init", "--centre", str(centre))
    proc = kiosk("simulate", "--centre", str(centre), "--exam", "no-such-exam",
                  "--candidates", "2")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "no-such-exam" in proc.stderr


def test_percentile_and_responses_follow_the_contract() -> None:
    import random

    from kiosk.domain.banks import all_items
    from kiosk.loading import load_banks
    from kiosk.plugins import registry

    assert percentile([5.0, 1.0, 3.0], 50) == 3.0
    assert percentile(list(map(float, range(1, 101))), 99) == 99.0
    items = all_items(load_banks([REPO / "question_banks" / "practice_en.toml"]).values())
    types = registry().question_types
    rng = random.Random(3)
    for item in items.values():
        qtype = types[item.type]
        correct = qtype.correct_response(item)
        for _ in range(5):
            response = response_for(item, {}, rng, correct)
            # Every simulated response is one the question type can judge.
            if item.type != "essay":
                qtype.judge(item, response)
            assert type(response) is type(correct) or item.type == "numeric"
