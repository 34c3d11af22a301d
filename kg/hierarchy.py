"""Orphanet's names and classification, read from the derived tables in ``data/orphanet/``, and the
rule by which an Orphanet entity counts for a listed disease as one of its subtypes.

The rule: an entity ``D`` is below a code ``X`` when ``D`` is reached from ``X`` by going down
Orphanet's classification (``orpha_parents.csv.gz``: each entity's direct classification parents,
in all of Orphanet's classifications), and every step goes into an entity that is

* a disorder or subtype (any type but ``Category``: Disease, Malformation syndrome, Clinical
  syndrome, Clinical group, Clinical/Etiological/Histopathological subtype, Morphological or
  Biological anomaly, Particular clinical situation), or
* a ``Category`` that groups kinds of ``X`` rather than diseases that merely show a feature: a
  category whose English name contains `` with `` (``Syndrome with hypoparathyroidism``,
  ``Neuromuscular disease with dilated cardiomyopathy``) or starts with ``Rare `` is not entered,
  nor is anything only reachable through it.

``X`` itself may be of any type (an entry's exact ORPHA code is often a Clinical group or a
Category, e.g. ORPHA:79213 Mucopolysaccharidosis).  The walk does not enter the ORPHA code of
another list entry: when the lists name two diseases apart, one is not a subtype of the other
(ORPHA:71211 neuromyelitis optica spectrum disorder, entry 1/81, lies below ORPHA:228145 multiple
sclerosis variant, the expert mapping's code of 1/76 multiple sclerosis).  Obsolete or inactive
entities (``status`` other than empty or ``active``) are never below anything.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

NAMES = "orpha_names.csv.gz"
ENTITIES = "orpha_entities.csv.gz"
PARENTS = "orpha_parents.csv.gz"


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            yield from csv.DictReader(f)


@dataclass
class Orphanet:
    """Names ``(code, lang, kind, name)``, entity types and statuses, and children by parent."""

    names: list[tuple[str, str, str, str]] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    children: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    english: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_tables(cls, folder: Path) -> Orphanet:
        """The tables of ``folder``; absent tables give an empty Orphanet (no names, no
        classification), so resolution falls back on the lists' own names."""
        o = cls()
        o.names = [(r["orpha"], r["lang"], r["kind"], r["name"]) for r in _rows(folder / NAMES)]
        for r in _rows(folder / ENTITIES):
            o.types[r["orpha"]] = r["type"]
            o.statuses[r["orpha"]] = r.get("status") or ""
        for r in _rows(folder / PARENTS):
            o.children[r["parent"]].add(r["orpha"])
        return o

    def enters(self, code: str) -> bool:
        """Whether the walk down from an entry's code may step into ``code``."""
        if self.statuses.get(code, "") not in ("", "active"):
            return False
        if self.types.get(code) != "Category":
            return True
        name = self._english().get(code, "")
        return " with " not in f" {name.lower()} " and not name.startswith("Rare ")

    def _english(self) -> dict[str, str]:
        if not self.english:
            self.english.update(
                (c, n) for c, lang, kind, n in self.names if lang == "en" and kind == "preferred"
            )
        return self.english

    def below(self, code: str, stop: set[str] | frozenset[str] = frozenset()) -> set[str]:
        """Every entity below ``code`` by the rule of the module docstring, not entering the
        codes of ``stop`` (the codes of other list entries: the lists name them apart)."""
        seen: set[str] = set()
        stack = [code]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in seen and child != code and child not in stop and self.enters(child):
                    seen.add(child)
                    stack.append(child)
        return seen
