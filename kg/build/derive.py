"""Derive the project's own source tables in ``data/`` from the reference files people download.

The reference files (national lists, ORPHA links and expert mappings, China drug approvals, network
hospitals, the FDA orphan approvals export, EMA orphan designations, Orphadata responses, a
ClinicalTrials.gov page) are not committed; this module turns them into the tables the loaders
read: CSV tables of the project's own where a source is a mapping or a list, and the upstream
format itself, reduced to facts, where a loader reads that format anyway (so that a user's own,
fuller download of the same format loads the same way). Each table cites its source: a ``source``
column, or a ``sources.csv`` in its folder. Rerunning it on the same reference files gives
byte-identical tables, and a test checks that the committed tables are exactly what it derives.

Each derivation lives in a module of its own and is registered in ``DERIVATIONS``; a derivation
maps a path under ``data/`` to the table's text (or bytes, for gzip-compressed tables).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from kg.build import derive_access, derive_lists, derive_upstream

Derivation = Callable[[Path], Mapping[str, str | bytes]]

DERIVATIONS: tuple[Derivation, ...] = (
    derive_lists.derive_lists,
    derive_lists.derive_annotations,
    derive_upstream.derive_drugs,
    derive_upstream.derive_hospitals,
    derive_upstream.derive_fda,
    derive_upstream.derive_ema,
    derive_upstream.derive_orphadata,
    derive_upstream.derive_trials,
    derive_access.derive_nrdl,
    derive_access.derive_epar,
)


def derive_tables(ref: Path) -> dict[str, str | bytes]:
    """All derived tables, keyed by their path under ``data/``."""
    tables: dict[str, str | bytes] = {}
    for derive in DERIVATIONS:
        tables.update(derive(ref))
    return tables


def write_tables(ref: Path, data_dir: Path) -> list[Path]:
    written = []
    for rel, text in derive_tables(ref).items():
        path = data_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
