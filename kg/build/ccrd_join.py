"""Which entry of China's First List each CCRD number of the expert files is.

The expert mapping to ORPHA and OMIM and the compendium of HPO annotations number the diseases of
the First List (``CCRD:n``), but for entries 119 and 120 their numbers are the other way round:
the compendium's CCRD:119 is adrenoleukodystrophy and CCRD:120 X-linked agammaglobulinemia, while
the list's entry 119 is X-连锁无丙种球蛋白血症 and 120 X-连锁肾上腺脑白质营养不良. Joined by
number, each entry got the other's ORPHA code and phenotypes. So the files are joined by name: a
CCRD number belongs to the entry whose Chinese name contains the compendium's name or is contained
in it (brackets, spaces and dashes ignored). When its own entry matches, or no entry does (the
names are worded differently, e.g. 马方综合征 and 马凡综合征), the number is kept; when exactly one
other entry matches, the number is moved to that entry. ``lists/ccrd_entry_join.csv`` records the
join of every CCRD number with how it was made.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kg import tables as columns
from kg.build.tabular import csv_text, read_json

_IGNORED = re.compile(r"[\s（）()\[\]【】、，,/\-－–·：:；;'\"]")
_ROMAN = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV"}
KEPT, MOVED, UNCHECKED = "same number and name", "moved by name", "kept by number (names differ)"


def _norm(name: str) -> str:
    for numeral, plain in _ROMAN.items():
        name = name.replace(numeral, plain)
    return _IGNORED.sub("", name).lower()


def join(lists: list[dict[str, Any]], compendium: dict[str, Any]) -> dict[int, tuple[int, str]]:
    """CCRD main number -> (list-1 entry number, method). Raises ``ValueError`` when a name
    matches several other entries, or when two numbers would land on one entry."""
    entries = {int(d["no"]): str(d["name_zh"]) for d in lists if int(d["list"]) == 1}
    result: dict[int, tuple[int, str]] = {}
    for key, item in compendium.items():
        main, _, sub = key.removeprefix("CCRD:").partition(".")
        if sub:
            continue
        number, name = int(main), _norm(str(item["CNS_NAME"]))
        matches = [n for n, e in entries.items() if name in _norm(e) or _norm(e) in name]
        if number in matches:
            result[number] = (number, KEPT)
        elif not matches:
            result[number] = (number, UNCHECKED)
        elif len(matches) == 1:
            result[number] = (matches[0], MOVED)
        else:
            raise ValueError(f"{key} {item['CNS_NAME']!r} matches entries {matches}")
    targets = [entry for entry, _ in result.values()]
    if len(targets) != len(set(targets)):
        raise ValueError("two CCRD numbers join one list entry")
    return result


def entry_numbers(ref: Path) -> dict[int, int]:
    """CCRD main number -> list-1 entry number (numbers without a compendium name map to
    themselves: use ``.get(n, n)``)."""
    lists = read_json(ref / "china_rare_disease_lists.json")["diseases"]
    compendium = read_json(ref / "china_list1_compendium_hpo.json")
    return {k: v for k, (v, _) in join(lists, compendium).items()}


def derive_join(ref: Path) -> dict[str, str]:
    lists = read_json(ref / "china_rare_disease_lists.json")["diseases"]
    compendium = read_json(ref / "china_list1_compendium_hpo.json")
    names = {int(d["no"]): d["name_zh"] for d in lists if int(d["list"]) == 1}
    joined = join(lists, compendium)
    return {
        "lists/ccrd_entry_join.csv": csv_text(
            columns.CCRD_JOIN,
            (
                (n, compendium[f"CCRD:{n}"]["CNS_NAME"], entry, names[entry], method,
                 "timgroup-ccrd-hpo")
                for n, (entry, method) in sorted(joined.items())
            ),
        )
    }
