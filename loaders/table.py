"""Reading the project's CSV tables with errors that name file, record and field."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from pyoxigraph import NamedNode

from kg import iri
from kg.errors import LoadError

T = TypeVar("T")


class Record:
    """One row of a table; ``field`` reads a value, ``convert`` turns it into something, with errors
    that name the file, the record number (1-based, header not counted) and the field."""

    def __init__(self, path: Path, number: int, row: dict[str, str]) -> None:
        self.path = path
        self.number = number
        self.row = row

    def error(self, field: str | None, message: str) -> LoadError:
        return LoadError(self.path.name, self.number, field, message)

    def get(self, field: str) -> str:
        return (self.row.get(field) or "").strip()

    def require(self, field: str) -> str:
        value = self.get(field)
        if not value:
            raise self.error(field, "is required but empty")
        return value

    def convert(self, field: str, fn: Callable[[str], T], *, required: bool = False) -> T | None:
        value = self.require(field) if required else self.get(field)
        if not value:
            return None
        try:
            return fn(value)
        except (ValueError, KeyError) as exc:
            raise self.error(field, f"{value!r}: {exc}") from None

    def one_of(self, field: str, allowed: Sequence[str], *, required: bool = False) -> str | None:
        value = self.require(field) if required else self.get(field)
        if value and value not in allowed:
            raise self.error(field, f"{value!r} is not one of {', '.join(allowed)}")
        return value or None


def read_table(path: Path, columns: Sequence[str]) -> Iterator[Record]:
    """The rows of a UTF-8 CSV table (gzip-compressed when its name ends in ``.gz``) that must
    have at least ``columns``.

    Raises ``LoadError`` if the file is missing or not gzip where it should be, the header lacks a
    column, or a row has extra cells.
    """
    try:
        if path.suffix == ".gz":
            handle = gzip.open(path, "rt", encoding="utf-8", newline="")  # noqa: SIM115 (below)
        else:
            handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise LoadError(path.name, 0, None, f"cannot be read: {exc.strerror or exc}") from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except UnicodeDecodeError as exc:
            raise LoadError(path.name, 0, None, f"is not UTF-8: {exc.reason}") from None
        except (OSError, EOFError) as exc:
            raise LoadError(path.name, 0, None, f"cannot be read: {exc}") from None
        missing = [c for c in columns if c not in header]
        if missing:
            raise LoadError(path.name, 0, missing[0], "column is missing from the header")
        try:
            for number, row in enumerate(reader, start=1):
                if None in row:
                    raise LoadError(path.name, number, None, "has more cells than the header")
                yield Record(path, number, row)
        except UnicodeDecodeError as exc:
            raise LoadError(path.name, "?", None, f"is not UTF-8: {exc.reason}") from None
        except csv.Error as exc:
            raise LoadError(path.name, reader.line_num, None, f"is not valid CSV: {exc}") from None
        except (OSError, EOFError) as exc:
            raise LoadError(path.name, reader.line_num, None, f"cannot be read: {exc}") from None


def disease_ref(value: str) -> NamedNode | str:
    """A disease reference (``CN1:86``, ``CN2:12``, ``ORPHA:558``) as an IRI, or ``text:<name>``
    as the name.  Raises ``ValueError`` for anything else or for an entry number outside its
    list."""
    if value.startswith("text:"):
        name = value[5:].strip()
        if not name:
            raise ValueError("text: reference without a name")
        return name
    prefix, _, code = value.partition(":")
    if prefix in ("CN1", "CN2"):
        number = int(code)
        size = LIST_SIZES[int(prefix[2])]
        if not 1 <= number <= size:
            raise ValueError(f"list {prefix[2]} has entries 1 to {size}")
        return iri.disease(int(prefix[2]), number)
    if prefix == "ORPHA":
        return iri.orpha_disease(code)
    raise ValueError("expected CN1:<n>, CN2:<n>, ORPHA:<code> or text:<name>")


LIST_SIZES = {1: 121, 2: 86}
