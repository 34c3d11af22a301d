"""Matching the names sources give to diseases and drugs against the graph's own: exact after
normalisation, or no link at all (never a guess).

A ``DiseaseIndex`` knows the listed diseases (and their numbered subtypes) by their printed names,
the parts of a printed name that the list separates with ``/``, their ORPHA names and codes (exact
links only), their folk names and the names and synonyms Orphadata gives for an ORPHA code that is
linked exactly to one list entry.  A name that two diseases share is ambiguous and links to neither.
A ``DrugIndex`` knows every drug of the graph by its names, INN and brands.  Both are built from the
quads the loaders produce, so they hold whatever the build holds.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Quad

from kg.vocab import ID_BASE, ORPHA_BASE, RDF, RDFS, RK, SCHEMA, SKOS

_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}
_TYPE_ROMAN = re.compile(r"\btype (i{1,3}|iv|v)\b")
_TYPE = re.compile(r"(.+?) type (\d+)")
_ORPHA = re.compile(r"(?:ORPHA|Orphanet)[:_ ]?\s*([0-9]+)", re.IGNORECASE)
_TREATMENT = re.compile(
    r"^(?:indicated\s+)?(?:for\s+)?(?:the\s+)?(?:treatment|management)\s+of\s+"
    r"(?:(?:adult\s+|pediatric\s+|paediatric\s+)?patients\s+with\s+)?",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"^([^()]+?)\s*\(([^()]+)\)\.?$")
_DASHED = re.compile(r"^([^()]+?)\s+-\s+([^()]+)$")
ORPHA_DISEASE = ID_BASE + "disease/orpha-"


def normalise(text: str) -> str:
    """Lower case, NFKC, possessives dropped (``Kennedy's`` → ``kennedy``), an inverted heading
    turned round (``Muscular Atrophy, Spinal``), roman type numbers as digits, punctuation as
    spaces.  Chinese characters are kept."""
    s = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'").strip()
    s = re.sub(r"(\w)'s\b", r"\1", s)
    if s.count(",") == 1:
        head, tail = (p.strip() for p in s.split(","))
        s = f"{tail} {head}"
    s = re.sub(r"[\W_]+", " ", s).strip()
    return _TYPE_ROMAN.sub(lambda m: "type " + _ROMAN[m.group(1)], s)


def _two_parts(text: str) -> tuple[str, str] | None:
    """``A (B)`` or ``A - B``: a name with its alternative, acronym or qualifier."""
    match = _BRACKETED.match(text.strip()) or _DASHED.match(text.strip())
    return (match.group(1), match.group(2)) if match else None


def _acronym(text: str) -> bool:
    word = text.strip()
    return " " not in word and word.isupper() and len(word) <= 6


def _one(found: set[NamedNode] | None) -> NamedNode | None:
    if found and len(found) == 1:
        return next(iter(found))
    return None


@dataclass
class DiseaseIndex:
    """Names and ORPHA codes of the listed diseases; ``match`` links a text to at most one."""

    names: dict[str, set[NamedNode]] = field(default_factory=lambda: defaultdict(set))
    orpha: dict[str, set[NamedNode]] = field(default_factory=lambda: defaultdict(set))

    def add_name(self, name: str, disease: NamedNode) -> None:
        key = normalise(name)
        if key:
            self.names[key].add(disease)

    def add_orpha(self, code: str, disease: NamedNode) -> None:
        self.orpha[code].add(disease)

    def match(self, text: str) -> NamedNode | None:
        """The one disease ``text`` names, or ``None``.

        ``text`` may be ``ORPHA:<code>``, a name, an inverted MeSH-style heading, a
        "treatment of" phrase, an acronym and a name (``SMA - Spinal Muscular Atrophy``), a
        name with an alternative or a remark in brackets (``A (B)``: one of A and B names
        the disease and the other names it too or nothing; an acronym alone is not enough),
        or a numbered type of a listed disease (``Spinal Muscular Atrophy Type I``)."""
        text = text.strip()
        code = _ORPHA.fullmatch(text)
        if code:
            return _one(self.orpha.get(code.group(1)))
        core = _TREATMENT.sub("", text)
        hit = _one(self.names.get(normalise(core)))
        if hit:
            return hit
        parts = _two_parts(core)
        if parts:
            found = [self.names.get(normalise(p)) or set() for p in parts]
            hits = set().union(*found)
            strong = [p for p, f in zip(parts, found, strict=True) if f and not _acronym(p)]
            if len(hits) == 1 and strong:
                return next(iter(hits))
        typed = _TYPE.fullmatch(normalise(core))
        if typed:
            return _one(self.names.get(typed.group(1)))
        return None

    @classmethod
    def from_quads(cls, quads: Iterable[Quad]) -> DiseaseIndex:
        """The index of the listed diseases (subjects of ``rk:listedIn``) and their subtypes
        (``skos:broader`` a listed disease) in ``quads``, with the names of ORPHA-only diseases
        (``disease/orpha-<n>``) given to the one listed disease that matches the same ORPHA concept
        exactly."""
        listed: set[NamedNode] = set()
        parents: dict[NamedNode, NamedNode] = {}
        names: dict[NamedNode, set[str]] = defaultdict(set)
        exact: dict[NamedNode, set[str]] = defaultdict(set)
        for q in quads:
            s, p, o = q.subject, q.predicate, q.object
            if not isinstance(s, NamedNode):
                continue
            if p == RK.listedIn:
                listed.add(s)
            elif p == SKOS.broader and isinstance(o, NamedNode):
                parents[s] = o
            elif p in (SKOS.prefLabel, SKOS.altLabel) and isinstance(o, Literal):
                names[s].add(o.value)
            elif p == RK.orphaCode and isinstance(o, Literal):
                exact[s].add(o.value)
            elif (
                p == SKOS.exactMatch and isinstance(o, NamedNode) and o.value.startswith(ORPHA_BASE)
            ):
                exact[s].add(o.value.removeprefix(ORPHA_BASE))
        ours = listed | {s for s, parent in parents.items() if parent in listed}
        index = cls()
        by_code: dict[str, set[NamedNode]] = defaultdict(set)
        for disease in ours:
            for name in names[disease]:
                index.add_name(name, disease)
                for part in name.split("/"):
                    if part.strip() and part.strip() != name.strip():
                        index.add_name(part, disease)
            for code in exact[disease]:
                index.add_orpha(code, disease)
                by_code[code].add(disease)
        for node, codes in exact.items():
            if node.value.startswith(ORPHA_DISEASE):
                for code in codes:
                    target = _one(by_code.get(code))
                    if target is not None:
                        for name in names[node]:
                            index.add_name(name, target)
        return index


DRUG_NAME_PROPERTIES = (
    RDFS.label,
    SCHEMA.name,
    SKOS.prefLabel,
    SKOS.altLabel,
    RK.inn,
    RK.brandName,
)


@dataclass
class DrugIndex:
    """Every drug by each of its names (exact after normalisation)."""

    names: dict[str, set[NamedNode]] = field(default_factory=lambda: defaultdict(set))

    def match(self, text: str) -> set[NamedNode]:
        """The drugs that ``text`` names exactly (several when sources name the same substance)."""
        return set(self.names.get(normalise(text), ()))

    @classmethod
    def from_quads(cls, quads: Iterable[Quad]) -> DrugIndex:
        drugs: set[NamedNode] = set()
        labels: list[tuple[NamedNode, str]] = []
        for q in quads:
            s, p, o = q.subject, q.predicate, q.object
            if not isinstance(s, NamedNode):
                continue
            if p == RDF.type and o == RK.Drug:
                drugs.add(s)
            elif p in DRUG_NAME_PROPERTIES and isinstance(o, Literal):
                labels.append((s, o.value))
        index = cls()
        for drug, name in labels:
            key = normalise(name)
            if drug in drugs and key:
                index.names[key].add(drug)
        return index
