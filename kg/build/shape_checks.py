"""Running the shapes compiled by ``kg.build.shape_queries`` on a store: each ``Check`` is one
query for one shape (or one property shape) whose solutions are the results of one or more of its
constraints, reported as the same ``Finding`` values as pySHACL's (``kg.shapes``).

Class membership follows ``rdfs:subClassOf`` in the data, as SHACL says: a compiled query names
each class by a placeholder IRI (``subclasses``) that ``run_checks`` replaces by the class and its
subclasses in the store, found with one query per class, before the checks run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pyoxigraph import QuerySolutions, Store

from kg.shapes import Finding
from kg.store.union import union_dataset

SUBCLASSES = "urn:rarekg:subclasses-of:"
_PLACEHOLDER = re.compile(r"<" + re.escape(SUBCLASSES) + r"([^>]*)>")


def subclasses(cls: str) -> str:
    """The placeholder of ``cls`` and its subclasses, in a VALUES block of a compiled query."""
    return f"<{SUBCLASSES}{cls}>"


@dataclass(frozen=True)
class Check:
    """One query of one shape.  With one part, every solution is a result of that constraint; with
    several, the query selects ``?b0``, ``?b1``... and a solution is a result of each part whose
    boolean is true."""

    shape: str  # the node shape, and the property shape's path, for reports
    severity: str
    query: str
    # (component, message template with {?var}, path as a Finding shows it: "" for the node)
    parts: tuple[tuple[str, str, str], ...]
    has_value: bool = True  # whether the query selects ?value

    def results(self, store: Store, query: str | None = None) -> Iterator[tuple[str, Finding]]:
        """(component, finding) for each result on ``store``; a result is reported once, however
        many solutions give it.  ``query``: the query with its class placeholders replaced."""
        seen: set[tuple[str, Finding]] = set()
        rows = store.query(query or self.query, **union_dataset(store))
        assert isinstance(rows, QuerySolutions)
        for row in rows:
            value = row["value"] if self.has_value else None

            def binding(match: re.Match[str], row: object = row) -> str:
                term = row[match.group(1)]  # type: ignore[index]
                return "" if term is None else str(term.value)

            for i, (component, message, path) in enumerate(self.parts):
                if len(self.parts) > 1 and getattr(row[f"b{i}"], "value", "") != "true":
                    continue
                if component == "sparql" and "?path" in self.query and row["path"] is not None:
                    path = short_path(row["path"].value)
                found = (component, Finding(
                    severity=self.severity,
                    focus=row["this"].value,
                    path=path,
                    message=re.sub(r"\{[?$](\w+)\}", binding, message),
                    value="" if value is None else value.value,
                ))
                if found not in seen:
                    seen.add(found)
                    yield found


def class_closures(store: Store, checks: Iterable[Check]) -> dict[str, str]:
    """For each class named in ``checks``: it and its subclasses in ``store``, as VALUES terms."""
    closures = {}
    for cls in sorted({m for c in checks for m in _PLACEHOLDER.findall(c.query)}):
        rows = store.query(
            f"SELECT DISTINCT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
            f"<{cls}> FILTER (isIRI(?c)) }}", **union_dataset(store))
        assert isinstance(rows, QuerySolutions)
        closures[cls] = " ".join(sorted({f"<{r['c'].value}>" for r in rows} | {f"<{cls}>"}))
    return closures


def resolve(query: str, closures: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: closures[m.group(1)], query)


def run_results(store: Store, checks: Iterable[Check]) -> Iterator[tuple[Check, str, Finding]]:
    """(check, component, finding) of every result of ``checks`` on ``store``, in the order of
    ``checks``.  The queries run on as many threads as the machine has cores (the engine evaluates
    without holding Python's lock), each query consumed in the thread that asked it."""
    checks = list(checks)
    closures = class_closures(store, checks)

    def found(check: Check) -> list[tuple[str, Finding]]:
        return list(check.results(store, resolve(check.query, closures)))

    with ThreadPoolExecutor(max_workers=max(1, min(len(checks), os.cpu_count() or 1))) as pool:
        for check, results in zip(checks, pool.map(found, checks), strict=True):
            for component, finding in results:
                yield check, component, finding


def run_checks(store: Store, checks: Iterable[Check]) -> list[Finding]:
    """The findings of ``checks`` on ``store``, violations first (ordered as ``kg.shapes``)."""
    findings = [f for _c, _k, f in run_results(store, checks)]
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
