"""The focused held-out set for disease linking (tests/data/linking/holdout-focused.csv).

A third draw (seed 20261210, 40 texts each) from the two sources whose texts rarely name a listed
disease, limited to the records most likely to: EMA orphan medicines and NRDL negotiated drugs
(``sample.py --focused``), from the candidates left after removing every record of the development
set and of the first held-out set; labelled by reading before the resolver was run on it.  Checked
as the other held-out set is: well-formed rows, no record of the other sets, every text verbatim in
its source record, and the file exactly the seeded draw.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.test_linking_labels import LINKING, _rows, _sampler, check_rows

FOCUSED = LINKING / "holdout-focused.csv"
SEED, PER_SOURCE = 20261210, {"ema": 40, "nrdl": 40}


def test_rows_are_well_formed() -> None:
    check_rows(_rows(FOCUSED), "holdout-focused.csv")


def test_texts_per_source_none_from_the_other_sets() -> None:
    rows = _rows(FOCUSED)
    assert Counter(r["source"] for r in rows) == PER_SOURCE
    others = {(r["source"], r["record"]) for name in ("labelled.csv", "holdout.csv")
              for r in _rows(LINKING / name)}
    overlap = [f"{r['source']} {r['record']}" for r in rows if (r["source"], r["record"]) in others]
    assert not overlap, "focused records also in another set:\n" + "\n".join(overlap)


def test_the_file_is_the_seeded_focused_draw_verbatim(shared_dir: Path) -> None:
    sampler = _sampler()
    sampler.focus()  # as --focused does
    excluded = sampler.labelled_keys(LINKING / "labelled.csv") | sampler.labelled_keys(
        LINKING / "holdout.csv")
    drawn: dict[tuple[str, str], tuple[str, str]] = {}
    for source, n in PER_SOURCE.items():
        sample = sampler.sample_excluding(shared_dir / "data", source, SEED, n, excluded)
        assert len(sample) == n, source
        drawn |= {(source, r[1]): (r[2], r[4]) for r in sample}
    rows = {(r["source"], r["record"]): (r["drug"], r["text"]) for r in _rows(FOCUSED)}
    assert rows == drawn
