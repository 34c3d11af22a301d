"""Readable SPARQL syntax errors: the parser's message put into plain words for the common cases.

Oxigraph's parser reports the furthest position it reached and the tokens its grammar tried there,
for example ``error at 1:25: expected one of LATERAL, SERVICE, [_]`` or, for an undeclared prefix,
a dump of Unicode ranges.  People need to know what is wrong and what to write instead, so
:func:`explain` looks at the query text itself and says, in this order of preference:

- an unterminated string or IRI, with where it starts;
- an undeclared prefix, naming it, with the ``PREFIX`` line to add when ``kg.vocab.PREFIXES``
  (or ``QUERY_PREFIXES``) knows it;
- unbalanced brackets (a ``}``, ``)`` or ``]`` that closes nothing or the wrong bracket, or one
  never closed);
- a triple pattern cut short before its object (``{ ?s ?p }``);
- otherwise the unexpected token: what was found at the position and what could come there.

The line and column of the parser are kept, and so is its raw text (``detail``), for experts.
The CLI, the HTTP JSON error, the web form and the notebook client all show this one wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.vocab import PREFIXES, QUERY_PREFIXES

KNOWN = {**QUERY_PREFIXES, **PREFIXES}  # prefixes whose PREFIX line can be suggested

_POSITION = re.compile(r"error at (\d+):(\d+)")
_EXPECTED = re.compile(r"expected (?:one of )?(.*)", re.S)
_PREFIXED_END = re.compile(r"((?:[A-Za-z][\w.\-]*)?):[^\s{}()<>\[\];,\"']*\Z")
_TOKEN = re.compile(r"\?\w+|\$\w+|<[^\s>]*>?|\"[^\"\n]*\"?|'[^'\n]*'?|[\w:.\-]+|\S")
_CLOSING = {"}": "{", ")": "(", "]": "["}
_WORD = re.compile(r"\w")
_IRI_CHARS = re.compile(r"[^<>\"{}|^`\\\x00-\x20]*>")


@dataclass(frozen=True)
class Explained:
    """A syntax error in plain words (``message``), where it is, and the parser's own text."""

    message: str
    line: int | None
    column: int | None
    detail: str


def explain(raw: str, text: str | None = None) -> Explained:
    """The readable form of the parser message ``raw`` for the query or update ``text``."""
    detail = " ".join(raw.split())
    m = _POSITION.search(raw)
    line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    if text is None:
        return Explained(_fallback(raw, line, column), line, column, detail)
    lexical = _lexical_problem(text)
    if lexical and lexical[0] == "unterminated":
        return Explained(lexical[1], line, column, detail)
    if "Prefix not found" in raw and line is not None and column is not None:
        found = _undeclared_prefix(text, _offset(text, line, column))
        if found:
            return Explained(found, line, column, detail)
    if lexical:
        return Explained(lexical[1], line, column, detail)
    if line is None or column is None:
        return Explained(_fallback(raw, line, column), line, column, detail)
    return Explained(_unexpected(raw, text, line, column), line, column, detail)


def _where(line: int | None, column: int | None) -> str:
    return f"line {line}, column {column}" if line is not None else "an unknown position"


def _fallback(raw: str, line: int | None, column: int | None) -> str:
    expected = _expected_words(raw)
    if expected:
        return f"syntax error at {_where(line, column)}: expected {expected}"
    return f"syntax error at {_where(line, column)}: " + " ".join(
        _POSITION.sub("", raw).split()
    ).lstrip(": ")


def _offset(text: str, line: int, column: int) -> int:
    """The 0-based character offset of a 1-based line and column."""
    lines = text.split("\n")
    before = sum(len(s) + 1 for s in lines[: line - 1])
    return min(before + column - 1, len(text))


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _undeclared_prefix(text: str, offset: int) -> str | None:
    m = _PREFIXED_END.search(text[:offset].rstrip())
    if not m:
        return None
    prefix = m.group(1)
    line, column = _position(text, m.start())
    message = (
        f"undeclared prefix {prefix}: (in {m.group(0)} at line {line}, column {column})"
    )
    if prefix in KNOWN:
        return f"{message}; add the line: PREFIX {prefix}: <{KNOWN[prefix]}>"
    return f"{message}; declare it with a line PREFIX {prefix}: <...> before the query"


def _lexical_problem(text: str) -> tuple[str, str] | None:
    """An unterminated string or IRI, or unbalanced brackets, found by scanning ``text``."""
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
            continue
        if c in "\"'":
            end = _string_end(text, i)
            if end is None:
                line, column = _position(text, i)
                return "unterminated", (
                    f"unterminated string: the string that starts with {c} at line {line}, "
                    f"column {column} is not closed (a {c} is missing)"
                )
            i = end
            continue
        if c == "<":
            iri = _IRI_CHARS.match(text, i + 1)
            if iri:
                i = iri.end()
                continue
            if re.match(r"<[A-Za-z][\w+.\-]*:[^\s<>\"{}|^`\\]*(?:\s|\Z)", text[i:]):
                line, column = _position(text, i)
                return "unterminated", (
                    f"unterminated IRI: the IRI that starts with < at line {line}, column "
                    f"{column} is not closed (a > is missing)"
                )
        if c in "{([":
            stack.append((c, i))
        elif c in _CLOSING:
            line, column = _position(text, i)
            if not stack:
                return "brackets", (
                    f"unbalanced brackets: {c} at line {line}, column {column} closes nothing"
                )
            opened, at = stack.pop()
            if opened != _CLOSING[c]:
                oline, ocolumn = _position(text, at)
                return "brackets", (
                    f"unbalanced brackets: {c} at line {line}, column {column} does not match "
                    f"{opened} opened at line {oline}, column {ocolumn}"
                )
        i += 1
    if stack:
        opened, at = stack[-1]
        line, column = _position(text, at)
        closing = {v: k for k, v in _CLOSING.items()}[opened]
        return "brackets", (
            f"unbalanced brackets: {opened} opened at line {line}, column {column} is never "
            f"closed (a {closing} is missing)"
        )
    return None


def _string_end(text: str, start: int) -> int | None:
    """The offset after the string literal starting at ``start``, ``None`` when unterminated."""
    quote = text[start]
    long = text.startswith(quote * 3, start)
    i = start + (3 if long else 1)
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if long and text.startswith(quote * 3, i):
            return i + 3
        if not long and c == quote:
            return i + 1
        if not long and c in "\r\n":
            return None
        i += 1
    return None


def _expected_words(raw: str) -> str:
    """The parser's expected tokens in plain words (keywords and punctuation, no character sets)."""
    m = _EXPECTED.search(raw)
    if not m:
        return ""
    words: list[str] = []
    digits = False
    for item in re.findall(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,\s][^,]*', m.group(1)):
        item = item.strip()
        if item.startswith("["):
            digits = digits or "'0'..='9'" in item.replace(" ", "")
            continue
        if item.startswith('"'):
            item = item[1:-1].encode().decode("unicode_escape")
            if item.startswith("\\"):
                continue
        if item and item not in words and item != "Prefix not found":
            words.append(item)
    if digits:
        words.append("a number")
    if not words:
        return ""
    shown = [w if w == "a number" else f"'{w}'" for w in words]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _unexpected(raw: str, text: str, line: int, column: int) -> str:
    if not text.strip():
        return "the query is empty"
    offset = _offset(text, line, column)
    while 0 < offset < len(text) and _WORD.match(text[offset - 1]) and _WORD.match(text[offset]):
        offset -= 1  # the parser may stop inside a word: show the whole word
    line, column = _position(text, offset)
    incomplete = _incomplete_triple(text, offset)
    if incomplete:
        return incomplete
    expected = _expected_words(raw)
    rest = text[offset:].lstrip()
    if not rest:
        last = re.findall(r"\?\w+|[\w:.\-]+|\S", text[:offset])
        after = f" after '{last[-1]}'" if last else ""
        where = f"the query ends too early{after} (line {line}, column {column})"
        return f"{where}; expected {expected}" if expected else where
    token = _TOKEN.match(rest)
    found = f"unexpected '{token.group(0) if token else rest[0]}' at line {line}, column {column}"
    if expected:
        return f"{found}; expected {expected} there"
    return f"{found}; the query should end before it"


_TERM = re.compile(r"\?\w+|\$\w+|<[^>\s]*>|\"[^\"]*\"|'[^']*'|[\w:.\-]*:[\w.\-]*|\ba\b|\d[\d.]*")


def _incomplete_triple(text: str, offset: int) -> str | None:
    """A triple pattern that ends with ``}`` before its object (``{ ?s ?p }``), the common case
    the parser reports as an unexpected end: named with where it starts."""
    before = text[:offset].rstrip()
    if before.endswith("}"):
        before = before[:-1]
    elif not text[offset:].lstrip().startswith("}"):
        return None
    start = max(before.rfind(c) for c in "{.;")
    if start < 0 or before[start] == ";":
        return None
    statement = before[start + 1:]
    terms = _TERM.findall(statement)
    if len(terms) != 2 or "".join(terms) != "".join(statement.split()):
        return None
    at = start + 1 + (len(statement) - len(statement.lstrip()))
    line, column = _position(text, at)
    return (f"incomplete triple pattern '{' '.join(terms)}' at line {line}, column {column}: "
            "a triple needs a subject, a predicate and an object")
