"""What a submission holds and what an approved one becomes.

A submission is an organization record in the curation format of ``data/organizations/`` (see its
README), as JSON: ``id``, ``class``, ``country``, a list of ``statement`` tables (``property``,
``value``, ``lang`` for names, and optionally ``source`` and ``quote``) and the ``sources`` tables
the statements cite.  A statement without a source is self-reported: its source is the submission
itself and its quote is the statement as submitted.  A correction names the existing IRI it corrects
and cites, for each statement, a public source and the sentence of it that states the fact.

``check`` turns a request's JSON into a ``Draft`` or raises ``InvalidSubmission`` with one message
per field; ``complete`` gives the record the loader of ``data/organizations/`` reads (the same code
that builds the default graph turns it into quads; ``kg/contrib/approval.py`` makes the rest).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kg import iri
from kg.contrib.checks import Problems
from kg.contrib.checks import text_field as _text
from kg.contrib.checks import unknown_keys as _unknown
from kg.errors import InvalidSubmission
from kg.vocab import RK

LANGUAGES = ("zh", "en")
KINDS = ("new", "correction")
ORG_CLASSES = ("PatientOrganization", "Foundation", "Company", "RegulatoryAuthority",
               "GovernmentBody", "ResearchOrganization", "Hospital", "Organization")
PROPERTIES = ("name", "altName", "organizationType", "registrationStatus", "registrationAuthority",
              "activity", "fundingSource", "servesDisease", "foundingDate", "location", "website",
              "description")
SOURCE_TYPES = ("WebPage", "NewsArticle", "ScholarlyArticle", "OfficialNotice", "Dataset")
TOP_KEYS = ("kind", "target", "language", "record", "note", "contact")
RECORD_KEYS = ("id", "class", "country", "statement", "sources")
STATEMENT_KEYS = ("property", "value", "lang", "source", "quote")
SOURCE_KEYS = ("url", "title", "publisher", "date", "accessed", "language", "type")
CONTACT_KEYS = ("name", "email", "phone", "other")
SELF = "self"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
COUNTRY = re.compile(r"^([A-Z]{2}|INT)$")
LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

MAX_STATEMENTS = 80
MAX_SOURCES = 10
MAX_VALUE = {"name": 200, "altName": 200, "description": 1000, "location": 200,
             "registrationAuthority": 300, "website": 500}
MAX_DEFAULT_VALUE = 200
MAX_QUOTE = 300
MAX_NOTE = 2000
MAX_CONTACT = 200
MAX_SOURCE_FIELD = 500


@dataclass
class Draft:
    """A checked submission, before it is stored."""

    kind: str
    target: str  # the IRI corrected; for a new record, empty until the service gives it one
    language: str
    record: dict[str, Any]
    note: str
    contact: dict[str, str]


def check(payload: object) -> Draft:
    """The submission of a request's JSON, checked against the curation format.  Raises
    ``InvalidSubmission`` with every problem found, one message per field."""
    problems = Problems()
    if not isinstance(payload, dict):
        raise InvalidSubmission({"submission": ["must be a JSON object"]})
    _unknown(payload, TOP_KEYS, "submission", problems)
    kind = _text(payload.get("kind", "new"), "kind", problems, 20) or "new"
    if kind not in KINDS:
        problems.add(
            "kind",
            "%(kind)s is not one of %(choices)s",
            kind=repr(kind),
            choices=', '.join(KINDS),
        )
    language = _text(payload.get("language", "zh"), "language", problems, 5) or "zh"
    if language not in LANGUAGES:
        problems.add(
            "language",
            "%(language)s is not one of %(choices)s",
            language=repr(language),
            choices=', '.join(LANGUAGES),
        )
    target = _text(payload.get("target"), "target", problems, 300, required=kind == "correction")
    if kind == "new" and target:
        problems.add("target", "only a correction names an existing IRI")
    if target and not target.startswith(iri.ID_BASE_IRI + "org/"):
        problems.add(
            "target",
            "corrections are taken for organizations: an IRI starting with %(base)sorg/",
            base=iri.ID_BASE_IRI,
        )
    note = _text(payload.get("note"), "note", problems, MAX_NOTE)
    contact = _contact(payload.get("contact"), problems)
    record = _record(payload.get("record"), kind, problems)
    problems.raise_any()
    return Draft(kind, target, language, record, note, contact)


def _contact(value: object, problems: Problems) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.add("contact", "is required: an object with name and email, phone or other "
                                "(seen only by the reviewers)")
        return {}
    _unknown(value, CONTACT_KEYS, "contact", problems)
    contact = {k: _text(value.get(k), "contact", problems, MAX_CONTACT) for k in CONTACT_KEYS}
    contact = {k: v for k, v in contact.items() if v}
    if not any(contact.get(k) for k in ("email", "phone", "other")):
        problems.add("contact", "give an email address, a phone number or another way to reach "
                                "you (seen only by the reviewers)")
    email = contact.get("email", "")
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        problems.add("contact", "%(email)s is not an email address", email=repr(email))
    return contact


def _record(value: object, kind: str, problems: Problems) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.add("record", "is required: the organization record in the curation format")
        return {}
    _unknown(value, RECORD_KEYS, "record", problems)
    record: dict[str, Any] = {}
    slug = _text(value.get("id"), "id", problems, 60)
    if slug and kind == "new":
        if not SLUG.match(slug):
            problems.add("id", "%(slug)s is not a slug (a-z, 0-9 and -)", slug=repr(slug))
        record["id"] = slug
    cls = _text(value.get("class"), "class", problems, 40)
    if cls and kind == "new":
        if cls not in ORG_CLASSES:
            problems.add(
                "class",
                "%(cls)s is not one of %(choices)s",
                cls=repr(cls),
                choices=', '.join(ORG_CLASSES),
            )
        record["class"] = cls
    elif kind == "new":
        record["class"] = "PatientOrganization"
    country = _text(value.get("country"), "country", problems, 3)
    if country:
        if not COUNTRY.match(country):
            problems.add(
                "country",
                "%(country)s is not an ISO 3166-1 alpha-2 code or INT",
                country=repr(country),
            )
        record["country"] = country
    elif kind == "new":
        record["country"] = "CN"
    sources = _sources(value.get("sources"), problems)
    if sources:
        record["sources"] = sources
    record["statement"] = _statements(value.get("statement"), kind, sources, problems)
    if record["statement"] and not any(st["property"] == "name" for st in record["statement"]):
        if kind == "new":
            problems.add("name", "a new organization needs its name")
        else:
            problems.add("name", "a correction names the organization as its source does")
    return record


def _sources(value: object, problems: Problems) -> dict[str, dict[str, str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add("sources", "must be an object of source tables")
        return {}
    if len(value) > MAX_SOURCES:
        problems.add("sources", "at most %(MAX_SOURCES)s sources", MAX_SOURCES=MAX_SOURCES)
        return {}
    found: dict[str, dict[str, str]] = {}
    for key, table in value.items():
        name = f"sources.{key}"
        if not isinstance(key, str) or not SLUG.match(key) or key == SELF:
            problems.add(
                "sources",
                "%(key)s is not a source key (a-z, 0-9 and -, not %(SELF)s)",
                key=repr(key),
                SELF=repr(SELF),
            )
            continue
        if not isinstance(table, dict):
            problems.add(name, "must be an object")
            continue
        _unknown(table, SOURCE_KEYS, name, problems)
        src = {k: _text(table.get(k), name, problems, MAX_SOURCE_FIELD) for k in SOURCE_KEYS}
        src = {k: v for k, v in src.items() if v}
        if not src.get("url", "").startswith(("http://", "https://")):
            problems.add(name, "url: the address of the source (http or https) is required")
        if not src.get("title"):
            problems.add(name, "title: the title of the source is required")
        for k in ("date", "accessed"):
            if src.get(k) and not DATE.match(src[k]):
                problems.add(
                    name,
                    "%(k)s: %(value)s is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
                    k=k,
                    value=repr(src[k]),
                )
        src.setdefault("accessed", datetime.now(UTC).date().isoformat())
        if src.get("language") and not LANG.match(src["language"]):
            problems.add(
                name,
                "language: %(value)s is not a language tag",
                value=repr(src['language']),
            )
        if src.get("type") and src["type"] not in SOURCE_TYPES:
            problems.add(
                name,
                "type: %(value)s is not one of %(choices)s",
                value=repr(src['type']),
                choices=', '.join(SOURCE_TYPES),
            )
        found[key] = src
    return found


def _statements(value: object, kind: str, sources: Mapping[str, Any],
                problems: Problems) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        problems.add("statement", "at least one statement is required (a new organization's "
                                  "name, or the facts a correction states)")
        return []
    if len(value) > MAX_STATEMENTS:
        problems.add(
            "statement",
            "at most %(MAX_STATEMENTS)s statements",
            MAX_STATEMENTS=MAX_STATEMENTS,
        )
        return []
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for number, st in enumerate(value, start=1):
        if not isinstance(st, dict):
            problems.add("statement", "statement %(number)s must be an object", number=number)
            continue
        _unknown(st, STATEMENT_KEYS, f"statement {number}", problems)
        prop = _text(st.get("property"), "statement", problems, 40)
        if prop not in PROPERTIES:
            problems.add(
                "statement",
                "statement %(number)s: property %(prop)s is not one of %(choices)s",
                number=number,
                prop=repr(prop),
                choices=', '.join(PROPERTIES),
            )
            continue
        value_text = _text(st.get("value"), prop, problems,
                           MAX_VALUE.get(prop, MAX_DEFAULT_VALUE), required=True)
        lang = _text(st.get("lang"), prop, problems, 20)
        if prop in ("name", "altName"):
            if not lang:
                problems.add(
                    prop,
                    "statement %(number)s: a name needs its language (lang: zh, en)",
                    number=number,
                )
            elif not LANG.match(lang):
                problems.add(
                    prop,
                    "statement %(number)s: %(lang)s is not a language tag",
                    number=number,
                    lang=repr(lang),
                )
        elif lang:
            problems.add(prop, "statement %(number)s: only names take a language", number=number)
        if prop == "foundingDate" and value_text and not DATE.match(value_text):
            problems.add(
                prop,
                "%(value_text)s is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
                value_text=repr(value_text),
            )
        if prop == "website" and value_text and not value_text.startswith(("http://", "https://")):
            problems.add(
                prop,
                "%(value_text)s is not an http(s) address",
                value_text=repr(value_text),
            )
        source = _text(st.get("source"), prop, problems, 60)
        quote = _text(st.get("quote"), prop, problems, MAX_QUOTE)
        if source:
            if source not in sources:
                problems.add(
                    prop,
                    "statement %(number)s: source %(source)s is not a key of sources",
                    number=number,
                    source=repr(source),
                )
            if len(quote) < 3:
                problems.add(
                    prop,
                    "statement %(number)s: a statement citing a source needs the quote of it "
                    "that states the fact (3 to 300 characters)",
                    number=number,
                )
        elif quote:
            problems.add(prop, "statement %(number)s: a quote needs its source", number=number)
        elif kind == "correction":
            problems.add(
                prop,
                "statement %(number)s: a correction cites its evidence: a source and the quote "
                "of it that states the fact",
                number=number,
            )
        key = (prop, value_text, lang)
        if key in seen and not source:
            continue  # the same self-reported statement twice
        seen.add(key)
        st_out = {"property": prop, "value": value_text}
        for k, v in (("lang", lang), ("source", source), ("quote", quote)):
            if v:
                st_out[k] = v
        out.append(st_out)
    return out


def record_class(types: Iterable[str]) -> str:
    """The class name of the curation format for an organization of these rdf:types."""
    names = {t.removeprefix(RK.base) for t in types if t.startswith(RK.base)}
    for name in ORG_CLASSES:
        if name in names:
            return name
    return "Organization"


def self_quote(statement: Mapping[str, str]) -> str:
    """The quote of a self-reported statement: the statement as submitted."""
    lang = f" ({statement['lang']})" if statement.get("lang") else ""
    return f"{statement['property']}{lang} = {statement['value']}"


@dataclass(frozen=True)
class Review:
    """Who approved a submission, and when (absent while it is checked on arrival)."""

    reviewer: str
    at: str  # ISO 8601 date-time, UTC


def self_title(submission_id: str, submitted: str, review: Review | None,
               language: str) -> str:
    day = submitted[:10]
    if language == "zh":
        title = f"向 rarekg 提交的自报信息（提交编号 {submission_id}，{day} 提交"
        return title + (f"，{review.at[:10]} 由 {review.reviewer} 审核通过）" if review else "）")
    title = f"Self-report to rarekg (submission {submission_id}, submitted on {day}"
    return title + (f", approved by {review.reviewer} on {review.at[:10]})" if review else ")")


def complete(record: Mapping[str, Any], submission_id: str, submitted: str, language: str,
             status_url: str, review: Review | None = None) -> dict[str, Any]:
    """The record as the loader of ``data/organizations/`` reads it: every statement with a source
    and a quote (self-reported ones cite the submission, quoting the statement as submitted)."""
    out: dict[str, Any] = {k: v for k, v in record.items() if k not in ("statement", "sources")}
    sources = {k: dict(v) for k, v in record.get("sources", {}).items()}
    sources[SELF] = {"url": status_url,
                     "title": self_title(submission_id, submitted, review, language),
                     "publisher": "rarekg submissions" if language == "en" else "rarekg 信息提交",
                     "date": submitted[:10], "accessed": submitted[:10], "language": language,
                     "type": "WebPage"}
    statements = []
    for st in record.get("statement", []):
        st = dict(st)
        if not st.get("source"):
            st["source"] = SELF
            st["quote"] = self_quote(st)
        statements.append(st)
    out["statement"] = statements
    out["sources"] = sources
    return out


def _toml_string(value: str) -> str:
    # JSON string escapes are a subset of TOML's basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def toml_text(record: Mapping[str, Any]) -> str:
    """A complete record as the TOML file of ``data/organizations/`` that holds it."""
    lines = [f"{k} = {_toml_string(str(record[k]))}" for k in ("id", "class", "country", "same_as")
             if record.get(k)]
    for st in record.get("statement", []):
        lines += ["", "[[statement]]"]
        lines += [f"{k} = {_toml_string(st[k])}" for k in STATEMENT_KEYS if st.get(k)]
    for key, src in record.get("sources", {}).items():
        lines += ["", f"[sources.{key}]"]
        lines += [f"{k} = {_toml_string(src[k])}" for k in SOURCE_KEYS if src.get(k)]
    return "\n".join(lines) + "\n"


def display_name(record: Mapping[str, Any]) -> str:
    """The record's name: Chinese first, then English, then any."""
    names = {st.get("lang", ""): st["value"] for st in reversed(record.get("statement", []))
             if st["property"] in ("name", "altName")}
    return names.get("zh") or names.get("en") or next(iter(names.values()), "(no name)")
