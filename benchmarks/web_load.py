"""Browser delivery under load: N concurrent browser sessions through `kiosk web serve` (TLS)
and one centre service, p99 keystroke → screen update.

    python benchmarks/web_load.py [--sessions 50] [--keys 40] [--baseline-keys 200] [--runs 3]
        [--json]

How it drives the sessions: not N Chromiums (each is ~300 MB and a CPU hog of its own, which
would measure the browsers rather than the server), but N websocket clients speaking the
protocol textual.js speaks (the page's own frames: ["resize", …], ["stdin", …]), in one
process, over the same TLS port. Each session is a real `kiosk sit` process behind the real
server: it logs in, confirms, enters the exam (a short-text question) and types --keys
characters at human pace (one every 200 ms ± 50 %, so N sessions type ~5·N keys a second,
every keystroke also saved through the service once typing pauses). The latency of a keystroke
is from sending its frame to receiving the first screen frame that shows it (the character
typed, ANSI stripped). The baseline, in the same run: one session typing alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from kiosk.simulation import prepare  # noqa: E402
from kiosk.web.seats import issue, record  # noqa: E402
from kiosk.web.tls import create  # noqa: E402
from tests.support.service_helpers import running_service, socket_dir  # noqa: E402
from tests.support.web_helpers import ANSI, free_port  # noqa: E402

BANK = REPO / "question_banks" / "practice_en.toml"
EXAM = """
[exam]
id = "web-load"
title = "Web load"
language = "en"
banks = ["practice_en.toml"]
shuffle_questions = false
self_start = true
[[parts]]
id = "1"
title = "Questions"
minutes = 60
[[parts.draw]]
fixed = ["geo-006", "sci-001"]
"""
#: Each keystroke types a letter that no earlier frame of this line showed and that the clock,
#: the status line ("✓ Saved", "… saving") and the header never draw, so the first frame that
#: shows it is its own echo.
ALPHABET = "ABDFGHJKMNPRUVWXYZ"
ECHO_TIMEOUT_S = 10.0


class Session:
    def __init__(self, http: aiohttp.ClientSession, url: str, context: ssl.SSLContext) -> None:
        self.http, self.url, self.context = http, url, context
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.closing = False
        self.screen = ""
        self.frames: asyncio.Queue[str] = asyncio.Queue()
        self.latencies: list[float] = []
        self.retries = 0
        self.no_echo = 0
        self.drops: list[str] = []

    async def open(self) -> None:
        self.screen = ""
        self.ws = await self.http.ws_connect(self.url + "?width=100&height=30", ssl=self.context,
                                             heartbeat=None, max_msg_size=0)
        await self.ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
        asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        ws = self.ws
        assert ws is not None
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                text = ANSI.sub("", msg.data.decode("utf-8", "replace"))
                self.screen = (self.screen + text)[-20000:]
                self.frames.put_nowait(text)
        if not self.closing:
            # The server dropped this page (a finding: reported, then the page reconnects).
            self.drops.append(f"close code {ws.close_code}, {ws.exception()!r}")

    async def wait_text(self, needle: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.screen:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{needle!r} not on screen")
            await asyncio.sleep(0.05)

    async def send(self, data: str) -> None:
        assert self.ws is not None
        await self.ws.send_str(json.dumps(["stdin", data]))

    async def enter_exam(self, candidate: str, code: str) -> None:
        self.candidate, self.code = candidate, code
        """Log in and go through identity, instructions and the waiting room as a candidate
        would. A screen that does not move on for 15 s (a login the loaded machine lost) is
        retried as a person would: reload the page and log in again (counted)."""
        deadline = time.monotonic() + 600
        while True:
            try:
                await self._attempt_entry(candidate, code)
                return
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
                self.retries += 1
                await self.reopen()

    async def reopen(self) -> None:
        assert self.ws is not None
        self.closing = True
        await self.ws.close()
        self.closing = False
        while True:
            try:
                await self.open()
                return
            except aiohttp.WSServerHandshakeError:  # the old page's app is still leaving
                await asyncio.sleep(1.0)

    async def _attempt_entry(self, candidate: str, code: str) -> None:
        await self.wait_text("Candidate ID", timeout=60)
        await self.send(candidate + "\r")
        await asyncio.sleep(1.0)  # the next field takes the focus
        self.screen = ""
        await self.send(code + "\r")
        last = time.monotonic()
        while "largest lake" not in self.screen:
            if time.monotonic() - last > 15:
                raise TimeoutError("stuck")
            if any(w in self.screen for w in ("Check your details", "Instructions",
                                              "Waiting room")):
                self.screen = ""
                await self.send("\r")
                last = time.monotonic()
            await asyncio.sleep(0.2)

    async def type_keys(self, count: int, rng: random.Random) -> None:
        for i in range(count):
            if i and i % len(ALPHABET) == 0:
                # a fresh line: clear the input so every letter is new on screen again
                for _ in range(len(ALPHABET)):
                    await self.send("\x7f")
                await asyncio.sleep(1.0)
            ch = ALPHABET[i % len(ALPHABET)]
            while not self.frames.empty():
                self.frames.get_nowait()
            start = time.perf_counter()
            try:
                await self.send(ch)
                deadline = start + ECHO_TIMEOUT_S
                while True:
                    # the clock redraws every second: bound the wait as a whole, not per frame
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        raise LookupError(ch)
                    frame = await asyncio.wait_for(self.frames.get(), left)
                    if ch in frame:
                        break
            except LookupError:
                self.no_echo += 1  # never shown: counted, not timed
                continue
            except (aiohttp.ClientError, TimeoutError):
                # dropped (counted in _read): the candidate logs in again and goes on typing
                await self.reopen()
                await self.enter_exam(self.candidate, self.code)
                continue
            self.latencies.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.2 * rng.uniform(0.5, 1.5))

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            await self.ws.close()


def start_web(centre: Path, sock: Path, port: int, home: Path) -> subprocess.Popen[bytes]:
    log = open(home / "web.log", "wb")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "web", "serve", "--centre", str(centre), "--socket",
         str(sock), "--port", str(port), "--seats-file", str(home / "seats.json"),
         "--lang", "en", "--demo"], stdout=log, stderr=subprocess.STDOUT, cwd=REPO)


async def drive(port: int, tokens: list[str], candidates: list[str], code: str, keys: int,
                cert: Path, seed: int) -> dict[str, float]:
    context = ssl.create_default_context(cafile=str(cert))
    rng = random.Random(seed)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        sessions = [Session(http, f"wss://localhost:{port}/ws/{t}", context) for t in tokens]
        t0 = time.monotonic()
        # Browsers of a room arrive over a few seconds, not in the same millisecond.
        for s in sessions:
            await s.open()
            await asyncio.sleep(0.1)
        await asyncio.gather(*(s.enter_exam(c, code) for s, c in zip(sessions, candidates, strict=True)))
        ready_s = time.monotonic() - t0
        await asyncio.gather(*(s.type_keys(keys, random.Random(rng.random()))
                               for s in sessions))
        for s in sessions:
            await s.close()
    lat = sorted(x for s in sessions for x in s.latencies)
    return {"sessions": len(sessions), "keystrokes": len(lat), "ready_s": round(ready_s, 1),
            "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95), "p99_ms": pct(lat, 99),
            "max_ms": round(lat[-1], 1), "reloads": sum(s.retries for s in sessions),
            "drops": sum(len(s.drops) for s in sessions),
            "no_echo": sum(s.no_echo for s in sessions),
            "drop_samples": [d for s in sessions for d in s.drops][:3]}


def pct(values: list[float], p: float) -> float:
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return round(values[k], 1)


def one_run(n: int, keys: int, seed: int) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="kiosk-webload-"))
    try:
        content = home / "content"
        content.mkdir()
        shutil.copy(BANK, content / BANK.name)
        (content / "exam.toml").write_text(EXAM, encoding="utf-8")
        setup = prepare(home / "centre", str(content / "exam.toml"), n)
        centre = setup.centre
        create(centre / "tls", ["localhost"])
        links = issue("https://localhost", setup.sitting, [f"W{i:03d}" for i in range(n)])
        record(home / "seats.json", setup.sitting, links)
        sock = socket_dir() / "service.sock"
        port = free_port()
        with running_service(centre, sock=sock):
            web = start_web(centre, sock, port, home)
            try:
                time.sleep(2.0)
                return asyncio.run(drive(port, [lk.token for lk in links], setup.candidates,
                                         setup.code, keys, centre / "tls" / "centre.crt", seed))
            finally:
                web.terminate()
                web.wait(30)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-keys", type=int, default=200,
                        help="keystrokes of the lone session (enough for a stable p99)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    for run in range(args.runs):
        base = one_run(1, max(args.keys, args.baseline_keys), seed=run)
        load = one_run(args.sessions, args.keys, seed=run)
        load["ratio_p99"] = round(load["p99_ms"] / base["p99_ms"], 2)
        results.append({"baseline": base, "load": load})
        if not args.json:
            print(f"run {run + 1}: 1 session p50 {base['p50_ms']} ms p99 {base['p99_ms']} ms | "
                  f"{load['sessions']} sessions p50 {load['p50_ms']} ms p95 {load['p95_ms']} ms "
                  f"p99 {load['p99_ms']} ms max {load['max_ms']} ms "
                  f"({load['keystrokes']} keys, all in the exam after {load['ready_s']} s, "
                  f"{load['reloads']} page reloads, {load['drops']} dropped by the server, "
                  f"{load['no_echo']} keys never shown in {ECHO_TIMEOUT_S:.0f} s "
                  f"{load['drop_samples']}) "
                  f"p99 ratio {load['ratio_p99']}", flush=True)
    p99 = [r["load"]["p99_ms"] for r in results]
    ratio = [r["load"]["ratio_p99"] for r in results]
    summary = {"sessions": args.sessions, "runs": results,
               "median_p99_ms": statistics.median(p99), "p99_spread_ms": [min(p99), max(p99)],
               "median_ratio": statistics.median(ratio), "cpus": os.cpu_count(),
               "loadavg": os.getloadavg()}
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print(f"median p99 keystroke → screen: {summary['median_p99_ms']} ms "
              f"(runs {min(p99)}–{max(p99)} ms), {summary['median_ratio']}× one session alone; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
