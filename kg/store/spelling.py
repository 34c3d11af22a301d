"""Spelling variants for search: a query's words matched to the words of the index's names that
are spelt nearly alike (haemophilia / hemophilia, Fabri / Fabry), with RapidFuzz's edit-distance
ratio. Words of scripts written without spaces (Chinese) are matched as they are, never fuzzily."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Sequence

from rapidfuzz import fuzz, process


def is_spaceless(ch: str) -> bool:
    """A letter of a script written without spaces between words (Han, kana, Hangul, Thai...)."""
    return unicodedata.category(ch) == "Lo"


FUZZY_RATIO = 80  # least similarity (rapidfuzz ratio, 0-100) of a spelling variant of a word
FUZZY_SCORE = 650  # a name whose every word matches a word of the query or a spelling variant
FUZZY_MIN_LENGTH = 4  # shorter words are too easily near another word (ALS, also, alps)


def vocabulary(conn: sqlite3.Connection) -> list[str]:
    """The words of the index's names written with spaces (Latin script and the like): the
    candidates for spelling variants of a query's words."""
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.names_vocab "
                 "USING fts5vocab(main, names_fts, row)")
    return [term for (term,) in conn.execute("SELECT term FROM temp.names_vocab")
            if len(term) >= FUZZY_MIN_LENGTH and not is_spaceless(term[0])
            and not term.isdigit()]


def variants(word: str, words: Sequence[str]) -> list[str]:
    found = process.extract(word, words, scorer=fuzz.ratio, score_cutoff=FUZZY_RATIO, limit=8)
    return [w for w, _score, _i in found]


def suggest(query_tokens: Sequence[str], words: Sequence[str], limit: int = 5) -> list[str]:
    """Index words near the words of a query (its ``tokens``), for "did you mean" when nothing
    matched."""
    out: list[str] = []
    for tok in query_tokens:
        if len(tok) >= 3 and not is_spaceless(tok[0]):
            found = process.extract(tok, words, scorer=fuzz.ratio, score_cutoff=60, limit=limit)
            out += [w for w, _s, _i in found if w not in out]
    return out[:limit]


def spelling_variants(
    conn: sqlite3.Connection, query: str, words: Sequence[str],
    tokens: Callable[[str], list[str]], limit: int,
) -> list[tuple[int, str, int]]:
    """``(entity, name, score)`` of the names of the search index (``kg.store.search``, its
    ``tokens``) that have, for each word of ``query``, the word itself or a spelling variant of it
    (a query without long Latin words has none)."""
    parts: list[str] = []
    wanted: list[set[str]] = []
    for tok in tokens(query):
        if len(tok) < FUZZY_MIN_LENGTH or is_spaceless(tok[0]) or tok.isdigit():
            if is_spaceless(tok[0]):
                return []
            parts.append('"' + tok.replace('"', '""') + '"*')
            wanted.append({tok})
            continue
        alike = set(variants(tok, words)) | {tok}
        parts.append("(" + " OR ".join('"' + v.replace('"', '""') + '"' for v in sorted(alike))
                     + ")")
        wanted.append(alike)
    if not any(len(w) > 1 for w in wanted):
        return []
    out = []
    rows = conn.execute(
        "SELECT n.entity, n.name, n.norm, n.weight FROM names_fts f JOIN names n ON n.id = f.rowid "
        "WHERE names_fts MATCH ? LIMIT ?", (" AND ".join(parts), limit))
    for entity, name, norm, weight in rows:
        # fewer other words first: "Fabry disease" before "China Fabry Community"
        extra = min(8 * max(len(tokens(norm)) - len(wanted), 0), 60)
        out.append((entity, name, FUZZY_SCORE + 10 * weight - extra))
    return out
