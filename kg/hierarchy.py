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
Category, e.g. ORPHA:79213 Mucopolysaccharidosis).  An entity below another entry's code counts
for both (severe combined immunodeficiency: 1/94 primary combined immune deficiency and 2/66
primary immunodeficiency), except where a reviewed decision says the classification groups
diseases that are not kinds of each other (``not-code`` rows of ``decisions.csv``, e.g.
neuromyelitis optica spectrum disorder under ORPHA:228145 multiple sclerosis variant).  Obsolete
or inactive
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
REPLACED = "orpha_replaced.csv.gz"


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
    replaced: dict[str, str] = field(default_factory=dict)

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
        for r in _rows(folder / REPLACED):
            if r.get("target"):
                o.replaced[r["orpha"]] = r["target"]
        return o

    def active(self, code: str) -> bool:
        return self.statuses.get(code, "") in ("", "active")

    def current(self, code: str) -> str | None:
        """``code`` if active, else the code Orphanet replaced it by (if any)."""
        return code if self.active(code) else self.replaced.get(code)

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

    def below(self, code: str) -> set[str]:
        """Every entity below ``code`` by the rule of the module docstring."""
        seen: set[str] = set()
        stack = [code]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in seen and child != code and self.enters(child):
                    seen.add(child)
                    stack.append(child)
        return seen
