"""Cost of judging code answers in the OS sandbox, against a bare `python -c pass`, measured in
the same run with the runs interleaved so noise hits all alike.

    python benchmarks/sandbox.py [--runs 15]

Figures (medians, with min–max spread):
- floor: `python -c pass` (this interpreter, with its site packages, as a user would type it);
- Python warm: one `pyrun.run_function` call (two tests) in a process that already ran one
  (the isolation probe is cached, a pre-started runner waits) — a candidate's "run examples";
- Python back-to-back: five calls in a row, per call (judging many answers: the next runner is
  still starting when it is needed);
- Python cold: a fresh process's first call, including the one-off isolation probe (timed
  inside that process, so the kiosk's own import time is not counted);
- SQL warm / cold: `sqlrun.run_queries` with the model answer and a candidate's query on a fresh
  copy of a 3-table data set (what `sql_query.judge` does);
- for reference, the same Python run as a plain child process without the sandbox.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

CODE = "def f(x):\n    return sorted(x)[len(x) // 2]\n"
CALLS = [{"args": [[3, 1, 2]]}, {"args": [[5, 4, 9, 1]]}]
SCHEMA = """
CREATE TABLE diakok (id INTEGER PRIMARY KEY, nev TEXT, osztaly TEXT);
CREATE TABLE targyak (id INTEGER PRIMARY KEY, nev TEXT);
CREATE TABLE jegyek (diak INTEGER, targy INTEGER, jegy INTEGER);
"""
ROWS = {
    "diakok": [[i, f"Diák {i}", "9A" if i % 2 else "9B"] for i in range(1, 31)],
    "targyak": [[i, f"Tárgy {i}"] for i in range(1, 6)],
    "jegyek": [[d, t, (d * t) % 5 + 1] for d in range(1, 31) for t in range(1, 6)],
}
ANSWER = ("SELECT d.nev, avg(j.jegy) AS atlag FROM diakok d JOIN jegyek j ON j.diak = d.id "
          "GROUP BY d.id ORDER BY atlag DESC, d.nev")
RESPONSE = ("SELECT nev, (SELECT avg(jegy) FROM jegyek WHERE diak = diakok.id) AS atlag "
            "FROM diakok ORDER BY 2 DESC, 1")

COLD = """
import json, sys, time
sys.path[:0] = {paths!r}
from kiosk_informatics import pyrun, sandbox, sqlrun
import benchmarks.sandbox as b
t = time.perf_counter()
if {kind!r} == "python":
    r = pyrun.run_function(b.CODE, "f", b.CALLS)
    assert r.invalid is None and all(c.ok for c in r.calls), r
else:
    r = sqlrun.run_queries(b.SCHEMA, b.ROWS, [b.ANSWER, b.RESPONSE])
    assert all(isinstance(x, sqlrun.QueryResult) for x in r), r
print(json.dumps({{"seconds": time.perf_counter() - t, "level": sandbox.detect().level}}))
"""


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def floor() -> None:
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def cold(kind: str) -> tuple[float, str]:
    paths = [p for p in sys.path if p]
    out = subprocess.run([sys.executable, "-c", COLD.format(paths=paths, kind=kind)],
                         check=True, capture_output=True, text=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return data["seconds"], data["level"]


def stats(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{statistics.median(ms):7.1f} ms  ({min(ms):.1f}–{max(ms):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from kiosk_informatics import pyrun, sandbox, sqlrun

    iso = sandbox.detect()
    print(f"isolation: {iso.level} {iso.reason} ({iso.bwrap})")

    def py_warm() -> None:
        r = pyrun.run_function(CODE, "f", CALLS)
        assert r.invalid is None and all(c.ok for c in r.calls), r

    def sql_warm() -> None:
        r = sqlrun.run_queries(SCHEMA, ROWS, [ANSWER, RESPONSE])
        assert all(isinstance(x, sqlrun.QueryResult) for x in r), r

    def py_plain() -> None:
        request = json.dumps({"code": CODE, "function": "f", "calls": CALLS,
                              "limits": {"cpu_seconds": 3, "memory_mb": 256,
                                         "per_test_seconds": 1}}).encode()
        out = sandbox.launch(pyrun.RUNNER, request, 20, pyrun.OUTPUT_LIMIT, isolated=False)
        assert pyrun._parse(out.output.decode(), len(CALLS)).calls

    py_warm()
    sql_warm()  # the warm figures exclude the one-off probe
    series: dict[str, list[float]] = {k: [] for k in (
        "floor", "py_warm", "py_batch", "py_cold", "sql_warm", "sql_cold", "py_plain")}
    for _ in range(args.runs):
        series["floor"].append(timed(floor))
        series["py_warm"].append(timed(py_warm))
        series["py_batch"].append(timed(lambda: [py_warm() for _ in range(5)]) / 5)
        series["sql_warm"].append(timed(sql_warm))
        series["py_plain"].append(timed(py_plain))
        series["py_cold"].append(cold("python")[0])
        series["sql_cold"].append(cold("sql")[0])
    base = statistics.median(series["floor"])
    labels = {
        "floor": "python -c pass (floor)",
        "py_warm": "Python run, warm (2 tests)",
        "py_batch": "Python run, 5 back-to-back, each",
        "py_cold": "Python run, cold (incl. probe)",
        "sql_warm": "SQL check, warm (2 queries)",
        "sql_cold": "SQL check, cold (incl. probe)",
        "py_plain": "Python run, no sandbox",
    }
    print(f"{args.runs} interleaved runs; medians (min–max); ratio to the floor")
    for key, label in labels.items():
        ratio = statistics.median(series[key]) / base
        print(f"{label:32} {stats(series[key])}  {ratio:5.2f}×")


if __name__ == "__main__":
    main()
