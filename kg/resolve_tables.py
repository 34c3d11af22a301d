"""The tables disease resolution (``kg.resolve``) is built from, read into plain rows: the lists'
printed names and their parts, folk names, the names of list-1 subtypes in the expert annotations,
the ORPHA codes of each entry (exact link, expert mapping: exact, narrower, subtypes) and the
reviewed decisions (``data/resolution/decisions.csv``).
"""

from __future__ import annotations

import csv
import gzip
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg import iri

_QUALIFIER = re.compile(
    r"^(?:.*型|type\s+\S+(?:\s*[、,]\s*\S+)*|[\w-]*\s*onset|[IVX\d]+)$", re.IGNORECASE
)
_PARTS = re.compile(r"^(.*?)\s*[（(]([^（）()]+)[）)]\s*(.*)$")


@dataclass
class Tables:
    """Names ``(name, entry, method, subtype)``, codes ``(entry, orpha, method)``, decisions."""

    names: list[tuple[str, str, str, int | None]] = field(default_factory=list)
    codes: list[tuple[str, str, str]] = field(default_factory=list)
    decisions: list[dict[str, str]] = field(default_factory=list)


def printed_parts(name: str, slash: bool = True) -> list[str]:
    """A printed name and its alternatives: bracketed parts, ``/``-separated parts (unless
    ``slash`` is false: in the expert annotations ``家族性/特发性扩张型心肌病`` splits words, not
    names), comma parts of a bracket; a qualifying bracket (``（重型）``) keeps the name whole."""
    name = unicodedata.normalize("NFKC", name).strip()
    parts = [name]
    for piece in re.split(r"\s*/\s*", name) if slash else [name]:
        m = _PARTS.match(piece)
        if not m:
            parts.append(piece)
            continue
        head, inner, tail = m.groups()
        alternatives = [a.strip() for a in re.split(r"[,，、]", inner) if a.strip()]
        parts.append(piece)
        if all(_QUALIFIER.match(a) for a in alternatives):
            continue
        if tail:  # a word's alternative inside the name: the name without it
            parts.append(f"{head}{tail}" if not head.isascii() else f"{head} {tail}")
        else:
            parts += [head, *alternatives]
    return [p for p in dict.fromkeys(parts) if p]


def rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.exists():
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def list_key(list_no: str | int, no: str | int) -> str:
    return iri.list_key(int(list_no), int(no))


def read_tables(data_dir: Path) -> Tables:
    """The rows of ``data_dir``'s tables (absent tables give no rows)."""
    out = Tables()
    lists = data_dir / "lists"
    for r in rows(lists / "china_rare_disease_lists.csv"):
        entry = list_key(r["list"], r["no"])
        for printed in (r["name_zh"], r["name_en"]):
            out.names += [(part, entry, "list-name", None) for part in printed_parts(printed)]
    for r in rows(lists / "folk_names.csv"):
        out.names.append((r["text"], list_key(r["list"], r["no"]), "folk-name", None))
    for r in rows(lists / "orpha_links.csv"):
        if r["orpha"] and (r.get("relation") or "exact") in ("exact", "E"):
            out.codes.append((list_key(r["list"], r["no"]), r["orpha"], "orphanet-exact"))
    for table in ("ccrd_hpo.csv", "ccrd_omim_mapping.csv", "ccrd_orpha_mapping.csv"):
        for r in rows(lists / table):
            if r["subtype"] in ("", "0"):
                continue
            entry, sub = list_key(1, r["entry"]), int(r["subtype"])
            for name in (r["subtype_name_zh"], r["subtype_name_en"]):
                for part in re.split(r"[;；]", name):
                    if part.strip():
                        out.names += [
                            (alt, entry, "subtype-name", sub)
                            for alt in printed_parts(part, slash=False)
                        ]
    for r in rows(lists / "ccrd_orpha_mapping.csv"):
        entry = list_key(1, r["entry"])
        if r["subtype"] not in ("", "0"):
            if r["relation"] == "E":
                out.codes.append((entry, r["orpha"], "orphanet-narrower"))
        elif r["relation"] == "E":
            out.codes.append((entry, r["orpha"], "orphanet-exact"))
        elif r["relation"] == "BTNT":
            out.codes.append((entry, r["orpha"], "orphanet-narrower"))
    out.decisions = list(rows(data_dir / "resolution" / "decisions.csv"))
    return out
