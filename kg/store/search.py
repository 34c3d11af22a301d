"""The search index of a build: diseases, organizations, drugs, trials, policies and lists by
each of their names (Chinese, English, synonyms, folk names) and codes (ORPHA, NCT, OMIM, MONDO,
list and entry number).

The index is a SQLite file written into the build directory beside the Oxigraph files, so that a
rebuilt store swaps in its own index.  Names are matched with SQLite FTS5: Chinese (and other
scripts written without spaces) is indexed one character per token and searched as a phrase, which
finds any substring (瓷娃娃 in 北京瓷娃娃罕见病关爱中心); Latin words match by prefix.  Codes are
looked up exactly.  Hits are ranked: a code, then a whole name, then a name that starts with the
query, then one that contains it.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from kg.store.spelling import is_spaceless, spelling_variants
from kg.store.union import union_dataset
from kg.vocab import MONDO_BASE, OMIM_BASE, ORPHA_BASE, PREFIXES

INDEX_FILE = "search.sqlite"
FORMAT = "1"
MAX_CANDIDATES = 5000

# Terms of one row of a query's answer: variable -> (value, language); IRIs have language "".
Row = Mapping[str, tuple[str, str]]
Select = Callable[[str], Iterable[Row]]

_RK = PREFIXES["rk"]
# Class -> (kind, sub-kind, rank of the sub-kind: an entity with several classes takes the lowest).
CLASSES: dict[str, tuple[str, str, int]] = {
    _RK + "RareDisease": ("disease", "Rare disease", 0),
    _RK + "RareDiseaseList": ("list", "National list", 0),
    _RK + "PatientOrganization": ("organization", "Patient organization", 0),
    _RK + "Foundation": ("organization", "Foundation", 1),
    _RK + "Hospital": ("organization", "Hospital", 2),
    _RK + "RegulatoryAuthority": ("organization", "Regulatory authority", 3),
    _RK + "GovernmentBody": ("organization", "Government body", 4),
    _RK + "ResearchOrganization": ("organization", "Research organization", 5),
    _RK + "Company": ("organization", "Company", 6),
    _RK + "Organization": ("organization", "Organization", 9),
    _RK + "Drug": ("drug", "Drug", 0),
    _RK + "ClinicalTrial": ("trial", "Clinical trial", 0),
    _RK + "Programme": ("policy", "Programme", 0),
    _RK + "Policy": ("policy", "Policy", 1),
}
KIND_ORDER = {"disease": 0, "list": 1, "organization": 2, "policy": 3, "drug": 4, "trial": 5}
# Name properties and their weight (a preferred name counts most).
NAME_PROPERTIES = {
    PREFIXES["skos"] + "prefLabel": 3,
    PREFIXES["skos"] + "altLabel": 2,
    _RK + "printedName": 3,
    PREFIXES["rdfs"] + "label": 2,
    "http://schema.org/name": 2,
    "http://schema.org/alternateName": 1,
    PREFIXES["dct"] + "title": 1,
    _RK + "inn": 2,
    _RK + "brandName": 2,
}
LABEL_PROPERTIES = (PREFIXES["skos"] + "prefLabel", PREFIXES["rdfs"] + "label",
                    "http://schema.org/name", PREFIXES["dct"] + "title")
LIST_NAMES = {"1": "First List", "2": "Second List"}
_CN_NUMBERS = {"一": "1", "二": "2", "三": "3"}

_VALUES = " ".join(f"<{c}>" for c in CLASSES)
_NAME_VALUES = " ".join(f"<{p}>" for p in NAME_PROPERTIES)
Q_ENTITIES = f"SELECT ?x ?class WHERE {{ VALUES ?class {{ {_VALUES} }} ?x a ?class . }}"
Q_NAMES = (f"SELECT ?x ?p ?name WHERE {{ VALUES ?p {{ {_NAME_VALUES} }} ?x ?p ?name . "
           "FILTER (isLiteral(?name)) }")
Q_ENTRIES = (f"SELECT ?x ?list ?n ?name WHERE {{ ?e <{_RK}entryOf> ?x ; <{_RK}inList> ?list ; "
             f"<{_RK}entryNumber> ?n . OPTIONAL {{ ?e <{_RK}printedName> ?name }} }}")
Q_CODES = (f"SELECT ?x ?p ?code WHERE {{ VALUES ?p {{ <{_RK}orphaCode> <{_RK}trialId> }} "
           "?x ?p ?code . }")
Q_MATCHES = (f"SELECT ?x ?m WHERE {{ ?x <{PREFIXES['skos']}exactMatch> ?m . "
             "FILTER (isIRI(?m)) }")

_CODE_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^orpha(?:net)?[\s:_-]*(\d+)$"), lambda m: f"orpha:{int(m.group(1))}"),
    (re.compile(r"^(nct\d{8})$"), lambda m: m.group(1)),
    (re.compile(r"^omim[\s:_-]*(\d{6})$"), lambda m: f"omim:{m.group(1)}"),
    (re.compile(r"^mondo[\s:_-]*(\d{7})$"), lambda m: f"mondo:{m.group(1)}"),
    (re.compile(r"^(?:cn)?([12])\s*[-\u2010\u2013\u2014:]\s*0*(\d{1,3})$"),
     lambda m: f"cn{m.group(1)}-{int(m.group(2)):03d}"),
    (re.compile(r"^第\s*([一二12])\s*批\s*(?:第|no\.?|#)?\s*0*(\d{1,3})\s*[号條条]?$"),
     lambda m: f"cn{_CN_NUMBERS.get(m.group(1), m.group(1))}-{int(m.group(2)):03d}"),
    (re.compile(r"^(?:(first|second)\s+list|list\s+([12]))[\s,:#]*(?:entry|no\.?|#)?\s*0*(\d{1,3})$"),
     lambda m: "cn{}-{:03d}".format({"first": "1", "second": "2"}.get(m.group(1) or "", m.group(2)),
                                    int(m.group(3)))),
)


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    subkind: str
    label_zh: str
    label_en: str
    detail: str
    matched: str
    score: int

    def to_json(self) -> dict[str, object]:
        return {"iri": self.iri, "kind": self.kind, "subkind": self.subkind,
                "label_zh": self.label_zh, "label_en": self.label_en, "detail": self.detail,
                "matched": self.matched, "score": self.score}


def normalize(text: str) -> str:
    """NFKC, case-folded, runs of white space as one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def tokens(text: str) -> list[str]:
    """The tokens of normalized ``text`` as the index sees them: each spaceless-script character on
    its own, words of other letters and digits whole."""
    out: list[str] = []
    word: list[str] = []
    for ch in text:
        if is_spaceless(ch):
            if word:
                out.append("".join(word))
                word = []
            out.append(ch)
        elif ch.isalnum():
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


def fts_query(text: str) -> str:
    """An FTS5 query for normalized ``text``: runs of spaceless-script characters as phrases, other
    words as prefixes; all of them must match.  Empty when ``text`` has nothing to search."""
    parts: list[str] = []
    run: list[str] = []
    for tok in tokens(text):
        if len(tok) == 1 and is_spaceless(tok):
            run.append(tok)
            continue
        if run:
            parts.append('"' + " ".join(run) + '"')
            run = []
        parts.append('"' + tok.replace('"', '""') + '"*')
    if run:
        parts.append('"' + " ".join(run) + '"')
    return " ".join(parts)


def codes_of(text: str) -> list[str]:
    """The code keys normalized ``text`` may stand for (``orpha:324``, ``nct01234567``,
    ``cn1-086``)."""
    return [make(m) for pattern, make in _CODE_PATTERNS if (m := pattern.match(text))]


def show_code(code: str) -> str:
    """A code key as people write it: ``ORPHA:63``, ``NCT01234567``, ``First List 86``."""
    m = re.fullmatch(r"cn(\d)-(\d+)", code)
    if m:
        return f"{LIST_NAMES.get(m.group(1), 'List ' + m.group(1))} {int(m.group(2))}"
    return code.upper()


# --- building ----------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entities (id INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL, kind TEXT NOT NULL,
                       subkind TEXT NOT NULL, label_zh TEXT NOT NULL, label_en TEXT NOT NULL,
                       detail TEXT NOT NULL);
CREATE TABLE names (id INTEGER PRIMARY KEY, entity INTEGER NOT NULL, name TEXT NOT NULL,
                    norm TEXT NOT NULL, weight INTEGER NOT NULL);
CREATE VIRTUAL TABLE names_fts USING fts5(text, content='',
    tokenize='unicode61 remove_diacritics 2');
CREATE TABLE codes (code TEXT NOT NULL, entity INTEGER NOT NULL, PRIMARY KEY (code, entity))
    WITHOUT ROWID;
"""


@dataclass
class _Entity:
    iri: str
    kind: str
    subkind: str
    rank: int
    labels: dict[str, tuple[int, str]]  # language -> (priority, label)
    names: dict[str, tuple[str, int]]  # normalized -> (name, weight)
    codes: set[str]
    entries: list[tuple[str, int]]


def _code_of_match(iri: str) -> str | None:
    """The code key of an ORDO, OMIM or MONDO IRI."""
    for base, prefix in ((ORPHA_BASE, "orpha:"), (OMIM_BASE, "omim:"), (MONDO_BASE, "mondo:")):
        local = iri[len(base):]
        if iri.startswith(base) and local.isdigit():
            return prefix + (str(int(local)) if prefix == "orpha:" else local)
    return None


def _collect(select: Select) -> dict[str, _Entity]:
    entities: dict[str, _Entity] = {}
    for row in select(Q_ENTITIES):
        iri, cls = row["x"][0], row["class"][0]
        if not iri.startswith(("http://", "https://")):
            continue
        kind, subkind, rank = CLASSES[cls]
        found = entities.get(iri)
        if found is None:
            entities[iri] = _Entity(iri, kind, subkind, rank, {}, {}, set(), [])
        elif KIND_ORDER[kind] < KIND_ORDER[found.kind] or (
                kind == found.kind and rank < found.rank):
            found.kind, found.subkind, found.rank = kind, subkind, rank

    def add_name(ent: _Entity, name: str, weight: int) -> None:
        norm = normalize(name)
        if norm and weight > ent.names.get(norm, ("", 0))[1]:
            ent.names[norm] = (name, weight)

    for row in select(Q_NAMES):
        ent = entities.get(row["x"][0])
        if ent is None:
            continue
        prop, (name, lang) = row["p"][0], row["name"]
        add_name(ent, name, NAME_PROPERTIES[prop])
        if prop in LABEL_PROPERTIES:
            priority = LABEL_PROPERTIES.index(prop)
            key = lang.split("-")[0] or "en"
            if key in ("zh", "en") and priority < ent.labels.get(key, (99, ""))[0]:
                ent.labels[key] = (priority, name)
    for row in select(Q_ENTRIES):
        ent = entities.get(row["x"][0])
        if ent is None:
            continue
        list_no = row["list"][0].rsplit("/cn", 1)[-1]
        number = int(row["n"][0])
        if list_no.isdigit():
            ent.codes.add(f"cn{list_no}-{number:03d}")
            if (list_no, number) not in ent.entries:
                ent.entries.append((list_no, number))
        if "name" in row:
            add_name(ent, row["name"][0], NAME_PROPERTIES[_RK + "printedName"])
    for row in select(Q_CODES):
        ent = entities.get(row["x"][0])
        if ent is None:
            continue
        value = row["code"][0].strip()
        if row["p"][0] == _RK + "orphaCode" and value.isdigit():
            ent.codes.add(f"orpha:{int(value)}")
        else:
            ent.codes.add(normalize(value))
    for row in select(Q_MATCHES):
        ent = entities.get(row["x"][0])
        matched = _code_of_match(row["m"][0])
        if ent is not None and matched:
            ent.codes.add(matched)
    return entities


def _detail(ent: _Entity) -> str:
    parts = [f"{LIST_NAMES.get(list_no, 'List ' + list_no)} {number}"
             for list_no, number in sorted(ent.entries)]
    parts += sorted(c.upper() for c in ent.codes if c.startswith(("orpha:", "nct")))
    return " · ".join(parts)


def build_index(select: Select, conn: sqlite3.Connection) -> int:
    """Fill an empty database with the index of the graph that ``select`` queries (SPARQL SELECT
    over the union of the graphs).  Returns the number of entities indexed."""
    entities = _collect(select)
    conn.executescript(_SCHEMA)
    for number, ent in enumerate(entities.values(), start=1):
        zh = ent.labels.get("zh", (0, ""))[1]
        en = ent.labels.get("en", (0, ""))[1]
        if not zh and not en:
            en = ent.iri.rsplit("/", 1)[-1]
        conn.execute("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (number, ent.iri, ent.kind, ent.subkind, zh, en, _detail(ent)))
        for norm, (name, weight) in ent.names.items():
            cur = conn.execute("INSERT INTO names (entity, name, norm, weight) VALUES (?, ?, ?, ?)",
                               (number, name, norm, weight))
            conn.execute("INSERT INTO names_fts (rowid, text) VALUES (?, ?)",
                         (cur.lastrowid, " ".join(tokens(norm))))
        conn.executemany("INSERT OR IGNORE INTO codes VALUES (?, ?)",
                         [(code, number) for code in ent.codes])
    conn.executemany("INSERT INTO meta VALUES (?, ?)",
                     [("format", FORMAT), ("entities", str(len(entities)))])
    conn.commit()
    return len(entities)


def store_select(store: Store) -> Select:
    """``select`` over a pyoxigraph store, its default graph the union of all graphs."""

    def select(query: str) -> Iterable[Row]:
        solutions = store.query(query, **union_dataset(store))
        assert isinstance(solutions, QuerySolutions)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            row: dict[str, tuple[str, str]] = {}
            for name in names:
                term = solution[name]
                if isinstance(term, Literal):
                    row[name] = (term.value, term.language or "")
                elif isinstance(term, NamedNode):
                    row[name] = (term.value, "")
            yield row

    return select


def write_index(store: Store, directory: Path) -> Path:
    """Write the index of ``store`` as ``directory/search.sqlite`` (replacing one there)."""
    path = directory / INDEX_FILE
    tmp = directory / (INDEX_FILE + ".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        build_index(store_select(store), conn)
    finally:
        conn.close()
    tmp.replace(path)
    return path


# --- searching ---------------------------------------------------------------------------------

def open_index(path: Path) -> sqlite3.Connection:
    """The index at ``path``, read-only.  Raises ``FileNotFoundError`` when there is none."""
    if not path.is_file():
        raise FileNotFoundError(path)
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def _score(norm: str, query: str, weight: int) -> int:
    if norm == query:
        base = 900
    elif norm.startswith(query):
        # "fabri" at the start of "fabrica ...": a word cut short ranks below a whole word that
        # is a spelling variant of the query (FUZZY_SCORE).
        base = 700 if not norm[len(query)].isalnum() else 600
    elif query in norm:
        base = 500
    else:
        base = 300
    extra = 0 if base == 900 else min(len(norm) - len(query), 60) if len(norm) > len(query) else 0
    return base + 10 * weight - extra


def search(
    conn: sqlite3.Connection, text: str, limit: int = 20, words: Sequence[str] = ()
) -> list[Hit]:
    """The best ``limit`` entities for ``text``, best first.  With ``words`` (the index's
    ``vocabulary``), names with a spelling variant of each word of ``text`` are found too
    (haemophilia / hemophilia, Fabri / Fabry)."""
    query = normalize(text)
    if not query:
        return []
    best: dict[int, tuple[int, str]] = {}
    codes = codes_of(query)
    if codes:
        marks = ",".join("?" * len(codes))
        for entity, code in conn.execute(
                f"SELECT entity, code FROM codes WHERE code IN ({marks})", codes):
            best[entity] = (1000, show_code(code))
    match = fts_query(query)
    if match:
        rows = conn.execute(
            "SELECT n.entity, n.name, n.norm, n.weight FROM names_fts f JOIN names n "
            "ON n.id = f.rowid WHERE names_fts MATCH ? LIMIT ?", (match, MAX_CANDIDATES))
        for entity, name, norm, weight in rows:
            score = _score(norm, query, weight)
            if score > best.get(entity, (-1, ""))[0]:
                best[entity] = (score, name)
    if words:
        for entity, name, score in spelling_variants(conn, query, words, tokens,
                                                     MAX_CANDIDATES):
            if score > best.get(entity, (-1, ""))[0]:
                best[entity] = (score, name)
    if not best:
        return []
    ids = list(best)
    info: dict[int, tuple[str, str, str, str, str, str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute("SELECT id, iri, kind, subkind, label_zh, label_en, detail "
                                f"FROM entities WHERE id IN ({marks})", chunk):
            info[row[0]] = row[1:]
    hits = [Hit(iri, kind, subkind, zh, en, detail, best[i][1], best[i][0])
            for i, (iri, kind, subkind, zh, en, detail) in info.items()]
    hits.sort(key=lambda h: (-h.score, KIND_ORDER.get(h.kind, 9), len(h.label_zh or h.label_en),
                             h.iri))
    return hits[:limit]
