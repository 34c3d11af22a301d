"""Benchmark: the same default graph built and queried on the embedded store and on Virtuoso,
side by side in one run (figures go to docs/benchmarks.md).

    python -m tests.bench_backends [--repeat 5]
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
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
                    "| question | embedded uncached (ms) | embedded repeated (ms) | Virtuoso (ms) "
                    "| uncached ÷ Virtuoso | repeated ÷ Virtuoso |"
                )
                print("|---|---|---|---|---|---|")
                questions = [
                    (p.stem, example_query(p.stem)) for p in sorted(EXAMPLES_DIR.glob("*.ttl"))
                ]
                questions += [
                    (p.stem, p.read_text(encoding="utf-8")) for p in sorted(BEFORE.glob("*.rq"))
                ]
                for name, q in questions:
                    a = query_seconds(local.url, q, args.repeat, NO_CACHE)
                    b = query_seconds(remote.url, q, args.repeat)
                    c = query_seconds(local.url, q, args.repeat)  # the first fills the cache
                    print(
                        f"| {name} | {a * 1000:.0f} | {c * 1000:.1f} | {b * 1000:.0f} "
                        f"| {a / b:.2f} | {c / b:.2f} |"
                    )
            finally:
                local.stop()
                remote.stop()
        finally:
            v.stop()


if __name__ == "__main__":
    main()
