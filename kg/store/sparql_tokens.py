"""The SPARQL 1.1 grammar's terminals, and the checks that must see a query as the parser does:
``SERVICE`` and ``LOAD`` targets, dataset clauses, and how deeply the query nests.

A regular expression over the text can be walked around (``SERVICE:x``, ``LOAD<http://...>``,
``"x"@en.SERVICE``), so the text is first split into the grammar's own terminals (IRIREF, strings,
comments, variables, prefixed names, blank nodes, language tags, numbers, keywords, punctuation),
longest match first, as in section 19.8 of the recommendation.  Oxigraph's parser is scannerless and
reads a keyword even when a name follows it directly (``SERVICEe:x`` is ``SERVICE e:x`` to it), so
every keyword-like token *beginning* with ``SERVICE`` or ``LOAD`` counts as that keyword here:
a check may refuse a strange name, it never lets a connection through.

Oxigraph's parser and evaluator recurse: about 2,500 nested braces, 1,000 nested function calls or
10,000 chained operators crash the process, so ``check_complexity`` bounds both the nesting depth
and the number of operators before the parser sees the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from kg.errors import BadRequest, Forbidden

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_EXPONENT = "[eE][+-]?[0-9]+"

# (kind, pattern): at each position the longest match wins, as the grammar's tokenizer does.
_TERMINALS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("space", r"[ \t\r\n]+"),
        ("comment", r"#[^\r\n]*"),
        ("iri", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
        ("string", r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'),
        ("string", r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"),
        ("string", r'"(?:[^"\\\n\r]|\\.)*"'),
        ("string", r"'(?:[^'\\\n\r]|\\.)*'"),
        ("var", f"[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"),
        ("pname", f"(?:{_PREFIX})?:(?:{_LOCAL})?"),
        ("bnode", f"_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?"),
        ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
        (
            "number",
            f"[0-9]+\\.[0-9]*{_EXPONENT}|\\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}"
            r"|[0-9]*\.[0-9]+|[0-9]+",
        ),
        ("keyword", r"[A-Za-z]+"),
        ("operator", r"\|\||&&|!=|<=|>=|\^\^"),
        ("punct", r"[{}()\[\];,.=<>!+\-*/|^?$@&_:~\\%`'\"]"),
    )
)
_OPENERS = "{[("
_CLOSERS = "}])"
# Tokens that join two parts of the query into a bigger tree (each costs the parser and the
# evaluator a level of recursion when they are chained).
_JOINING_OPERATORS = {"||", "&&", "!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "|", "^",
                      "!"}
_JOINING_KEYWORDS = {"union", "optional", "minus", "filter", "bind", "graph", "service", "exists",
                     "values"}


@dataclass(frozen=True)
class Token:
    kind: str  # one of the names in _TERMINALS, "other" for a character no terminal matches
    text: str
    start: int


# The terminals a token can be, by its first character (in the order of _TERMINALS, so that ties
# go as they would over all of them); a character not listed here tries every terminal.
_BY_KINDS = {
    " \t\r\n": ("space",),
    "#": ("comment",),
    "<": ("iri", "operator", "punct"),
    "\"'": ("string", "punct"),
    "?$": ("var", "punct"),
    "_": ("bnode", "punct"),
    ":": ("pname", "punct"),
    "@": ("langtag", "punct"),
    "0123456789.": ("number", "punct"),
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz": ("pname", "keyword"),
    "|&!=>^{}()[];,+-*/~\\%`": ("operator", "punct"),
}
_CANDIDATES = {
    char: tuple(t for t in _TERMINALS if t[0] in kinds)
    for chars, kinds in _BY_KINDS.items() for char in chars
}
_CACHED_CHARS = 65536  # texts up to this long keep their tokens (the same query asked again)


def _scan(text: str) -> Iterator[Token]:
    position = 0
    while position < len(text):
        best: tuple[int, str] = (0, "other")
        for kind, pattern in _CANDIDATES.get(text[position], _TERMINALS):
            match = pattern.match(text, position)
            if match and match.end() - position > best[0]:
                best = (match.end() - position, kind)
        length, kind = best
        if length == 0:
            length = 1
        if kind not in ("space", "comment"):
            yield Token(kind, text[position : position + length], position)
        position += length


@functools.lru_cache(maxsize=256)
def _tokens(text: str) -> tuple[Token, ...]:
    return tuple(_scan(text))


def tokenize(text: str) -> Iterator[Token]:
    """The terminals of ``text`` in order, without white space and comments (each text of up to
    64 K characters is split once per process: the checks of one request, and the same query
    asked again, reuse its tokens).

    >>> [t.text for t in tokenize('SERVICEe:x{?s ?p "a # b"}# c')]
    ['SERVICEe:x', '{', '?s', '?p', '"a # b"', '}']
    """
    return iter(_tokens(text)) if len(text) <= _CACHED_CHARS else _scan(text)


def _word(token: Token) -> str:
    return token.text.lower() if token.kind in ("keyword", "pname") else ""


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def _allowed(iri: str, allowlist: Sequence[str]) -> bool:
    return any(
        iri == allowed or iri.startswith(allowed.rstrip("/") + "/")
        for allowed in allowlist
        if allowed
    )


@dataclass
class _Scan:
    """Walks the tokens, following ``BASE`` declarations and the brace depth."""

    tokens: list[Token]
    base: str | None

    def walk(self) -> Iterator[tuple[int, int]]:
        """(index, brace depth) of every token; ``base`` follows the ``BASE`` seen so far."""
        depth = 0
        for index, token in enumerate(self.tokens):
            if token.text in _OPENERS and token.kind == "punct":
                depth += 1
            elif token.text in _CLOSERS and token.kind == "punct":
                depth -= 1
            word = _word(token)
            if word == "base" and index + 1 < len(self.tokens):
                following = self.tokens[index + 1]
                if following.kind == "iri":
                    self.base = _resolve(following.text[1:-1], self.base)
            yield index, depth

    def target(self, index: int, keyword: str, what: str) -> str:
        """The IRI that the keyword at ``index`` (possibly run together with ``SILENT`` or a name)
        names, resolved against the current base.  Raises ``Forbidden`` when it is anything but
        an IRI."""
        rest = self.tokens[index].text[len(keyword) :]
        following = self.tokens[index + 1 :]
        if rest.lower() == "silent" or (not rest and following and _word(following[0]) == "silent"):
            if not rest:
                following = following[1:]
            rest = ""
        if rest or not following or following[0].kind != "iri":
            raise Forbidden(f"{what} needs a full IRI in angle brackets right after the keyword "
                            "(a name beginning with the keyword is read as the keyword)")
        return _resolve(following[0].text[1:-1], self.base)


def _prefix_name(tokens: list[Token], index: int) -> bool:
    """Whether the token at ``index`` is the name declared by ``PREFIX``."""
    return index > 0 and _word(tokens[index - 1]) == "prefix" and tokens[index].kind == "pname"


def service_targets(query: str, base_iri: str | None = None) -> list[str]:
    """The endpoint IRIs of every ``SERVICE`` of ``query``, resolved against ``BASE`` and
    ``base_iri``.  Raises ``Forbidden`` for a ``SERVICE`` whose endpoint is not an IRI.

    >>> service_targets('BASE <http://e.org/a/> SELECT * { SeRvIcE<../s> {} service silent <x> {}}')
    ['http://e.org/s', 'http://e.org/a/x']
    """
    scan = _Scan(list(tokenize(query)), base_iri)
    targets = []
    for index, _depth in scan.walk():
        if _word(scan.tokens[index]).startswith("service") and not _prefix_name(scan.tokens, index):
            targets.append(scan.target(index, "service", "SERVICE"))
    return targets


def check_service(query: str, allowlist: Sequence[str], base_iri: str | None = None) -> None:
    """Refuse ``SERVICE`` unless its endpoint is on the allow-list (the IRI itself or one under it).
    Raises ``Forbidden``."""
    for target in service_targets(query, base_iri):
        if not allowlist:
            raise Forbidden("SERVICE (federated query) is not allowed here: no endpoint is on the "
                            "allow-list (setting service_allowlist)")
        if not _allowed(target, allowlist):
            raise Forbidden(f"SERVICE <{target}> is not allowed: the endpoint is not on the "
                            "allow-list (setting service_allowlist)")


def load_targets(update: str, base_iri: str | None = None) -> list[str]:
    """The IRIs every ``LOAD`` of ``update`` reads, resolved against ``BASE`` and ``base_iri``.
    Raises ``Forbidden`` for a ``LOAD`` of anything but an IRI.

    >>> load_targets('LOAD<http://e.org/d.ttl>; BASE <file:///etc/> load SILENT <passwd>')
    ['http://e.org/d.ttl', 'file:///etc/passwd']
    """
    scan = _Scan(list(tokenize(update)), base_iri)
    targets = []
    for index, depth in scan.walk():
        if depth == 0 and _word(scan.tokens[index]).startswith("load") and not _prefix_name(
            scan.tokens, index
        ):
            targets.append(scan.target(index, "load", "LOAD"))
    return targets


def check_load(update: str, allowlist: Sequence[str], base_iri: str | None = None) -> None:
    """Refuse ``LOAD`` of ``file:`` IRIs and of IRIs that are not on the allow-list (the prefix
    itself or an IRI under it).  Raises ``Forbidden``."""
    for target in load_targets(update, base_iri):
        if target.lower().startswith("file:"):
            raise Forbidden("LOAD of local files is not allowed")
        if not _allowed(target, allowlist):
            raise Forbidden(f"LOAD of <{target}> is not allowed: it is not on the allow-list "
                            "(setting load_allowlist)")


def has_clause(text: str, *keywords: str) -> bool:
    """Whether ``text`` has one of ``keywords`` outside every brace (a dataset clause such as
    ``FROM``, ``USING`` or ``WITH``, or ``BASE``), in any case and however it touches what follows.

    >>> has_clause('SELECT * FROM<g> { ?s ?p "FROM" }', 'from'), has_clause('ASK { }', 'from')
    (True, False)
    """
    scan = _Scan(list(tokenize(text)), None)
    return any(
        depth == 0
        and _word(scan.tokens[i]).startswith(keywords)
        and not _prefix_name(scan.tokens, i)
        for i, depth in scan.walk()
    )


def named_iris(update: str, base_iri: str | None = None) -> set[str] | None:
    """Every IRI an update names (IRIs resolved against ``BASE``, prefixed names expanded), or
    ``None`` when it may write graphs it does not name (``GRAPH ?g``, ``ALL``, ``NAMED``): the
    graphs an update can change are among these and the default graph.

    >>> sorted(named_iris('PREFIX e: <http://e.org/> INSERT DATA { GRAPH e:g { e:s e:p 1 } }'))
    ['http://e.org/', 'http://e.org/g', 'http://e.org/p', 'http://e.org/s']
    >>> named_iris('DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }') is None
    True
    """
    scan = _Scan(list(tokenize(update)), base_iri)
    prefixes: dict[str, str] = {}
    found: set[str] = set()
    for index, _depth in scan.walk():
        token = scan.tokens[index]
        word = _word(token)
        following = scan.tokens[index + 1] if index + 1 < len(scan.tokens) else None
        if word in ("all", "named") or (word == "graph" and following is not None
                                         and following.kind == "var"):
            return None
        if token.kind == "iri":
            found.add(_resolve(token.text[1:-1], scan.base))
        elif token.kind == "pname" and _prefix_name(scan.tokens, index):
            if following is not None and following.kind == "iri":
                prefixes[token.text[:-1]] = _resolve(following.text[1:-1], scan.base)
        elif token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix not in prefixes:
                return None
            found.add(prefixes[prefix] + re.sub(r"\\(.)", r"\1", local))
    return found


def check_complexity(text: str, max_depth: int, max_operators: int) -> None:
    """Refuse a query or update nested deeper than ``max_depth`` brackets or joining more than
    ``max_operators`` parts, before the parser sees it.  Raises ``BadRequest``.

    >>> check_complexity('ASK {' + '(' * 50 + ')' * 50 + '}', 40, 100)
    Traceback (most recent call last):
    ...
    kg.errors.BadRequest: the query nests brackets more than 40 deep (setting max_query_depth)
    """
    depth = deepest = operators = 0
    for token in tokenize(text):
        if token.kind == "punct" and token.text in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
            if deepest > max_depth:
                raise BadRequest(f"the query nests brackets more than {max_depth} deep "
                                 "(setting max_query_depth)")
        elif token.kind == "punct" and token.text in _CLOSERS:
            depth -= 1
        elif token.text in _JOINING_OPERATORS or (
            token.kind == "keyword" and token.text.lower() in _JOINING_KEYWORDS
        ):
            operators += 1
            if operators > max_operators:
                raise BadRequest(f"the query joins more than {max_operators} parts with operators "
                                 "and keywords such as UNION, OPTIONAL, FILTER, || and +; "
                                 "split it up (setting max_query_operators)")
