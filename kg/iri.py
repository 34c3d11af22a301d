"""Deterministic IRIs for everything rarekg mints: the same source row always gives the same IRI."""

from __future__ import annotations

import hashlib
import re

from pyoxigraph import NamedNode

from kg.vocab import CONCEPT_BASE, GRAPH_BASE, ID_BASE, ORPHA_BASE

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NCT = re.compile(r"^NCT[0-9]{8}$")
SCHEMES = {
    "registration-status", "activity-type", "funding-source", "organization-type",
    "decision-type", "observation-category",
}


def _slug(value: str, what: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"{what} {value!r} is not a slug ([a-z0-9-], starting with a letter or digit)")
    return value


def entity(kind: str, local: str) -> NamedNode:
    """``https://w3id.org/rarekg/id/{kind}/{local}``."""
    return NamedNode(f"{ID_BASE}{_slug(kind, 'kind')}/{_slug(local, 'local name')}")


def list_key(list_no: int, entry: int) -> str:
    return f"cn{list_no}-{entry:03d}"


def disease(list_no: int, entry: int) -> NamedNode:
    """The disease named by entry ``entry`` of China's national list ``list_no`` (1 or 2)."""
    return entity("disease", list_key(list_no, entry))


def list_entry(list_no: int, entry: int) -> NamedNode:
    return entity("list-entry", list_key(list_no, entry))


def national_list(list_no: int) -> NamedNode:
    return entity("list", f"cn{list_no}")


def orpha_disease(code: str) -> NamedNode:
    """A disease known only by its ORPHA code (not on a national list)."""
    if not code.isdigit():
        raise ValueError(f"ORPHA code {code!r} is not numeric")
    return entity("disease", f"orpha-{code}")


def ordo(code: str) -> NamedNode:
    if not code.isdigit():
        raise ValueError(f"ORPHA code {code!r} is not numeric")
    return NamedNode(ORPHA_BASE + code)


def organization(slug: str) -> NamedNode:
    return entity("org", slug)


def policy(slug: str) -> NamedNode:
    return entity("policy", slug)


def source(slug: str) -> NamedNode:
    return entity("source", slug)


def drug(slug: str) -> NamedNode:
    return entity("drug", slug)


def trial(nct_id: str) -> NamedNode:
    if not NCT.match(nct_id):
        raise ValueError(f"{nct_id!r} is not an NCT number")
    return NamedNode(f"{ID_BASE}trial/{nct_id}")


def observation(slug: str) -> NamedNode:
    return entity("observation", slug)


def dataset(slug: str) -> NamedNode:
    return entity("dataset", slug)


def status(*parts: str) -> NamedNode:
    """A status node (regulatory decision, list membership) from the parts that identify it."""
    return entity("status", _digest(*parts))


def evidence(*parts: str) -> NamedNode:
    """The evidence node of one stated fact (subject, property, value, source)."""
    return entity("evidence", _digest(*parts))


def graph(name: str) -> NamedNode:
    """The named graph that one source fills."""
    return NamedNode(GRAPH_BASE + _slug(name, "graph name"))


def concept(scheme: str, value: str) -> NamedNode:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown concept scheme {scheme!r}")
    return NamedNode(f"{CONCEPT_BASE}{scheme}/{_slug(value, scheme + ' value')}")


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
ID_BASE_IRI = ID_BASE
