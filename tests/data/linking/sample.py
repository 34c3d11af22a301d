"""Reproduce the random part of the linking development set (tests/data/linking/labelled.csv).

Reads the four indication sources under a shared data folder, builds the record key of every
record that has disease text, and prints a seeded random sample of each source as CSV
(source, record, drug, lang, text) for a curator to label by reading. The record keys are the ones
used in labelled.csv:

- fda:  "<CF Grid Key>|<Marketing Approval Date>" (a key can have several approval rows), with
        "#<n>" appended (n-th such row in file order) when several rows share key and date
- nmpa: "<drug_zh or inn>|indication_zh" for the drug's own indication, or
        "<drug_zh or inn>|evidence[<i>]" for the indication quoted by the i-th evidence document
- ema:  the product number, e.g. "EMEA/H/C/000387" (human medicines only)
- nrdl: "<section>|<编号>|<name_zh>|<dosage_form or ->" (numbers restart in each section, and one
        number can repeat with another dosage form)

Usage: python tests/data/linking/sample.py [--data /work/shared/data] [--seed 15] [--n 30]

The held-out set (holdout.csv) is drawn the same way from the candidates left after removing every
record of the development set:

    python tests/data/linking/sample.py --seed 20261208 --n 30 \
        --exclude tests/data/linking/labelled.csv

and its NRDL part was extended by a second draw of that source alone, from the candidates left
after removing the development set and the first draw (--source limits a draw to the named
sources; --exclude can be given several times, and the records of every file named are removed;
the sample this script prints is such a file):

    python tests/data/linking/sample.py --seed 20261208 --n 30 \
        --exclude tests/data/linking/labelled.csv > first_draw.csv
    python tests/data/linking/sample.py --seed 20261209 --n 90 --source nrdl \
        --exclude tests/data/linking/labelled.csv --exclude first_draw.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

Record = tuple[str, str, str, str, str]  # source, record, drug, lang, text

EMA_FILE = "ema/Medicines_output_european_public_assessment_reports.xlsx"
# --focused: EMA orphan medicines and NRDL negotiated drugs only (the third draw, for more links in
# the two sources whose texts rarely name a listed disease)
ORPHAN_ONLY = False
NEGOTIATED_ONLY = False


def fda_records(data: Path) -> Iterator[Record]:
    with (data / "fda_orphan_approvals_2022.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Approved Labeled Indication"].strip()]
    keys = [f"{r['CF Grid Key']}|{r['Marketing Approval Date']}" for r in rows]
    seen: Counter[str] = Counter()
    for key, row in zip(keys, rows, strict=True):
        seen[key] += 1
        if keys.count(key) > 1:  # same key and date on several rows: number them in file order
            key = f"{key}#{seen[key]}"
        drug = row["Generic Name"] or row["Trade Name"]
        yield "fda", key, drug, "en", row["Approved Labeled Indication"]


def nmpa_records(data: Path) -> Iterator[Record]:
    doc = json.loads((data / "china_rare_drug_approvals.json").read_text("utf-8"))
    for drug in doc["drugs"]:
        name = drug["drug_zh"] or drug["inn"]
        if drug.get("indication_zh"):
            yield "nmpa", f"{name}|indication_zh", name, "zh", drug["indication_zh"]
        for i, evidence in enumerate(drug["evidence"]):
            if evidence.get("indication_zh"):
                yield "nmpa", f"{name}|evidence[{i}]", name, "zh", evidence["indication_zh"]


def ema_records(data: Path) -> Iterator[Record]:
    import openpyxl  # only this source needs it

    book = openpyxl.load_workbook(data / EMA_FILE, read_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    header: list[str] | None = None
    for row in rows:
        if header is None:
            if row[0] == "Category":
                header = [str(c) for c in row]
            continue
        rec = dict(zip(header, row, strict=False))
        text = rec["Condition / indication"]
        if rec["Category"] == "Human" and text and str(text).strip():
            if ORPHAN_ONLY and rec["Orphan medicine"] != "yes":
                continue
            yield "ema", str(rec["Product number"]), str(rec["Medicine name"]), "en", str(text)


def nrdl_records(data: Path) -> Iterator[Record]:
    doc = json.loads((data / "china" / "china_nrdl.json").read_text("utf-8"))
    for row in doc["drugs"]:
        negotiated = row["section"].startswith("协议期内谈判")
        if row["restriction"] and (negotiated or not NEGOTIATED_ONLY):
            key = "|".join([row["section"], row["no"], row["name_zh"], row["dosage_form"] or "-"])
            yield "nrdl", key, row["name_zh"], "zh", row["restriction"]


def focus() -> None:
    """What --focused does: EMA orphan medicines and NRDL negotiated drugs only."""
    global ORPHAN_ONLY, NEGOTIATED_ONLY
    ORPHAN_ONLY = NEGOTIATED_ONLY = True


READERS = {"fda": fda_records, "nmpa": nmpa_records, "ema": ema_records, "nrdl": nrdl_records}


def sample(data: Path, source: str, seed: int, n: int) -> list[Record]:
    """The seeded random sample of one source: records in file order, then random.sample."""
    records = list(READERS[source](data))
    keys = [r[1] for r in records]
    if len(keys) != len(set(keys)):
        raise SystemExit(f"{source}: record keys are not unique")
    return random.Random(f"{seed}-{source}").sample(records, min(n, len(records)))


def labelled_keys(path: Path) -> set[tuple[str, str]]:
    """The (source, record) keys of a labelled CSV file (labelled.csv, holdout.csv)."""
    with path.open(encoding="utf-8", newline="") as f:
        return {(r["source"], r["record"]) for r in csv.DictReader(f)}


def sample_excluding(
    data: Path, source: str, seed: int, n: int, exclude: set[tuple[str, str]]
) -> list[Record]:
    """Like `sample`, but drawn from the candidates that are not in `exclude` (file order kept)."""
    records = list(READERS[source](data))
    keys = [r[1] for r in records]
    if len(keys) != len(set(keys)):
        raise SystemExit(f"{source}: record keys are not unique")
    left = [r for r in records if (source, r[1]) not in exclude]
    return random.Random(f"{seed}-{source}").sample(left, min(n, len(left)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--focused", action="store_true",
                        help="EMA: orphan medicines only; NRDL: negotiated drugs only")
    parser.add_argument("--n", type=int, default=30, help="records per source")
    parser.add_argument("--source", choices=sorted(READERS), action="append")
    parser.add_argument(
        "--exclude",
        type=Path,
        action="append",
        help="labelled CSV whose records are removed from the candidates before drawing",
    )
    args = parser.parse_args(argv)
    if args.focused:
        focus()
    exclude: set[tuple[str, str]] = set()
    for path in args.exclude or []:
        exclude |= labelled_keys(path)
    out = csv.writer(sys.stdout)
    out.writerow(["source", "record", "drug", "lang", "text"])
    for source in args.source or sorted(READERS):
        if args.exclude:
            out.writerows(sample_excluding(args.data, source, args.seed, args.n, exclude))
        else:
            out.writerows(sample(args.data, source, args.seed, args.n))


if __name__ == "__main__":
    main()
