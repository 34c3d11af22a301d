"""The blind NRDL sample of the drug identity measurement (docs/linking.md, "## Drugs", Recall).

``tests/data/drugs/nrdl_identity_sample.csv`` records, for 55 negotiated and bidding rows of the
NRDL 2025 drawn at random, the substance each names, whether it has an FDA orphan approval or an
EPAR, and whether the identity table joined the Chinese name to that INN before and after the rows
added for it. These tests redraw the sample from the committed NRDL table and check every row marked
``joined_after=yes`` with the real ``DrugIdentity`` of the repository. (That every web source of
``drug_identity.csv`` is listed in ``sources.csv`` is checked in ``tests/test_drugs.py``.)
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from pathlib import Path

import pytest

from kg.drugs import DrugIdentity, is_chinese
from kg.paths import DATA_DIR

SAMPLE = Path(__file__).parent / "data" / "drugs" / "nrdl_identity_sample.csv"
COLUMNS = [
    "nrdl_name",
    "category",
    "substance_en",
    "has_fda_orphan",
    "has_epar",
    "joined_before",
    "joined_after",
    "note",
]


def _sample() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def _nrdl_rows() -> list[dict[str, str]]:
    """The 411 negotiated and bidding rows (outside 西药部分), in file order."""
    with gzip.open(DATA_DIR / "nrdl" / "china_nrdl_2025.json.gz", "rt", encoding="utf-8") as f:
        drugs = json.load(f)["drugs"]
    return [d for d in drugs if d["section"] != "西药部分"]


@pytest.fixture(scope="module")
def identity() -> DrugIdentity:
    return DrugIdentity.read(DATA_DIR / "drugs" / "drug_identity.csv")


@pytest.fixture(scope="module")
def record_keys(identity: DrugIdentity) -> set[str]:
    """The substance keys of the FDA orphan approvals and the EPARs, as the loaders mint them."""
    keys = set()
    with (DATA_DIR / "fda" / "fda_orphan_approvals.csv").open(encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            name = row["Generic Name"].strip()
            if name and not name.startswith("Note"):
                keys.add(identity.substance(name))
    with gzip.open(DATA_DIR / "epar" / "epar_human.csv.gz", "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            keys.add(identity.substance(row["inn"] or None, row["active_substance"] or None))
    return keys


def test_the_sample_is_the_seeded_draw_without_the_earlier_sample() -> None:
    rows = _nrdl_rows()
    assert len(rows) == 411
    random.seed(20261206)
    earlier = random.sample(rows, 40)
    random.seed(20261207)
    drawn = [r for r in random.sample(rows, 60) if r not in earlier]
    sample = _sample()
    assert [r["nrdl_name"] for r in sample] == [r["name_zh"] for r in drawn]
    for row, nrdl in zip(sample, drawn, strict=True):
        assert row["category"] == ("竞价" if nrdl["section"].startswith("竞价") else "谈判")


def test_every_row_is_judged(record_keys: set[str], identity: DrugIdentity) -> None:
    for row in _sample():
        assert row["substance_en"] and row["note"], row["nrdl_name"]
        assert row["has_fda_orphan"] in ("yes", "no") and row["has_epar"] in ("yes", "no")
        if "yes" in (row["has_fda_orphan"], row["has_epar"]):
            # the record judged to exist is in the committed tables under that substance
            assert identity.substance(row["substance_en"]) in record_keys, row["nrdl_name"]
            assert row["joined_before"] in ("yes", "no") and row["joined_after"] in ("yes", "no")
            assert not (row["joined_before"] == "yes" and row["joined_after"] == "no")
        else:
            assert row["joined_before"] == row["joined_after"] == "n/a", row["nrdl_name"]


def test_rows_joined_after_resolve_to_the_key_of_their_inn(
    identity: DrugIdentity, record_keys: set[str]
) -> None:
    joined = [r for r in _sample() if r["joined_after"] == "yes"]
    assert len(joined) == 19
    for row in joined:
        substance = identity.substance(row["nrdl_name"])
        assert not is_chinese(substance), f"{row['nrdl_name']} keeps a Chinese key"
        assert substance == identity.substance(row["substance_en"]), row["nrdl_name"]
        assert identity.inn_of(row["nrdl_name"]) in (None, substance)
        assert substance in record_keys, row["nrdl_name"]
