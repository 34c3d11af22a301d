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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, serialize

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


class _LinesOfGraph:
    """A file for ``Store.dump``: N-Triples in, N-Quads of ``graph`` out to ``out`` (each line gets
    the graph's term; " .\\n" only ends a line: literals keep their line breaks escaped and IRIs
    hold no spaces).  The engine writes 8 KiB at a time; the pieces are gathered into blocks of
    about 1 MiB, so that Python's lock is taken for each block, not each piece."""

    BLOCK = 1 << 20

    def __init__(self, out: gzip.GzipFile, graph: NamedNode | BlankNode | DefaultGraph) -> None:
        self._out = out
        self._end = b" .\n" if isinstance(graph, DefaultGraph) else f" {graph} .\n".encode()
        self._parts: list[bytes] = []  # the first may be the start of a line not yet ended
        self._size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._size += len(data)
        if self._size >= self.BLOCK:
            self._drain()
        return len(data)

    def _drain(self) -> None:
        block = b"".join(self._parts)
        cut = block.rfind(b"\n") + 1
        self._out.write(block[:cut].replace(b" .\n", self._end))
        self._parts = [block[cut:]] if cut < len(block) else []
        self._size = len(block) - cut

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._drain()
        if self._parts:
            raise ValueError("the engine's N-Triples did not end with a line break")


def _graph_member(store: Store, graph: NamedNode | BlankNode | DefaultGraph) -> bytes:
    """One graph as one gzip member of N-Quads (the engine's serializer runs without Python's
    lock, so graphs are written on several threads at once)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=LEVEL, mtime=0) as out:
        lines = _LinesOfGraph(out, graph)
        store.dump(lines, format=RdfFormat.N_TRIPLES, from_graph=graph)  # type: ignore[arg-type]
        lines.close()
    return buffer.getvalue()


def write_dataset_dump(store: Store, build_dir: Path, workers: int = 2) -> Dump:
    """Write ``build_dir/dumps/rarekg.nq.gz``: every quad of ``store`` but those of the union graph
    (the service's own copy of the default graph), graph by graph in the order of their terms,
    each graph a gzip member (a file of several members is one gzip file to every reader), so
    the same store gives the same bytes (no member header carries a time)."""
    folder = build_dir / DUMP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DATASET_DUMP
    tmp = path.with_suffix(".part")
    digest = hashlib.sha256()
    graphs: list[NamedNode | BlankNode | DefaultGraph] = sorted(
        (g for g in store.named_graphs() if g != UNION_GRAPH), key=str)
    if next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None:
        graphs.insert(0, DefaultGraph())
    with tmp.open("wb") as out, ThreadPoolExecutor(max_workers=workers) as pool:
        for member in pool.map(lambda g: _graph_member(store, g), graphs):
            out.write(member)
            digest.update(member)
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
