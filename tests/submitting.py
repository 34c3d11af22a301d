"""What the submission tests share: a private copy of the default graph (approvals write to it), a
new organization's record, and the questions that show what an approval changed."""

from __future__ import annotations

import json
import shutil
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server
from tests.examples import example_query, rows_of

TOKEN = "review-token-for-tests"
RK = "https://w3id.org/rarekg/vocab#"


def copy_store(store_dir: Path, dest: Path) -> Path:
    """A copy of a built store (its ``serving`` link and builds) that tests may write to."""
    shutil.copytree(store_dir, dest, symlinks=True)
    return dest


@contextmanager
def serving_a_copy(store_dir: Path, folder: Path, *extra: str) -> Iterator[Server]:
    """A real ``rarekg serve`` that takes writes (with ``TOKEN``), on a copy of the store in
    ``folder``, its submissions in ``folder/subs`` and its log in ``folder/serve.log``."""
    store = copy_store(store_dir, folder / "store")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAREKG_SUBMISSIONS_DIR", str(folder / "subs"))
        srv = Server(store, folder / "serve.log", "--update-token", TOKEN, *extra)
        srv.wait_ready()
    try:
        yield srv
    finally:
        srv.stop()


def diseases_without_organization(store_dir: Path) -> list[dict[str, str]]:
    """Question 1's answer on a store: listed diseases with no patient organization known."""
    return rows_of(store_dir, example_query("q01"))


def code_of(row: dict[str, str]) -> str:
    """``CN1:3`` for a row of question 1."""
    return f"CN{row['list'].rsplit('cn', 1)[-1]}:{row['entry']}"


def new_organization(name_zh: str, name_en: str, disease: str, email: str,
                     **extra: Any) -> dict[str, Any]:
    statements = [
        {"property": "name", "lang": "zh", "value": name_zh},
        {"property": "name", "lang": "en", "value": name_en},
        {"property": "servesDisease", "value": disease},
        {"property": "foundingDate", "value": "2016-05"},
        {"property": "registrationStatus", "value": "civil-affairs-social-group"},
        {"property": "organizationType", "value": "disease-specific"},
        {"property": "activity", "value": "patient-support"},
        {"property": "fundingSource", "value": "public-donations"},
        {"property": "location", "value": "成都"},
        {"property": "website", "value": "https://example.org/care"},
    ]
    return {"kind": "new", "language": "zh", "record": {"statement": statements},
            "note": "Private note for the reviewer", "contact": {"name": "王芳", "email": email},
            **extra}


def sparql_rows(get: Any, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT through ``/sparql`` of a Flask client (``get`` is ``client.get``)."""
    response = get("/sparql?" + urllib.parse.urlencode({"query": query}),
                   headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.data[:500]
    data = json.loads(response.data)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def provenance_query(org: str) -> str:
    return f"""PREFIX rk: <{RK}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?graph ?disease ?source ?kind ?submitted ?reviewer ?approved WHERE {{
  GRAPH ?graph {{ <{org}> rk:servesDisease ?disease ; prov:wasDerivedFrom ?source . }}
  ?source dct:type ?kind ; dct:issued ?submitted .
  ?graph prov:wasGeneratedBy ?review .
  ?review prov:used ?source ; prov:wasAssociatedWith ?agent ; prov:endedAtTime ?approved .
  ?agent rdfs:label ?reviewer .
}}"""
