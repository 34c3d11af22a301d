"""Deterministic IRIs for everything rarekg mints: the same source row always gives the same IRI."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pyoxigraph import NamedNode

from kg.vocab import (
    CONCEPT_BASE,
    GRAPH_BASE,
    HPO_BASE,
    ID_BASE,
    MONDO_BASE,
    OMIM_BASE,
    ORPHA_BASE,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NCT = re.compile(r"^NCT[0-9]{8}$")
SCHEMES = {
    "registration-status",
    "activity-type",
    "funding-source",
    "organization-type",
    "decision-type",
    "observation-category",
    "network-role",
    "search-outcome",
    "reimbursement-category",
}
ORPHA_RELATIONS = ("E", "NTBT", "BTNT")
HPO = re.compile(r"^HP:[0-9]{7}$")
OMIM = re.compile(r"^[0-9]{6}$")
EU_DESIGNATION = re.compile(r"^EU/3/[0-9]{2}/[0-9]+$")
MAX_SLUG = 60
# the service's own copy of the default graph as a set (kg/store/union.py): no graph of the data
UNION_GRAPH = NamedNode("urn:x-rarekg:union-default-graph")


def _slug(value: str, what: str) -> str:
    if not SLUG.match(value):
        raise ValueError(
            f"{what} {value!r} is not a slug ([a-z0-9-], starting with a letter or digit)"
        )
    return value


def entity(kind: str, local: str) -> NamedNode:
    """``https://w3id.org/rarekg/id/{kind}/{local}``."""
    return NamedNode(f"{ID_BASE}{_slug(kind, 'kind')}/{_slug(local, 'local name')}")


def list_key(list_no: int, entry: int) -> str:
    return f"cn{list_no}-{entry:03d}"


def disease(list_no: int, entry: int) -> NamedNode:
    """The disease named by entry ``entry`` of China's national list ``list_no`` (1 or 2)."""
    return entity("disease", list_key(list_no, entry))


def list_entry(list_no: int, entry: int) -> NamedNode:
    return entity("list-entry", list_key(list_no, entry))


def national_list(list_no: int) -> NamedNode:
    return entity("list", f"cn{list_no}")


def orpha_disease(code: str) -> NamedNode:
    """A disease known only by its ORPHA code (not on a national list)."""
    if not code.isdigit():
        raise ValueError(f"ORPHA code {code!r} is not numeric")
    return entity("disease", f"orpha-{code}")


def ordo(code: str) -> NamedNode:
    if not code.isdigit():
        raise ValueError(f"ORPHA code {code!r} is not numeric")
    return NamedNode(ORPHA_BASE + code)


def organization(slug: str) -> NamedNode:
    return entity("org", slug)


def policy(slug: str) -> NamedNode:
    return entity("policy", slug)


def source(slug: str) -> NamedNode:
    return entity("source", slug)


def drug(slug: str) -> NamedNode:
    return entity("drug", slug)


def trial(nct_id: str) -> NamedNode:
    if not NCT.match(nct_id):
        raise ValueError(f"{nct_id!r} is not an NCT number")
    return NamedNode(f"{ID_BASE}trial/{nct_id}")


def observation(slug: str) -> NamedNode:
    return entity("observation", slug)


def dataset(slug: str) -> NamedNode:
    return entity("dataset", slug)


def status(*parts: str) -> NamedNode:
    """A status node (regulatory decision, list membership) from the parts that identify it."""
    return entity("status", _digest(*parts))


def evidence(*parts: str) -> NamedNode:
    """The evidence node of one stated fact (subject, property, value, source)."""
    return entity("evidence", _digest(*parts))


def graph(name: str) -> NamedNode:
    """The named graph that one source fills."""
    return NamedNode(GRAPH_BASE + _slug(name, "graph name"))


def concept(scheme: str, value: str) -> NamedNode:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown concept scheme {scheme!r}")
    return NamedNode(f"{CONCEPT_BASE}{scheme}/{_slug(value, scheme + ' value')}")


def subtype(list_no: int, entry: int, sub: int) -> NamedNode:
    """A subtype of a list entry's disease, numbered as its source numbers it (``CCRD:72.4``)."""
    return entity("disease", f"{list_key(list_no, entry)}-{sub}")


def name_slug(name: str) -> str:
    """A slug for something known only by its name: lower case, runs of other characters as ``-``;
    a name longer than 60 characters keeps its first 48 and a digest of the whole.

    Raises ``ValueError`` when the name has no letter or digit of the Latin alphabet."""
    plain = unicodedata.normalize("NFKC", name).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    if not slug:
        raise ValueError(f"{name!r} has no letters or digits to make a slug from")
    if len(slug) > MAX_SLUG:
        slug = slug[:48].strip("-") + "-" + _digest(plain)[:10]
    return slug


def substance(name: str) -> NamedNode:
    """A drug known by the name of its active substance as a regulator's record gives it (FDA
    generic name, EMA active substance); the same name in two sources gives the same drug."""
    return entity("drug", "substance-" + name_slug(name))


def china_drug(drug_zh: str | None, inn: str | None, brand: str | None) -> NamedNode:
    """A drug of the China approvals reference, from its Chinese name (else INN, else brand)."""
    key = drug_zh or inn or brand or ""
    if not key:
        raise ValueError("a drug needs a Chinese name, an INN or a brand")
    return entity("drug", "cn-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10])


def network_hospital(year: int, number: int) -> NamedNode:
    """A hospital of China's rare disease collaboration network, by its number in the first list
    that names it (``year`` 2019 or 2024): a hospital keeps its IRI across list revisions."""
    return entity("org", f"cn-rdnet-{year}-{number:03d}")


def membership(member: NamedNode, year: int) -> NamedNode:
    """The membership of ``member`` as the list of ``year`` states it."""
    return entity("membership", f"{member.value.rsplit('/', 1)[-1]}-{year}")


def _from(source: NamedNode) -> str:
    """A short tag of the source document a status node is stated by: two sources that report the
    same decision give two status nodes, each with its one source."""
    return _digest(source.value)[:6]


def fda_designation(source: NamedNode, grid_key: str, drug: NamedNode) -> NamedNode:
    """An FDA orphan designation of a drug, by the OOPD database's key (``CF Grid Key``) and a
    digest of the drug (the rows of one key can name different generic names, e.g. eculizumab and
    ravulizumab-cwvz), as ``source`` states it."""
    if not grid_key.isdigit():
        raise ValueError(f"{grid_key!r} is not an OOPD key (digits)")
    return entity(
        "status", f"us-fda-designation-{grid_key}-{_digest(drug.value)[:8]}-{_from(source)}"
    )


def fda_approval(source: NamedNode, grid_key: str, date: str, *parts: str) -> NamedNode:
    """An FDA marketing approval of a designated orphan drug: designation key, approval date and a
    digest of what tells approvals of one designation apart (indication, exclusivity)."""
    if not grid_key.isdigit():
        raise ValueError(f"{grid_key!r} is not an OOPD key (digits)")
    return entity(
        "status", f"us-fda-approval-{grid_key}-{date}-{_digest(*parts)[:8]}-{_from(source)}"
    )


def fda_withdrawal(source: NamedNode, grid_key: str, date: str, *parts: str) -> NamedNode:
    """The withdrawal of an FDA orphan approval (same parts as the approval)."""
    return entity(
        "status", f"us-fda-withdrawal-{grid_key}-{date}-{_digest(*parts)[:8]}-{_from(source)}"
    )


def eu_designation(source: NamedNode, number: str) -> NamedNode:
    """An EU orphan designation by its number in the Community register (``EU/3/18/2115``), as
    ``source`` states it."""
    if not EU_DESIGNATION.match(number):
        raise ValueError(f"{number!r} is not an EU designation number (EU/3/yy/n)")
    return entity(
        "status", "eu-designation-" + number.lower().replace("/", "-") + "-" + _from(source)
    )


def eu_withdrawal(source: NamedNode, number: str) -> NamedNode:
    """The withdrawal of an EU orphan designation."""
    eu_designation(source, number)
    return entity(
        "status", "eu-withdrawal-" + number.lower().replace("/", "-") + "-" + _from(source)
    )


def mapping(*parts: str) -> NamedNode:
    """A code-mapping node, from the parts that identify it (disease code, terminology, code)."""
    return entity("mapping", _digest(*parts))


def prevalence(*parts: str) -> NamedNode:
    return entity("prevalence", _digest(*parts))


def orpha_relation(code: str) -> NamedNode:
    """The concept of an Orphanet mapping relation code (E, NTBT, BTNT)."""
    if code not in ORPHA_RELATIONS:
        raise ValueError(f"{code!r} is not one of {', '.join(ORPHA_RELATIONS)}")
    return NamedNode(f"{CONCEPT_BASE}orpha-mapping/{code}")


def omim(code: str) -> NamedNode:
    code = code.removeprefix("OMIM:")
    if not OMIM.match(code):
        raise ValueError(f"{code!r} is not an OMIM number (6 digits)")
    return NamedNode(OMIM_BASE + code)


def hpo(term: str) -> NamedNode:
    if not HPO.match(term):
        raise ValueError(f"{term!r} is not an HPO term (HP: and 7 digits)")
    return NamedNode(HPO_BASE + term[3:])


def mondo(code: str) -> NamedNode:
    code = code.removeprefix("MONDO:")
    if not re.fullmatch(r"[0-9]{7}", code):
        raise ValueError(f"{code!r} is not a MONDO number (7 digits)")
    return NamedNode(MONDO_BASE + code)


def icd10(code: str) -> NamedNode:
    if not re.fullmatch(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?", code):
        raise ValueError(f"{code!r} is not an ICD-10 code")
    return NamedNode(f"http://id.who.int/icd/release/10/{code}")


def icd11_entity(uri: str) -> NamedNode:
    if not uri.isdigit():
        raise ValueError(f"{uri!r} is not an ICD-11 entity number")
    return NamedNode(f"http://id.who.int/icd/entity/{uri}")


def identifiers_org(prefix: str, code: str) -> NamedNode:
    """A code of a terminology without IRIs of its own (GARD, UMLS, MedDRA), at identifiers.org."""
    if not re.fullmatch(r"[A-Za-z0-9._:-]+", code):
        raise ValueError(f"{code!r} is not a {prefix} code")
    return NamedNode(f"https://identifiers.org/{prefix}:{code}")


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


ID_BASE_IRI = ID_BASE
