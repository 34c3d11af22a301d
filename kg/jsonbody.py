"""JSON from strangers, read with bounds: nesting depth, number length, no lone surrogates.

``json.loads`` recurses once per nested array or object (30,000 levels raise ``RecursionError``),
turns a 5,000-digit number into an ``int`` that Python then refuses to print, and accepts
``"\\ud800"``, a string that cannot be written back as UTF-8.  ``loads`` refuses each of these
with ``BadRequest`` before they reach the rest of the service.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kg.errors import BadRequest

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 40
_SCAN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects (strings skipped)."""
    depth = deepest = 0
    for match in _SCAN.finditer(data):
        token = match.group(0)
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _number(text: str) -> float | int:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadRequest(f"a number in the JSON body has more than {MAX_NUMBER_CHARS} characters")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _constant(name: str) -> Any:
    raise BadRequest(f"{name} is not JSON")


def _check_strings(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise BadRequest("the JSON body holds a lone surrogate (\\ud800-\\udfff), which is "
                                 "not a character")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads(data: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of a UTF-8 body.  Raises ``BadRequest`` for a body that is not UTF-8 JSON,
    nests deeper than ``max_depth``, has a number longer than 40 characters or a lone surrogate.

    >>> loads(b'{"a": [1, 2.5, "x"]}')
    {'a': [1, 2.5, 'x']}
    >>> loads(b'[' * 100 + b']' * 100)
    Traceback (most recent call last):
    ...
    kg.errors.BadRequest: the JSON body nests 100 levels deep; at most 64 are accepted
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the body is not UTF-8: {exc.reason} at byte {exc.start}") from None
    depth = _depth(data)
    if depth > max_depth:
        raise BadRequest(f"the JSON body nests {depth} levels deep; at most {max_depth} are "
                         "accepted")
    try:
        value = json.loads(text, parse_int=_number, parse_float=_number,
                           parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from None
    _check_strings(value)
    return value
