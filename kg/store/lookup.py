"""Point lookups, the queries whose work is bounded by the rows they return: answered in the
server's own process instead of by an executor (``kg/store/executor.py``).

Every query goes to an executor process, which can be killed at the time limit, because pyoxigraph
cannot stop a query.  That costs a round trip between two processes, about as much as the lookup
itself.  A query with a single triple pattern, all of whose variables differ, and nothing else
(no ``FILTER``, ``DISTINCT``, ``ORDER BY``, ``OFFSET``, path, ``GRAPH`` or dataset clause) is one
range scan of an index in which every entry visited is a row of the answer.  With a ``LIMIT`` of at
most ``cap`` rows (added when the query has none) its work is bounded by that ``LIMIT``: it cannot
run long.  ``point_lookup`` recognizes these queries on the grammar's own terminals
(``kg/store/sparql_tokens.py``) and returns the text to run; the answer is the executors' answer
byte for byte, since the same engine runs it on the same store with the same arguments.  An answer
that reaches ``cap`` rows, and any error, is left to the executors, which give the whole answer or
the error in their usual words.

Examples of point lookups: ``SELECT ?p ?o WHERE { <iri> ?p ?o }``, ``ASK { <iri> a rk:Drug }``,
``CONSTRUCT WHERE { <iri> ?p ?o }``, ``SELECT * { ?s skos:exactMatch <iri> } LIMIT 10``.
"""

from __future__ import annotations

import functools

from kg.store.sparql_tokens import Token, tokenize

_LITERAL_KINDS = ("string", "number")


class _Tokens:
    """A cursor over the terminals of a query (``None`` past the end)."""

    def __init__(self, tokens: tuple[Token, ...]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def word(self) -> str:
        token = self.peek()
        return token.text.lower() if token is not None and token.kind == "keyword" else ""

    def take(self) -> Token | None:
        token = self.peek()
        self.index += 1
        return token

    def punct(self, text: str) -> bool:
        """Take the punctuation ``text`` if it comes next."""
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text == text:
            self.index += 1
            return True
        return False


def _iri(token: Token | None) -> bool:
    return token is not None and token.kind in ("iri", "pname")


def _term(cursor: _Tokens, position: str) -> str | None:
    """Take one term of a triple pattern at ``position`` (``s``, ``p`` or ``o``): its variable
    name, ``""`` for a constant, ``None`` for anything else (a blank node, a path, a collection)."""
    token = cursor.take()
    if token is None:
        return None
    if token.kind == "var":
        return token.text[1:]
    if _iri(token):
        return ""
    if position == "p":
        return "" if token.kind == "keyword" and token.text == "a" else None
    if position != "o":
        return None
    if token.kind == "keyword" and token.text.lower() in ("true", "false"):
        return ""
    if token.kind not in _LITERAL_KINDS:
        return None
    if token.kind == "string":
        following = cursor.peek()
        if following is not None and following.kind == "langtag":
            cursor.take()
        elif following is not None and following.kind == "operator" and following.text == "^^":
            cursor.take()
            if not _iri(cursor.take()):
                return None
    return ""


def _triple(cursor: _Tokens) -> list[str] | None:
    """Take ``s p o`` and an optional ``.``: the names of its variables, or ``None``."""
    names = []
    for position in "spo":
        name = _term(cursor, position)
        if name is None:
            return None
        if name:
            names.append(name)
    cursor.punct(".")
    return names


def _prologue(cursor: _Tokens) -> bool:
    """Take the ``BASE`` and ``PREFIX`` declarations."""
    while True:
        word = cursor.word()
        if word not in ("base", "prefix"):
            return True
        cursor.take()
        if word == "prefix":
            name = cursor.take()
            if name is None or name.kind != "pname" or not name.text.endswith(":"):
                return False
        iri = cursor.take()
        if iri is None or iri.kind != "iri":
            return False


def _template(cursor: _Tokens) -> bool:
    """Take a ``CONSTRUCT`` template of triples (its own terms: any variable or constant)."""
    if not cursor.punct("{"):
        return False
    while not cursor.punct("}"):
        if _triple(cursor) is None:
            return False
    return True


@functools.lru_cache(maxsize=1024)
def point_lookup(query: str, cap: int) -> str | None:
    """The text to run in process for a point lookup (the query with ``LIMIT cap + 1`` when it
    has no ``LIMIT``), or ``None`` when ``query`` is anything else, including a ``LIMIT`` above
    ``cap``.

    >>> point_lookup('SELECT ?p ?o WHERE { <http://e.org/x> ?p ?o }', 100)
    'SELECT ?p ?o WHERE { <http://e.org/x> ?p ?o }\\nLIMIT 101'
    >>> point_lookup('SELECT DISTINCT ?p WHERE { ?s ?p ?o }', 100) is None
    True
    """
    if cap <= 0:
        return None
    cursor = _Tokens(tuple(tokenize(query)))
    if not _prologue(cursor):
        return None
    form = cursor.word()
    cursor.take()
    if form == "select":
        if not cursor.punct("*"):
            token = cursor.peek()
            if token is None or token.kind != "var":
                return None  # DISTINCT, REDUCED, an expression
            while token is not None and token.kind == "var":
                cursor.take()
                token = cursor.peek()
    elif form == "construct":
        if cursor.word() != "where" and not _template(cursor):
            return None
    elif form != "ask":
        return None  # DESCRIBE follows blank nodes as far as they go
    if cursor.word() == "where":
        cursor.take()
    if not cursor.punct("{"):
        return None  # FROM, FROM NAMED
    names = _triple(cursor)
    if names is None or len(set(names)) != len(names) or not cursor.punct("}"):
        return None  # a repeated variable is a filter over the scan
    if form == "ask":
        return query if cursor.peek() is None else None  # ASK stops at the first row
    limit: int | None = None
    if cursor.word() == "limit":
        cursor.take()
        token = cursor.take()
        if token is None or token.kind != "number" or not token.text.isdigit():  # ASCII only
            return None
        limit = int(token.text)
    if cursor.peek() is not None:
        return None  # OFFSET, ORDER BY, VALUES, a second LIMIT
    if limit is None:
        return f"{query}\nLIMIT {cap + 1}"
    return query if limit <= cap else None
