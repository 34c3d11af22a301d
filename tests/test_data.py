"""The curated tables: every row cites a known source, and every quote occurs in its source text."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from kg.paths import DATA_DIR

SEED_TABLES = ["organizations.csv", "policies.csv", "statements.csv", "observations.csv"]
_IGNORED = re.compile(r"[\s\-\u2010\u2011\u2013]+")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _sources() -> dict[str, dict[str, str]]:
    rows = _rows(DATA_DIR / "sources.csv")
    for extra in sorted(DATA_DIR.glob("*/sources.csv")):
        rows += _rows(extra)
    return {r["id"]: r for r in rows}


def _normalised(text: str) -> str:
    return _IGNORED.sub("", text)


def test_source_ids_are_unique() -> None:
    ids = [r["id"] for r in _rows(DATA_DIR / "sources.csv")]
    for extra in sorted(DATA_DIR.glob("*/sources.csv")):
        ids += [r["id"] for r in _rows(extra)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "table",
    [
        "lists/china_rare_disease_lists.csv",
        "lists/notices.csv",
        "lists/orpha_links.csv",
        "lists/folk_names.csv",
        "lists/ccrd_orpha_mapping.csv",
        "authorities.csv",
        *(f"seeds/{t}" for t in SEED_TABLES),
    ],
)
def test_every_row_cites_a_known_source(table: str) -> None:
    sources = _sources()
    rows = _rows(DATA_DIR / table)
    assert rows
    for number, row in enumerate(rows, start=1):
        assert row["source"] in sources, f"{table} record {number}: unknown source {row['source']}"


def test_every_seed_quote_occurs_in_its_seed_document(shared_dir: Path) -> None:
    sources = _sources()
    texts: dict[str, str] = {}
    missing = []
    for table in SEED_TABLES:
        for number, row in enumerate(_rows(DATA_DIR / "seeds" / table), start=1):
            note = sources[row["source"]]["note"]
            match = re.match(r"seed document (\S+\.txt)", note)
            assert match, f"{row['source']} is not a seed document"
            name = match.group(1)
            if name not in texts:
                texts[name] = _normalised((shared_dir / "seeds" / name).read_text("utf-8"))
            if _normalised(row["quote"]) not in texts[name]:
                missing.append(f"{table} record {number}: {row['quote'][:80]}")
    assert not missing, "quotes not found in their source:\n" + "\n".join(missing)


def test_both_lists_are_complete() -> None:
    rows = _rows(DATA_DIR / "lists" / "china_rare_disease_lists.csv")
    assert sorted((int(r["list"]), int(r["no"])) for r in rows) == (
        [(1, n) for n in range(1, 122)] + [(2, n) for n in range(1, 87)]
    )
    published = {(r["list"], r["no"]): (r["name_zh"], r["name_en"]) for r in rows}
    # kept exactly as published, oddities included
    assert published[("1", "14")][1] == "Cardic Ion Channelopathies"
    assert "１" in published[("2", "6")][0]
