"""``/contribute`` (a form in Chinese and English) and ``POST /api/submissions`` (JSON): a new
organization record in the curation format of ``data/organizations/``, or a correction of an
existing one with its evidence.  The answer is ``201`` with the submission's id and the address to
follow its status (``GET /api/submissions/<id>``, ``/contribute/<id>``), given only once the
submission is stored on disk.  Submissions never enter the graph until a maintainer approves them
(``service/review.py``); the contact and the note are never published."""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, render_template, request

from kg import jsonbody
from kg.contrib.checker import ShapeChecker
from kg.contrib.submissions import SubmissionStore, folder_of
from kg.errors import (
    Busy,
    InvalidSubmission,
    RarekgError,
    RateLimited,
    UnsupportedMediaType,
)
from kg.vocab import ID_BASE
from service import guard, i18n, intake, web, wording
from service.choices import choices, entry_code
from service.intake import RECORD_LOADER
from service.queries import select

bp = Blueprint("contribute", __name__)

__all__ = ["RECORD_LOADER", "bp", "install"]

SINGLE_FIELDS = ("organizationType", "registrationStatus", "registrationAuthority",
                 "foundingDate", "location", "website", "description")
MULTI_FIELDS = ("activity", "fundingSource")
# Where a problem of a record's property is shown on the form.
FORM_FIELDS = {"name": "names", "altName": "names", "servesDisease": "diseases",
               "quote": "evidence", "sources": "evidence", "sources.evidence": "evidence",
               "statement": "names", "record": "names", "submission": "names", "id": "names"}


def install(app: Flask) -> None:
    """Set up what the contribution and review pages share on ``app``."""
    settings = app.config["RAREKG"]
    app.extensions[guard.STORE] = SubmissionStore(folder_of(settings))
    app.extensions[intake.CHECKER] = ShapeChecker(timeout=settings["query_timeout"])
    app.extensions[intake.SLOTS] = threading.BoundedSemaphore(1)


bp.register_error_handler(RarekgError, web.error_response)


def _created(sub_id: str, target: str) -> dict[str, Any]:
    return {"id": sub_id, "status": "pending", "target": target,
            "status_url": f"/api/submissions/{sub_id}", "page": f"/contribute/{sub_id}"}


@bp.route("/api/submissions", methods=["POST"])
def submit() -> tuple[Response, int]:
    body = guard.read_body()
    if (request.mimetype or "") != "application/json":
        raise UnsupportedMediaType("a submission is sent as application/json (or through the "
                                   "form at /contribute)")
    payload = jsonbody.loads(body)
    sub = intake.accept(payload, guard.client_address())
    response = jsonify(_created(sub.id, sub.target))
    response.headers["Location"] = f"/api/submissions/{sub.id}"
    return response, 201


@bp.route("/api/submissions/<sub_id>")
def status(sub_id: str) -> Response:
    sub = guard.submissions().get(sub_id)
    return jsonify(sub.full() if guard.bearer_ok() else sub.public())


def _one(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0].strip()


def _lines(fields: dict[str, list[str]], name: str) -> list[str]:
    return [line.strip() for line in _one(fields, name).splitlines() if line.strip()]


def _is_chinese(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def target_iri(text: str) -> str:
    """The IRI of an organization record from its IRI or from the address of its page here."""
    text = text.strip()
    marker = "/id/org/"
    if marker in text and not text.startswith(ID_BASE):
        return ID_BASE + "org/" + text.split(marker, 1)[1].split("?")[0].split("#")[0]
    return text


def payload_from_form(fields: dict[str, list[str]], language: str) -> dict[str, Any]:
    """The JSON submission a filled-in form stands for."""
    kind = _one(fields, "kind") or "new"
    statements: list[dict[str, str]] = []
    for lang in ("zh", "en"):
        if _one(fields, f"name_{lang}"):
            statements.append({"property": "name", "lang": lang,
                               "value": _one(fields, f"name_{lang}")})
    for alt in _lines(fields, "alt_names"):
        statements.append({"property": "altName", "lang": "zh" if _is_chinese(alt) else "en",
                           "value": alt})
    for name in SINGLE_FIELDS:
        if _one(fields, name):
            statements.append({"property": name, "value": _one(fields, name)})
    for code in fields.get("diseases", []):
        if code.strip():
            statements.append({"property": "servesDisease", "value": code.strip()})
    for other in _lines(fields, "other_diseases"):
        statements.append({"property": "servesDisease", "value": "text:" + other})
    for name in MULTI_FIELDS:
        for value in fields.get(name, []):
            if value.strip():
                statements.append({"property": name, "value": value.strip()})
    record: dict[str, Any] = {"statement": statements}
    if _one(fields, "country"):
        record["country"] = _one(fields, "country").upper()
    evidence = {k: _one(fields, f"evidence_{k}") for k in ("url", "title", "quote")}
    if kind == "correction" and any(evidence.values()):
        record["sources"] = {"evidence": {"url": evidence["url"], "title": evidence["title"],
                                          "language": language}}
        for st in statements:
            st["source"], st["quote"] = "evidence", evidence["quote"]
    return {
        "kind": kind,
        "target": target_iri(_one(fields, "target")) if kind == "correction" else "",
        "language": language,
        "record": record,
        "note": _one(fields, "note"),
        "contact": {k: _one(fields, f"contact_{k}") for k in ("name", "email", "phone", "other")},
    }


def _form_errors(exc: InvalidSubmission) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, messages in exc.fields.items():
        key = FORM_FIELDS.get(name, name)
        if key.startswith("sources."):
            key = "evidence"
        errors.setdefault(key, []).extend(i18n.translate(m) for m in messages)
    return errors


def _form_page(fields: dict[str, list[str]], errors: dict[str, list[str]],
               status_code: int = 200) -> Response:
    lang = wording.language()
    words = wording.text()
    token, fresh = guard.csrf_token()
    html = render_template(
        "contribute.html", title=words["title"], t=words, lang=lang, csrf=token, f=fields,
        errors=errors, **choices())
    response = Response(html, status=status_code, content_type="text/html; charset=utf-8")
    return guard.set_csrf_cookie(response, fresh)


@bp.route("/contribute", methods=["GET"])
def form() -> Response:
    fields: dict[str, list[str]] = {}
    if request.args.get("target"):
        target = target_iri(request.args["target"])
        fields = {"kind": ["correction"], "target": [target], **current_fields(target)}
    return _form_page(fields, {})


def current_fields(target: str) -> dict[str, list[str]]:
    """The form filled in with what the graph says of the organization ``target`` now (names,
    diseases of the lists, founding date, website), so a correction starts from the record."""
    if not target.startswith(ID_BASE + "org/"):
        return {}
    node = f"<{target}>"
    rows = select(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX rk: <https://w3id.org/rarekg/vocab#> PREFIX schema: <http://schema.org/> "
        f"SELECT ?p ?o WHERE {{ {node} ?p ?o . VALUES ?p {{ skos:prefLabel skos:altLabel "
        "rk:servesDisease schema:foundingDate schema:url } }")
    fields: dict[str, list[str]] = {}
    alt: list[str] = []
    for row in rows:
        prop, value = row["p"]["value"].rsplit("/", 1)[-1].rsplit("#", 1)[-1], row["o"]["value"]
        lang = row["o"].get("xml:lang", "")
        if prop == "prefLabel" and lang in ("zh", "en") and f"name_{lang}" not in fields:
            fields[f"name_{lang}"] = [value]
        elif prop in ("prefLabel", "altLabel"):
            alt.append(value)
        elif prop == "servesDisease" and (code := entry_code(value)):
            fields.setdefault("diseases", []).append(code)
        elif prop == "foundingDate":
            fields["foundingDate"] = [value]
        elif prop == "url":
            fields["website"] = [value]
    names = {v[0] for k, v in fields.items() if k.startswith("name_")}
    if alt:
        fields["alt_names"] = ["\n".join(sorted(set(alt) - names))]
    return fields


@bp.route("/contribute", methods=["POST"])
def send() -> Response:
    lang = wording.language()
    body = guard.read_body()
    fields = guard.form_fields(body)
    guard.check_csrf(fields)
    try:
        sub = intake.accept(payload_from_form(fields, lang), guard.client_address())
    except InvalidSubmission as exc:
        return _form_page(fields, _form_errors(exc), exc.status)
    except (RateLimited, Busy) as exc:
        return _form_page(fields, {"submission": [str(exc)]}, exc.status)
    return _status_page(sub.id, 201, received=True)


def _status_page(sub_id: str, status_code: int = 200, received: bool = False) -> Response:
    lang = wording.language()
    sub = guard.submissions().get(sub_id)
    words = wording.text()
    html = render_template("contribute_status.html", title=f"{words['status_title']} {sub.id}",
                           t=words, lang=lang, s=sub.public(),
                           received=received, link=f"{request.host_url}contribute/{sub.id}",
                           page_href=_page_href(sub.target) if sub.status == "approved" else "")
    return Response(html, status=status_code, content_type="text/html; charset=utf-8")


def _page_href(target: str) -> str:
    return "/id/" + target.removeprefix(ID_BASE) if target.startswith(ID_BASE) else ""


@bp.route("/contribute/<sub_id>")
def status_page(sub_id: str) -> Response:
    return _status_page(sub_id)
