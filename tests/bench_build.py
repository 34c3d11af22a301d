"""Benchmark: the full build against a raw pyoxigraph bulk load of the same quads, with peak memory,
on the default graph and on the default graph plus a synthetic source of a few million triples
(``tests/synthetic.py``).  Not collected by the test run (pytest collects ``test_*.py`` only); the
figures go to docs/benchmarks.md.

    python -m tests.bench_build [--diseases 31000] [--only default|synthetic]

Each step runs in a child process of its own, so that its peak resident memory (``ru_maxrss`` of
that child, from ``os.wait4``) is its own:

1. build: ``build_graph`` of the default sources (plus the synthetic source) into a new store,
   with validation, VoID, optimisation and the search index, exactly as ``rarekg build``;
2. dump: the built store's quads to one N-Quads file;
3. raw: ``Store.bulk_load`` of that file into a fresh directory (nothing else).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def child(argv: list[str], out: Path) -> tuple[dict[str, Any], int, float]:
    """Run ``python -m tests.bench_build --child ...``; its JSON answer, its peak RSS in MiB and
    the CPU seconds it used (user and system, all threads): on a shared machine CPU time says more
    than wall time."""
    with out.open("w") as f:
        proc = subprocess.Popen([sys.executable, "-m", "tests.bench_build", "--child", *argv],
                                stdout=f)
        _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"child {argv} failed with {proc.returncode}")
    return json.loads(out.read_text()), usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime


def run_build(store: Path, diseases: int) -> dict[str, Any]:
    from kg.build.pipeline import Source, build_graph
    from kg.build.sources import default_sources
    from kg.describe import SourceInfo
    from tests.synthetic import GRAPH, synthetic_quads

    sources = default_sources()
    if diseases:
        sources.append(Source(SourceInfo(GRAPH, "Synthetic reference data (benchmark only)"),
                              lambda: synthetic_quads(diseases)))
    phases: list[tuple[str, float]] = []
    started = time.perf_counter()
    report = build_graph(store, sources,
                         log=lambda m: phases.append((m, time.perf_counter() - started)))
    return {"seconds": report.seconds, "triples": report.total, "phases": phases,
            "warnings": len(report.warnings), "build_dir": str(report.build_dir)}


def run_dump(build_dir: Path, path: Path) -> dict[str, Any]:
    from pyoxigraph import RdfFormat, Store

    started = time.perf_counter()
    Store.read_only(str(build_dir)).dump(str(path), RdfFormat.N_QUADS)
    return {"seconds": time.perf_counter() - started, "bytes": path.stat().st_size}


def run_raw(path: Path, directory: Path) -> dict[str, Any]:
    from pyoxigraph import RdfFormat, Store

    started = time.perf_counter()
    store = Store(str(directory))
    store.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "quads": len(store)}


def measure(name: str, diseases: int, root: Path) -> dict[str, Any]:
    build, build_mb, build_cpu = child(["build", str(root / name / "store"), str(diseases)],
                            root / f"{name}-build.json")
    dump, _, _ = child(["dump", build["build_dir"], str(root / f"{name}.nq")],
                    root / f"{name}-dump.json")
    shutil.rmtree(root / name)  # keep the disk small: only the dump is needed from here on
    raw, raw_mb, raw_cpu = child(["raw", str(root / f"{name}.nq"), str(root / f"{name}-raw")],
                        root / f"{name}-raw.json")
    (root / f"{name}.nq").unlink()
    shutil.rmtree(root / f"{name}-raw")
    return {"graph": name, "triples": build["triples"], "quads": raw["quads"],
            "build_s": build["seconds"], "build_mb": build_mb, "raw_s": raw["seconds"],
            "raw_mb": raw_mb, "ratio": build["seconds"] / raw["seconds"],
            "build_cpu": build_cpu, "raw_cpu": raw_cpu, "cpu_ratio": build_cpu / raw_cpu,
            "phases": build["phases"], "dump_mb": dump["bytes"] / 2**20}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        step, *args = sys.argv[2:]
        if step == "build":
            answer = run_build(Path(args[0]), int(args[1]))
        elif step == "dump":
            answer = run_dump(Path(args[0]), Path(args[1]))
        else:
            answer = run_raw(Path(args[0]), Path(args[1]))
        print(json.dumps(answer))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--diseases", type=int, default=31_000,
                        help="synthetic diseases (about 80 triples each; 31,000 is 2.5 M)")
    parser.add_argument("--only", choices=("default", "synthetic"))
    args = parser.parse_args()
    import pyoxigraph

    print(f"- Machine: {os.cpu_count()} cores ({_cpu_model()}), Python "
          f"{platform.python_version()}, pyoxigraph {pyoxigraph.__version__}; load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    print(f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"- Command: `python -m tests.bench_build {' '.join(sys.argv[1:])}`\n")
    with tempfile.TemporaryDirectory(prefix="rarekg-bench-build-") as tmp:
        results = []
        for name, diseases in (("default", 0), ("synthetic", args.diseases)):
            if args.only in (None, name):
                results.append(measure(name, diseases, Path(tmp)))
    print("| graph | triples | full build: wall / CPU (s) | raw bulk load: wall / CPU (s) | "
          "ratio wall / CPU | peak RSS build (MiB) | peak RSS raw load (MiB) |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['graph']} | {r['triples']:,} | {r['build_s']:.1f} / {r['build_cpu']:.1f} | "
              f"{r['raw_s']:.1f} / {r['raw_cpu']:.1f} | {r['ratio']:.2f} / {r['cpu_ratio']:.2f} | "
              f"{r['build_mb']:,} | {r['raw_mb']:,} |")
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}")
    for r in results:
        print(f"\nPhases of the {r['graph']} build (seconds since its start):")
        for message, at in r["phases"]:
            print(f"- {at:7.1f}  {message}")


if __name__ == "__main__":
    main()
