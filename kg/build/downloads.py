"""A user's own downloads as sources of their own named graphs (``rarekg build --source
NAME=PATH``): one file or a folder of files in a format a loader reads, each with its own source
document, linked to the default graph's diseases (by the build's linking phase) and drugs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kg import iri
from kg.build.licences import with_terms
from kg.build.pipeline import Source
from kg.build.sources import Links, Loads, default_links, drug_identity
from kg.describe import SourceInfo
from kg.errors import BuildError, LoadError
from kg.paths import DATA_DIR

FORMATS = {
    "ctgov": "ClinicalTrials.gov API v2 JSON",
    "orphadata": "Orphadata API JSON",
    "fda": "FDA OOPD orphan designations and approvals CSV",
    "ema": "EMA orphan designations JSON",
    "nmpa": "China rare-disease drug approvals JSON",
    "hospitals": "China rare disease collaboration network hospitals JSON",
}
DRUG_FORMATS = ("nmpa", "fda", "ema")


def download_sources(specs: Sequence[str], data_dir: Path = DATA_DIR) -> list[Source]:
    """A user's own downloads, each ``NAME=PATH`` with ``NAME`` one of ``FORMATS``, as sources of
    their own named graphs (``download-<name>-<file>``), each with its own source document; a
    ``PATH`` that is a folder (``rarekg fetch``) gives one graph, a document per file
    (``kg.build.fetched``).  Their
    conditions and indications link to the listed diseases of ``data_dir``, their interventions to
    the drugs of the default graph and of the other downloads.

    Raises ``BuildError`` for an unknown format or a spec without ``=``, ``LoadError`` for a file
    that cannot be read."""
    from kg.build import fetched
    from loaders import ctgov, documents, ema, fda, hospitals, nmpa, orphadata

    ident = drug_identity(data_dir)
    parsed: list[tuple[str, Path, str]] = []
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or not value:
            raise BuildError(f"--source {spec!r}: expected NAME=PATH")
        if name not in FORMATS:
            raise BuildError(
                f"--source {spec!r}: unknown format {name!r} (one of {', '.join(FORMATS)})"
            )
        path = Path(value)
        if path.is_dir():
            path = fetched.folder_of(path, name)
        elif not path.is_file():
            raise LoadError(path.name, 0, None, f"cannot be read: no such file {value}")
        graph = f"download-{name}-{iri.name_slug(path.stem)}"
        taken = {g for _n, _p, g in parsed}
        base, n = graph, 2
        while graph in taken:
            graph, n = f"{base}-{n}", n + 1
        parsed.append((name, path, graph))

    def loader(name: str, folder: Path, graph: str, links: Links | None) -> Iterator[Quad]:
        if folder.is_dir():  # a folder of pages (rarekg fetch): each file its own document
            for path in fetched.page_files(folder):
                slug = fetched.document_slug(graph, folder, path)
                yield from fetched.document(path, slug, name, FORMATS[name], iri.graph(graph))
                yield from load_file(name, path, iri.source(slug), graph, links)
        else:
            yield from documents.download(folder, graph, name, FORMATS[name], iri.graph(graph))
            yield from load_file(name, folder, iri.source(graph), graph, links)

    def load_file(
        name: str, path: Path, source: NamedNode, graph: str, links: Links | None
    ) -> Iterator[Quad]:
        if name == "ctgov":
            yield from ctgov.load(
                path,
                source=source,
                graph=graph,
                drugs=links.drugs if links else None,
            )
        elif name == "fda":
            yield from fda.load(path, source=source, graph=graph, identity=ident)
        elif name == "ema":
            yield from ema.load(path, source=source, graph=graph, identity=ident)
        elif name == "nmpa":
            yield from nmpa.load(path, source=source, graph=graph, identity=ident)
        elif name == "hospitals":
            yield from hospitals.load(path, source=source, graph=graph)
        else:
            yield from orphadata.load(path, source=source, graph=graph)

    def load(name: str, path: Path, graph: str, links: Links | None) -> Loads:
        return lambda: loader(name, path, graph, links)

    drug_loads = [load(n, p, g, None) for n, p, g in parsed if n in DRUG_FORMATS]
    links = default_links(data_dir).with_drugs(drug_loads)
    result = []
    for name, path, graph in parsed:
        if path.is_dir():
            files = fetched.page_files(path)
            docs = tuple(fetched.document_slug(graph, path, p) for p in files)
            info = SourceInfo(
                graph,
                f"{FORMATS[name]}: {path.name}/ ({len(files)} files)",
                docs,
                retrieved=fetched.retrieved(files),
                version=fetched.version(path, files),
            )
        else:
            modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
            info = SourceInfo(
                graph, f"{FORMATS[name]}: {path.name} (own download)", (graph,), modified
            )
        result.append(Source(info, load(name, path, graph, links)))
    return with_terms(result)
