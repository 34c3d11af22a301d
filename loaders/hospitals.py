"""China's national rare disease diagnosis and treatment collaboration network
(全国罕见病诊疗协作网): the hospitals of the first list (2019, notice 157 of the NHC General
Office) and of the adjusted list (2024, notice 64), from the reference JSON.

Each hospital is an ``rk:Hospital`` with its province (``rk:location``) and one ``rk:Membership``
per list that names it (role, number and name as printed, the list's date and source).  Hospitals
of the 2024 list are ``rk:memberOf`` the network.  A hospital named in the 2019 list keeps the IRI
of its 2019 number (``org/cn-rdnet-2019-001``), one added in 2024 that of its 2024 number.  Each
statement about a hospital has an ``rk:Evidence`` node whose quote is the list row as printed
(document number, number, province, role, name).  With ``documents_described`` the cited notices
are only ``rk:Policy`` nodes (a ``sources.csv`` describes the documents).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad

from kg import iri
from kg.errors import LoadError
from kg.rdf import QuadWriter, date_literal, integer, text
from kg.records import ErrorPolicy, Skipped
from kg.vocab import ORG, PROV, RDF, RDFS, RK, SCHEMA, SKOS
from loaders import documents
from loaders.upstream import JsonRecord, read_json, records

GRAPH = "china-rare-disease-network"
NETWORK = iri.organization("cn-rare-disease-network")
NETWORK_NAME = "全国罕见病诊疗协作网"
LIST_2019 = "nhc2019_157"
LIST_2024 = "nhc2024_64"
ROLES = {
    "国家级牵头医院": "national-lead",
    "省级牵头医院": "provincial-lead",
    "成员医院": "member",
    "成员单位": "member",
}
ROLE_CODES = {
    "national_lead": "national-lead",
    "provincial_lead": "provincial-lead",
    "member": "member",
}
NEWS = ("govcn_news",)


def load(
    path: Path,
    *,
    source: NamedNode,
    graph: str = GRAPH,
    documents_described: bool = False,
    on_error: str = "stop",
    skipped: Skipped | None = None,
) -> Iterator[Quad]:
    """Quads of the network hospitals file at ``path``; ``source`` is the file's own document.
    Raises ``LoadError`` naming file, record and field."""
    policy = ErrorPolicy(on_error, skipped)
    data = read_json(path)
    out = QuadWriter(iri.graph(graph))
    cited = data.get("provenance", {}).get("sources") if isinstance(data, dict) else None
    if not isinstance(cited, dict):
        raise LoadError(path.name, 0, "provenance.sources", "is missing or not an object")
    lists: dict[str, tuple[str, str | None]] = {}
    numbers: dict[str, str] = {}

    def document(item: tuple[str, Any]) -> None:
        upstream_id, entry = item
        rec = JsonRecord(path.name, 0, entry, f"provenance.sources.{upstream_id}.")
        number = rec.text("document_no")
        is_policy = bool(number) and number not in numbers.values()
        kind = "NewsArticle" if upstream_id.startswith(NEWS) else "OfficialNotice"
        documents.describe(
            out,
            rec,
            documents.document_slug(upstream_id),
            kind=kind,
            policy=is_policy,
            dataset=source,
            document=not documents_described,
        )
        lists[upstream_id] = (number or rec.require("title"), rec.text("published"))
        if is_policy and number:
            numbers[upstream_id] = number

    yield from policy.emit(out, sorted(cited.items()), document)
    for upstream_id in (LIST_2019, LIST_2024):
        if upstream_id not in lists:
            raise LoadError(
                path.name,
                0,
                f"provenance.sources.{upstream_id}",
                "the 2019 and 2024 lists must both be described",
            )
    for cls in (RK.Organization, SCHEMA.Organization, ORG.Organization):
        out.add(NETWORK, RDF.type, cls)
    out.label(NETWORK, NETWORK_NAME, "zh", SKOS.prefLabel, RDFS.label, SCHEMA.name)
    out.add(NETWORK, RK.country, text("CN"))
    out.add(NETWORK, PROV.wasDerivedFrom, iri.source(documents.document_slug(LIST_2019)))
    first, adjusted = (lists[k][0] for k in (LIST_2019, LIST_2024))
    out.add(
        NETWORK,
        RDFS.comment,
        text(
            "China's national rare disease diagnosis and treatment "
            "collaboration network, established "
            f"by {first} and adjusted by {adjusted}",
            "en",
        ),
    )
    yield from out.drain()

    def hospital(rec: JsonRecord | LoadError) -> None:
        if isinstance(rec, LoadError):
            raise rec
        _hospital(out, rec, source, lists)

    yield from policy.emit(out, records(path, data, "hospitals"), hospital)


def _role(rec: JsonRecord, field: str) -> NamedNode:
    printed = rec.require(field)
    if printed not in ROLES:
        raise rec.error(field, f"{printed!r} is not one of {', '.join(ROLES)}")
    return iri.concept("network-role", ROLES[printed])


def _hospital(
    out: QuadWriter, rec: JsonRecord, dataset: NamedNode, lists: dict[str, tuple[str, str | None]]
) -> None:
    name = rec.require("name")
    province = rec.require("province")
    list_id = rec.require("source_id")
    if list_id not in (LIST_2019, LIST_2024):
        raise rec.error("source_id", f"{list_id!r} is neither {LIST_2019} nor {LIST_2024}")
    number = rec.convert("no", int, required=True)
    number_2019 = rec.convert("no_2019", int)
    assert number is not None
    role_2024 = _role(rec, "role_zh")
    code = rec.text("role")
    if code is not None and iri.concept("network-role", ROLE_CODES.get(code, code)) != role_2024:
        raise rec.error("role", f"{code!r} does not agree with role_zh {rec.text('role_zh')!r}")
    in_2019 = list_id == LIST_2019 or number_2019 is not None
    in_2024 = list_id == LIST_2024
    if in_2019:
        node = iri.network_hospital(2019, number_2019 if number_2019 is not None else number)
    else:
        node = iri.network_hospital(2024, number)
    for cls in (
        RK.Hospital,
        RK.Organization,
        SCHEMA.Hospital,
        SCHEMA.Organization,
        ORG.Organization,
    ):
        out.add(node, RDF.type, cls)
    out.label(node, name, "zh", SKOS.prefLabel, RDFS.label, SCHEMA.name)
    out.add(node, RK.country, text("CN"))
    out.add(node, PROV.wasDerivedFrom, dataset)
    name_2019 = rec.text("name_2019") or name
    if name_2019 != name:
        out.add(node, SKOS.altLabel, text(name_2019, "zh"))
        matched = rec.text("matched_by")
        out.add(
            node,
            RDFS.comment,
            text(
                f"named {name_2019} in the 2019 list"
                + (f" (matched by {matched})" if matched else ""),
                "en",
            ),
        )
    memberships: list[tuple[str, int, NamedNode, str, str]] = []
    if in_2019:
        role_2019 = _role(rec, "role_zh_2019") if rec.text("role_zh_2019") else role_2024
        printed_2019 = rec.text("role_zh_2019") or rec.require("role_zh")
        memberships.append(
            (
                LIST_2019,
                number_2019 if number_2019 is not None else number,
                role_2019,
                printed_2019,
                name_2019,
            )
        )
    if in_2024:
        memberships.append((LIST_2024, number, role_2024, rec.require("role_zh"), name))
    for list_id_, position, role, printed, printed_name in memberships:
        year = 2019 if list_id_ == LIST_2019 else 2024
        doc = iri.source(documents.document_slug(list_id_))
        document_no, published = lists[list_id_]
        quote = f"{document_no} 编号{position}: {province} / {printed} / {printed_name}"
        member = iri.membership(node, year)
        for cls in (RK.Membership, ORG.Membership, SCHEMA.OrganizationRole):
            out.add(member, RDF.type, cls)
        out.add(member, ORG.member, node)
        out.add(member, ORG.organization, NETWORK)
        out.add(member, ORG.role, role)
        out.add(member, SCHEMA.roleName, text(printed, "zh"))
        out.add(member, SCHEMA.position, integer(position))
        out.add(member, SCHEMA.name, text(printed_name, "zh"))
        label = f"{printed_name}: {NETWORK_NAME} {printed} ({year})"
        out.add(member, RDFS.label, text(label, "zh"))
        if published:
            out.add(member, RK.asOf, date_literal(published[:10]))
        out.add(member, PROV.wasDerivedFrom, doc)
        out.add(node, ORG.hasMembership, member)
        out.add(node, PROV.wasDerivedFrom, doc)
        if year == 2024:
            out.evidence(node, RK.memberOf, NETWORK, doc, quote, "zh")
    list_id_, position, _, printed, printed_name = memberships[-1]
    doc = iri.source(documents.document_slug(list_id_))
    quote = f"{lists[list_id_][0]} 编号{position}: {province} / {printed} / {printed_name}"
    out.evidence(node, RK.location, text(province, "zh"), doc, quote, "zh")
