"""Disease resolution: which listed diseases (and which Orphanet entities) a free text names.

One component for every text the graph holds about diseases: FDA, EMA and NMPA indications, NRDL
restrictions, trial conditions.  ``DiseaseResolver.from_tables(data_dir)`` reads the project's own
tables and knows each entry of the two national lists by

* its printed names in Chinese and English, and their parts: a part in brackets or after ``/``
  is a name of its own (``Angelman 氏症候群（天使综合征）``), unless it only qualifies the disease
  (``帕金森病（青年型、早发型）``, ``Glycogen Storage Disease (Type I、II）``): then the head alone
  is not the entry, and the qualified names are given in ``data/resolution/decisions.csv``;
* its folk names (``data/lists/folk_names.csv``), and the names of its numbered subtypes in the
  expert annotations of list 1 (``ccrd_*.csv``: ``脊髓性肌萎缩症1型`` links to the subtype node
  ``disease/cn1-110-1``, which is ``skos:broader`` its entry);
* the Orphanet names (preferred terms and synonyms, English and Chinese) of its ORPHA codes: the
  exact ORPHA link of the entry (``orpha_links.csv``), the expert mapping's exact codes and the
  codes it maps as narrower than the entry (``BTNT``) or as the entry's numbered subtypes
  (``ccrd_orpha_mapping.csv``), and every Orphanet entity below one of these in Orphanet's
  classification (``orpha_parents.csv.gz``) by ``kg.hierarchy``'s rule;
* ORPHA codes the text gives (``ORPHA:558``).

Codes the expert mapping calls broader than the entry (``NTBT``) never count for it.  Any other
Orphanet entity named in a text is resolved to itself (``disease/orpha-<code>``, no entry).

Every ``Link`` says how it was made: the method, the words of the text, the name they matched and a
confidence.  A mention in a negation or exclusion (``not indicated for``, ``excluding``,
``不适用于``), or in a diagnostic or supportive use, is kept with a confidence below
``THRESHOLD``, as is a name that two different diseases share.  Links at or above ``THRESHOLD``
are treatment links (``rk:forIndication``); below it they are candidates only.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from pyoxigraph import NamedNode

from kg import iri
from kg.hierarchy import Orphanet
from kg.resolve_context import context_of
from kg.resolve_tables import list_key, read_tables
from kg.textmatch import Hit, Matcher, abbreviation

THRESHOLD = 0.8
CONFIDENCE = {
    "orpha-code": 1.0,
    "list-name": 0.98,
    "decision": 0.98,
    "decision-member": 0.85,
    "orphanet-exact": 0.95,
    "orphanet-exact-synonym": 0.9,
    "subtype-name": 0.95,
    "orphanet-narrower": 0.9,
    "orphanet-subtype": 0.85,
    "folk-name": 0.9,
    "orphanet": 0.9,
    "orphanet-synonym": 0.85,
    "decision-other": 0.9,
    "orphanet-former": 0.85,
}
ABBREVIATION = 0.75  # a three-letter Orphanet abbreviation alone (MPA, PNET) is a candidate
LONG_ABBREVIATION = 0.85  # four or more letters of one Orphanet entity (GIST, NMOSD, CIDP)
DEFINED_ABBREVIATION = 0.85  # ... unless the text defines it in brackets: "X连锁低磷血症（XLH）"
AMBIGUOUS = 0.5
IN_CONTEXT = {"negated": 0.2, "diagnostic": 0.3, "supportive": 0.4}
_ORPHA = re.compile(r"\b(?:ORPHA|Orphanet)[:_ ]?\s*([0-9]{1,7})\b", re.IGNORECASE)
_DEFICIENCIES = re.compile(
    r"\bdeficienc(?:y|ies)\s+(?:of|in)\s+(?:the\s+)?(?:enzymes?\s+)?([^.;:]+)", re.IGNORECASE
)
_ITEMS = re.compile(r",\s*(?:and\s+|or\s+)?|\s+or\s*|\s+and\s+")
_BRACKETED_REMARK = re.compile(r"\([^()]*\)")
_INCLUDING = re.compile(
    r"^\W{0,4}(?:\([^()]{0,12}\)\s*)?(?:,\s*)?(?:including|involving|包括|：|:)", re.IGNORECASE
)
_TYPED = re.compile(r"^\W{0,3}(?:type|types)\s+\w", re.IGNORECASE)
_OBSOLETE = re.compile(r"^(?:OBSOLETE:\s*|弃用：\s*)")


@dataclass(frozen=True)
class Link:
    """One disease a text names, and how that was found."""

    disease: NamedNode
    entry: str | None
    method: str
    matched_text: str
    matched_name: str
    confidence: float
    orpha: str | None = None


@dataclass(frozen=True)
class _Name:
    """A name in the index: what it names (an entry key or an ORPHA code) and how it was given."""

    entry: str | None
    orpha: str | None
    method: str
    name: str
    subtype: int | None = None  # the expert mapping's numbered subtype of the entry (CCRD:110.1)


class DiseaseResolver:
    """Resolves texts to listed diseases and Orphanet entities (see the module docstring)."""

    def __init__(self, orphanet: Orphanet) -> None:
        self.orphanet = orphanet
        self.matcher = Matcher()
        self.entry_codes: dict[str, dict[str, str]] = defaultdict(dict)
        self.blocked: set[str] = set()
        self.not_for: set[tuple[str, str]] = set()
        self._code_entries: dict[str, dict[str, str]] | None = None

    # -- building -------------------------------------------------------------------------
    @classmethod
    def from_tables(cls, data_dir: Path) -> DiseaseResolver:
        """The resolver of the tables in ``data_dir`` (lists, ORPHA links, expert mapping, folk
        names, Orphanet names and classification, reviewed decisions: ``kg.resolve_tables``)."""
        resolver = cls(Orphanet.from_tables(data_dir / "orphanet"))
        tables = read_tables(data_dir)
        for name, entry, method, subtype in tables.names:
            resolver.add_name(name, entry, None, method, subtype)
        for entry, code, method in tables.codes:
            resolver.add_code(entry, code, method)
        for row in tables.decisions:
            resolver.decide(row)
        resolver.add_orphanet_names()
        resolver.matcher.freeze()
        return resolver

    def add_name(
        self,
        name: str,
        entry: str | None,
        orpha: str | None,
        method: str,
        subtype: int | None = None,
    ) -> None:
        if name and name.strip():
            self.matcher.add(name.strip(), _Name(entry, orpha, method, name.strip(), subtype))

    def add_code(self, entry: str, code: str, method: str) -> None:
        current = self.entry_codes[entry].get(code)
        if current is None or CONFIDENCE[method] > CONFIDENCE[current]:
            self.entry_codes[entry][code] = method

    def decide(self, row: dict[str, str]) -> None:
        """One reviewed decision: ``name`` (the name is one of the entry's), ``member`` (the name
        is a group the entry belongs to as its principal member, so a treatment of the group
        treats it: ``pulmonary arterial hypertension`` for idiopathic PAH), ``other`` (the name
        is another disease, so a shorter name inside it does not count), ``block`` (the name is
        never taken as a disease), ``code`` (the ORPHA code counts for the entry), ``not-code``
        (it does not)."""
        action = row["action"]
        entry = list_key(row["list"], row["no"]) if row.get("list") and row.get("no") else None
        if action == "name" and entry:
            self.add_name(row["name"], entry, None, "decision")
        elif action == "member" and entry:
            self.add_name(row["name"], entry, None, "decision-member")
        elif action == "other":
            self.add_name(row["name"], None, row["orpha"] or None, "decision-other")
        elif action == "block":
            self.blocked.add(row["name"].strip())
        elif action == "code" and entry:
            self.add_code(entry, row["orpha"], "orphanet-narrower")
        elif action == "not-code" and entry:
            self.not_for.add((row["orpha"], entry))
        else:
            raise ValueError(f"decisions.csv: cannot apply {row!r}")

    def add_orphanet_names(self) -> None:
        for code, _lang, kind, name in self.orphanet.names:
            if name.strip() in self.blocked:
                continue
            current = self.orphanet.current(code)
            if current is None:  # inactive and not replaced: its names name nothing now
                continue
            method = "orphanet" if kind == "preferred" else "orphanet-synonym"
            if current != code:
                method = "orphanet-former"
            self.add_name(_OBSOLETE.sub("", name), None, current, method)

    def code_entries(self) -> dict[str, dict[str, str]]:
        """Each ORPHA code and the entries it counts for, with how (exact, narrower, subtype)."""
        if self._code_entries is None:
            out: dict[str, dict[str, str]] = defaultdict(dict)
            for entry, codes in self.entry_codes.items():
                for code, method in codes.items():
                    out[code][entry] = method
                    for below in self.orphanet.below(code):
                        out[below].setdefault(entry, "orphanet-subtype")
            for code, entry in self.not_for:
                out.get(code, {}).pop(entry, None)
            self._code_entries = dict(out)
        return self._code_entries

    # -- resolving ------------------------------------------------------------------------
    def resolve(self, text: str, lang: str | None = None) -> list[Link]:
        """Every disease ``text`` names, best link per disease first by confidence."""
        text = unicodedata.normalize("NFKC", text)
        links: list[Link] = []
        for m in _ORPHA.finditer(text):
            links += self._code_links(
                m.group(1), m.group(), m.group(), "orpha-code", 1.0, text, m.start()
            )
        for hit in self._hits(text):
            links += self._hit_links(hit, text)
        links += self._distributed(text)
        links = _enumerated(links, text)
        best: dict[NamedNode, Link] = {}
        for link in links:
            old = best.get(link.disease)
            if old is None or link.confidence > old.confidence:
                best[link.disease] = link
        return sorted(best.values(), key=lambda lk: (-lk.confidence, lk.disease.value))

    def _distributed(self, text: str) -> list[Link]:
        """``deficiencies of A, B or C``: each enzyme named with the shared head noun
        (``A deficiency``), so a list of enzyme defects names each defect."""
        links: list[Link] = []
        for m in _DEFICIENCIES.finditer(text):
            start = m.start(1)
            for item in _ITEMS.split(m.group(1)):
                bare = _BRACKETED_REMARK.sub("", item).strip()
                if len(bare) >= 4:
                    phrase = f"{bare} deficiency"
                    for hit in self.matcher.find(phrase):
                        if hit.start == 0 and hit.end >= len(bare):
                            where = text.find(item, start)
                            for lk in self._hit_links(
                                Hit(0, len(phrase), hit.key, hit.value), phrase
                            ):
                                links.append(
                                    replace(
                                        lk,
                                        matched_text=item.strip(),
                                        method=lk.method + "+distributed",
                                    )
                                )
                            start = max(start, where)
        return links

    def _hits(self, text: str) -> list[Hit]:
        hits = self.matcher.find(text)
        head, comma, tail = text.partition(",")
        if comma and "," not in tail and len(text.split()) <= 8:  # MeSH heading: "Atrophy, X"
            seen = {h.key for h in hits}
            hits += [
                Hit(0, len(text), h.key, h.value)
                for h in self.matcher.find(f"{tail.strip()} {head.strip()}")
                if h.key not in seen
            ]
        return hits

    def _hit_links(self, hit: Hit, text: str) -> list[Link]:
        names = [v for v in self.matcher.values(hit.key) if isinstance(v, _Name)]
        if not names or hit.start >= len(text):
            return []
        matched = text[hit.start : hit.end] if hit.end <= len(text) else hit.key
        direct = [n for n in names if n.entry is not None]
        links: list[Link] = []
        if direct:
            named = {n.entry for n in direct if not n.method.startswith("decision")}
            typed = _TYPED.match(text[hit.end :]) is not None
            for n in direct:
                decided = n.method.startswith("decision")
                conf = CONFIDENCE[n.method] if decided or len(named) <= 1 else AMBIGUOUS
                if n.method == "decision-member" and typed:
                    conf = AMBIGUOUS  # the text names one type of the group, maybe not ours
                assert n.entry is not None
                links.append(
                    self._link(
                        n.entry, None, n.method, matched, n.name, conf, text, hit.start, n.subtype
                    )
                )
            return links
        names = [n for n in names if n.orpha]  # a decided "other" name only shadows shorter ones
        codes = {n.orpha for n in names if n.orpha}
        defined = text[hit.start - 1 : hit.start] in "(（" and text[hit.end : hit.end + 1] in ")）"
        short = DEFINED_ABBREVIATION if defined and hit.start > 0 else ABBREVIATION
        if len(hit.key) >= 4 and len(codes) == 1:
            short = max(short, LONG_ABBREVIATION)
        by_code = self.code_entries()
        entry_sets = {frozenset(by_code.get(c, {})) for c in codes}
        agree = len(entry_sets) == 1
        for n in names:
            assert n.orpha is not None
            conf = CONFIDENCE[n.method] if len(codes) == 1 else AMBIGUOUS
            if abbreviation(n.name):
                conf = min(conf, short)
            for entry, how in by_code.get(n.orpha, {}).items():
                c = min(conf, CONFIDENCE[how]) if len(codes) == 1 else CONFIDENCE[how]
                if abbreviation(n.name):
                    c = min(c, short)
                if how == "orphanet-exact" and n.method == "orphanet-synonym":
                    how = "orphanet-exact-synonym"
                    c = min(c, CONFIDENCE[how])
                links.append(
                    self._link(
                        entry,
                        n.orpha,
                        how,
                        matched,
                        n.name,
                        c if agree else AMBIGUOUS,
                        text,
                        hit.start,
                    )
                )
            links.append(
                self._link(None, n.orpha, n.method, matched, n.name, conf, text, hit.start)
            )
        return links

    def _code_links(
        self, code: str, matched: str, name: str, method: str, conf: float, text: str, start: int
    ) -> list[Link]:
        links = [
            self._link(entry, code, method, matched, name, conf, text, start)
            for entry in self.code_entries().get(code, {})
        ]
        return [*links, self._link(None, code, method, matched, name, conf, text, start)]

    def _link(
        self,
        entry: str | None,
        code: str | None,
        method: str,
        matched: str,
        name: str,
        confidence: float,
        text: str,
        start: int,
        subtype: int | None = None,
    ) -> Link:
        where = context_of(text, start)
        if where is not None:
            method, confidence = f"{method}+{where}", min(confidence, IN_CONTEXT[where])
        if entry is not None:
            list_no, no = entry.removeprefix("cn").split("-")
            disease = (
                iri.disease(int(list_no), int(no))
                if subtype is None
                else iri.subtype(int(list_no), int(no), subtype)
            )
        else:
            assert code is not None
            disease = iri.orpha_disease(code)
        return Link(disease, entry, method, matched, name, round(confidence, 3), code)

    def entries(self, text: str, lang: str | None = None, threshold: float = THRESHOLD) -> set[str]:
        """The list entries ``text`` names at or above ``threshold``."""
        return {
            lk.entry
            for lk in self.resolve(text, lang)
            if lk.entry is not None and lk.confidence >= threshold
        }


def _enumerated(links: list[Link], text: str) -> list[Link]:
    """A group named together with some of its members by name, or followed by ``including``,
    ``involving``, ``包括`` (an enumeration), means the members named: the group's other members
    are then candidates only (``尿素循环障碍（UCD）...，包括 ...``)."""
    groups: dict[str, set[str]] = defaultdict(set)
    listing: set[str] = set()
    for lk in links:
        if lk.method == "decision-member" and lk.entry:
            groups[lk.matched_name].add(lk.entry)
            after = text.find(lk.matched_text)
            if after >= 0 and _INCLUDING.match(text[after + len(lk.matched_text) :]):
                listing.add(lk.matched_name)
    named = {lk.entry for lk in links if lk.method != "decision-member" and lk.entry}
    thin = {
        e
        for name, members in groups.items()
        if members & named or name in listing
        for e in members - named
    }
    return [
        Link(
            lk.disease,
            lk.entry,
            lk.method + "+enumerated",
            lk.matched_text,
            lk.matched_name,
            min(lk.confidence, AMBIGUOUS),
            lk.orpha,
        )
        if lk.method == "decision-member" and lk.entry in thin
        else lk
        for lk in links
    ]
