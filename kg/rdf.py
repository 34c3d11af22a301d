"""Small helpers to make RDF terms from source values."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from kg import iri
from kg.vocab import PROV, RDF, RK, XSD

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

Term = NamedNode | Literal


def date_literal(value: str) -> Literal:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as xsd:gYear, xsd:gYearMonth or xsd:date.

    Raises ``ValueError`` for anything else.
    """
    m = _DATE.match(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if m.group(3):
        return Literal(m.group(0), datatype=XSD.date)
    if m.group(2):
        return Literal(m.group(0), datatype=XSD.gYearMonth)
    return Literal(m.group(0), datatype=XSD.gYear)


def integer(value: int | str) -> Literal:
    return Literal(str(int(value)), datatype=XSD.integer)


def decimal(value: str) -> Literal:
    float(value)
    return Literal(value.strip(), datatype=XSD.decimal)


def text(value: str, lang: str | None = None) -> Literal:
    return Literal(value, language=lang) if lang else Literal(value)


class QuadWriter:
    """Collects the triples of one named graph and hands them out as quads."""

    def __init__(self, graph: NamedNode | DefaultGraph) -> None:
        self.graph = graph
        self._quads: list[Quad] = []

    def add(self, s: NamedNode, p: NamedNode, o: Term) -> None:
        self._quads.append(Quad(s, p, o, self.graph))

    def label(self, s: NamedNode, value: str | None, lang: str | None, *props: NamedNode) -> None:
        if value:
            for p in props:
                self.add(s, p, text(value, lang))

    def evidence(
        self, s: NamedNode, p: NamedNode, o: Term, source: NamedNode, quote: str, lang: str | None
    ) -> NamedNode:
        """State ``s p o`` with its source and the quote that states it (an ``rk:Evidence``
        node)."""
        self.add(s, p, o)
        self.add(s, PROV.wasDerivedFrom, source)
        ev = iri.evidence(s.value, p.value, str(o), source.value, quote)
        self.add(s, RK.hasEvidence, ev)
        self.add(ev, RDF.type, RK.Evidence)
        self.add(ev, RDF.subject, s)
        self.add(ev, RDF.predicate, p)
        self.add(ev, RDF.object, o)
        self.add(ev, PROV.wasDerivedFrom, source)
        self.add(ev, RK.evidenceQuote, text(quote, lang))
        return ev

    def discard(self) -> None:
        """Forget the triples collected since the last ``drain`` (a record that is skipped)."""
        self._quads = []

    def drain(self) -> Iterator[Quad]:
        quads, self._quads = self._quads, []
        yield from quads
