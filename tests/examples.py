"""Running the catalogue's example questions in tests."""

from __future__ import annotations

import json
from pathlib import Path

import rdflib
from rdflib.namespace import SH

from kg.paths import EXAMPLES_DIR
from kg.store import embedded as stores
from kg.store.query import run_query


def example_query(name: str) -> str:
    path = next(EXAMPLES_DIR.glob(f"{name}*.ttl"))
    graph = rdflib.Graph().parse(path, format="turtle")
    return str(next(graph.objects(None, SH.select)))


def rows_of(store_dir: Path, query: str) -> list[dict[str, str]]:
    result = run_query(stores.open_read_only(store_dir), query)
    data = json.loads(result.serialize("application/sparql-results+json"))
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def run_example(store_dir: Path, name: str) -> list[dict[str, str]]:
    return rows_of(store_dir, example_query(name))
