"""Benchmark: the same default graph built and queried on the embedded store and on Virtuoso,
side by side in one run (figures go to docs/benchmarks.md).

    python -m tests.bench_backends [--repeat 5] [--seconds 10] [--clients 4]

Each catalogue question is asked in turn of rarekg on the embedded store (result cache bypassed),
rarekg on Virtuoso and Virtuoso's own endpoint, ``--repeat`` rounds interleaved so that the load of
the machine falls on all three alike (medians), then of the embedded store with its result cache.
Point lookups (one resource's triples, a different resource each request, no cache) are then sent
by ``--clients`` threads on keep-alive connections for ``--seconds`` to each endpoint: requests per
second.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from kg.paths import EXAMPLES_DIR
from tests import virtuoso
from tests.conftest import Server
from tests.examples import example_query


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=1200)
    return time.perf_counter() - started


BEFORE = Path(__file__).parent / "data" / "query-shapes"  # earlier forms of rewritten questions


def query_seconds(
    url: str, query: str, repeat: int, headers: dict[str, str] | None = None
) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        req = urllib.request.Request(
            url + "/sparql?" + urllib.parse.urlencode({"query": query}), headers=headers or {}
        )
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


NO_CACHE = {"Cache-Control": "no-cache"}
ACCEPT_JSON = {"Accept": "application/sparql-results+json"}


def interleaved(urls: list[tuple[str, dict[str, str]]], query: str, repeat: int) -> list[float]:
    """Median seconds per endpoint, the endpoints asked in turn in each of ``repeat`` rounds."""
    times: list[list[float]] = [[] for _ in urls]
    for _ in range(repeat):
        for i, (url, headers) in enumerate(urls):
            times[i].append(query_seconds(url, query, 1, {**ACCEPT_JSON, **headers}))
    return [statistics.median(t) for t in times]


def lookup_queries(url: str) -> list[str]:
    """Point lookups: every triple of one listed disease, one query per disease."""
    q = ("SELECT ?d WHERE { ?d a <https://w3id.org/rarekg/vocab#RareDisease> ; "
         "<https://w3id.org/rarekg/vocab#hasListEntry> ?e }")
    req = urllib.request.Request(url + "/sparql?" + urllib.parse.urlencode({"query": q}),
                                 headers=ACCEPT_JSON)
    with urllib.request.urlopen(req, timeout=120) as r:
        rows = json.loads(r.read())["results"]["bindings"]
    return [f"SELECT ?p ?o WHERE {{ <{b['d']['value']}> ?p ?o }}" for b in rows]


def throughput(url: str, queries: list[str], clients: int, seconds: float,
               headers: dict[str, str]) -> tuple[float, float]:
    """(requests per second, median latency in ms) of ``clients`` threads on keep-alive
    connections asking ``queries`` in turn for ``seconds``."""
    parsed = urllib.parse.urlsplit(url)
    counter = itertools.count()
    latencies: list[float] = []
    done = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        nonlocal done
        conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=60)
        mine: list[float] = []
        while time.perf_counter() < stop:
            q = queries[next(counter) % len(queries)]
            started = time.perf_counter()
            conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": q}),
                         headers={**ACCEPT_JSON, **headers})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            done += len(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begun = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done / (time.perf_counter() - begun), statistics.median(latencies) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--lookups-only", action="store_true",
                        help="skip the catalogue questions; measure the point lookups only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        v = virtuoso.Virtuoso(root / "virtuoso")
        v.start()
        flags = [
            "--remote-query",
            v.query_url,
            "--remote-update",
            v.update_url,
            "--remote-store",
            v.store_url,
            "--remote-user",
            v.user,
            "--remote-password",
            v.password,
        ]
        try:
            embedded_build = timed(
                [sys.executable, "-m", "kg.cli", "build", "--store", str(root / "store")]
            )
            remote_build = timed([sys.executable, "-m", "kg.cli", "build", *flags])
            local = Server(root / "store", root / "local.log")
            remote = Server(root / "none", root / "remote.log", *flags)
            local.wait_ready()
            remote.wait_ready()
            try:
                print(
                    f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores "
                    f"{_cpu()} Python {platform.python_version()}, "
                    f"date {time.strftime('%Y-%m-%d %H:%M')}"
                )
                print(
                    f"build: embedded {embedded_build:.1f} s, Virtuoso (local build + publish) "
                    f"{remote_build:.1f} s"
                )
                print(
                    "| question | embedded uncached (ms) | embedded repeated (ms) "
                    "| rarekg on Virtuoso (ms) | Virtuoso's endpoint (ms) "
                    "| uncached ÷ Virtuoso | repeated ÷ Virtuoso |"
                )
                print("|---|---:|---:|---:|---:|---:|---:|")
                questions = [
                    (p.stem, example_query(p.stem)) for p in sorted(EXAMPLES_DIR.glob("*.ttl"))
                ]
                questions += [
                    (p.stem, p.read_text(encoding="utf-8")) for p in sorted(BEFORE.glob("*.rq"))
                ]
                endpoints = [(local.url, NO_CACHE), (remote.url, NO_CACHE),
                             (v.base, {})]
                for name, q in ([] if args.lookups_only else questions):
                    a, b, own = interleaved(endpoints, q, args.repeat)
                    c = query_seconds(local.url, q, args.repeat, ACCEPT_JSON)  # cache filled
                    print(
                        f"| {name} | {a * 1000:.0f} | {c * 1000:.1f} | {b * 1000:.0f} "
                        f"| {own * 1000:.0f} | {a / own:.2f} | {c / own:.2f} |"
                    )
                lookups = lookup_queries(local.url)
                print(f"\npoint lookups: {len(lookups)} listed diseases, {args.clients} clients, "
                      f"{args.seconds:.0f} s each, no cache")
                print("| endpoint | requests/s | median latency (ms) |")
                print("|---|---:|---:|")
                for label, (url, headers) in zip(
                        ("rarekg, embedded", "rarekg on Virtuoso", "Virtuoso's endpoint"),
                        endpoints, strict=True):
                    rate, median = throughput(url, lookups, args.clients, args.seconds, headers)
                    print(f"| {label} | {rate:.0f} | {median:.1f} |")
            finally:
                local.stop()
                remote.stop()
        finally:
            v.stop()


if __name__ == "__main__":
    main()
