"""Downloads of a build: the whole dataset as one gzip-compressed N-Quads file, written beside the
build's Oxigraph files when the build is made (``dumps/rarekg.nq.gz``), and any one graph or the
whole dataset streamed from the store on request (N-Triples, N-Quads or TriG, gzip-compressed as
it is written, so memory stays bounded whatever the size).

The dump file is written once per build: a rebuilt store swaps in its own dump with its files.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Triple, serialize

from kg.store.union import UNION_GRAPH

DUMP_DIR = "dumps"
DATASET_DUMP = "rarekg.nq.gz"
CHUNK_QUADS = 20_000
LEVEL = 1  # gzip level: the fastest; a dump is written with every build


@dataclass(frozen=True)
class Dump:
    path: Path
    bytes: int
    sha256: str


def write_dataset_dump(store: Store, build_dir: Path) -> Dump:
    """Write ``build_dir/dumps/rarekg.nq.gz``: every quad of ``store`` (byte-identical for the same
    store: the gzip header carries no time)."""
    folder = build_dir / DUMP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DATASET_DUMP
    tmp = path.with_suffix(".part")
    digest = hashlib.sha256()
    with (
        tmp.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=LEVEL, mtime=0) as out,
    ):
        store.dump(out, format=RdfFormat.N_QUADS)  # type: ignore[arg-type]
    with tmp.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    tmp.replace(path)
    return Dump(path, path.stat().st_size, digest.hexdigest())


def dataset_dump(data_dir: Path) -> Path | None:
    """The dump of the build whose files are in ``data_dir``, if it has one."""
    path = data_dir / DUMP_DIR / DATASET_DUMP
    return path if path.is_file() else None


def _serialize(batch: list[Quad], fmt: RdfFormat) -> bytes:
    if fmt == RdfFormat.N_TRIPLES:  # one graph: its quads as triples
        return serialize([Triple(q.subject, q.predicate, q.object) for q in batch], format=fmt) \
            or b""
    return serialize(batch, format=fmt) or b""


def _chunks(quads: Iterator[Quad], fmt: RdfFormat) -> Iterator[bytes]:
    batch: list[Quad] = []
    for quad in quads:
        batch.append(quad)
        if len(batch) >= CHUNK_QUADS:
            yield _serialize(batch, fmt)
            batch = []
    if batch:
        yield _serialize(batch, fmt)


def stream(store: Store, graph: NamedNode | None, fmt: RdfFormat) -> Iterator[bytes]:
    """``graph`` (or, with ``None``, every graph) as gzip-compressed ``fmt``, in pieces.

    N-Triples of one graph, N-Quads or TriG of the dataset; each batch of TriG repeats its graph
    blocks, which is still one valid TriG document."""
    quads = (q for q in store.quads_for_pattern(None, None, None, graph)
             if q.graph_name != UNION_GRAPH)  # the service's own copy of the default graph
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=LEVEL, mtime=0) as out:
        for chunk in _chunks(quads, fmt):
            out.write(chunk)
            if buffer.tell() > 1 << 16:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()
