"""The held-out set for disease linking (tests/data/linking/holdout.csv).

A second labelled set, drawn at random (seed 20261208, 30 texts per source) from the candidates
left after removing every record of the development set, with its NRDL part extended by a second
draw (seed 20261209, 90 more NRDL texts) from the candidates left after also removing the first
draw, and labelled by reading before the resolver was run on it. Its integrity is checked with the
development set's helpers: the columns, entry ids that exist on the national lists, sorted unique
entries with one kind each, unique records that are not in labelled.csv, the texts per source,
and, when the shared reference folder is available, that every text occurs verbatim in its source
record and that the file is exactly the two seeded draws.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.test_linking_labels import LINKING, _rows, _sampler, check_rows

HOLDOUT = LINKING / "holdout.csv"
# the two draws, as README.md states: (seed, texts per source) for each source drawn
FIRST_DRAW = (20261208, {"fda": 30, "nmpa": 30, "ema": 30, "nrdl": 30})
SECOND_DRAW = (20261209, {"nrdl": 90})
PER_SOURCE = {"fda": 30, "nmpa": 30, "ema": 30, "nrdl": 120}


def test_rows_are_well_formed() -> None:
    check_rows(_rows(HOLDOUT), "holdout.csv")


def test_texts_per_source_none_from_the_development_set() -> None:
    rows = _rows(HOLDOUT)
    assert Counter(r["source"] for r in rows) == PER_SOURCE
    development = {(r["source"], r["record"]) for r in _rows(LINKING / "labelled.csv")}
    overlap = [f"{r['source']} {r['record']}" for r in rows
               if (r["source"], r["record"]) in development]
    assert not overlap, "held-out records also in labelled.csv:\n" + "\n".join(overlap)


def test_every_text_occurs_verbatim_in_its_source_record(shared_dir: Path) -> None:
    sampler = _sampler()
    held_out = {(r["source"], r["record"]): r for r in _rows(HOLDOUT)}
    missing = []
    for source, read in sampler.READERS.items():
        records = {r[1]: r for r in read(shared_dir / "data")}
        for (src, record), row in held_out.items():
            if src != source:
                continue
            found = records.get(record)
            if found is None or (found[2], found[4]) != (row["drug"], row["text"]):
                missing.append(f"{source} {record}")
    assert not missing, "texts not found verbatim in their source record:\n" + "\n".join(missing)


def test_the_file_is_the_two_seeded_draws(shared_dir: Path) -> None:
    sampler = _sampler()
    held_out = {(r["source"], r["record"]) for r in _rows(HOLDOUT)}
    excluded = sampler.labelled_keys(LINKING / "labelled.csv")  # and, later, the earlier draws
    drawn: set[tuple[str, str]] = set()
    for seed, counts in (FIRST_DRAW, SECOND_DRAW):
        for source, n in counts.items():
            sample = sampler.sample_excluding(shared_dir / "data", source, seed, n, excluded)
            assert len(sample) == n, (seed, source)
            drawn |= {(source, r[1]) for r in sample}
        excluded |= drawn
    assert drawn == held_out
