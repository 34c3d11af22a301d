"""Running the shapes compiled by ``kg.build.shape_queries`` on a store: each ``Check`` is one
constraint of one shape as a SELECT whose solutions are the results, reported as the same
``Finding`` values as pySHACL's (``kg.shapes``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pyoxigraph import QuerySolutions, Store

from kg.shapes import Finding


@dataclass(frozen=True)
class Check:
    """One constraint of one shape as a query: its solutions are the results."""

    shape: str  # the node shape, and the property shape's path or component, for reports
    component: str  # e.g. "minCount", "class", "sparql"
    severity: str
    path: str  # as a Finding shows it ("" for node-level constraints)
    message: str  # template: {?var} is replaced by the solution's binding
    query: str
    has_value: bool = True  # whether the query selects ?value


    def findings(self, store: Store) -> Iterator[Finding]:
        """The results on ``store``; a result is reported once, however many solutions give it."""
        seen: set[Finding] = set()
        rows = store.query(self.query, use_default_graph_as_union=True)
        assert isinstance(rows, QuerySolutions)
        for row in rows:
            focus = row["this"]
            value = row["value"] if self.has_value else None
            path = self.path
            if self.component == "sparql" and "?path" in self.query and row["path"] is not None:
                path = short_path(row["path"].value)

            def binding(match: re.Match[str], row: object = row) -> str:
                term = row[match.group(1)]  # type: ignore[index]
                return "" if term is None else str(term.value)

            finding = Finding(
                severity=self.severity,
                focus=focus.value,
                path=path,
                message=re.sub(r"\{[?$](\w+)\}", binding, self.message),
                value="" if value is None else value.value,
            )
            if finding not in seen:
                seen.add(finding)
                yield finding


def run_checks(store: Store, checks: Iterable[Check]) -> list[Finding]:
    """The findings of ``checks`` on ``store``, violations first (ordered as ``kg.shapes``)."""
    findings = [f for check in checks for f in check.findings(store)]
    order = {"Violation": 0, "Warning": 1}
    return sorted(findings, key=lambda f: (order.get(f.severity, 2), f.focus, f.path, f.message))


PREFIXES = (
    ("rk:", "https://w3id.org/rarekg/vocab#"),
    ("schema:", "http://schema.org/"),
    ("skos:", "http://www.w3.org/2004/02/skos/core#"),
    ("prov:", "http://www.w3.org/ns/prov#"),
)


def short_path(iri: str) -> str:
    """A path IRI as ``kg.shapes`` shows it in a finding."""
    for prefix, ns in PREFIXES:
        if iri.startswith(ns):
            return prefix + iri[len(ns) :]
    return iri
