"""Submissions against real ``rarekg serve`` processes: a submission survives a restart of the
server, its approval is served by the running server without a restart (SPARQLWrapper, the page,
question 1, the gap dashboard), and stays served after another restart."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.conftest import Server
from tests.submitting import (
    TOKEN,
    code_of,
    copy_store,
    diseases_without_organization,
    new_organization,
    provenance_query,
)

pytestmark = pytest.mark.server


def _call(url: str, data: Any = None, token: str = "") -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode("utf-8") if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers,
                                     method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as r:
        return str(r.read().decode("utf-8"))


def _start(store: Path, log: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.setenv("RAREKG_SUBMISSIONS_DIR", str(store.parent / "subs"))
    server = Server(store, log, "--update-token", TOKEN, "--executors", "1")
    server.wait_ready()
    return server


def _organizations_known(url: str) -> int:
    query = ("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a "
             "<https://w3id.org/rarekg/vocab#PatientOrganization> }")
    data = json.loads(_text(url + "/sparql?" + urllib.parse.urlencode({"query": query})))
    return int(data["results"]["bindings"][0]["n"]["value"])


def test_a_submission_survives_restarts_and_its_approval_needs_none(
        store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = copy_store(store_dir, tmp_path / "store")
    missing = diseases_without_organization(store)
    disease = missing[-1]
    email = "restart.contact@example.org"
    payload = new_organization("重启测试病友会", "Restart Test Patient Group", code_of(disease),
                               email)

    server = _start(store, tmp_path / "serve1.log", monkeypatch)
    try:
        status, created = _call(server.url + "/api/submissions", payload)
        assert status == 201, created
        sub_id, org = created["id"], created["target"]
    finally:
        server.stop()  # the answer came after the submission was on disk

    server = _start(store, tmp_path / "serve2.log", monkeypatch)
    try:
        status, public = _call(f"{server.url}/api/submissions/{sub_id}")
        assert status == 200 and public["status"] == "pending" and "contact" not in public
        status, listed = _call(f"{server.url}/api/submissions?status=pending", token=TOKEN)
        assert [s["contact"]["email"] for s in listed["submissions"]] == [email]

        gaps_before = _text(server.url + "/gaps")
        known_before = _organizations_known(server.url)
        status, approved = _call(f"{server.url}/api/submissions/{sub_id}/approve",
                                 {"reviewer": "Maintainer Zhao"}, token=TOKEN)
        assert status == 200, approved

        # the same running server answers it: SPARQL, page, question 1, dashboard
        sparql = SPARQLWrapper(server.url + "/sparql")
        sparql.setQuery(provenance_query(org))
        sparql.setReturnFormat(JSON)
        rows = sparql.query().convert()["results"]["bindings"]  # type: ignore[index]
        assert rows and rows[0]["reviewer"]["value"] == "Maintainer Zhao"
        assert rows[0]["disease"]["value"] == disease["disease"]
        page = _text(server.url + "/id/org/restart-test-patient-group")
        assert "重启测试病友会" in page and "Maintainer Zhao" in page
        assert _organizations_known(server.url) == known_before + 1
        gaps_after = _text(server.url + "/gaps")
        known = "Patient organizations known to this graph: {}, from"
        assert known.format(known_before) in gaps_before
        assert known.format(known_before + 1) in gaps_after
        assert f"submission-{sub_id}" in gaps_after  # the graph, counted from the VoID subset
        after = {r["disease"] for r in diseases_without_organization(store)}
        assert disease["disease"] not in after
        for path in ("/.well-known/void", f"/graph/submission-{sub_id}",
                     "/id/org/restart-test-patient-group"):
            assert email not in _text(server.url + path)
    finally:
        server.stop()

    server = _start(store, tmp_path / "serve3.log", monkeypatch)
    try:
        status, public = _call(f"{server.url}/api/submissions/{sub_id}")
        assert public["status"] == "approved"
        assert "重启测试病友会" in _text(server.url + "/id/org/restart-test-patient-group")
    finally:
        server.stop()
