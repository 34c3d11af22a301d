"""Writing derived tables: CSV and JSON text in a stable form (the same input gives the same bytes),
and reading the reference files they come from."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kg import tables as columns


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def source_rows(rows: Iterable[Sequence[Any]]) -> str:
    return csv_text(columns.SOURCES, rows)


ACCESSED = "2026-11-24"
ZEBRA = "https://github.com/zwbao/zebra-mod/blob/"
TIMGROUP = (
    "https://github.com/xiaohaomao/timgroup_disease_diagnosis/blob/"
    "f3a2c255ded96faa2caaa3737ff8ced0c0a8d2b8/"
)
