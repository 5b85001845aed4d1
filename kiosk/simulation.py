"""Simulated candidates: N attempts driven through `kiosk.session.CandidateSession` (the code the
candidate app uses, without the UI), each in its own process, with exam-day pacing compressed by
a speed factor. Used by `kiosk simulate`, the load benchmark and the fault tests.

Pacing, in exam time (divided by `speed` in real time): a candidate reads and thinks 20–90 s per
question, sometimes flags it, sometimes goes back and changes an earlier answer, and types essays
in bursts (one save per burst). Some candidates are killed with SIGKILL at a random moment and a
new process logs in again and resumes, as after a power cut or a crashed terminal.

The session's monotonic clock is compressed by `speed` (an injected clock), so a 10-minute exam
at speed 20 takes 30 s. `tick()` is called once a real second, like the app does; with speed ≥ 4
every tick therefore persists a `time_tick` and refreshes the terminal's lease, so the write load
per candidate is heavier than on a real exam day, never lighter.

Every acknowledged save (save_answer returned, i.e. after COMMIT) is written by the child to its
own log file before anything else happens; afterwards `lost_saves` checks every acknowledged
answer against the ledger.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import random
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.ledger.canonical import canonical_json
from kiosk.ledger.centre import Centre

SIM_PREFIX = "SIM"
SIM_ROOM = "SIM"
#: Exam seconds a candidate spends on a question before answering (uniform in this range).
THINK_S = (20.0, 90.0)
#: Exam seconds between two saves of an essay being typed.
BURST_S = (8.0, 25.0)
TICK_EVERY_S = 1.0
FLAG_P = 0.12
CHANGE_P = 0.2


# --- preparing a centre -----------------------------------------------------------------------


@dataclass(frozen=True)
class SimSetup:
    centre: Path
    exam: str
    sitting: str
    code: str
    candidates: list[str]
    actions: list[str] = field(default_factory=list)


def sim_ids(n: int) -> list[str]:
    return [f"{SIM_PREFIX}{i:04d}" for i in range(1, n + 1)]


def prepare(centre_dir: Path, exam: str, candidates: int, *, passphrase: str | None = None
            ) -> SimSetup:
    """A centre ready for `candidates` simulated candidates: creates the centre when the directory
    holds none, loads `exam` when it names an exam file, registers the missing SIM0001… candidates
    and creates a new self-start sitting (room "SIM") for them, whose access code it returns."""
    from kiosk.demo import load_exam_file
    from kiosk.domain import roster as rosters
    from kiosk.exam_store import LOADED, latest_loads
    from kiosk.ledger.store import NewEvent
    from kiosk.service.rooms.sittings import create_sitting

    if candidates < 1:
        raise KioskError("--candidates: at least 1")
    actions: list[str] = []
    if (centre_dir / "ledger.db").exists():
        centre = Centre.open(centre_dir)
    else:
        centre, _ = Centre.init(centre_dir, "Simulated centre", passphrase)
        actions.append(f"created the centre {centre_dir}")
    exam_path = Path(exam)
    if exam.endswith(".toml") and exam_path.is_file():
        with centre.reader() as reader:
            loaded = latest_loads(reader.events(kind=LOADED))
        exam_id = _exam_id(exam_path)
        if exam_id not in loaded:
            exam_id = load_exam_file(centre, exam_path)
            actions.append(f"loaded exam {exam_id} from {exam_path}")
    else:
        exam_id = exam
        with centre.reader() as reader:
            if exam_id not in latest_loads(reader.events(kind=LOADED)):
                raise KioskError(f"--exam: {exam_id!r} is neither a loaded exam nor an exam "
                                 "file (.toml)")
    ids = sim_ids(candidates)
    with centre.ledger(passphrase) as ledger:
        registered = rosters.roster_registrations(ledger)
        missing = [c for c in ids if c not in registered]
        if missing:
            text = "id;name\n" + "".join(f"{c};Simulated Candidate {c[len(SIM_PREFIX):]}\n"
                                         for c in missing)
            parsed = rosters.parse_roster(text, "simulated-roster.csv")
            if not parsed.ok:
                raise KioskError(parsed.errors[0])
            sha = hashlib.sha256(text.encode()).hexdigest()
            ledger.append_many([NewEvent(k, b, "system") for k, b in rosters.import_bodies(
                parsed, "simulated-roster.csv", sha)])
            actions.append(f"registered {len(missing)} simulated candidates")
        sitting, code = create_sitting(ledger, exam_id, room=SIM_ROOM, candidates=ids,
                                       self_start=True, actor="system")
        actions.append(f"created the self-start sitting {sitting.id}")
    return SimSetup(centre.path, exam_id, sitting.id, code, ids, actions)


def _exam_id(path: Path) -> str:
    import tomllib

    try:
        return str(tomllib.loads(path.read_text(encoding="utf-8"))["exam"]["id"])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        raise KioskError(f"{path}: not a readable exam file") from None


# --- responses --------------------------------------------------------------------------------

WORDS = ("the", "exam", "answer", "because", "therefore", "energy", "market", "law", "system",
         "value", "water", "tilted", "axis", "summer", "winter", "price", "demand", "supply",
         "hálózat", "közigazgatás", "ügyfél", "adó", "érték", "időszak")


# --- the response model -----------------------------------------------------------------------
#
# Simulated candidates answer by the Rasch model, so simulated statistics mean something: each
# candidate has an ability θ ~ N(0, 1) and each item a difficulty b ~ N(0, 1), both fixed by a
# hash of the seed and the id (the same candidate and item give the same values in every run and
# process), and a candidate answers an item right with probability 1 / (1 + exp(b − θ)). A wrong
# answer is a wrong response of the item's type. Calibrating the results
# (kiosk.domain.rasch) recovers b (tests/unit/test_rasch.py).


def _normal(*parts: object) -> float:
    digest_ = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return random.Random(digest_).gauss(0.0, 1.0)


def true_ability(seed: int, candidate: str) -> float:
    return _normal("ability", seed, candidate)


def true_difficulty(seed: int, item_key: str) -> float:
    return _normal("difficulty", seed, item_key)


def p_right(ability: float, difficulty: float) -> float:
    return 1.0 / (1.0 + math.exp(difficulty - ability))


def model_response(item: Any, presentation: dict[str, Any], rng: random.Random, correct: Any,
                   ability: float, difficulty: float) -> Any:
    """Right (the correct response) with the model's probability, else a wrong response."""
    if correct is not None and rng.random() < p_right(ability, difficulty):
        return correct
    return wrong_response(item, presentation, rng, correct)


def wrong_response(item: Any, presentation: dict[str, Any], rng: random.Random,
                   correct: Any) -> Any:
    """A response that is not the correct one (a plausible mistake of the item's type)."""
    for _ in range(20):
        guess = response_for(item, presentation, rng, correct)
        if guess != correct:
            return guess
    if isinstance(correct, bool):
        return not correct
    return f"{rng.choice(WORDS)} {rng.randint(1, 99)}"


def response_for(item: Any, presentation: dict[str, Any], rng: random.Random,
                 correct: Any) -> Any:
    """A plausible response to `item` (right or wrong), in the shape the contract gives for its
    type; unknown (plugin) types answer their correct response or a string."""
    spec = item.spec
    kind = item.type
    options = [str(o.get("id")) for o in spec.get("options", []) if isinstance(o, dict)]
    if kind == "single_choice" and options:
        return rng.choice(options)
    if kind == "multiple_response" and options:
        return sorted(rng.sample(options, rng.randint(1, len(options))))
    if kind == "true_false":
        return rng.random() < 0.5
    if kind == "ordering" and isinstance(correct, list):
        order = list(correct)
        rng.shuffle(order)
        return order
    if kind == "matching" and isinstance(correct, dict):
        rights = list(correct.values())
        return {k: rng.choice(rights) for k in correct}
    if kind == "cloze" and isinstance(correct, dict):
        return {k: (v if rng.random() < 0.6 else rng.choice(WORDS)) for k, v in correct.items()}
    if kind == "numeric":
        return rng.choice([str(correct), f"{rng.randint(0, 500)}"])
    if kind == "short_text":
        return rng.choice([str(correct), rng.choice(WORDS)])
    if isinstance(correct, str | bool | int | float | list | dict):
        return correct if rng.random() < 0.5 else f"{rng.choice(WORDS)} {rng.randint(1, 99)}"
    return rng.choice(WORDS)


def digest(response: Any) -> str:
    return hashlib.sha256(canonical_json({"r": response}).encode()).hexdigest()[:16]


# --- one candidate (a child process) ------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    centre: str
    candidate: str
    code: str
    seat: str
    speed: float
    seed: int
    log: str
    ready: str = ""  # a file to create once logged in
    go: str = ""  # answering starts once this file exists
    tick_every: float = TICK_EVERY_S
    #: the centre service's socket: the candidate is a client of it (else CandidateSession)
    service: str = ""


class _Log:
    """Append-only JSON lines, one write(2) each, so a SIGKILL never leaves half a record."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def __call__(self, **record: Any) -> None:
        os.write(self.fd, (json.dumps(record, ensure_ascii=False) + "\n").encode())


def compressed_clock(speed: float) -> Callable[[], float]:
    base = time.monotonic()
    return lambda: base + (time.monotonic() - base) * speed


def run_candidate(job: Job) -> None:
    """Sit one exam to submission (or to the timeout), logging every save with its latency."""
    from kiosk.session import SessionElsewhere

    log = _Log(job.log)
    session = _login(job, log)
    if session is None:
        return
    while job.go and not os.path.exists(job.go):
        time.sleep(0.05)
    try:
        _Sitter(job, session, log).sit()
    except SessionElsewhere as exc:
        log(t="error", kind="SessionElsewhere", msg=str(exc)[:200])
    except KioskError as exc:
        log(t="error", kind=type(exc).__name__, msg=str(exc)[:200])


def _login(job: Job, log: _Log) -> Any:
    """The candidate's session (through the service, or in-process), or None (logged)."""
    from kiosk.session import CandidateSession

    t0 = time.perf_counter()
    try:
        if job.service:
            from kiosk.client import RemoteSession

            # A terminal keeps knocking while the service is busy (the app shows "call the
            # invigilator" meanwhile; here the call just waits).
            session = RemoteSession.login(job.service, job.candidate, job.code, seat=job.seat,
                                          patience=60.0)
        else:
            session = CandidateSession.login(job.centre, job.candidate, job.code, seat=job.seat,
                                             clock=compressed_clock(job.speed))
    except KioskError as exc:
        log(t="error", kind=type(exc).__name__, where="login", msg=str(exc)[:200])
        if job.ready:
            Path(job.ready).touch()
        return None
    log(t="login", ms=(time.perf_counter() - t0) * 1000, attempt=session.attempt_id)
    if job.ready:
        Path(job.ready).touch()
    return session


class _Sitter:
    """One simulated candidate working through the paper: thinks, answers, flags, goes back
    and changes answers, ticks once a real second, submits each part."""

    def __init__(self, job: Job, session: Any, log: _Log) -> None:
        from kiosk.plugins import registry

        self.job, self.session, self.log = job, session, log
        self.rng = random.Random(f"{job.seed}:{job.candidate}:{os.getpid()}")
        self.ability = true_ability(job.seed, job.candidate)
        self.types = registry().question_types
        self.last_tick = time.monotonic()
        self.answered: list[tuple[str, Any, dict[str, Any]]] = []

    def tick(self) -> bool:
        """False once the attempt is over."""
        self.last_tick = time.monotonic()
        view = self.session.tick()
        return view.status not in ("submitted", "timed_out", "voided")

    def wait(self, exam_seconds: float) -> bool:
        """Think for `exam_seconds` of exam time, ticking once a real second."""
        every = self.job.tick_every
        end = time.monotonic() + exam_seconds / self.job.speed
        while True:
            now = time.monotonic()
            if now >= end:
                return True
            if now - self.last_tick >= every and not self.tick():
                return False
            time.sleep(min(end - now, max(0.0, every - (now - self.last_tick))))

    def save(self, key: str, response: Any) -> bool:
        from kiosk.session import NotInProgress, NotSaved, PartClosed

        if self.session.view().answers.get(key) == response:
            return True
        self.log(t="try", item=key)
        start = time.perf_counter()
        try:
            self.session.save_answer(key, response)
        except NotSaved as exc:
            self.log(t="error", kind="NotSaved", msg=str(exc)[:200],
                     ms=(time.perf_counter() - start) * 1000)
            return True
        except (PartClosed, NotInProgress):
            return False
        self.log(t="ack", attempt=self.session.attempt_id, item=key, r=digest(response),
                 ms=(time.perf_counter() - start) * 1000)
        return True

    def model(self, item: Any, presentation: Any, key: str) -> Any:
        return model_response(item, presentation, self.rng, _correct(self.types, item),
                              self.ability, true_difficulty(self.job.seed, key))

    def essay(self, key: str) -> bool:
        text = ""
        for _ in range(self.rng.randint(2, 5)):
            if not self.wait(self.rng.uniform(*BURST_S)):
                return False
            text += " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(5, 25)))
            text += ". "
            if not self.save(key, text):
                return False
        return True

    def answer(self, part: Any, index: int, pv: Any) -> bool:
        """One item, then perhaps a flag and a change of an earlier answer; False once the
        attempt or the part is over."""
        session, rng = self.session, self.rng
        if index != session.view().index:
            session.goto(index)
        correct = _correct(self.types, pv.item)
        if pv.item.type == "essay":
            running = self.essay(pv.key)
        else:
            running = self.wait(rng.uniform(*THINK_S)) and self.save(
                pv.key, self.model(pv.item, pv.presentation, pv.key))
        self.answered.append((pv.key, correct, pv.presentation))
        if running and rng.random() < FLAG_P:
            session.set_flag(pv.key, True)
            self.log(t="flag", item=pv.key)
        if running and len(self.answered) > 1 and rng.random() < CHANGE_P:
            back = rng.randrange(len(part.items))
            other = part.items[back]
            if other.item.type != "essay":
                session.goto(back)
                running = self.wait(rng.uniform(5.0, 20.0)) and self.save(
                    other.key, self.model(other.item, other.presentation, other.key))
        return running

    def sit(self) -> None:
        session = self.session
        session.start()
        running = True
        while running:
            view = session.view()
            if view.status in ("submitted", "timed_out", "voided"):
                break
            if view.status not in ("in_progress", "away"):
                running = self.wait(2.0)  # paused or not started: wait for the invigilator
                continue
            part = session.parts[view.part_index]
            for index, pv in enumerate(part.items):
                if not running:
                    break
                if pv.key in session.view().answers:
                    continue  # answered before a crash: the candidate goes on from there
                running = self.answer(part, index, pv)
            if running:
                if session.view().part_index >= len(session.parts) - 1:
                    self.log(t="submitted", receipt=session.submit())
                    running = False
                else:
                    session.submit_part()
        final = session.view()
        if final.status == "timed_out":
            self.log(t="timed_out")
        session.close(force=True)
        self.log(t="done", status=final.status)


def _correct(types: dict[str, Any], item: Any) -> Any:
    """The item's correct response when this process can know it (never through the service:
    a terminal gets no keys), else None."""
    try:
        return types[item.type].correct_response(item) if item.type in types else None
    except Exception:  # noqa: BLE001 - a key-less item
        return None


def _child(job: Job) -> None:
    # The parent's SIGINT handling is not ours; a kill is the only way a simulated terminal ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if job.service:
        # Simulated terminals stand for other machines (or for processes the service must not
        # starve behind): on this one they yield the CPU to the service first.
        os.nice(5)
    try:
        run_candidate(job)
    finally:
        os._exit(0)


# --- many candidates --------------------------------------------------------------------------


@dataclass
class SimReport:
    candidates: int
    speed: float
    wall_s: float = 0.0
    total_s: float = 0.0
    login_s: float = 0.0
    saves_made: int = 0
    saves_acked: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    logins_ms: list[float] = field(default_factory=list)
    kills: int = 0
    resumed: int = 0
    submitted: int = 0
    timed_out: int = 0
    unfinished: int = 0
    events: int = 0
    lost: list[str] = field(default_factory=list)
    verify_ok: bool | None = None
    verify_problems: list[str] = field(default_factory=list)
    console_ms: list[float] = field(default_factory=list)
    console_rows: int = 0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def lines(self) -> list[str]:
        lat = self.latencies_ms
        out = [
            f"candidates: {self.candidates}   speed: {self.speed:g}×   wall: {self.wall_s:.1f} s",
            f"saves made: {self.saves_made}   acknowledged: {self.saves_acked}   "
            f"errors: {self.error_count}"
            + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) + ")"
               if self.errors else ""),
        ]
        out.append("answers: Rasch model, P(right) = 1 / (1 + exp(b − θ)); ability θ and "
                   "item difficulty b ~ N(0, 1), fixed by the seed and the ids")
        if lat:
            out.append(f"save latency ms: p50 {percentile(lat, 50):.1f}   p95 "
                       f"{percentile(lat, 95):.1f}   p99 {percentile(lat, 99):.1f}   max "
                       f"{max(lat):.1f}")
            out.append(f"throughput: {len(lat) / self.wall_s:.1f} acknowledged saves/s; "
                       f"{self.events} ledger events in all")
        if self.logins_ms:
            out.append(f"logins (all at once, before the answering): {self.login_s:.1f} s; "
                       f"each p50 {percentile(self.logins_ms, 50):.0f} ms   p99 "
                       f"{percentile(self.logins_ms, 99):.0f} ms")
        out.append(f"killed and resumed: {self.kills} kills, {self.resumed} resumed logins;"
                   f" submitted {self.submitted}, timed out {self.timed_out}, unfinished "
                   f"{self.unfinished}")
        if self.console_ms:
            out.append(f"invigilator console refresh during the load ({self.console_rows} rows):"
                       f" p50 {percentile(self.console_ms, 50):.1f} ms   p99 "
                       f"{percentile(self.console_ms, 99):.1f} ms   ({len(self.console_ms)} "
                       "refreshes)")
        out.append(f"lost acknowledged saves: {len(self.lost)}")
        if self.verify_ok is not None:
            out.append("ledger verify: " + ("OK" if self.verify_ok else
                                            "FAILED: " + "; ".join(self.verify_problems[:3])))
        for sample in self.error_samples[:3]:
            out.append(f"  e.g. {sample}")
        return out

    def as_dict(self) -> dict[str, Any]:
        lat = self.latencies_ms
        return {
            "candidates": self.candidates, "speed": self.speed, "wall_s": round(self.wall_s, 2),
            "saves_made": self.saves_made, "saves_acked": self.saves_acked,
            "errors": self.errors, "kills": self.kills, "resumed": self.resumed,
            "submitted": self.submitted, "timed_out": self.timed_out,
            "unfinished": self.unfinished, "events": self.events, "lost": len(self.lost),
            "verify_ok": self.verify_ok,
            "p50_ms": percentile(lat, 50) if lat else None,
            "p95_ms": percentile(lat, 95) if lat else None,
            "p99_ms": percentile(lat, 99) if lat else None,
            "max_ms": max(lat) if lat else None,
            "throughput": len(lat) / self.wall_s if self.wall_s else None,
            "login_p50_ms": percentile(self.logins_ms, 50) if self.logins_ms else None,
            "console_p50_ms": percentile(self.console_ms, 50) if self.console_ms else None,
            "console_p99_ms": percentile(self.console_ms, 99) if self.console_ms else None,
        }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class _Running:
    candidate: str
    process: multiprocessing.process.BaseProcess
    kill_at: float | None  # monotonic


def simulate(setup: SimSetup, *, speed: float = 20.0, seed: int = 1, kill_fraction: float = 0.1,
             kills_per_candidate: int = 1, kill_window: tuple[float, float] = (0.05, 0.8),
             timeout_s: float | None = None,
             console: bool = False, verify: bool = True, log_dir: Path | None = None,
             on_line: Callable[[str], None] | None = None,
             service: bool = False) -> SimReport:
    """Run every candidate of `setup` in its own process and gather the report.

    `kill_fraction` of the candidates are killed (SIGKILL) `kills_per_candidate` times at random
    moments (within `kill_window` of the exam's length after each start) and resumed by a new
    process. `console` measures the invigilator room view's refresh
    while the load runs. Logins happen first; everyone starts answering at the same moment.
    With `service` the candidates are clients of a centre service started here (its exam clock
    compressed by `speed`), as `kiosk sit` terminals are."""

    if speed <= 0:
        raise KioskError("--speed must be positive")
    rng = random.Random(seed)
    report = SimReport(len(setup.candidates), speed)
    ctx = multiprocessing.get_context("fork")
    _preload()
    own_dir = log_dir is None
    logs = Path(tempfile.mkdtemp(prefix="kiosk-sim-")) if log_dir is None else log_dir
    (logs / "ready").mkdir(parents=True, exist_ok=True)
    go = logs / "go"
    exam_s = _exam_seconds(setup)
    victims = set(rng.sample(setup.candidates, round(kill_fraction * len(setup.candidates))))
    kills_left = {c: kills_per_candidate for c in victims}
    go_at: float | None = None  # monotonic

    def kill_time(candidate: str) -> float | None:
        if go_at is None or kills_left.get(candidate, 0) <= 0:
            return None
        # A moment within `kill_window` (shares of the exam's length) after the (re)start.
        return max(time.monotonic(), go_at) + rng.uniform(*kill_window) * exam_s / speed

    child_service = None
    if service:
        from kiosk.service.spawn import start_service

        child_service = start_service(setup.centre, logs / "service.sock", time_scale=speed,
                                      log=logs / "service.log")

    def spawn(candidate: str) -> _Running:
        job = Job(str(setup.centre), candidate, setup.code, f"seat-{candidate}", speed,
                  seed, str(logs / f"{candidate}.jsonl"), str(logs / "ready" / candidate),
                  str(go), service=str(child_service.path) if child_service else "")
        proc = ctx.Process(target=_child, args=(job,), daemon=True)
        proc.start()
        return _Running(candidate, proc, kill_time(candidate))

    # No threads in this process: a fork while another thread holds a lock (SQLite's, the
    # import lock) would leave the child waiting forever. The console is a process too.
    console_proc = None
    if console:
        console_proc = ctx.Process(target=_console_child, daemon=True,
                                   args=(setup, str(logs / "console.txt"), str(go),
                                         str(child_service.path) if child_service else ""))
        console_proc.start()
    t_start = time.monotonic()
    running = [spawn(c) for c in setup.candidates]
    # Everyone logs in first (a scrypt check each); the answering starts for all at once.
    login_deadline = t_start + (timeout_s or 60.0 + 0.5 * len(setup.candidates))
    deadline = login_deadline
    try:
        while running:
            now = time.monotonic()
            if go_at is None and (len(os.listdir(logs / "ready")) >= len(setup.candidates)
                                  or now > login_deadline):
                go.touch()
                go_at = now
                report.login_s = now - t_start
                deadline = now + (timeout_s if timeout_s is not None
                                  else exam_s / speed * 1.5 + 30)
                for r in running:
                    r.kill_at = kill_time(r.candidate)
            still: list[_Running] = []
            for r in running:
                if not r.process.is_alive():
                    r.process.join()
                    continue
                if r.kill_at is not None and now >= r.kill_at:
                    os.kill(r.process.pid or 0, signal.SIGKILL)
                    r.process.join()
                    report.kills += 1
                    kills_left[r.candidate] -= 1
                    report.resumed += 1
                    still.append(spawn(r.candidate))
                    continue
                if now > deadline:
                    os.kill(r.process.pid or 0, signal.SIGKILL)
                    r.process.join()
                    report.unfinished += 1
                    continue
                still.append(r)
            running = still
            time.sleep(0.02)
    finally:
        _stop_all(running, console_proc, child_service)
    # Throughput counts the answering phase only.
    report.wall_s = max(1e-6, time.monotonic() - (go_at or t_start))
    report.total_s = time.monotonic() - t_start
    _account(report, setup, logs, verify)
    if own_dir:
        import shutil

        shutil.rmtree(logs, ignore_errors=True)
    return report


def _stop_all(running: list[_Running], console_proc: Any, child_service: Any) -> None:
    """Whatever still runs at the end (or on an error): terminals killed, console and service
    stopped."""
    for r in running:
        if r.process.is_alive():
            os.kill(r.process.pid or 0, signal.SIGKILL)
            r.process.join()
    if console_proc is not None:
        os.kill(console_proc.pid or 0, signal.SIGTERM)
        console_proc.join(timeout=10)
    if child_service is not None:
        child_service.stop()


def _account(report: SimReport, setup: SimSetup, logs: Path, verify: bool) -> None:
    """The saves from the logs, the acknowledged ones missing from the ledger, and verify."""
    from kiosk.ledger.verify import verify_ledger

    _gather(report, logs)
    report.lost = lost_saves(Centre.open(setup.centre), logs)
    with Centre.open(setup.centre).reader() as reader:
        report.events = reader.count()
    if verify:
        centre = Centre.open(setup.centre)
        result = verify_ledger(centre.ledger_path, centre.public_key())
        report.verify_ok = result.ok
        report.verify_problems = [p.reason for p in result.problems]


def _preload() -> None:
    """Import in the parent what every child needs, so a forked child starts warm (importing
    the session and the plugins costs about half a second of CPU per process otherwise)."""
    import kiosk.domain.grading  # noqa: F401
    import kiosk.domain.scoring  # noqa: F401
    import kiosk.exam_store  # noqa: F401
    import kiosk.exit_pin  # noqa: F401
    import kiosk.session  # noqa: F401
    from kiosk.plugins import registry

    registry()


def _exam_seconds(setup: SimSetup) -> float:
    from kiosk.exam_store import exam_and_banks

    exam, _ = exam_and_banks(Centre.open(setup.centre), setup.exam)
    return sum(float(p.minutes) for p in exam.parts) * 60


def read_log(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # cannot happen with one write(2) per record; tolerated all the same
    return out


def _gather(report: SimReport, logs: Path) -> None:
    for path in sorted(logs.glob("*.jsonl")):
        for rec in read_log(path):
            t = rec.get("t")
            if t == "try":
                report.saves_made += 1
            elif t == "ack":
                report.saves_acked += 1
                report.latencies_ms.append(float(rec["ms"]))
            elif t == "login":
                report.logins_ms.append(float(rec["ms"]))
            elif t == "error":
                kind = str(rec.get("kind"))
                report.errors[kind] = report.errors.get(kind, 0) + 1
                if len(report.error_samples) < 5:
                    report.error_samples.append(f"{path.stem}: {kind}: {rec.get('msg', '')}")
            elif t == "submitted":
                report.submitted += 1
            elif t == "timed_out":
                report.timed_out += 1
    console = logs / "console.txt"
    if console.exists():
        for line in console.read_text().split("\n"):
            parts = line.split()
            if len(parts) == 2:
                report.console_ms.append(float(parts[0]))
                report.console_rows = int(parts[1])


def lost_saves(centre: Centre, logs: Path) -> list[str]:
    """Acknowledged saves the ledger does not hold: per attempt, the acknowledged (item, response)
    sequence must be a subsequence of the ledger's answer_saved events in order."""
    acked: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(logs.glob("*.jsonl")):
        for rec in read_log(path):
            if rec.get("t") == "ack":
                acked.setdefault(str(rec["attempt"]), []).append((rec["item"], rec["r"]))
    stored: dict[str, list[tuple[str, str]]] = {}
    with centre.reader() as reader:
        for event in reader.events(kind="answer_saved"):
            stored.setdefault(str(event.attempt), []).append(
                (event.body.get("item"), digest(event.body.get("response"))))
    lost: list[str] = []
    for attempt, wanted in acked.items():
        have = iter(stored.get(attempt, []))
        for save in wanted:
            if not any(save == h for h in have):
                lost.append(f"{attempt} {save[0]}")
                break
    return lost


def _console_child(setup: SimSetup, out: str, go: str, sock: str = "") -> None:
    """The invigilator console's work per refresh (ask the service's room view what changed,
    fold it, build every row), twice a second while the load runs; one line per refresh:
    ms rows. Through the service's socket when one runs, else the same use case in-process."""
    try:
        from kiosk.console_feed import RoomFeed
    except ImportError:
        os._exit(0)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    log = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    calls: Any
    if sock:
        from kiosk.client import RemoteCalls

        calls = RemoteCalls(sock)  # this process's uid is the service's: the operator
    else:
        from kiosk.service.usecases import LocalCalls

        calls = LocalCalls(Centre.open(setup.centre))
    feed = RoomFeed(calls, setup.sitting)
    while True:
        time.sleep(0.5)
        if not os.path.exists(go):
            continue
        t0 = time.perf_counter()
        feed.poll()
        rows = feed.room.rows(time.time())
        os.write(log, f"{(time.perf_counter() - t0) * 1000:.3f} {len(rows)}\n".encode())
