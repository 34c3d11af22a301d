"""Benchmark: the same default graph built and queried on the embedded store and on Virtuoso,
side by side in one run (figures go to docs/benchmarks.md).

    python -m tests.bench_backends [--repeat 5]
"""

from __future__ import annotations

import argparse
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


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=1200)
    return time.perf_counter() - started


def query_seconds(url: str, query: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with urllib.request.urlopen(
            url + "/sparql?" + urllib.parse.urlencode({"query": query}), timeout=120
        ) as r:
            r.read()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


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
                    f"machine: {platform.node()} {platform.machine()} "
                    f"{platform.python_version()}, date {time.strftime('%Y-%m-%d')}"
                )
                print(
                    f"build: embedded {embedded_build:.1f} s, Virtuoso (local build + publish) "
                    f"{remote_build:.1f} s"
                )
                print("| question | embedded (ms) | Virtuoso (ms) | ratio |")
                print("|---|---|---|---|")
                for path in sorted(EXAMPLES_DIR.glob("*.ttl")):
                    q = example_query(path.stem)
                    a = query_seconds(local.url, q, args.repeat)
                    b = query_seconds(remote.url, q, args.repeat)
                    print(f"| {path.stem} | {a * 1000:.0f} | {b * 1000:.0f} | {b / a:.2f} |")
            finally:
                local.stop()
                remote.stop()
        finally:
            v.stop()


if __name__ == "__main__":
    main()
