"""Reading upstream JSON records with errors that name the file, the record and the field."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from kg.errors import LoadError

T = TypeVar("T")


def read_json(path: Path) -> Any:
    """The parsed JSON of ``path``.

    Raises ``LoadError`` (record 0) if the file cannot be read or is not JSON (with line and
    column)."""
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except OSError as exc:
        raise LoadError(path.name, 0, None, f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise LoadError(path.name, 0, None, f"is not UTF-8: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        message = f"is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise LoadError(path.name, 0, None, message) from None


class JsonRecord:
    """One record (a JSON object) of a file; fields are dotted paths (``statusModule.status``).

    ``number`` is 1-based; nested records (``sub``) keep the number and prefix their fields."""

    def __init__(self, file: str, number: int, data: Any, prefix: str = "") -> None:
        self.file = file
        self.number = number
        self.data = data
        self.prefix = prefix
        if not isinstance(data, dict):
            raise self.error(None, f"is a {type(data).__name__}, not an object")

    def error(self, field: str | None, message: str) -> LoadError:
        where = (self.prefix + field) if field else (self.prefix.rstrip(".") or None)
        return LoadError(self.file, self.number, where, message)

    def get(self, path: str) -> Any:
        value: Any = self.data
        for key in path.split("."):
            if not isinstance(value, dict):
                raise self.error(path, f"{key!r} is inside a {type(value).__name__}, not an object")
            value = value.get(key)
            if value is None:
                return None
        return value

    def text(self, path: str, *, required: bool = False) -> str | None:
        """A string field, stripped; ``None`` when absent or empty (or an error when required)."""
        value = self.get(path)
        scalar = isinstance(value, str | int | float) and not isinstance(value, bool)
        if value is not None and not scalar:
            raise self.error(path, f"is a {type(value).__name__}, not a string")
        value = str(value).strip() if value is not None else ""
        if not value:
            if required:
                raise self.error(path, "is required but missing or empty")
            return None
        return value

    def require(self, path: str) -> str:
        value = self.text(path, required=True)
        assert value is not None
        return value

    def items(self, path: str) -> list[Any]:
        """A list field; an absent field is an empty list."""
        value = self.get(path)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(path, f"is a {type(value).__name__}, not a list")
        return value

    def convert(self, path: str, fn: Callable[[str], T], *, required: bool = False) -> T | None:
        value = self.text(path, required=required)
        if value is None:
            return None
        try:
            return fn(value)
        except (ValueError, KeyError) as exc:
            raise self.error(path, f"{value!r}: {exc}") from None

    def sub(self, path: str) -> Iterator[JsonRecord]:
        """The objects of the list field ``path``, as records whose fields are ``path[i].field``."""
        for i, item in enumerate(self.items(path)):
            yield JsonRecord(self.file, self.number, item, f"{self.prefix}{path}[{i}].")


def records(path: Path, data: Any, key: str) -> Iterator[JsonRecord | LoadError]:
    """The objects of the top-level list ``data[key]``, numbered from 1; an item that is not an
    object comes as the ``LoadError`` naming it (for the caller's error policy).

    Raises ``LoadError`` (record 0) when ``data[key]`` is not a list."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise LoadError(path.name, 0, key, "is missing or not a list")
    for number, item in enumerate(items, start=1):
        try:
            yield JsonRecord(path.name, number, item)
        except LoadError as exc:
            yield exc
