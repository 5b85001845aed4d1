"""Many simulated terminals at real pacing against one centre service: a few processes, each
running hundreds of asyncio clients (aiohttp's client over the Unix socket).

    python benchmarks/async_clients.py [--clients 2000] [--procs 4] [--duration 120]
    python benchmarks/async_clients.py --quick     # 500 clients, 2 processes, 40 s

Every client logs in (all at once), starts, ticks like the terminal (`RemoteSession` asks the
service every `kiosk.client.TICK_EVERY_S` seconds; `--tick 1` for the old once a second), and
answers a question every 20–90 s (the pacing of kiosk.simulation at speed 1), each answer a new
value.
Reported: login time for all, save latency p50/p95/p99/max over the answering phase, tick
latency, errors, and lost saves (acknowledged but not in the ledger afterwards: must be 0); the
same calls timed inside the service; the service's CPU per request; and the baseline measured in
the same minutes on the same disk, a bare durable SQLite insert every 50 ms
(benchmarks/fsync_probe.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

EXAM = ROOT / "question_banks" / "practice_en.exam.toml"
THINK_S = (20.0, 90.0)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def one_client(session: object, cid: str, code: str, go_at: float, until: float,
                     out: dict[str, list], tick_every: float) -> None:
    import aiohttp

    http: aiohttp.ClientSession = session  # type: ignore[assignment]
    rng = random.Random(cid)
    token = None
    t0 = time.monotonic()
    while token is None and time.monotonic() < until:
        try:
            async with http.post("http://svc/v1/candidate/login", json={
                    "candidate": cid, "code": code, "seat": f"seat-{cid}"}) as r:
                data = await r.json()
                if r.status == 200:
                    token = data["token"]
                    paper = data["paper"]
                else:
                    await asyncio.sleep(0.5)
        except (TimeoutError, aiohttp.ClientError):
            await asyncio.sleep(0.5)
    if token is None:
        out["errors"].append("login")
        return
    out["logins"].append(time.monotonic() - t0)
    headers = {"Authorization": f"Bearer {token}"}
    await asyncio.sleep(max(0.0, go_at - time.monotonic()))
    while time.monotonic() < until:
        try:
            async with http.post("http://svc/v1/candidate/start", headers=headers) as r:
                await r.read()
                if r.status == 200:
                    break
        except (TimeoutError, aiohttp.ClientError) as exc:
            out["errors"].append(f"start {type(exc).__name__}")
        await asyncio.sleep(0.5)
    items = [i for p in paper["parts"] for i in p["items"]
             if i["item"]["type"] in ("short_text", "essay", "numeric")]
    if not items:
        items = [i for p in paper["parts"] for i in p["items"]]
    next_save = time.monotonic() + rng.uniform(0, THINK_S[1])
    n = 0
    # the terminals' ticks spread over the interval, as terminals that logged in at different
    # moments are
    last_tick = time.monotonic() - rng.uniform(0, tick_every)
    while time.monotonic() < until:
        await asyncio.sleep(1.0 + rng.uniform(-0.05, 0.05))
        now = time.monotonic()
        try:
            if now - last_tick >= tick_every - 0.3:
                last_tick = now
                start = time.perf_counter()
                async with http.post("http://svc/v1/candidate/tick", headers=headers) as r:
                    await r.read()
                out["ticks"].append(time.perf_counter() - start)
            if now >= next_save:
                item = items[n % len(items)]
                value = f"{cid}-{n}"
                start = time.perf_counter()
                async with http.post("http://svc/v1/candidate/answer", headers=headers,
                                     json={"item": item["key"], "response": value}) as r:
                    await r.read()
                    ok = r.status == 200
                if ok:
                    last_tick = time.monotonic()  # a save is a call: the terminal's clock is fresh
                    out["saves"].append(time.perf_counter() - start)
                    out["acked"].append((item["key"], value))
                else:
                    out["errors"].append(f"save {r.status}")
                n += 1
                next_save = now + rng.uniform(*THINK_S)
        except (TimeoutError, aiohttp.ClientError) as exc:
            out["errors"].append(type(exc).__name__)


def print_service_timings(path: Path) -> None:
    """The same calls measured inside the service (handler start to response ready): what the
    service itself adds, apart from the simulated terminals waiting for CPU on this machine."""
    if not path.exists():
        print("service-side timings: none written")
        return
    ms = json.loads(path.read_text(encoding="utf-8"))
    for route in ("/v1/candidate/answer", "/v1/candidate/tick"):
        xs = ms.get(route) or []
        if xs:
            print(f"  inside the service, {route}: {len(xs)}  p50 {pct(xs, 50):.1f} ms  "
                  f"p95 {pct(xs, 95):.1f} ms  p99 {pct(xs, 99):.1f} ms  max {max(xs):.1f} ms")
    for gen in ("gc0", "gc1", "gc2"):
        xs = ms.get(gen) or []
        if xs:
            print(f"  garbage collections in the service, {gen}: {len(xs)}, {sum(xs):.0f} ms in "
                  f"all, max {max(xs):.1f} ms")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process (Linux /proc), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker(sock: str, ids: list[str], code: str, go_at_wall: float, duration: float,
           result_path: str, tick_every: float) -> None:
    import aiohttp

    # The simulated terminals stand for other machines: on this one they yield the CPU to the
    # service (as kiosk.simulation's candidates do), or the figure measures their scheduling.
    os.nice(5)

    async def main() -> None:
        out: dict[str, list] = {"logins": [], "ticks": [], "saves": [], "acked": [], "errors": []}
        go_at = time.monotonic() + (go_at_wall - time.time())
        until = go_at + duration
        conn = aiohttp.UnixConnector(path=sock, limit=0)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=conn, timeout=timeout) as http:
            await asyncio.gather(*(one_client(http, cid, code, go_at, until, out, tick_every)
                                   for cid in ids))
        Path(result_path).write_text(json.dumps(out), encoding="utf-8")

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--login-window", type=float, default=None,
                        help="seconds for the logins before the answering starts")
    parser.add_argument("--tick", type=float, default=None,
                        help="seconds between two ticks of a terminal (default: the client's "
                             "TICK_EVERY_S)")
    parser.add_argument("--quick", action="store_true",
                        help="500 clients in 2 processes for 40 s")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.procs, args.duration = 500, 2, 40.0
    from kiosk.client import TICK_EVERY_S

    tick_every = args.tick or TICK_EVERY_S
    from kiosk.ledger.centre import Centre
    from kiosk.ledger.verify import verify_ledger
    from kiosk.service.server import TIMINGS_ENV
    from kiosk.service.spawn import start_service
    from kiosk.simulation import prepare

    tmp = Path(tempfile.mkdtemp(prefix="kiosk-async-"))
    setup = prepare(tmp / "centre", str(EXAM), args.clients)
    timings = tmp / "timings.json"
    os.environ[TIMINGS_ENV] = str(timings)  # the service's own handling times, at its end
    service = start_service(setup.centre, tmp / "svc.sock", log=tmp / "service.log")
    window = args.login_window or 20.0 + 0.015 * args.clients
    go_at = time.time() + window
    load0 = os.getloadavg()[0]
    ids = setup.candidates
    chunks = [ids[i::args.procs] for i in range(args.procs)]
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=worker, args=(str(service.path), chunk, setup.code, go_at,
                                              args.duration, str(tmp / f"out{i}.json"),
                                              tick_every))
             for i, chunk in enumerate(chunks)]
    service_cpu = 0.0
    from fsync_probe import Probe

    probe = Probe(tmp)
    try:
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        service_cpu = cpu_seconds(service.proc.pid)
    finally:
        bare = probe.stop()
        service.stop()
    merged: dict[str, list] = {"logins": [], "ticks": [], "saves": [], "acked": [], "errors": []}
    for i in range(args.procs):
        f = tmp / f"out{i}.json"
        if f.exists():
            for k, v in json.loads(f.read_text(encoding="utf-8")).items():
                merged[k].extend(v)
    centre = Centre.open(setup.centre)
    with centre.reader() as r:
        saved = {(e.body["item"], e.body["response"]) for e in r.events(kind="answer_saved")}
    lost = [a for a in map(tuple, merged["acked"]) if a not in saved]
    ok = verify_ledger(centre.ledger_path, centre.public_key()).ok
    saves = [s * 1000 for s in merged["saves"]]
    ticks = [s * 1000 for s in merged["ticks"]]
    print(f"{args.clients} async clients in {args.procs} processes, {args.duration:.0f} s of "
          f"answering at real pacing, a tick every {tick_every:g} s; load average before "
          f"{load0:.1f}, after {os.getloadavg()[0]:.1f}")
    logins = sorted(merged["logins"])
    print(f"logins: {len(logins)} of {args.clients}, the last after {max(logins or [0]):.1f} s "
          f"(median {pct(logins, 50):.1f} s)")
    print(f"saves: {len(saves)}  p50 {pct(saves, 50):.1f} ms  p95 {pct(saves, 95):.1f} ms  "
          f"p99 {pct(saves, 99):.1f} ms  max {max(saves or [0]):.1f} ms "
          f"({'✔' if pct(saves, 99) < 50 else '✘'} target p99 < 50 ms)")
    print(f"ticks: {len(ticks)}  p50 {pct(ticks, 50):.1f} ms  p99 {pct(ticks, 99):.1f} ms")
    print_service_timings(timings)
    print(f"baseline, same minutes, same disk: bare durable SQLite insert p50 {pct(bare, 50):.1f} ms"
          f"  p95 {pct(bare, 95):.1f} ms  p99 {pct(bare, 99):.1f} ms ({len(bare)} inserts); "
          f"save p99 / bare p99 = {pct(saves, 99) / pct(bare, 99):.1f}×")
    requests = len(ticks) + len(saves) + 2 * len(merged["logins"])
    print(f"service CPU: {service_cpu:.1f} s in all (logins included), "
          f"{service_cpu / max(1, requests) * 1000:.2f} ms per request")
    errs: dict[str, int] = {}
    for e in merged["errors"]:
        errs[e] = errs.get(e, 0) + 1
    print(f"errors: {errs or 0}; lost acknowledged saves: {len(lost)}; ledger verify: "
          f"{'OK' if ok else 'FAILED'}")
    if saves:
        print(f"(median save {statistics.median(saves):.1f} ms)")


if __name__ == "__main__":
    main()
