"""Benchmark: the same default graph built and queried on the embedded store and on Virtuoso,
side by side in one run (figures go to docs/benchmarks.md).

    python -m tests.bench_backends [--repeat 5] [--seconds 10] [--clients 4]

Each catalogue question is asked in turn of rarekg on the embedded store (result cache bypassed),
rarekg on Virtuoso and Virtuoso's own endpoint, ``--repeat`` rounds interleaved so that the load of
the machine falls on all three alike (medians), then of the embedded store with its result cache
(repeated asks, timed after ``WARM_ASKS`` untimed ones).
Point lookups (one resource's triples, a different resource each request, no cache) are then sent
by ``--clients`` keep-alive connections for ``--seconds`` to each endpoint (from ``wrk`` when it is
installed: tests/bench_http.py), and to the embedded store with its result cache, the endpoints in
turn in each of ``--lookup-rounds`` rounds: requests per second (medians).  ``--store DIR``
reuses a built default graph for the embedded side.

``--floor`` adds what bounds the uncached times from below, in the same run: each question's
engine time alone, in this process (``execute``, as an executor runs it, serialization included),
on the store as the executors read it and on an in-memory Oxigraph store holding the same quads;
and the cheapest uncached answers there are, ``ASK {}`` and one point lookup, asked of the three
endpoints in turn, one request at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from kg.paths import EXAMPLES_DIR
from kg.settings import load_settings
from kg.store.backend import backend_from_settings
from kg.store.executor import Limits, QueryRequest, execute
from tests import virtuoso
from tests.bench_http import client_name, throughput
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
WARM_ASKS = 4  # untimed asks before the repeated ones: the first fills the shared result cache
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


def engine_ms(opened: tuple[Any, str], query: str, repeat: int) -> float:
    """Median milliseconds of ``execute`` on an open store and its version (the engine and the
    serialization of the answer)."""
    request = QueryRequest(query, accept="application/sparql-results+json",
                           base_iri="http://127.0.0.1/sparql")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        execute(None, request, Limits(), opened)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def in_memory(store_dir: Path) -> tuple[tuple[Any, str], tuple[Any, str], str]:
    """The served build (its store and version), an in-memory copy of every quad of it, and how
    the copy went."""
    from pyoxigraph import Store

    disk = backend_from_settings(load_settings({"store": str(store_dir)})).handle().get()
    before, started = _rss_mb(), time.perf_counter()
    memory = Store()
    memory.bulk_extend(disk[0].quads_for_pattern(None, None, None, None))
    took = time.perf_counter() - started
    note = (f"in-memory copy: {len(memory):,} quads loaded in {took:.1f} s, "
            f"{_rss_mb() - before:,.0f} MB more resident memory in this process")
    return disk, (memory, "memory-copy"), note


def floor_table(store_dir: Path, questions: list[tuple[str, str]], own: dict[str, float],
                uncached: dict[str, float], repeat: int) -> None:
    disk, memory, note = in_memory(store_dir)
    print(f"\nengine alone, in this process ({note}; medians of {repeat}):")
    print("| question | Virtuoso's endpoint (ms) | rarekg uncached (ms) | engine on disk (ms) "
          "| engine in memory (ms) | on disk ÷ Virtuoso | in memory ÷ Virtuoso |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, q in questions:
        on_disk = engine_ms(disk, q, repeat)
        in_mem = engine_ms(memory, q, repeat)
        v = own[name] * 1000
        print(f"| {name} | {v:.0f} | {uncached[name] * 1000:.0f} | {on_disk:.1f} | {in_mem:.1f} "
              f"| {on_disk / v:.2f} | {in_mem / v:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--lookup-rounds", type=int, default=3,
                        help="rounds of the point lookups, the endpoints in turn in each")
    parser.add_argument("--store", type=Path, help="a built default graph for the embedded side")
    parser.add_argument("--lookups-only", action="store_true",
                        help="skip the catalogue questions; measure the point lookups only")
    parser.add_argument("--floor", action="store_true",
                        help="add each question's engine time alone (on disk and in memory), "
                             "and ASK {} and one point lookup on each endpoint")
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
            store = args.store or root / "store"
            embedded_build = 0.0 if args.store else timed(
                [sys.executable, "-m", "kg.cli", "build", "--store", str(store)]
            )
            remote_build = timed([sys.executable, "-m", "kg.cli", "build", *flags])
            local = Server(store, root / "local.log")
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
                owns: dict[str, float] = {}
                uncached: dict[str, float] = {}
                for name, q in ([] if args.lookups_only else questions):
                    a, b, own = interleaved(endpoints, q, args.repeat)
                    owns[name], uncached[name] = own, a
                    # repeated: asked again once answered; the untimed asks let each worker
                    # keep the answer (each keeps its own finished answers: service/answers.py)
                    query_seconds(local.url, q, WARM_ASKS, ACCEPT_JSON)
                    c = query_seconds(local.url, q, args.repeat, ACCEPT_JSON)
                    print(
                        f"| {name} | {a * 1000:.0f} | {c * 1000:.1f} | {b * 1000:.0f} "
                        f"| {own * 1000:.0f} | {a / own:.2f} | {c / own:.2f} |"
                    )
                lookups = lookup_queries(local.url)
                if args.floor and not args.lookups_only:
                    a, b, own = interleaved(endpoints, "ASK {}", args.repeat * 3)
                    print(f"\nASK {{}}, {args.repeat * 3} interleaved rounds (medians): rarekg "
                          f"embedded {a * 1000:.2f} ms, rarekg on Virtuoso {b * 1000:.2f} ms, "
                          f"Virtuoso's endpoint {own * 1000:.2f} ms; embedded ÷ Virtuoso "
                          f"{a / own:.2f}")
                    # one point lookup at a time (answered in rarekg's worker, no executor)
                    a, b, own = interleaved(endpoints, lookups[0], args.repeat * 3)
                    print(f"one point lookup at a time, {args.repeat * 3} interleaved rounds "
                          f"(medians): rarekg embedded {a * 1000:.2f} ms, rarekg on Virtuoso "
                          f"{b * 1000:.2f} ms, Virtuoso's endpoint {own * 1000:.2f} ms; embedded "
                          f"÷ Virtuoso {a / own:.2f}")
                    floor_table(store, [(n, q) for n, q in questions if "-before" not in n],
                                owns, uncached, args.repeat)
                print(f"\npoint lookups: {len(lookups)} listed diseases, {args.clients} "
                      f"connections from {client_name()}, {args.seconds:.0f} s each, "
                      f"{args.lookup_rounds} interleaved rounds (medians; range)")
                print("| endpoint | requests/s | median latency (ms) | ÷ Virtuoso's endpoint |")
                print("|---|---:|---:|---:|")
                paths = ["/sparql?" + urllib.parse.urlencode({"query": q}) for q in lookups]
                labels = ("rarekg, embedded, no cache", "rarekg on Virtuoso",
                          "Virtuoso's endpoint", "rarekg, embedded, result cache")
                targets = [*endpoints, (local.url, {})]
                rates: list[list[float]] = [[] for _ in targets]
                latencies: list[list[float]] = [[] for _ in targets]
                for _ in range(args.lookup_rounds):
                    for i, (url, headers) in enumerate(targets):
                        rate, median = throughput(url, paths, {**ACCEPT_JSON, **headers},
                                                  args.clients, args.seconds)
                        rates[i].append(rate)
                        latencies[i].append(median)
                own_rate = statistics.median(rates[2])
                for label, r, lat in zip(labels, rates, latencies, strict=True):
                    rate = statistics.median(r)
                    print(f"| {label} | {rate:.0f} ({min(r):.0f}–{max(r):.0f}) "
                          f"| {statistics.median(lat):.1f} | {rate / own_rate:.2f} |")
            finally:
                local.stop()
                remote.stop()
        finally:
            v.stop()


if __name__ == "__main__":
    main()
