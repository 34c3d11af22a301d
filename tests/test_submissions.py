"""Submissions through the API and the form, with the Flask test client on a private copy of the
default graph: stored before the answer, checked with the loader and the SHACL shapes, reviewed with
the update token, and approved into their own graph with self-reported provenance; contacts never
published; bad, oversized and too many submissions refused."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.contrib.submissions import SubmissionStore
from kg.server import create_app
from tests.conftest import scratch
from tests.submitting import (
    TOKEN,
    code_of,
    copy_store,
    diseases_without_organization,
    new_organization,
    provenance_query,
    sparql_rows,
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH_BASE = "https://w3id.org/rarekg/graph/"


def _app(store: Path, subs: Path, **settings: Any) -> Flask:
    config = {"store": str(store), "update_token": TOKEN, "executors": 1,
              "submissions_dir": str(subs), "submission_rate_limit": 0,
              # _everything dumps every graph: more triples than the default row limit
              "max_rows": 1_000_000, **settings}
    app = create_app(config)
    app.testing = True
    return app


@pytest.fixture(scope="module")
def store(request: pytest.FixtureRequest, store_dir: Path,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with scratch(request, tmp_path_factory, "submissions") as folder:
        yield copy_store(store_dir, folder / "store")


@pytest.fixture(scope="module")
def app(store: Path) -> Iterator[Flask]:
    application = _app(store, store.parent / "subs")
    yield application
    application.extensions["rarekg_checker"].close()
    application.extensions["rarekg_writer"].close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _submit(client: FlaskClient, payload: Any, **kw: Any) -> Any:
    return client.post("/api/submissions", data=json.dumps(payload),
                       content_type="application/json", **kw)


def _mentions(client: FlaskClient, *texts: str) -> str:
    """Every triple of every graph whose subject or object holds one of ``texts``, as the SPARQL
    endpoint gives it (the whole dataset is searched; a full dump is past the result limits)."""
    tests = " || ".join(f"CONTAINS(STR(?{term}), {json.dumps(text)})"
                        for text in texts for term in ("s", "o"))
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER({tests}) }} }}"
    response = client.get("/sparql?" + urllib.parse.urlencode({"query": query}),
                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.data
    return response.get_data(as_text=True)


def test_new_organization_goes_from_submission_to_its_own_graph(
        client: FlaskClient, store: Path) -> None:
    missing = diseases_without_organization(store)
    target_disease = missing[0]
    code = code_of(target_disease)
    email = "wang.fang.private@example.org"
    payload = new_organization("川渝测试病友互助会", "Sichuan Test Patient Mutual Aid", code, email)

    created = _submit(client, payload)
    assert created.status_code == 201, created.data
    body = created.get_json()
    sub_id = body["id"]
    assert created.headers["Location"] == f"/api/submissions/{sub_id}"
    assert body["status"] == "pending" and body["page"] == f"/contribute/{sub_id}"
    org = body["target"]
    assert org == "https://w3id.org/rarekg/id/org/sichuan-test-patient-mutual-aid"

    # public view: the record, never the contact or the note
    public = client.get(f"/api/submissions/{sub_id}")
    assert public.status_code == 200
    assert email not in public.get_data(as_text=True)
    assert "Private note" not in public.get_data(as_text=True)
    assert public.get_json()["record"]["statement"][0]["value"] == "川渝测试病友互助会"
    # not in the graph before approval
    assert _mentions(client, org) == ""

    # the reviewers see it, with its contact, only with the token
    assert client.get("/api/submissions?status=pending").status_code == 401
    pending = client.get("/api/submissions?status=pending", headers=AUTH).get_json()
    mine = [s for s in pending["submissions"] if s["id"] == sub_id]
    assert mine and mine[0]["contact"]["email"] == email

    approved = client.post(f"/api/submissions/{sub_id}/approve", headers=AUTH,
                           json={"reviewer": "Maintainer Li"})
    assert approved.status_code == 200, approved.data
    answer = approved.get_json()
    assert answer["status"] == "approved"
    assert answer["graph"] == f"{GRAPH_BASE}submission-{sub_id}"
    assert client.post(f"/api/submissions/{sub_id}/approve", headers=AUTH,
                       json={"reviewer": "x"}).status_code == 409

    # SPARQL answers it, with its self-reported provenance
    rows = sparql_rows(client.get, provenance_query(org))
    assert rows, "the approved organization is not answered by SPARQL"
    row = rows[0]
    assert row["graph"] == f"{GRAPH_BASE}submission-{sub_id}"
    assert row["disease"] == target_disease["disease"]
    assert row["kind"] == "https://w3id.org/rarekg/vocab/source-kind/self-report"
    assert row["reviewer"] == "Maintainer Li"
    assert row["submitted"] == answer["submitted_at"][:10]
    # question 1 no longer lists the disease
    after = {r["disease"] for r in diseases_without_organization(store)}
    assert target_disease["disease"] not in after
    assert len(after) == len(missing) - 1
    # the VoID description counts the graph
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    text = void.get_data(as_text=True)
    assert f"<{GRAPH_BASE}submission-{sub_id}>" in text
    assert "self-reported, approved by Maintainer Li" in text
    # the page shows it, with the self-report as its source
    page = client.get("/id/org/sichuan-test-patient-mutual-aid")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "川渝测试病友互助会" in html
    assert "自报信息" in html and "由 Maintainer Li 审核通过" in html
    assert f"submission-{sub_id}" in html

    # the contact is nowhere: SPARQL dump, pages, VoID, graph store, status
    assert _mentions(client, "川渝测试病友互助会")  # the search finds the approved record
    for text in (_mentions(client, email, "王芳", "Private note"), html,
                 void.get_data(as_text=True),
                 client.get(f"/rdf-graph-store?graph={GRAPH_BASE}submission-{sub_id}",
                            headers={"Accept": "application/n-triples"}).get_data(as_text=True),
                 client.get(f"/graph/submission-{sub_id}").get_data(as_text=True),
                 client.get(f"/contribute/{sub_id}").get_data(as_text=True)):
        assert email not in text and "王芳" not in text and "Private note" not in text


def test_a_rejection_keeps_its_reason(client: FlaskClient) -> None:
    payload = new_organization("拒绝测试会", "Rejection Test Group", "CN1:1", "r@example.org")
    sub_id = _submit(client, payload).get_json()["id"]
    assert client.post(f"/api/submissions/{sub_id}/reject", headers=AUTH,
                       json={"reviewer": "Li"}).status_code == 400  # no reason
    rejected = client.post(f"/api/submissions/{sub_id}/reject", headers=AUTH,
                           json={"reviewer": "Li", "reason": "Could not confirm it exists"})
    assert rejected.status_code == 200
    public = client.get(f"/api/submissions/{sub_id}").get_json()
    assert public["status"] == "rejected" and public["reason"] == "Could not confirm it exists"
    assert client.post(f"/api/submissions/{sub_id}/approve", headers=AUTH,
                       json={"reviewer": "Li"}).status_code == 409
    page = client.get(f"/contribute/{sub_id}?lang=en").get_data(as_text=True)
    assert "Could not confirm it exists" in page


def test_invalid_submissions_get_one_message_per_field(client: FlaskClient) -> None:
    payload = new_organization("无效测试", "Invalid Test", "CN1:999", "")
    payload["contact"] = {"name": "nobody"}
    payload["record"]["statement"] += [{"property": "foundingDate", "value": "2016-13-99x"},
                                       {"property": "favouriteColour", "value": "blue"}]
    answer = _submit(client, payload)
    assert answer.status_code == 422
    fields = answer.get_json()["error"]["fields"]
    assert set(fields) >= {"contact", "foundingDate", "statement"}
    assert "not a date" in " ".join(fields["foundingDate"])
    # past the format checks, the loader and the shapes speak per field
    payload = new_organization("无效测试", "Invalid Test", "CN1:999", "a@example.org")
    answer = _submit(client, payload)
    assert answer.status_code == 422
    assert "list 1 has entries 1 to 121" in " ".join(answer.get_json()["error"]["fields"]
                                                     ["servesDisease"])
    payload = new_organization("无效测试", "Invalid Test", "CN1:3", "a@example.org")
    payload["record"]["statement"].append({"property": "registrationStatus", "value": "royal"})
    fields = _submit(client, payload).get_json()["error"]["fields"]
    assert "registrationStatus" in fields
    assert _submit(client, {"kind": "new"}).status_code == 422
    assert client.post("/api/submissions", data="{not json",
                       content_type="application/json").status_code == 400
    assert client.post("/api/submissions", data="a=b",
                       content_type="application/x-www-form-urlencoded").status_code == 415


def test_a_new_record_is_held_to_the_shapes_of_the_build(client: FlaskClient) -> None:
    """What the loader accepts but the shapes refuse: a second organization type."""
    payload = new_organization("形状测试", "Shape Test", "ORPHA:558", "s@example.org")
    assert _submit(client, payload).status_code == 201  # the loader mints ORPHA diseases
    payload = new_organization("形状测试二", "Shape Test Two", "CN1:3", "s@example.org")
    payload["record"]["statement"].append({"property": "organizationType", "value": "umbrella"})
    answer = _submit(client, payload)
    assert answer.status_code == 422
    fields = answer.get_json()["error"]["fields"]
    assert fields == {"organizationType": ["a patient organization has one organization type"]}


def test_oversized_submissions_are_refused(tmp_path: Path, store: Path) -> None:
    app = _app(store, tmp_path / "subs", submission_max_bytes=2000)
    client = app.test_client()
    payload = new_organization("大", "Big", "CN1:3", "b@example.org")
    payload["note"] = "x" * 5000
    answer = _submit(client, payload)
    assert answer.status_code == 413
    assert answer.get_json()["error"]["type"] == "request-too-large"
    # within the body limit, a field past its own limit
    payload["note"] = ""
    payload["record"]["statement"][0]["value"] = "长" * 300
    answer = client.post("/api/submissions", data=json.dumps(payload, ensure_ascii=False),
                         content_type="application/json")
    assert answer.status_code in (413, 422)
    app = _app(store, tmp_path / "subs2")
    big = new_organization("大", "Big", "CN1:3", "b@example.org")
    big["record"]["statement"][0]["value"] = "长" * 300
    fields = _submit(app.test_client(), big).get_json()["error"]["fields"]
    assert "at most 200" in " ".join(fields["name"])
    assert not SubmissionStore(tmp_path / "subs").list() and not SubmissionStore(
        tmp_path / "subs2").list()


def test_a_worker_checks_one_submission_at_a_time(tmp_path: Path, store: Path) -> None:
    """While a worker checks a submission, the next gets 503 at once (it never waits on a thread
    that queries need) and the refusal costs the client no attempt of its hourly limit."""
    app = _app(store, tmp_path / "subs", submission_rate_limit=1)
    client = app.test_client()
    slot = app.extensions["rarekg_intake_slots"]
    payload = new_organization("繁忙测试", "Busy Test", "CN1:3", "b@example.org")
    assert slot.acquire(blocking=False)
    try:
        busy = _submit(client, payload)
    finally:
        slot.release()
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
    assert busy.get_json()["error"]["type"] == "busy"
    assert _submit(client, payload).status_code == 201  # the one attempt of the hour
    assert _submit(client, payload).status_code == 429


def test_rate_limit_per_client(tmp_path: Path, store: Path) -> None:
    app = _app(store, tmp_path / "subs", submission_rate_limit=2)
    client = app.test_client()
    here = {"REMOTE_ADDR": "192.0.2.10"}
    for n in range(2):
        payload = new_organization(f"限流测试{n}", f"Rate Test {n}", "CN1:3", "r@example.org")
        assert _submit(client, payload, environ_base=here).status_code == 201
    payload = new_organization("限流测试3", "Rate Test 3", "CN1:3", "r@example.org")
    limited = _submit(client, payload, environ_base=here)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert _submit(client, payload, environ_base={"REMOTE_ADDR": "192.0.2.11"}).status_code == 201
    # the address itself is not stored
    assert b"192.0.2.10" not in (tmp_path / "subs" / "limits.sqlite").read_bytes()


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_the_form_needs_its_csrf_token_and_keeps_what_was_typed(client: FlaskClient) -> None:
    form = client.get("/contribute?lang=zh")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "提交信息" in html and 'value="CN1:86"' in html
    assert "HttpOnly" in form.headers["Set-Cookie"] and "SameSite=Strict" in form.headers[
        "Set-Cookie"]
    fields = {"kind": "new", "name_zh": "表单测试会", "name_en": "Form Test Society",
              "diseases": "CN2:5", "contact_email": "f@example.org", "foundingDate": "2019"}
    refused = client.post("/contribute?lang=zh", data=fields)
    assert refused.status_code == 403
    other = FlaskClient(client.application)
    refused = client.post("/contribute?lang=zh", data={**fields, "csrf_token": _csrf(
        other.get("/contribute").get_data(as_text=True))})
    assert refused.status_code == 403  # a token of another cookie
    bad = client.post("/contribute?lang=en", data={**fields, "foundingDate": "someday",
                                                   "csrf_token": _csrf(html)})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "not a date" in page and 'value="表单测试会"' in page and 'value="CN2:5" checked' in page
    sent = client.post("/contribute?lang=en", data={**fields, "csrf_token": _csrf(html)})
    assert sent.status_code == 201
    assert "your submission was received" in sent.get_data(as_text=True)


def _login(client: FlaskClient) -> None:
    token = _csrf(client.get("/review").get_data(as_text=True))
    assert client.post("/review/login", data={"token": TOKEN, "reviewer": "Li",
                                               "csrf_token": token}).status_code == 303


def test_markup_in_a_submission_is_shown_as_text(client: FlaskClient) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    payload = new_organization(evil + "会", "Markup " + evil, "CN1:3", "m@example.org")
    payload["note"] = evil
    sub_id = _submit(client, payload).get_json()["id"]
    _login(client)
    for path in (f"/contribute/{sub_id}", f"/review/{sub_id}", "/review"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_a_correction_cites_its_evidence_and_shows_as_a_diff(client: FlaskClient) -> None:
    target = "https://w3id.org/rarekg/id/org/moon-children-home"
    statement = {"property": "activity", "value": "policy-advocacy"}
    payload = {"kind": "correction", "target": target, "language": "en",
               "record": {"statement": [statement]}, "contact": {"email": "c@example.org"}}
    fields = _submit(client, payload).get_json()["error"]["fields"]
    assert "cites its evidence" in " ".join(fields["activity"])
    source = {"url": "https://example.org/news/1", "title": "A news report"}
    quote = "The home also speaks for albinism patients to policy makers."
    name = {"property": "name", "lang": "en", "value": "Moon Children's Home", "source": "news",
            "quote": "Moon Children's Home, a group of people with albinism"}
    payload["record"] = {"statement": [name, {**statement, "source": "news", "quote": quote},
                                       {"property": "foundingDate", "value": "1999",
                                        "source": "news", "quote": quote}],
                         "sources": {"news": source}}
    fields = _submit(client, payload).get_json()["error"]["fields"]
    assert "already states" in " ".join(fields["foundingDate"])
    payload["record"]["statement"] = payload["record"]["statement"][:2]
    created = _submit(client, payload)
    assert created.status_code == 201, created.data
    sub_id = created.get_json()["id"]
    assert created.get_json()["target"] == target
    review = client.get(f"/review/{sub_id}", headers=AUTH)
    assert review.status_code == 401  # the pages want the session, not a bearer token
    client.set_cookie("rarekg_review", "forged.value.here")
    assert client.get(f"/review/{sub_id}").status_code == 401
    approved = client.post(f"/api/submissions/{sub_id}/approve", headers=AUTH,
                           json={"reviewer": "Li"})
    assert approved.status_code == 200, approved.data
    rows = sparql_rows(client.get, f"""SELECT ?q WHERE {{ GRAPH <{GRAPH_BASE}submission-{sub_id}>
        {{ <{target}> <https://w3id.org/rarekg/vocab#activityType>
           <https://w3id.org/rarekg/vocab/activity-type/policy-advocacy> ;
           <https://w3id.org/rarekg/vocab#hasEvidence> ?e . ?e
           <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate>
           <https://w3id.org/rarekg/vocab#activityType> ;
           <https://w3id.org/rarekg/vocab#evidenceQuote> ?q }} }}""")
    assert [r["q"] for r in rows] == [quote]


def test_the_review_pages_take_the_token_once(client: FlaskClient) -> None:
    payload = new_organization("审核页测试", "Review Page Test", "CN1:3", "p@example.org")
    sub_id = _submit(client, payload).get_json()["id"]
    login = client.get("/review")
    assert 'name="token"' in login.get_data(as_text=True)
    token = _csrf(login.get_data(as_text=True))
    wrong = client.post("/review/login", data={"token": "nope", "reviewer": "Li",
                                                "csrf_token": token})
    assert wrong.status_code == 401
    ok = client.post("/review/login", data={"token": TOKEN, "reviewer": "Li",
                                             "csrf_token": token})
    assert ok.status_code == 303
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    listing = client.get("/review").get_data(as_text=True)
    assert sub_id in listing
    item = client.get(f"/review/{sub_id}").get_data(as_text=True)
    assert "p@example.org" in item and "Review Page Test" in item and 'class="added"' in item
    # an action without the CSRF token is refused
    assert client.post(f"/review/{sub_id}/approve", data={"x": "1"}).status_code == 403
    rejected = client.post(f"/review/{sub_id}/reject",
                           data={"reason": "Duplicate", "csrf_token": _csrf(item)})
    assert rejected.status_code == 303
    assert client.get(f"/api/submissions/{sub_id}").get_json()["reason"] == "Duplicate"


def test_reviewing_is_forbidden_when_writes_are_off(tmp_path: Path, store: Path) -> None:
    app = _app(store, tmp_path / "subs", update_token=None)
    client = app.test_client()
    assert client.get("/api/submissions?status=pending").status_code == 403
    assert client.post("/api/submissions/abc/approve", json={}).status_code == 403


def test_stored_submissions_are_read_back_by_a_new_process_view(tmp_path: Path) -> None:
    first = SubmissionStore(tmp_path / "subs")
    sub = first.add("new", "https://w3id.org/rarekg/id/org/x", "zh",
                    {"statement": [{"property": "name", "lang": "zh", "value": "甲"}]},
                    "http://127.0.0.1/api/submissions/x", "", {"email": "e@example.org"})
    again = SubmissionStore(tmp_path / "subs")
    assert again.get(sub.id) == sub
    assert again.secret() == first.secret() and len(first.secret()) == 32
    assert (tmp_path / "subs").stat().st_mode & 0o077 == 0
    assert (tmp_path / "subs" / "secret.key").stat().st_mode & 0o077 == 0


def test_a_rebuild_keeps_the_approved_submissions(client: FlaskClient, store: Path) -> None:
    """``rarekg build`` reads the approved submissions of ``submissions_dir`` into graphs of their
    own, with the same triples their approval wrote, validated with the rest of the graph."""
    approved = client.get("/api/submissions?status=approved", headers=AUTH).get_json()
    graphs = [s["graph"] for s in approved["submissions"]]
    assert len(graphs) >= 2  # the new organization and the correction above

    def triples(graph: str) -> set[str]:
        return set(client.get(f"/rdf-graph-store?graph={graph}",
                              headers={"Accept": "application/n-triples"})
                   .get_data(as_text=True).splitlines())

    before = {g: triples(g) for g in graphs}
    env = {**os.environ, "RAREKG_SUBMISSIONS_DIR": str(store.parent / "subs")}
    done = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--store", str(store)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for graph in graphs:
        assert graph.rsplit("/", 1)[-1] in done.stdout
        assert triples(graph) == before[graph] and before[graph]
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert all(f"<{g}>" in void.get_data(as_text=True) for g in graphs)
