"""Load benchmark: 50, 150 and 300 concurrent candidate processes on one ledger.

Each level runs `kiosk.simulation` on a fresh centre with the English practice exam (10 minutes)
compressed by --speed (default 30: 20 s of answering), 10 % of the candidates killed with SIGKILL
and resumed. The candidates are clients of one centre service (`kiosk serve`, its exam clock
compressed by --speed); --in-process runs the old model, where every candidate process writes
the ledger itself, for comparison. Logins happen first, all at once; the figures are for the answering phase.

    python benchmarks/load.py [--levels 50,150,300] [--speed 30] [--json]
    python benchmarks/load.py --quick      # 50 candidates

Figures per level: answer-save latency p50/p95/p99 (save_answer call to durable return),
acknowledged saves per second, errors (NotSaved = the candidate would be told to call the
invigilator), lost saves (acknowledged but not in the ledger afterwards: must be 0), whether the
ledger verifies, and the invigilator console's refresh (poll + fold + build every row) measured
twice a second in its own process during the load. CPU is the children's user+system time.
Also: the same saves timed inside the service (handler start to response ready: what the service
adds, apart from the simulated terminals waiting for CPU), and the baseline measured in the same
minutes on the same disk: a bare durable SQLite insert every 50 ms (benchmarks/fsync_probe.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from kiosk.simulation import prepare, simulate  # noqa: E402

EXAM = Path(__file__).resolve().parents[1] / "question_banks" / "practice_en.exam.toml"
TARGET_P99_MS = 50.0


def run_level(n: int, speed: float, seed: int, kill: float, service: bool = True
              ) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"kiosk-load-{n}-") as tmp:
        setup = prepare(Path(tmp) / "centre", str(EXAM), n)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        load0 = os.getloadavg()[0]
        from fsync_probe import Probe, pct

        from kiosk.service.server import TIMINGS_ENV

        timings = Path(tmp) / "timings.json"
        os.environ[TIMINGS_ENV] = str(timings)  # the service's own handling times
        probe = Probe(Path(tmp))  # the disk's durable-commit latency, same minutes
        try:
            report = simulate(setup, speed=speed, seed=seed, kill_fraction=kill, console=True,
                              service=service)
        finally:
            del os.environ[TIMINGS_ENV]
            bare = probe.stop()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        data = report.as_dict()
        data.update(login_s=round(report.login_s, 1), total_s=round(report.total_s, 1),
                    cpu_s=round(cpu, 1), loadavg_before=round(load0, 2),
                    loadavg_after=round(os.getloadavg()[0], 2),
                    error_samples=report.error_samples[:3],
                    bare_p50_ms=round(pct(bare, 50), 2), bare_p99_ms=round(pct(bare, 99), 2))
        if timings.exists():
            saves = json.loads(timings.read_text(encoding="utf-8")).get("/v1/candidate/answer")
            if saves:
                ordered = sorted(saves)

                def at(p: float) -> float:
                    return round(ordered[min(len(ordered) - 1,
                                             int(round(p / 100 * (len(ordered) - 1))))], 1)

                data.update(service_p50_ms=at(50), service_p95_ms=at(95), service_p99_ms=at(99))
        return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", default="50,150,300")
    parser.add_argument("--speed", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kill", type=float, default=0.1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="one level of 50 candidates")
    parser.add_argument("--in-process", action="store_true",
                        help="the old model (every candidate process writes the ledger), "
                             "for comparison")
    args = parser.parse_args()
    levels = [50] if args.quick else [int(x) for x in args.levels.split(",") if x.strip()]
    results = []
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  {os.cpu_count()} cores  "
          f"Python {platform.python_version()}  speed {args.speed:g}×", file=sys.stderr)
    for n in levels:
        data = run_level(n, args.speed, args.seed, args.kill, service=not args.in_process)
        results.append(data)
        if not args.json:
            print_level(data)
    if args.json:
        print(json.dumps(results, indent=2))
    bad = [r for r in results if r["lost"] or not r["verify_ok"]]
    sys.exit(1 if bad else 0)


def print_level(d: dict[str, object]) -> None:
    def ms(key: str) -> str:
        value = d.get(key)
        return "-" if value is None else f"{float(value):.1f}"  # type: ignore[arg-type]

    p99 = d.get("p99_ms")
    verdict = "" if p99 is None else (" ✔" if float(p99) < TARGET_P99_MS else  # type: ignore[arg-type]
                                      f" ✘ (target < {TARGET_P99_MS:g} ms)")
    print(f"\n== {d['candidates']} candidates (speed {d['speed']}×) ==")
    print(f"logins: {d['login_s']} s for all; answering {float(d['wall_s']):.1f} s; "  # type: ignore[arg-type]
          f"children CPU {d['cpu_s']} s; load average before {d['loadavg_before']}, after "
          f"{d.get('loadavg_after')}")
    print(f"save latency ms: p50 {ms('p50_ms')}  p95 {ms('p95_ms')}  p99 {ms('p99_ms')}"
          f"{verdict}  max {ms('max_ms')}")
    if d.get("service_p99_ms") is not None:
        print(f"  inside the service (handler start to response ready): p50 "
              f"{d['service_p50_ms']}  p95 {d['service_p95_ms']}  p99 {d['service_p99_ms']} ms")
    print(f"baseline, same minutes: bare durable SQLite insert p50 {d['bare_p50_ms']} ms, p99 "
          f"{d['bare_p99_ms']} ms; save p99 / bare p99 = "
          f"{float(d['p99_ms'] or 0) / max(1e-9, float(d['bare_p99_ms'])):.1f}×")  # type: ignore[arg-type]
    print(f"acknowledged saves: {d['saves_acked']} of {d['saves_made']} made; throughput "
          f"{ms('throughput')} saves/s; {d['events']} events in the ledger")
    print(f"errors: {d['errors'] or 0}; kills {d['kills']}; submitted {d['submitted']}, "
          f"timed out {d['timed_out']}, unfinished {d['unfinished']}")
    print(f"lost saves: {d['lost']}; ledger verify: {'OK' if d['verify_ok'] else 'FAILED'}")
    print(f"invigilator console refresh: p50 {ms('console_p50_ms')} ms  p99 "
          f"{ms('console_p99_ms')} ms")
    for sample in d.get("error_samples") or []:  # type: ignore[union-attr]
        print(f"  e.g. {sample}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
