"""The hand-labelled development set for disease linking (tests/data/linking/labelled.csv).

The set is the yardstick the linker is measured against, so its integrity is checked here: the
columns, entry ids that exist on the national lists, sorted unique entries with one kind each,
the minimum number of texts per source, specific hard cases labelled as the README says, and,
when the shared reference folder is available, that every text occurs verbatim in its source
record and that the seeded random sample is fully labelled.
"""

from __future__ import annotations

import csv
import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from kg.paths import DATA_DIR

LINKING = Path(__file__).parent / "data" / "linking"
COLUMNS = ["source", "record", "drug", "lang", "text", "entries", "kind", "note"]
LANG = {"fda": "en", "ema": "en", "nmpa": "zh", "nrdl": "zh"}
MINIMUM = {"fda": 50, "nmpa": 40, "ema": 40, "nrdl": 40}
KINDS = {"exact", "subtype", "member"}
SEED, RANDOM_PER_SOURCE = 15, 48  # the random half, as README.md states


def _rows(path: Path = LINKING / "labelled.csv") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def check_rows(rows: list[dict[str, str]], name: str) -> None:
    """Every row of a labelled file well formed: known source and its language, a record, drug,
    text and note, entries sorted, unique and on the national lists, one known kind each; no record
    labelled twice (also for the held-out set, tests/test_linking_holdout.py)."""
    ids = _entry_ids()
    keys = [(r["source"], r["record"]) for r in rows]
    assert len(keys) == len(set(keys)), "a record is labelled twice"
    for number, row in enumerate(rows, start=2):
        where = f"{name} line {number} ({row['source']} {row['record']})"
        assert row["source"] in LANG, where
        assert row["lang"] == LANG[row["source"]], where
        assert row["record"] and row["drug"] and row["text"].strip(), where
        assert row["note"].strip(), f"{where}: every label says why"
        entries = row["entries"].split(";") if row["entries"] else []
        kinds = row["kind"].split(";") if row["kind"] else []
        assert entries == sorted(set(entries)), f"{where}: entries not sorted and unique"
        assert set(entries) <= ids, f"{where}: unknown entry {set(entries) - ids}"
        assert len(kinds) == len(entries), f"{where}: one kind per entry"
        assert set(kinds) <= KINDS, f"{where}: kind {kinds}"


def _by_record() -> dict[tuple[str, str], dict[str, str]]:
    return {(r["source"], r["record"]): r for r in _rows()}


def _entry_ids() -> set[str]:
    with (DATA_DIR / "lists" / "china_rare_disease_lists.csv").open(encoding="utf-8") as f:
        return {f"cn{r['list']}-{int(r['no']):03d}" for r in csv.DictReader(f)}


def _sampler() -> ModuleType:
    spec = importlib.util.spec_from_file_location("linking_sample", LINKING / "sample.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rows_are_well_formed() -> None:
    check_rows(_rows(), "labelled.csv")


def test_counts_per_source_meet_the_minimums() -> None:
    rows = _rows()
    texts = Counter(r["source"] for r in rows)
    for source, minimum in MINIMUM.items():
        assert texts[source] >= minimum, source
    positives = sum(1 for r in rows if r["entries"])
    assert positives >= 0.4 * len(rows)


@pytest.mark.parametrize(
    ("source", "record", "entries", "kind"),
    [
        ("fda", "434214|04/27/2022", "cn1-032", "exact"),  # ravulizumab, gMG
        ("fda", "490415|6/11/20", "cn1-081", "exact"),  # inebilizumab, NMOSD
        ("fda", "400413|12/21/2017", "cn1-106", "exact"),  # hydroxyurea, sickle cell anemia
        ("fda", "149201|2/01/02", "cn2-032", "exact"),  # imatinib, GIST
        ("fda", "226606|05/31/2007", "cn1-084", "exact"),  # somatropin, Noonan syndrome
        ("fda", "376912|09/23/2016", "cn2-081", "exact"),  # canakinumab, TRAPS
        ("fda", "283609|4/10/18", "cn1-114", "exact"),  # everolimus, TSC seizures
        ("fda", "39289|02/25/1993", "cn1-036", "subtype"),  # haemophilia A, "not von Willebrand"
        ("fda", "2284|03/25/1994", "", ""),  # diagnostic agent for pheochromocytoma
        ("fda", "587117|08/15/2019", "", ""),  # tumour-agnostic NTRK
        ("fda", "354411|05/18/2017", "", ""),  # non-transfusion-dependent thalassemia
        ("nmpa", "丁苯那嗪|indication_zh", "cn1-047", "exact"),
        ("nmpa", "氘丁苯那嗪|indication_zh", "cn1-047", "exact"),
        ("nmpa", "尼替西农|indication_zh", "cn1-115", "subtype"),
        ("nmpa", "氯马昔巴特口服溶液|indication_zh", "cn2-005", "exact"),
        ("nmpa", "布罗索尤单抗|indication_zh", "cn1-051", "subtype"),
        ("nmpa", "注射用艾夫糖苷酶α|indication_zh", "cn1-035", "subtype"),
        ("nmpa", "注射用重组人凝血因子Ⅷ|indication_zh", "cn1-036", "subtype"),  # 不适用于 vWD
        ("nmpa", "阿夫凯泰片|evidence[1]", "", ""),  # obstructive HCM is not 1/52
        ("ema", "EMEA/H/C/004954", "cn1-008;cn1-032;cn1-088", "exact;exact;exact"),
        ("ema", "EMEA/H/C/000744", "", ""),  # Gliolan, imaging
        ("nrdl", "协议期内谈判药品部分（一）西药|316|诺西那生钠注射液|-", "cn1-110", "subtype"),
        ("nrdl", "协议期内谈判药品部分（一）西药|38|酒石酸艾格司他胶囊|-", "cn1-031", "subtype"),
        ("nrdl", "西药部分|1164|丁苯那嗪片|-", "cn1-047", "exact"),
    ],
)
def test_hard_cases_are_labelled_as_documented(
    source: str, record: str, entries: str, kind: str
) -> None:
    row = _by_record()[(source, record)]
    assert (row["entries"], row["kind"]) == (entries, kind)


def test_every_text_occurs_verbatim_in_its_source_record(shared_dir: Path) -> None:
    sampler = _sampler()
    labelled = _by_record()
    missing = []
    for source, read in sampler.READERS.items():
        records = {r[1]: r for r in read(shared_dir / "data")}
        for (src, record), row in labelled.items():
            if src != source:
                continue
            found = records.get(record)
            if found is None or (found[2], found[4]) != (row["drug"], row["text"]):
                missing.append(f"{source} {record}")
    assert not missing, "texts not found verbatim in their source record:\n" + "\n".join(missing)


def test_the_seeded_random_sample_is_fully_labelled(shared_dir: Path) -> None:
    sampler = _sampler()
    labelled = _by_record()
    for source in sampler.READERS:
        drawn = sampler.sample(shared_dir / "data", source, SEED, RANDOM_PER_SOURCE)
        assert len(drawn) == RANDOM_PER_SOURCE
        assert [r[1] for r in drawn if (source, r[1]) not in labelled] == [], source
