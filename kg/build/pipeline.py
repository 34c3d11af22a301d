"""Building the graph: load every source into a new store, validate, describe, swap it in
atomically."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Quad, Store

from kg.store import embedded as stores
from kg.describe import SourceInfo, describe, graph_counts
from kg.errors import BuildError, RarekgError, ValidationFailed
from kg.store.search import write_index as write_search_index
from kg.build.validate import Finding, validate_store


@dataclass(frozen=True)
class Source:
    """One source: its description and the loader call that yields its quads."""

    info: SourceInfo
    load: Callable[[], Iterable[Quad]]


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
    """
    started = time.perf_counter()
    store_dir.mkdir(parents=True, exist_ok=True)
    build_dir = stores.new_build_dir(store_dir)
    try:
        store = Store(str(build_dir))
        for source in sources:
            t0 = time.perf_counter()
            store.bulk_extend(source.load())
            log(f"loaded {source.info.name} ({time.perf_counter() - t0:.2f} s)")
        warnings: list[Finding] = []
        if validate:
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
        built = datetime.now(UTC)
        store.bulk_extend(describe(store, [s.info for s in sources], built))
        store.flush()
        store.optimize()
        counts = graph_counts(store)
        write_search_index(store, build_dir)
        del store
        stores.swap_in(store_dir, build_dir)
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
