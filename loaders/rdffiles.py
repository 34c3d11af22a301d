"""RDF files of the project itself: the ontology, the concept schemes and the example questions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, parse

from kg import iri
from kg.errors import LoadError

ONTOLOGY_GRAPH = "ontology"
EXAMPLES_GRAPH = "examples"


def load(paths: Iterable[Path], graph_name: str) -> Iterator[Quad]:
    """The triples of Turtle files, into the named graph ``graph_name``.

    Raises ``LoadError`` naming the file and the line of a syntax error."""
    graph = iri.graph(graph_name)
    for path in paths:
        try:
            with path.open("rb") as f:
                for triple in parse(f, format=RdfFormat.TURTLE, base_iri=iri.ID_BASE_IRI):
                    yield Quad(triple.subject, triple.predicate, triple.object, graph)
        except SyntaxError as exc:
            raise LoadError(path.name, getattr(exc, "lineno", "?"), None, str(exc)) from None
        except OSError as exc:
            raise LoadError(path.name, 0, None, f"cannot be read: {exc.strerror}") from None
