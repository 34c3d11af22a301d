"""Reading the gzip-compressed tables of the reference layer (``data/orphanet``, ``data/mondo``,
``data/hpo``, ``data/gard``) row by row, with errors that name file, record and field, as
``loaders.table`` does for plain CSV tables."""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from kg.errors import LoadError
from loaders.table import Record


def read_gz_table(path: Path, columns: Sequence[str]) -> Iterator[Record]:
    """The rows of a gzip-compressed UTF-8 CSV table that must have at least ``columns``.

    Raises ``LoadError`` if the file is missing or not gzip, the header lacks a column, or a row has
    extra cells."""
    try:
        handle = gzip.open(path, "rt", encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise LoadError(path.name, 0, None, f"cannot be read: {exc}") from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except (OSError, EOFError, UnicodeDecodeError) as exc:
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
        except (csv.Error, OSError, EOFError) as exc:
            raise LoadError(path.name, reader.line_num, None, f"cannot be read: {exc}") from None


def short_digest(*parts: str) -> str:
    """Eight hex digits of the parts: tells apart nodes that share a readable key."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:8]
