"""Benchmark: query latency of a real ``rarekg serve`` with and without a flood of submissions, in
one run (figures go to docs/benchmarks.md, "Queries during a flood of submissions").

Phases, each ``--seconds`` long, one client timing queries one after another (question 1 and a
lookup of one organization) while:

1. nothing else happens (baseline);
2. ``--flooders`` clients send ``GET /health`` as fast as they can (a control: the same number of
   requests that do nothing, so that what HTTP volume alone costs on this machine is known);
3. the same clients send valid submissions as fast as they can from one address, under the
   default rate limit (20 an hour): nearly all are refused with 429;
4. the same flood with the rate limit switched off (as if from many addresses): every submission
   is checked with the loader and the SHACL shapes and stored, or refused with 503 while the
   worker's one slot is busy.

The load generator runs on the same machine as the server.

    python -m tests.bench_submissions [--seconds 20] [--flooders 8]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from tests.conftest import Server
from tests.examples import example_query
from tests.submitting import TOKEN, new_organization

LOOKUP = """SELECT ?name WHERE { <https://w3id.org/rarekg/id/org/moon-children-home>
  <http://www.w3.org/2004/02/skos/core#prefLabel> ?name }"""


def _query_times(url: str, seconds: float) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"q01": [], "lookup": []}
    q1 = urllib.parse.urlencode({"query": example_query("q01")})
    lookup = urllib.parse.urlencode({"query": LOOKUP})
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        # distinct queries (a comment) so that no cache or ETag answers for the store
        query = (q1 if n % 2 == 0 else lookup) + urllib.parse.quote(f"\n# {n}")
        started = time.perf_counter()
        with urllib.request.urlopen(f"{url}/sparql?{query}", timeout=60) as r:
            r.read()
        times["q01" if n % 2 == 0 else "lookup"].append(time.perf_counter() - started)
        n += 1
    return times


def _flood(url: str, stop: threading.Event, counts: Counter[int], who: int, kind: str) -> None:
    n = 0
    while not stop.is_set():
        payload = new_organization(f"洪水测试{who}-{n}", f"Flood Test {who} {n}", "CN1:3",
                                   f"flood{who}@example.org")
        request = urllib.request.Request(
            url + "/api/submissions", data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json"}, method="POST")
        if kind == "health":
            request = urllib.request.Request(url + "/health")
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                counts[r.status] += 1
        except urllib.error.HTTPError as exc:
            exc.read()
            counts[exc.code] += 1
        n += 1


def _ms(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return round(1000 * ordered[int(share * (len(ordered) - 1))], 1)


def _phase(url: str, seconds: float, flooders: int, kind: str = "submit") -> dict[str, object]:
    stop = threading.Event()
    counts: Counter[int] = Counter()
    threads = [threading.Thread(target=_flood, args=(url, stop, counts, i, kind), daemon=True)
               for i in range(flooders)]
    for t in threads:
        t.start()
    if threads:
        time.sleep(1.0)  # let the flood start
    started = time.monotonic()
    times = _query_times(url, seconds)
    elapsed = time.monotonic() - started
    stop.set()
    for t in threads:
        t.join(70)
    return {**{f"{name}_median_ms": _ms(t, 0.5) for name, t in times.items()},
            **{f"{name}_p95_ms": _ms(t, 0.95) for name, t in times.items()},
            "queries": sum(len(t) for t in times.values()),
            "answers": dict(sorted(counts.items())),
            "per_second": {k: round(v / (elapsed + 1.0), 1) for k, v in sorted(counts.items())}}


def _serve(store: Path, log: Path, rate: str, subs: Path) -> Server:
    os.environ["RAREKG_SUBMISSION_RATE_LIMIT"] = rate
    os.environ["RAREKG_SUBMISSIONS_DIR"] = str(subs)
    server = Server(store, log, "--update-token", TOKEN)
    server.wait_ready()
    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--flooders", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = root / "store"
        subprocess.run([sys.executable, "-m", "kg.cli", "build", "--store", str(store)],
                       check=True, capture_output=True, timeout=1200)
        results = {}
        server = _serve(store, root / "serve1.log", "20", root / "subs1")
        try:
            _query_times(server.url, 3)  # warm up
            results["no flood"] = _phase(server.url, args.seconds, 0)
            results["control: flood of GET /health"] = _phase(server.url, args.seconds,
                                                              args.flooders, "health")
            results["flood of submissions, rate-limited (one address)"] = _phase(
                server.url, args.seconds, args.flooders)
        finally:
            server.stop()
        server = _serve(store, root / "serve2.log", "0", root / "subs2")
        try:
            _query_times(server.url, 3)
            results["no flood (limit off)"] = _phase(server.url, args.seconds, 0)
            results["flood of submissions, no rate limit"] = _phase(
                server.url, args.seconds, args.flooders)
        finally:
            server.stop()
    print(f"# {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"{args.seconds:g} s per phase, {args.flooders} flooding clients; serve defaults "
          "(2 workers x 4 threads, 2 executors each)")
    for name, r in results.items():
        print(f"{name}: {json.dumps(r)}")


if __name__ == "__main__":
    main()
