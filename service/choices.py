"""What the contribution form offers, read from the graph (cached per build): the entries of the
national rare disease lists, and the concepts of the schemes a record's values come from
(registration status, organization type, activities, funding sources)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import current_app

from kg.errors import StoreUnavailable
from kg.store import embedded as stores
from kg.vocab import CONCEPT_BASE, ID_BASE, PREFIXES
from service.queries import select

RK = PREFIXES["rk"]
SCHEMES = {
    "registrationStatus": ("RegistrationStatusScheme", "registration-status"),
    "organizationType": ("OrganizationTypeScheme", "organization-type"),
    "activity": ("ActivityTypeScheme", "activity-type"),
    "fundingSource": ("FundingSourceScheme", "funding-source"),
}
_cache: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def _version() -> str:
    try:
        return stores.version(Path(current_app.config["RAREKG"]["store"]))
    except OSError:
        return "none"


def entry_code(disease_iri: str) -> str | None:
    """``CN1:86`` for the disease of list 1 entry 86 (``.../id/disease/cn1-086``), else None."""
    local = disease_iri.removeprefix(ID_BASE + "disease/")
    if local == disease_iri or len(local) != 7 or local[:2] != "cn" or local[3] != "-":
        return None
    if local[2] not in "12" or not local[4:].isdigit():
        return None
    return f"CN{local[2]}:{int(local[4:])}"


def _entries() -> list[dict[str, Any]]:
    rows = select(
        f"PREFIX rk: <{RK}> "
        "SELECT ?list ?n ?disease ?zh ?en WHERE { ?e a rk:ListEntry ; rk:inList ?list ; "
        "rk:entryNumber ?n ; rk:entryOf ?disease ; rk:printedName ?zh, ?en . "
        'FILTER (lang(?zh) = "zh" && lang(?en) = "en") } ORDER BY ?list ?n')
    entries: dict[str, dict[str, Any]] = {}
    for row in rows:
        code = entry_code(row["disease"]["value"])
        if code is None or code in entries:
            continue
        entries[code] = {"code": code, "list": code[2], "number": int(row["n"]["value"]),
                         "iri": row["disease"]["value"], "zh": row["zh"]["value"],
                         "en": row["en"]["value"]}
    return list(entries.values())


def _concepts() -> dict[str, list[dict[str, str]]]:
    values = " ".join(f"(rk:{scheme} {prop!r})" for prop, (scheme, _) in SCHEMES.items())
    rows = select(
        f"PREFIX rk: <{RK}> PREFIX skos: <{PREFIXES['skos']}> "
        f"SELECT ?prop ?c ?zh ?en WHERE {{ VALUES (?scheme ?prop) {{ {values} }} "
        "?c skos:inScheme ?scheme . "
        'OPTIONAL { ?c skos:prefLabel ?zh FILTER (lang(?zh) = "zh") } '
        'OPTIONAL { ?c skos:prefLabel ?en FILTER (lang(?en) = "en") } } ORDER BY ?c')
    found: dict[str, list[dict[str, str]]] = {prop: [] for prop in SCHEMES}
    for row in rows:
        prop = row["prop"]["value"]
        base = f"{CONCEPT_BASE}{SCHEMES[prop][1]}/"
        concept = row["c"]["value"]
        if not concept.startswith(base):
            continue
        value = concept.removeprefix(base)
        if any(c["value"] == value for c in found[prop]):
            continue
        found[prop].append({"value": value, "zh": row.get("zh", {}).get("value", value),
                            "en": row.get("en", {}).get("value", value)})
    return found


def choices() -> dict[str, Any]:
    """``entries`` (list entries with code, names) and ``concepts`` (per property: value, zh,
    en), for the build being served.  Raises ``StoreUnavailable`` when the graph has no lists."""
    version = _version()
    with _lock:
        cached = _cache.get(version)
    if cached is not None:
        return cached
    data = {"entries": _entries(), "concepts": _concepts()}
    if not data["entries"]:
        raise StoreUnavailable("the graph being served holds no national list entries to choose "
                               "diseases from")
    with _lock:
        _cache.clear()
        _cache[version] = data
    return data
