"""Taking a submission in: rate limit, curation-format checks, the IRI it gets or corrects, the
quads the loader of ``data/organizations/`` makes of it, SHACL validation with the shapes of the
build (in a low-priority process), and durable storage, in that order; nothing reaches the graph.
Approving one (``service/review.py``) runs the same conversion again."""

from __future__ import annotations

import re
import threading
from typing import Any

from flask import current_app
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from kg import iri
from kg.contrib import approval, contribution
from kg.contrib.approval import RecordLoader
from kg.contrib.checker import ShapeChecker
from kg.contrib.checks import Problems
from kg.contrib.contribution import Draft, Review
from kg.contrib.submissions import Submission, new_id, now
from kg.errors import Busy, LoadError, StoreUnavailable
from kg.vocab import GRAPH_BASE, ID_BASE, PREFIXES
from service import guard
from service.queries import ask, select

RECORD_LOADER = "rarekg_record_loader"
CHECKER = "rarekg_checker"
SLOTS = "rarekg_intake_slots"
RDF_TYPE = PREFIXES["rdf"] + "type"
SKOS = PREFIXES["skos"]
RK = PREFIXES["rk"]
SCHEMA = PREFIXES["schema"]
RDFS = PREFIXES["rdfs"]
SINGLE_VALUED = {"foundingDate": SCHEMA + "foundingDate",
                 "organizationType": RK + "organizationType",
                 "registrationStatus": RK + "registrationStatus"}
# SHACL result paths -> the record's property (the field of the form) a message belongs to.
PATH_FIELDS = {
    "rk:servesDisease": "servesDisease", "rk:servesDiseaseText": "servesDisease",
    "rk:registrationStatus": "registrationStatus", "rk:organizationType": "organizationType",
    "rk:activityType": "activity", "rk:fundingSourceType": "fundingSource",
    "schema:foundingDate": "foundingDate", "schema:url": "website", "rk:location": "location",
    "rk:registeredWith": "registrationAuthority", "skos:prefLabel": "name",
    "skos:altLabel": "altName", "rk:evidenceQuote": "quote", "prov:wasDerivedFrom": "sources",
}


def record_loader() -> RecordLoader:
    load = current_app.extensions.get(RECORD_LOADER)
    if load is None:
        raise StoreUnavailable("this server was started without the loader of organization "
                               "records (serve with 'rarekg serve', which wires it)")
    return load  # type: ignore[no-any-return]


def checker() -> ShapeChecker:
    c = current_app.extensions[CHECKER]
    assert isinstance(c, ShapeChecker)
    return c


def status_url(submission_id: str) -> str:
    from flask import request

    return f"{request.host_url}api/submissions/{submission_id}"


def _slot() -> threading.BoundedSemaphore:
    s = current_app.extensions[SLOTS]
    assert isinstance(s, threading.BoundedSemaphore)
    return s


def _iri_known(node: str) -> bool:
    return ask(f"ASK {{ {{ <{node}> ?p ?o }} UNION {{ ?s ?p <{node}> }} }}")


def _new_target(draft: Draft, submission_id: str) -> str:
    """The IRI a new record gets: its ``id``, or a slug of its English name, or the submission's
    id; with a number added while the IRI is taken (in the graph or by a pending submission)."""
    slug = draft.record.get("id", "")
    if not slug:
        names = [st["value"] for st in draft.record["statement"]
                 if st["property"] == "name" and st.get("lang", "").startswith("en")]
        try:
            slug = iri.name_slug(names[0])[:50].strip("-") if names else ""
        except ValueError:
            slug = ""
    slug = slug or f"org-{submission_id}"
    store = guard.submissions()
    for n in range(1, 20):
        candidate = slug if n == 1 else f"{slug}-{n}"
        node = iri.organization(candidate).value
        if not _iri_known(node) and not store.targets_pending(node):
            return node
    return iri.organization(f"{slug}-{submission_id}").value


def _correction_target(draft: Draft, submission_id: str, problems: Problems) -> None:
    """Fills in ``id`` / ``same_as`` / ``class`` of a correction from what the graph says of its
    target; refuses targets that are not organizations and facts that would be a second value."""
    target = draft.target
    try:
        NamedNode(target)
    except ValueError:
        problems.add("target", f"{target!r} is not an IRI")
        return
    slug = target.removeprefix(ID_BASE + "org/")
    rows = select(f"SELECT ?t ?g WHERE {{ GRAPH ?g {{ <{target}> a ?t }} }}")
    types = {r["t"]["value"] for r in rows}
    if RK + "Organization" not in types:
        problems.add("target", f"<{target}> is not an organization of this graph")
        return
    if any(r["g"]["value"] == GRAPH_BASE + "seed-documents" for r in rows):
        draft.record.update({"id": f"correction-{submission_id}", "same_as": slug})
    else:
        draft.record.update({"id": slug, "class": contribution.record_class(types)})
    # A name the record states differently becomes another name: the record keeps its own.
    names = {(r["v"].get("xml:lang", ""), r["v"]["value"]) for r in select(
        f"SELECT ?v WHERE {{ <{target}> <{SKOS}prefLabel> ?v }}")}
    for st in draft.record["statement"]:
        lang = st.get("lang", "")
        if st["property"] == "name" and (lang, st["value"]) not in names and any(
                n[0] == lang for n in names):
            st["property"] = "altName"
    for prop, predicate in SINGLE_VALUED.items():
        stated = [st for st in draft.record["statement"] if st["property"] == prop]
        if not stated:
            continue
        current = select(f"SELECT ?v WHERE {{ <{target}> <{predicate}> ?v }}")
        if current:
            problems.add(prop, f"the record already states {current[0]['v']['value']!r}; a "
                               "correction adds facts and cannot replace this one: say what is "
                               "wrong in the note to the reviewer")


def _context(quads: list[Quad], target: str) -> list[Triple]:
    """What the shapes need to know of the graph about the IRIs a submission points to: their
    types and schemes; and of a corrected record, its types and names."""
    subjects = {q.subject for q in quads}
    objects = {q.object.value for q in quads
               if isinstance(q.object, NamedNode) and q.object not in subjects}
    triples: list[Triple] = []
    if objects:
        values = " ".join(f"<{o}>" for o in sorted(objects))
        rows = select(f"SELECT ?o ?p ?v WHERE {{ VALUES ?o {{ {values} }} ?o ?p ?v "
                      f"FILTER (?p IN (<{RDF_TYPE}>, <{SKOS}inScheme>)) }}")
        triples += [Triple(NamedNode(r["o"]["value"]), NamedNode(r["p"]["value"]),
                           NamedNode(r["v"]["value"])) for r in rows if r["v"]["type"] == "uri"]
    if target:
        rows = select(f"SELECT ?p ?v WHERE {{ VALUES ?p {{ <{RDF_TYPE}> <{SKOS}prefLabel> "
                      f"<{RDFS}label> }} <{target}> ?p ?v }}")
        for r in rows:
            v = r["v"]
            term = (NamedNode(v["value"]) if v["type"] == "uri"
                    else Literal(v["value"], language=v.get("xml:lang") or None))
            triples.append(Triple(NamedNode(target), NamedNode(r["p"]["value"]), term))
    return triples


def _load_problem(exc: LoadError, record: dict[str, Any], problems: Problems) -> None:
    message = str(exc).split(": ", 1)[-1]
    if isinstance(exc.record, int) and exc.record > 0:
        statements = record.get("statement", [])
        prop = statements[exc.record - 1]["property"] if exc.record <= len(statements) else ""
        problems.add(prop or "statement", f"statement {exc.record}: {message}")
    elif isinstance(exc.record, str) and exc.record.startswith("sources."):
        problems.add(exc.record, message)
    else:
        problems.add(exc.field or "record", message)


def _shape_problems(quads: list[Quad], context: list[Triple], problems: Problems) -> None:
    """The shapes' violations about the submission's own nodes (the context it points to is the
    graph's, checked by its build)."""
    own = {q.subject.value for q in quads if isinstance(q.subject, NamedNode)}
    triples = [Triple(q.subject, q.predicate, q.object) for q in quads] + context
    data = serialize(triples, format=RdfFormat.N_TRIPLES)
    assert isinstance(data, bytes)
    for finding in checker().check(data):
        if finding.severity != "Violation" or finding.focus not in own:
            continue
        name = PATH_FIELDS.get(finding.path, "")
        if not name:
            match = re.search(r"(rk|schema|skos):\w+", finding.message)
            name = PATH_FIELDS.get(match.group(0), "record") if match else "record"
        value = f" (value: {finding.value})" if finding.value and finding.value != \
            finding.focus else ""
        problems.add(name, f"{finding.message}{value}")


def convert(draft: Draft, submission_id: str, submitted: str, url: str,
            review: Review | None = None) -> list[Quad]:
    """The quads of a submission in its own graph, checked with the SHACL shapes.  Raises
    ``InvalidSubmission`` with one message per field."""
    problems = Problems()
    record = contribution.complete(draft.record, submission_id, submitted, draft.language, url,
                                   review)
    try:
        quads = approval.record_quads(record_loader(), record, submission_id, submitted,
                                          draft.language, review)
    except LoadError as exc:
        _load_problem(exc, record, problems)
        problems.raise_any()
        raise
    _shape_problems(quads, _context(quads, draft.target), problems)
    problems.raise_any()
    return quads


def accept(payload: object, address: str) -> Submission:
    """Check, convert, validate and store one submission; it is on disk when this returns.
    Raises ``RateLimited``, ``InvalidSubmission``, ``Busy``."""
    settings = current_app.config["RAREKG"]
    store = guard.submissions()
    slot = _slot()
    if not slot.acquire(blocking=False):  # before counting: a busy refusal costs no attempt
        raise Busy("another submission is being checked by this worker; send it again in a "
                   "few seconds")
    try:
        store.attempt(address, int(settings["submission_rate_limit"]))
        draft = contribution.check(payload)
        submission_id = new_id()
        submitted = now()
        problems = Problems()
        if draft.kind == "correction":
            _correction_target(draft, submission_id, problems)
            problems.raise_any()
        else:
            draft.target = _new_target(draft, submission_id)
            draft.record["id"] = draft.target.removeprefix(ID_BASE + "org/")
        url = status_url(submission_id)
        convert(draft, submission_id, submitted, url)
        return store.add(draft.kind, draft.target, draft.language, draft.record, url, draft.note,
                         draft.contact, submission_id=submission_id, submitted_at=submitted)
    finally:
        slot.release()


def draft_of(sub: Submission) -> Draft:
    return Draft(sub.kind, sub.target, sub.language, dict(sub.record), sub.note, sub.contact)


def known_elsewhere(target: str, graph: str) -> bool:
    """Whether any graph but ``graph`` (all graphs when empty) says something about ``target``."""
    skip = f"FILTER (?g != <{graph}>)" if graph else ""
    return ask(f"ASK {{ GRAPH ?g {{ <{target}> ?p ?o }} {skip} }}")

