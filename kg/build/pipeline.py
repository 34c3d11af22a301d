"""Building the graph: load every source into a new store, run the phases that read what was
loaded (the linking phase, ``kg/build/link.py``), add the fixed analyses and the description,
compact the store, validate, write the search index and the dump, swap it in atomically."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Quad, Store

from kg.build.validate import Finding, validate_store
from kg.describe import SourceInfo, describe, graph_counts
from kg.errors import BuildError, RarekgError, ValidationFailed
from kg.store import embedded as stores
from kg.store.analyses import analyses
from kg.store.bulkwriter import BulkWriter
from kg.store.dumps import write_dataset_dump
from kg.store.search import write_index as write_search_index


@dataclass(frozen=True)
class Source:
    """One source: its description and the loader call that yields its quads."""

    info: SourceInfo
    load: Callable[[], Iterable[Quad]]
    # a phase that runs once every source is loaded, reading the store: the linking phase
    after_loading: Callable[[Store], Iterable[Quad]] | None = None


@dataclass
class BuildReport:
    store_dir: Path
    build_dir: Path
    seconds: float
    triples: dict[str, int]
    warnings: list[Finding] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.triples.values())


def build_graph(
    store_dir: Path,
    sources: Sequence[Source],
    *,
    validate: bool = True,
    log: Callable[[str], None] = lambda _msg: None,
) -> BuildReport:
    """Build every source into a new directory under ``store_dir`` and swap it in.

    Raises ``LoadError`` for a malformed source record, ``ValidationFailed`` when the graph violates
    the shapes, ``BuildError`` otherwise; in every case the store being served is left untouched.

    ``log`` is told of each phase: once when a slow phase starts (a message ending in ``...``) and
    once when each phase is done: every source with its triple count, validation, the dataset
    description, the search index, the dataset dump and the swap (``kg.progress.Progress`` shows
    them as a bar).
    """
    started = time.perf_counter()
    store_dir.mkdir(parents=True, exist_ok=True)
    build_dir = stores.new_build_dir(store_dir)
    try:
        store = Store(str(build_dir))
        # Every write of the build goes with its copy in the union graph (kg/store/bulkwriter.py),
        # loaded on worker threads while the next source is read.
        with BulkWriter(store) as writer:
            for source in sources:
                t0 = time.perf_counter()
                n = writer.extend(source.load())
                log(f"loaded {source.info.name} ({n:,} quads, {time.perf_counter() - t0:.2f} s)")
            t0 = time.perf_counter()
            writer.wait()  # the phases below read what was loaded
            log(f"every source written ({time.perf_counter() - t0:.2f} s after the last)")
            for source in sources:
                if source.after_loading is not None:
                    t0 = time.perf_counter()
                    # read in full before writing: the phase queries the store it adds to
                    n = writer.extend(list(source.after_loading(store)))
                    writer.wait()
                    log(f"linked {source.info.name} ({n:,} quads, "
                        f"{time.perf_counter() - t0:.2f} s)")
            built = datetime.now(UTC)
            writer.extend(list(analyses(store, built)))  # fixed analyses: kg/store/analyses.py
            writer.wait()
            writer.extend(list(describe(store, [s.info for s in sources], built)))
        log("described")
        t0 = time.perf_counter()
        # compacted once everything is written (a write after it would leave files of its own
        # that every read of the union graph checks), so that every phase below reads a compacted
        # store (docs/benchmarks.md, "fourth run")
        store.optimize()
        log(f"optimized ({time.perf_counter() - t0:.2f} s)")
        warnings: list[Finding] = []
        if validate:
            log("validating with the SHACL shapes...")
            t0 = time.perf_counter()
            findings = validate_store(store)
            violations = [f for f in findings if f.severity == "Violation"]
            warnings = [f for f in findings if f.severity != "Violation"]
            if violations:
                shown = "\n".join(str(f) for f in violations[:50])
                more = len(violations) - 50
                if more > 0:
                    shown += f"\n... and {more} more"
                raise ValidationFailed(shown, len(violations))
            log(f"validated ({time.perf_counter() - t0:.2f} s, {len(warnings)} warning(s))")
        counts = graph_counts(store)
        t0 = time.perf_counter()
        # The dump (the engine's serializer and zlib, which run without Python's lock) is written
        # on threads of its own while the search index (Python) is: both only read the store.
        with ThreadPoolExecutor(max_workers=1) as dumping:
            pending = dumping.submit(write_dataset_dump, store, build_dir)
            write_search_index(store, build_dir)
            log(f"search index written ({time.perf_counter() - t0:.2f} s)")
            pending.result()
        log(f"dump written ({time.perf_counter() - t0:.2f} s since the index began)")
        store.flush()
        del store
        stores.swap_in(store_dir, build_dir)
        log(f"swapped in {build_dir.name} as the store being served")
    except RarekgError:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    except OSError as exc:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise BuildError(f"build failed: {exc}") from exc
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    return BuildReport(store_dir, build_dir, time.perf_counter() - started, counts, warnings)
