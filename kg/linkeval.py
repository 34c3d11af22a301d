"""Precision and recall of disease resolution (``kg.resolve``) on the labelled development set
``tests/data/linking/labelled.csv``: texts from FDA, NMPA, EMA and NRDL records, each labelled by
reading with the list entries it treats.

A (text, entry) pair is a true positive when the resolver links the text to the entry at or above
the threshold and the label names the entry; precision and recall are counted over pairs, per
source.  ``python -m kg.linkeval`` prints the table of ``docs/linking.md`` (``--errors`` lists
every false link and every miss).
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.paths import DATA_DIR
from kg.resolve import THRESHOLD, DiseaseResolver

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "linking" / "labelled.csv"
SOURCES = ("fda", "nmpa", "ema", "nrdl")


@dataclass
class Scores:
    """Counts of one source: texts, labelled pairs, found pairs, true positives, and errors."""

    texts: int = 0
    labelled: int = 0
    found: int = 0
    true: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true / self.labelled if self.labelled else 1.0


def measure(
    resolver: DiseaseResolver, path: Path = LABELLED, threshold: float = THRESHOLD
) -> dict[str, Scores]:
    """The scores per source of ``resolver`` on the labelled texts at ``path``."""
    scores: dict[str, Scores] = defaultdict(Scores)
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            s = scores[row["source"]]
            truth = {e for e in row["entries"].split(";") if e}
            found = resolver.entries(row["text"], row["lang"] or None, threshold)
            s.texts += 1
            s.labelled += len(truth)
            s.found += len(found)
            s.true += len(truth & found)
            for e in sorted(found - truth):
                s.errors.append(f"false {row['source']} {row['record']} {e}: {row['text']}")
            for e in sorted(truth - found):
                s.errors.append(f"missed {row['source']} {row['record']} {e}: {row['text']}")
    return dict(scores)


def table(scores: dict[str, Scores]) -> str:
    """The per-source table as Markdown."""
    lines = [
        "| source | texts | labelled links | links found | correct | precision | recall |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in [*SOURCES, *sorted(set(scores) - set(SOURCES))]:
        if name in scores:
            s = scores[name]
            lines.append(
                f"| {name} | {s.texts} | {s.labelled} | {s.found} | {s.true} | "
                f"{s.precision:.3f} | {s.recall:.3f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--errors", action="store_true", help="list false links and misses")
    args = parser.parse_args(argv)
    scores = measure(DiseaseResolver.from_tables(args.data), args.labelled, args.threshold)
    print(table(scores))
    if args.errors:
        for s in scores.values():
            print("\n".join(s.errors))


if __name__ == "__main__":
    main()
