"""Reviewing submissions, with the update token: ``GET /api/submissions?status=pending``,
``POST /api/submissions/<id>/approve`` and ``/reject`` (Bearer token), and the review pages
(``/review``: the token is given once and kept in a session cookie, HttpOnly, SameSite=Strict;
``/review/<id>``: the submission beside the current record, as a diff).

An approved submission enters its own named graph ``https://w3id.org/rarekg/graph/submission-<id>``
with its provenance (a self-report source document: submitted on; an approval activity: approved by,
approved on) and its VoID subset, in one write through the service's writer process: served from
the next request on, without a restart.  A rejected one keeps its reason."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from kg import iri, jsonbody
from kg.contrib import approval
from kg.contrib.contribution import Review
from kg.contrib.submissions import STATUSES, Submission, now
from kg.errors import BadRequest, Conflict, InvalidSubmission, RarekgError, Unauthorized
from kg.store.writer import Write
from kg.vocab import CONCEPT_BASE, GRAPH_BASE, ID_BASE, PREFIXES
from service import guard, intake, web
from service.choices import SCHEMES, choices
from service.i18n import N_
from service.queries import select
from service.state import writer_process

bp = Blueprint("review", __name__)
bp.register_error_handler(RarekgError, web.error_response)

# A submission's status as the review pages show it (for the catalogue).
STATUS_WORDS = (N_("pending"), N_("approved"), N_("rejected"))

MAX_REASON = 2000
RK, SCHEMA, SKOS = PREFIXES["rk"], PREFIXES["schema"], PREFIXES["skos"]
# The record's properties and the predicates the graph states them with.
PREDICATES: dict[str, tuple[str, ...]] = {
    "name": (SKOS + "prefLabel",), "altName": (SKOS + "altLabel",),
    "organizationType": (RK + "organizationType",),
    "registrationStatus": (RK + "registrationStatus",),
    "registrationAuthority": (RK + "registeredWith",),
    "activity": (RK + "activityType",), "fundingSource": (RK + "fundingSourceType",),
    "servesDisease": (RK + "servesDisease", RK + "servesDiseaseText"),
    "foundingDate": (SCHEMA + "foundingDate",), "location": (RK + "location",),
    "website": (SCHEMA + "url",), "description": (SCHEMA + "description",),
}


def _json_body() -> dict[str, Any]:
    body = guard.read_body()
    if not body.strip():
        return {}
    data = jsonbody.loads(body)
    if not isinstance(data, dict):
        raise BadRequest("the body is a JSON object")
    return data


def _text(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be text")
    value = value.strip()
    if len(value) > limit:
        raise BadRequest(f"{name} has {len(value)} characters; at most {limit}")
    return value


def _reviewer(data: dict[str, Any]) -> str:
    name = _text(data, "reviewer", 100) or (guard.reviewer_from_cookie() or "")
    if not name:
        raise BadRequest("give the reviewer's name ('reviewer'): the approval is published as "
                         "approved by that name")
    return name


def approve(sub_id: str, reviewer: str) -> Submission:
    """Put a pending submission into its own graph, with its provenance and VoID subset, in one
    write; then mark it approved.  Raises ``NotFound``, ``Conflict`` (reviewed already, or it no
    longer fits the graph: the messages say why)."""
    store = guard.submissions()
    sub = store.get(sub_id)
    if sub.status != "pending":
        raise Conflict(f"submission {sub_id} was {sub.status} already")
    review = Review(reviewer, now())
    draft = intake.draft_of(sub)
    graph = iri.graph(approval.graph_name(sub.id)).value
    if sub.kind == "new" and intake.known_elsewhere(sub.target, graph):
        raise Conflict(f"<{sub.target}> was given to another record since this one was "
                       "submitted; reject it and ask for a new submission")
    try:
        quads = intake.convert(draft, sub.id, sub.submitted_at, sub.url, review)
    except InvalidSubmission as exc:
        raise Conflict(f"the submission no longer fits the graph: {exc}") from None
    title = approval.void_title(sub.id, sub.record, review)
    void = approval.void_quads(quads, sub.id, title, review.at)
    update = approval.approval_update(quads, void, sub.id, review.at)
    writer_process(current_app).run(Write("update", update=update))
    return store.review(sub.id, "approved", reviewer, graph=graph, at=review.at)


def reject(sub_id: str, reviewer: str, reason: str) -> Submission:
    if not reason:
        raise BadRequest("a rejection gives its reason ('reason'); the submitter sees it")
    return guard.submissions().review(sub_id, "rejected", reviewer, reason=reason)


def _page_href(target: str) -> str:
    return "/id/" + target.removeprefix(ID_BASE) if target.startswith(ID_BASE) else ""


def _answer(sub: Submission) -> dict[str, Any]:
    data = sub.full()
    if sub.status == "approved":
        data["page"] = _page_href(sub.target)
        data["graph_page"] = "/graph/" + (sub.graph or "").removeprefix(GRAPH_BASE)
    return data


@bp.route("/api/submissions")
def listing() -> Response:
    guard.require_reviewer()
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
    return jsonify({"submissions": [_answer(s) for s in guard.submissions().list(status)]})


@bp.route("/api/submissions/<sub_id>/approve", methods=["POST"])
def approve_api(sub_id: str) -> Response:
    _require_bearer()
    return jsonify(_answer(approve(sub_id, _reviewer(_json_body()))))


@bp.route("/api/submissions/<sub_id>/reject", methods=["POST"])
def reject_api(sub_id: str) -> Response:
    _require_bearer()
    data = _json_body()
    return jsonify(_answer(reject(sub_id, _reviewer(data), _text(data, "reason", MAX_REASON))))


def _require_bearer() -> None:
    """The API's writes take the token itself (a session cookie is for the review pages, whose
    forms carry a CSRF token)."""
    guard.require_reviewer()
    if not guard.bearer_ok():
        raise Unauthorized("approving through the API needs 'Authorization: Bearer <token>'")


# Review pages ---------------------------------------------------------------------------------


def _html(template: str, status: int = 200, **context: Any) -> Response:
    token, fresh = guard.csrf_token()
    html = render_template(template, csrf=token, **context)
    response = Response(html, status=status, content_type="text/html; charset=utf-8")
    return guard.set_csrf_cookie(response, fresh)


@bp.route("/review")
def review_home() -> Response:
    if not current_app.config["RAREKG"]["update_token"]:
        guard.require_reviewer()  # 403: writes are off
    name = guard.reviewer_from_cookie()
    if name is None:
        return _html("review_login.html", title="Review submissions", error="")
    store = guard.submissions()
    return _html("review.html", title="Review submissions", reviewer=name,
                 pending=store.list("pending"), reviewed=list(reversed(
                     [s for s in store.list() if s.status != "pending"]))[:50])


@bp.route("/review/login", methods=["POST"])
def login() -> BaseResponse:
    fields = guard.form_fields(guard.read_body())
    guard.check_csrf(fields)
    token = (fields.get("token") or [""])[0]
    name = (fields.get("reviewer") or [""])[0].strip()[:100]
    if not name or not guard.token_matches(token):
        return _html("review_login.html", status=401, title="Review submissions",
                     error="The token is not the update token, or the name is missing.")
    response = redirect("/review", code=303)
    response.set_cookie(guard.REVIEW_COOKIE, guard.review_cookie(name), httponly=True,
                        samesite="Strict", secure=request.is_secure, path="/",
                        max_age=guard.REVIEW_HOURS * 3600)
    return response


@bp.route("/review/logout", methods=["POST"])
def logout() -> BaseResponse:
    fields = guard.form_fields(guard.read_body())
    guard.check_csrf(fields)
    response = redirect("/review", code=303)
    response.delete_cookie(guard.REVIEW_COOKIE, path="/")
    return response


def _session() -> str:
    name = guard.reviewer_from_cookie()
    if name is None:
        guard.require_reviewer()
        raise Unauthorized("sign in at /review with the update token first")
    return name


def _labels() -> dict[str, str]:
    """Display names of list entries (by code and disease IRI) and of scheme concepts."""
    data = choices()
    names: dict[str, str] = {}
    for e in data["entries"]:
        label = f"{e['zh']} · {e['en']} (list {e['list']}, {e['number']})"
        names[e["code"]] = names[e["iri"]] = label
    for prop, concepts in data["concepts"].items():
        base = f"{CONCEPT_BASE}{SCHEMES[prop][1]}/"
        for c in concepts:
            names[c["value"]] = names[base + c["value"]] = f"{c['zh']} · {c['en']}"
    return names


def _submitted_key(prop: str, value: str) -> str:
    """A submitted value as the graph would hold it, to compare with the current record."""
    if prop == "servesDisease":
        if value.startswith("text:"):
            return value[5:].strip()
        code = value.partition(":")
        if code[0] in ("CN1", "CN2") and code[2].isdigit():
            return iri.disease(int(code[0][2]), int(code[2])).value
        if code[0] == "ORPHA":
            return iri.orpha_disease(code[2]).value
    if prop in SCHEMES:
        return f"{CONCEPT_BASE}{SCHEMES[prop][1]}/{value}"
    return value


def diff(sub: Submission) -> list[dict[str, Any]]:
    """Per property: the current record's values beside the submitted ones, each marked as
    already there, added, or only in the current record."""
    current: dict[str, list[str]] = {p: [] for p in PREDICATES}
    if sub.target:
        values = " ".join(f"<{p}>" for ps in PREDICATES.values() for p in ps)
        for row in select(f"SELECT ?p ?v WHERE {{ VALUES ?p {{ {values} }} <{sub.target}> ?p ?v }}"
                          ):
            for prop, preds in PREDICATES.items():
                if row["p"]["value"] in preds and row["v"]["value"] not in current[prop]:
                    current[prop].append(row["v"]["value"])
    labels = _labels()
    rows = []
    for prop in PREDICATES:
        submitted = [st for st in sub.record.get("statement", []) if st["property"] == prop]
        if not submitted and not current[prop]:
            continue
        keys = {_submitted_key(prop, st["value"]) for st in submitted}
        rows.append({
            "property": prop,
            "current": [{"value": v, "label": labels.get(v, ""), "kept": v not in keys}
                        for v in current[prop]],
            "submitted": [{**st, "label": labels.get(st["value"], ""),
                           "added": _submitted_key(prop, st["value"]) not in current[prop]}
                          for st in submitted],
        })
    return rows


@bp.route("/review/<sub_id>")
def review_item(sub_id: str) -> Response:
    name = _session()
    sub = guard.submissions().get(sub_id)
    exists = bool(sub.target) and intake.known_elsewhere(sub.target, "")
    return _html("review_item.html", title=f"Submission {sub.id}", reviewer=name, s=sub,
                 rows=diff(sub), exists=exists, page_href=_page_href(sub.target),
                 sources=sub.record.get("sources", {}), message=request.args.get("m", ""))


@bp.route("/review/<sub_id>/<action>", methods=["POST"])
def review_action(sub_id: str, action: str) -> BaseResponse:
    name = _session()
    fields = guard.form_fields(guard.read_body())
    guard.check_csrf(fields)
    if action == "approve":
        approve(sub_id, name)
    elif action == "reject":
        reason = (fields.get("reason") or [""])[0].strip()[:MAX_REASON]
        reject(sub_id, name, reason)
    else:
        raise BadRequest("the action is approve or reject")
    return redirect(f"/review/{sub_id}", code=303)
