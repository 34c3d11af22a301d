"""Checking a submission field by field: the problems found, each an English message template
with its values (``kg.errors.Message``), so that a page can show it in its own language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kg.errors import InvalidSubmission, Message


@dataclass
class Problems:
    """Messages per field, collected before raising ``InvalidSubmission``."""

    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str, **params: object) -> None:
        """A problem of field ``name``: an English message template and its values."""
        self.fields.setdefault(name, []).append(Message(message, **params))

    def raise_any(self) -> None:
        if self.fields:
            raise InvalidSubmission(self.fields)


def text_field(
    value: object, name: str, problems: Problems, limit: int, required: bool = False
) -> str:
    """``value`` as stripped text of at most ``limit`` characters ("" and a problem if not)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(name, "must be text, not %(kind)s", kind=type(value).__name__)
        return ""
    value = value.strip()
    if "\x00" in value:
        problems.add(name, "must not contain NUL characters")
        return ""
    if required and not value:
        problems.add(name, "is required")
    if len(value) > limit:
        problems.add(
            name,
            "has %(count)s characters; at most %(limit)s",
            count=len(value),
            limit=limit,
        )
        return ""
    return value


def unknown_keys(
    data: Mapping[str, Any], allowed: Iterable[str], name: str, problems: Problems
) -> None:
    """A problem for each key of ``data`` that is not ``allowed``."""
    extra = sorted(set(data) - set(allowed))
    if extra:
        problems.add(
            name,
            "unknown key(s) %(keys)s; allowed: %(allowed)s",
            keys=', '.join(map(repr, extra)),
            allowed=', '.join(allowed),
        )
