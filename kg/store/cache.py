"""A result cache shared by every worker of a server: answers of read queries kept in a small
SQLite file beside the store, keyed by the dataset version, the normalized query text, the dataset
parameters and the requested media type, and bounded in bytes.

Every write and every rebuild swaps in a new build, so the version changes and the entries of the
old version are never read again; they are deleted at the next store (``put``).  The file lives in
the store directory (not in a build), so all worker processes of a server share it.

Normalizing the text collapses runs of white space and drops comments outside strings and IRIs,
so the same question typed twice with other spacing is answered from the cache; nothing inside a
string literal is touched, so two queries that differ in a literal never share an entry.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "result-cache.sqlite"

# One token of SPARQL text: long strings, short strings, IRIs, comments, white space, the rest.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n\r]*"
    r"|\s+"
    r"|[^\s\"'<#]+"
    r"|.",
    re.DOTALL,
)


def normalize(query: str) -> str:
    """The query text with comments dropped and white space collapsed outside strings and IRIs."""
    out: list[str] = []
    pending_space = False
    for match in _TOKEN.finditer(query):
        token = match.group()
        if token[0] == "#" or token.isspace():
            pending_space = True
            continue
        if pending_space and out:
            out.append(" ")
        pending_space = False
        out.append(token)
    return "".join(out)


# The functions whose value changes from one evaluation to the next (SPARQL 1.1 §17.4): the time
# of the query, random numbers, fresh UUIDs.  Written as a call: not a variable (?now), nor a
# prefixed name (ex:rand(...), an extension function), nor inside a string, an IRI or a comment.
_VOLATILE = re.compile(r"(?<![?$:\w-])(?:NOW|RAND|UUID|STRUUID)\s*\(", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def _repeatable(query: str) -> bool:
    code = "".join(m.group() for m in _TOKEN.finditer(query)
                   if m.group()[0] not in "\"'<#" or m.group() == "<")
    return _VOLATILE.search(code) is None


def repeatable(query: str) -> bool:
    """Whether asking ``query`` again on the same data must give the same answer: False when it
    calls ``NOW()``, ``RAND()``, ``UUID()`` or ``STRUUID()``, whose answers are never cached (a
    sample drawn with ``ORDER BY RAND()`` is drawn again at every ask)."""
    if len(query) <= MEMO_QUERY_CHARS:
        return _repeatable(query)
    return _repeatable.__wrapped__(query)


@dataclass(frozen=True)
class CachedAnswer:
    media_type: str
    body: bytes
    rows: int


MEMO_QUERY_CHARS = 8192  # keys of queries up to this length are remembered (most are far shorter)


def cache_key(
    query: str,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
    accept: str = "",
    format_names: Sequence[str] = (),
    base_iri: str | None = None,
) -> str:
    """A digest of everything but the version that decides an answer's bytes (the key of a query
    asked before is remembered: normalizing its text is most of a cache hit's own work)."""
    args = (query, tuple(default_graph_uris), tuple(named_graph_uris), accept,
            tuple(format_names), base_iri)
    if len(query) <= MEMO_QUERY_CHARS:
        return _remembered_key(*args)
    return _key(*args)


def _key(
    query: str,
    default_graph_uris: tuple[str, ...],
    named_graph_uris: tuple[str, ...],
    accept: str,
    format_names: tuple[str, ...],
    base_iri: str | None,
) -> str:
    parts = (
        normalize(query),
        "\x1e".join(default_graph_uris),
        "\x1e".join(named_graph_uris),
        accept,
        "\x1e".join(format_names),
        base_iri or "",
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


_remembered_key = functools.lru_cache(maxsize=1024)(_key)


ROW_OVERHEAD = 64  # bytes of a row besides its strings and body (numbers, record and index)


class ResultCache:
    """Answers by ``(version, key)`` in ``<store_dir>/result-cache.sqlite``, at most ``max_bytes``
    in all, each answer counting its body, its key, version and media type and ``ROW_OVERHEAD``
    (least recently used first out).  ``max_bytes`` 0 switches it off."""

    def __init__(self, store_dir: Path, max_bytes: int) -> None:
        self.path = Path(store_dir) / FILE_NAME
        self.max_bytes = max_bytes
        self._local = threading.local()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")  # losing the cache in a crash costs nothing
            # The body last, so that reading a row's size or use never walks the body's pages;
            # sizes indexed, so that the bound is checked without reading the rows.
            db.execute("DROP TABLE IF EXISTS answers")  # the first layout kept the body first
            db.execute(
                "CREATE TABLE IF NOT EXISTS answer (version TEXT NOT NULL, key TEXT NOT NULL, "
                "media_type TEXT NOT NULL, rows INTEGER NOT NULL, size INTEGER NOT NULL, "
                "used REAL NOT NULL, body BLOB NOT NULL, PRIMARY KEY (version, key))"
            )
            db.execute("CREATE INDEX IF NOT EXISTS answer_used ON answer (used)")
            db.execute("CREATE INDEX IF NOT EXISTS answer_size ON answer (size)")
            self._local.db = db
        return db

    def get(self, version: str, key: str) -> CachedAnswer | None:
        if not self.enabled:
            return None
        try:
            db = self._db()
            row = db.execute(
                "SELECT media_type, body, rows FROM answer WHERE version = ? AND key = ?",
                (version, key),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE answer SET used = ? WHERE version = ? AND key = ?",
                (time.time(), version, key),
            )
        except sqlite3.Error:
            return None  # a busy or broken cache file is a miss, never an error
        return CachedAnswer(row[0], bytes(row[1]), int(row[2]))

    def put(self, version: str, key: str, answer: CachedAnswer) -> bool:
        """Store an answer (False when it alone is larger than the bound).  Entries of other
        versions are deleted, then the least recently used until the bound holds."""
        size = (len(answer.body) + len(key) + len(version) + len(answer.media_type)
                + ROW_OVERHEAD)  # so that many tiny answers cannot grow the file past the bound
        if not self.enabled or size > self.max_bytes:
            return False
        try:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                versions = db.execute(  # the first and last version, from the primary key
                    "SELECT (SELECT version FROM answer ORDER BY version LIMIT 1), "
                    "(SELECT version FROM answer ORDER BY version DESC LIMIT 1)").fetchone()
                if versions[0] is not None and versions != (version, version):
                    db.execute("DELETE FROM answer WHERE version != ?", (version,))
                db.execute(
                    "INSERT OR REPLACE INTO answer VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (version, key, answer.media_type, answer.rows, size, time.time(), answer.body),
                )
                total = db.execute("SELECT COALESCE(SUM(size), 0) FROM answer").fetchone()[0]
                if total > self.max_bytes:
                    victims = db.execute(
                        "SELECT key, size FROM answer WHERE key != ? ORDER BY used", (key,)
                    ).fetchall()
                    dropped = []
                    for victim, victim_size in victims:
                        if total <= self.max_bytes:
                            break
                        dropped.append((version, victim))
                        total -= victim_size
                    db.executemany("DELETE FROM answer WHERE version = ? AND key = ?", dropped)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.Error:
            return False
        return True

    def stored_bytes(self) -> int:
        row = self._db().execute("SELECT COALESCE(SUM(size), 0) FROM answer").fetchone()
        return int(row[0])

    def versions(self) -> list[str]:
        return [r[0] for r in self._db().execute("SELECT DISTINCT version FROM answer")]
