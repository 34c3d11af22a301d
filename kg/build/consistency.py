"""Consistency of the organization records before they are loaded: one organization, one record.

Two records (files of ``data/organizations/`` or rows of ``data/seeds/organizations.csv``) that
resolve to different organizations must not share a name in any language, and a record whose
source says it is the same as another (a ``sameAs`` statement) must be merged with it (``same_as``)
rather than kept apart.  Names are compared after Unicode NFKC normalisation (full-width and
half-width forms become one), case folding and removal of all whitespace, so that ``CORD``,
``ｃｏｒｄ`` and ``C O R D`` collide.  A pair that is rightly two organizations (two groups that
happen to share a generic name, or a source's claim of identity that other sources contradict)
is declared in ``data/organizations/distinct.csv`` (``id_a,id_b,reason``); every other collision
stops the build with a ``BuildError`` naming both files and the name.

The check reads the records themselves rather than the built graph so that the error can name the
files a curator has to open.
"""

from __future__ import annotations

import csv
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Quad

from kg.errors import BuildError

DISTINCT_COLUMNS = ("id_a", "id_b", "reason")


@dataclass(frozen=True)
class Record:
    """One organization record: where it is written, the organization it describes, its names."""

    where: str
    organization: str
    names: tuple[str, ...]
    same_as_claims: tuple[str, ...] = ()


def normalize(name: str) -> str:
    """The form two names are compared in: NFKC (full/half width), case-folded, no whitespace."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(folded.split())


def read_records(folder: Path, seeds_csv: Path | None) -> list[Record]:
    """The organization records of the seed table and of the curated folder."""
    records: list[Record] = []
    if seeds_csv is not None and seeds_csv.exists():
        with seeds_csv.open(encoding="utf-8", newline="") as f:
            for number, row in enumerate(csv.DictReader(f), start=2):
                names = tuple(n for n in (row.get("name_en"), row.get("name_zh")) if n)
                records.append(Record(f"{seeds_csv.name} line {number}", row["id"], names))
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as f:
            data = tomllib.load(f)
        file_id = str(data.get("id", path.stem))
        organization = str(data.get("same_as") or file_id)
        file_names: list[str] = []
        claims: list[str] = []
        for st in data.get("statement", []):
            prop = st.get("property")
            if prop in ("name", "altName") and isinstance(st.get("value"), str):
                file_names.append(st["value"])
            elif prop == "sameAs" and isinstance(st.get("value"), str):
                claims.append(st["value"])
        records.append(Record(path.name, organization, tuple(file_names), tuple(claims)))
    return records


def read_distinct(path: Path) -> set[frozenset[str]]:
    """The pairs of organization ids declared distinct, each with a reason."""
    if not path.exists():
        return set()
    pairs: set[frozenset[str]] = set()
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != DISTINCT_COLUMNS:
            raise BuildError(f"{path.name}: the columns must be {','.join(DISTINCT_COLUMNS)}")
        for number, row in enumerate(reader, start=2):
            if not (row["id_a"] and row["id_b"] and (row["reason"] or "").strip()):
                raise BuildError(f"{path.name} line {number}: needs id_a, id_b and a reason")
            pairs.add(frozenset((row["id_a"], row["id_b"])))
    return pairs


def conflicts(records: list[Record], distinct: set[frozenset[str]]) -> list[str]:
    """Every shared name and every unmerged claim of identity, as a readable sentence."""
    found: list[str] = []
    seen: dict[str, Record] = {}
    first_name: dict[str, str] = {}
    for record in records:
        for name in record.names:
            key = normalize(name)
            if not key:
                continue
            other = seen.get(key)
            if other is None:
                seen[key] = record
                first_name[key] = name
                continue
            pair = frozenset((record.organization, other.organization))
            if other.organization == record.organization or pair in distinct:
                continue
            found.append(
                f"{other.where} ({other.organization}) and {record.where} "
                f"({record.organization}) share the name {first_name[key]!r}"
                + ("" if first_name[key] == name else f" / {name!r}")
                + "; merge them (same_as) or declare them in distinct.csv with a reason"
            )
    by_id = {r.organization: r for r in records}
    for record in records:
        for claim in record.same_as_claims:
            target = by_id.get(claim)
            organization = target.organization if target else claim
            pair = frozenset((record.organization, organization))
            if organization == record.organization or pair in distinct:
                continue
            found.append(
                f"{record.where} ({record.organization}) cites a source saying it is the same as "
                f"{target.where if target else claim} ({organization}); merge them (same_as) or "
                "declare them in distinct.csv with a reason"
            )
    return found


def check_organizations(
    folder: Path, seeds_csv: Path | None = None, distinct_csv: Path | None = None
) -> None:
    """Raise ``BuildError`` if two organization records describe one organization unmerged."""
    records = read_records(folder, seeds_csv)
    distinct = read_distinct(distinct_csv or folder / "distinct.csv")
    problems = conflicts(records, distinct)
    if problems:
        raise BuildError(
            "organization records that look like one organization:\n  " + "\n  ".join(problems)
        )


def checked_load(folder: Path, seeds_csv: Path) -> Iterator[Quad]:
    """The organizations graph of ``folder``, after :func:`check_organizations` (a conflict stops
    the build before anything is loaded)."""
    from loaders import organizations

    check_organizations(folder, seeds_csv)
    yield from organizations.load(folder, seeds_csv)
