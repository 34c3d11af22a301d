"""The project's SHACL shapes (``ontology/shapes*.ttl``) applied to an rdflib graph with pySHACL.

For small graphs: an organization's submission before review, a test's fixture. A whole build is
validated on the store itself (``kg.build.validate``); both report ``Finding`` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rdflib
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH

from kg.errors import BuildError
from kg.paths import ONTOLOGY_DIR

SHAPES = ONTOLOGY_DIR  # every shapes*.ttl file in it


@dataclass(frozen=True)
class Finding:
    severity: str  # "Violation" or "Warning" (or "Info")
    focus: str
    path: str
    message: str
    value: str

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" {self.path}" if self.path else "")
        value = f" (value: {self.value})" if self.value else ""
        return f"- {self.severity}: {where}: {self.message}{value}"


def validate_graph(data: rdflib.Graph, shapes_path: Path = SHAPES) -> list[Finding]:
    """The SHACL findings on ``data``, violations first."""
    shapes = rdflib.Graph()
    for path in sorted(shapes_path.glob("shapes*.ttl")) if shapes_path.is_dir() else [shapes_path]:
        shapes.parse(path, format="turtle")
    _conforms, results, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    if not isinstance(results, rdflib.Graph):
        raise BuildError(f"the SHACL shapes could not be applied: {results}")
    findings = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = str(results.value(result, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1]
        findings.append(
            Finding(
                severity=severity,
                focus=str(results.value(result, SH.focusNode) or ""),
                path=_short(results.value(result, SH.resultPath)),
                message=str(results.value(result, SH.resultMessage) or ""),
                value=str(results.value(result, SH.value) or ""),
            )
        )
    order = {"Violation": 0, "Warning": 1}
    return sorted(findings, key=lambda f: (order.get(f.severity, 2), f.focus, f.path, f.message))


def _short(term: object) -> str:
    if term is None:
        return ""
    text = str(term)
    for prefix, ns in (
        ("rk:", "https://w3id.org/rarekg/vocab#"),
        ("schema:", "http://schema.org/"),
        ("skos:", "http://www.w3.org/2004/02/skos/core#"),
        ("prov:", "http://www.w3.org/ns/prov#"),
    ):
        if text.startswith(ns):
            return prefix + text[len(ns) :]
    return text if isinstance(term, rdflib.URIRef) else "(path)"
