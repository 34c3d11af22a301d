"""Orphanet's entities as diseases of the graph, from the tables ``rarekg derive-tables`` makes of
the ORPHApackets, the RD-CODE pack and Orphanet's Chinese names (``data/orphanet/``).

Every ORPHA code is one disease, ``disease/orpha-<code>`` (the IRI the Orphadata loader mints
too), typed ``rk:RareDisease``, ``schema:MedicalCondition`` and ``skos:Concept``, with
``rk:orphaCode`` and ``skos:exactMatch`` its ORDO IRI. A listed disease reaches it through that
ORDO IRI: the list entries' ``skos:exactMatch`` / ``broadMatch`` / ``narrowMatch`` name ORDO IRIs,
so
``?listed skos:exactMatch ?ordo . ?orpha skos:exactMatch ?ordo ; rk:orphaCode ?code`` walks from a
listed disease to its ORPHA entity and on to codes, genes, prevalence, phenotypes and subtypes
(``?subtype skos:broader+ ?orpha``).

Each source fills its own graph:

- ``orphanet`` (ORPHApackets): English names and synonyms, definition, Orphanet's type
  (``rk:disorderType``), classification parents (``skos:broader``), inheritance and onset, OMIM
  references as ``rk:Mapping`` nodes and SKOS matches (E exact, NTBT broad, BTNT narrow; ND, not
  decided, is left out), gene associations (``rk:GeneAssociation``: gene with HGNC id, association
  type), prevalence (``rk:PrevalenceEstimate``: type, qualification, class, value, geography, cited
  sources with PubMed links);
- ``orphanet-phenotypes`` (ORPHApackets): HPO annotations (``rk:PhenotypeAnnotation``: term and
  frequency); ``rk:hasPhenotype`` for every frequency but "Excluded (0%)";
- ``orphanet-rd-code`` (RD-CODE 2025): each code's status (active, Deprecated, Obsolete), the
  active code an inactive one points to (``rk:replacedBy``), English names of codes without a
  packet, and the Master file's ICD-10 and ICD-11 codes as ``skos:relatedMatch`` (the file states
  no relation, so none is claimed);
- ``orphanet-zh`` (Orphanet's Chinese names): Chinese preferred names.

The names table has no source column: an English name belongs to the packets when the code has a
packet (a type in ``orpha_entities``) or is a classification head the packets name only as a
parent (neither type nor status), else to the RD-CODE list; Chinese names to the Chinese names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.rdf import QuadWriter, decimal, text
from kg.vocab import DCT, PROV, RDF, RDFS, RK, SCHEMA, SDMX_MEASURE, SKOS
from loaders.reftable import short_digest
from loaders.table import Record, read_table

GRAPH = "orphanet"
PHENOTYPE_GRAPH = "orphanet-phenotypes"
RD_CODE_GRAPH = "orphanet-rd-code"
ZH_GRAPH = "orphanet-zh"
PACKETS_SOURCE = "orphanet-orphapackets-2025-12"
RD_CODE_SOURCE = "orphanet-rd-code-2025"
ZH_SOURCE = "orphanet-zh-names-2020"

MATCHES = {"E": SKOS.exactMatch, "NTBT": SKOS.broadMatch, "BTNT": SKOS.narrowMatch}
LEFT_OUT = ("ND", "W")
STATUSES = ("active", "Deprecated", "Obsolete")
EXCLUDED = "Excluded (0%)"


def _disease(rec: Record, field: str = "orpha") -> NamedNode:
    node = rec.convert(field, iri.orpha_disease, required=True)
    assert node is not None
    return node


def _typed(out: QuadWriter, disease: NamedNode, code: str) -> None:
    for cls in (RK.RareDisease, SCHEMA.MedicalCondition, SKOS.Concept):
        out.add(disease, RDF.type, cls)
    out.add(disease, RK.orphaCode, text(code))
    out.add(disease, SKOS.exactMatch, iri.ordo(code))


def packet_codes(folder: Path) -> tuple[set[str], set[str]]:
    """The codes the packets state: those with a packet (a type in ``orpha_entities``) and the
    classification heads they name only as parents (neither type nor RD-CODE status)."""
    packets, heads = set(), set()
    for rec in read_table(folder / "orpha_entities.csv.gz", ("orpha", "type", "status")):
        if rec.get("type"):
            packets.add(rec.require("orpha"))
        elif not rec.get("status"):
            heads.add(rec.require("orpha"))
    return packets, heads


def load(folder: Path) -> Iterator[Quad]:
    """The ``orphanet`` graph: entities of the packets with names, definitions, parents, traits,
    OMIM references, genes and prevalence."""
    source = iri.source(PACKETS_SOURCE)
    out = QuadWriter(iri.graph(GRAPH))
    packets, heads = packet_codes(folder)
    for rec in read_table(folder / "orpha_entities.csv.gz", ("orpha", "type", "status")):
        kind = rec.get("type")
        if not kind and rec.get("orpha") not in heads:
            continue
        disease = _disease(rec)
        _typed(out, disease, rec.require("orpha"))
        if kind:
            out.add(disease, RK.disorderType, text(kind, "en"))
        out.add(disease, PROV.wasDerivedFrom, source)
        yield from out.drain()
    stated = packets | heads
    for rec in read_table(folder / "orpha_names.csv.gz", ("orpha", "lang", "kind", "name")):
        if rec.get("lang") == "en" and rec.get("orpha") in stated:
            _name(out, rec)
            yield from out.drain()
    for rec in read_table(folder / "orpha_definitions.csv.gz", ("orpha", "definition")):
        out.add(_disease(rec), SKOS.definition, text(rec.require("definition"), "en"))
        yield from out.drain()
    for rec in read_table(folder / "orpha_parents.csv.gz", ("orpha", "parent")):
        out.add(_disease(rec), SKOS.broader, _disease(rec, "parent"))
        yield from out.drain()
    traits = {"inheritance": RK.inheritance, "onset": RK.ageOfOnset}
    for rec in read_table(folder / "orpha_traits.csv.gz", ("orpha", "kind", "value")):
        trait = rec.one_of("kind", tuple(traits), required=True)
        assert trait is not None
        out.add(_disease(rec), traits[trait], text(rec.require("value"), "en"))
        yield from out.drain()
    yield from _omim(folder / "orpha_omim.csv.gz", out, source)
    yield from _genes(folder / "orpha_genes.csv.gz", out, source)
    yield from _prevalence(folder / "orpha_prevalence.csv.gz", out, source)


def _name(out: QuadWriter, rec: Record) -> None:
    disease = _disease(rec)
    lang = rec.one_of("lang", ("en", "zh"), required=True)
    kind = rec.one_of("kind", ("preferred", "synonym"), required=True)
    name = rec.require("name")
    if kind == "preferred":
        out.label(disease, name, lang, SKOS.prefLabel, RDFS.label, SCHEMA.name)
    else:
        out.label(disease, name, lang, SKOS.altLabel)


def _omim(path: Path, out: QuadWriter, source: NamedNode) -> Iterator[Quad]:
    for rec in read_table(path, ("orpha", "omim", "relation")):
        relation = rec.one_of("relation", (*MATCHES, *LEFT_OUT), required=True)
        if relation in LEFT_OUT or relation is None:
            continue
        code, number = rec.require("orpha"), rec.require("omim")
        disease = _disease(rec)
        target = rec.convert("omim", iri.omim, required=True)
        assert target is not None
        node = iri.mapping(code, "OMIM", number, PACKETS_SOURCE)
        out.add(disease, MATCHES[relation], target)
        out.add(disease, RK.hasMapping, node)
        out.add(node, RDF.type, RK.Mapping)
        out.add(node, RDF.subject, disease)
        out.add(node, RDF.predicate, MATCHES[relation])
        out.add(node, RDF.object, target)
        out.add(node, RK.mappingRelation, iri.orpha_relation(relation))
        out.add(node, RK.terminology, text("OMIM"))
        out.add(node, SKOS.notation, text(number))
        out.add(node, RDFS.label, text(f"ORPHA:{code} {relation} OMIM {number}"))
        out.add(node, PROV.wasDerivedFrom, source)
        yield from out.drain()


def _gene(rec: Record) -> NamedNode:
    hgnc = rec.get("hgnc")
    if hgnc:
        if not hgnc.isdigit():
            raise rec.error("hgnc", f"{hgnc!r} is not an HGNC number")
        return iri.entity("gene", f"hgnc-{hgnc}")
    return rec.convert("symbol", lambda s: iri.entity("gene", "symbol-" + iri.name_slug(s)),
                       required=True) or iri.entity("gene", "unknown")


def _genes(path: Path, out: QuadWriter, source: NamedNode) -> Iterator[Quad]:
    described: set[str] = set()
    columns = ("orpha", "symbol", "name", "hgnc", "omim", "association")
    for rec in read_table(path, columns):
        disease, code = _disease(rec), rec.require("orpha")
        gene = _gene(rec)
        symbol, association = rec.require("symbol"), rec.require("association")
        if gene.value not in described:
            described.add(gene.value)
            out.add(gene, RDF.type, RK.Gene)
            out.label(gene, symbol, None, RDFS.label, SKOS.prefLabel)
            out.label(gene, rec.get("name"), "en", SCHEMA.name)
            if rec.get("hgnc"):
                out.add(gene, RK.hgncId, text(rec.get("hgnc")))
                out.add(gene, SKOS.exactMatch, iri.identifiers_org("hgnc", rec.get("hgnc")))
            omim = rec.convert("omim", iri.omim)
            if omim is not None:
                out.add(gene, SKOS.exactMatch, omim)
            out.add(gene, PROV.wasDerivedFrom, source)
        local = gene.value.rsplit("/", 1)[-1]
        node = iri.entity("gene-association", f"orpha-{code}-{local}-{short_digest(association)}")
        out.add(disease, RK.associatedGene, gene)
        out.add(disease, RK.hasGeneAssociation, node)
        out.add(node, RDF.type, RK.GeneAssociation)
        out.add(node, RK.gene, gene)
        out.add(node, RK.associationType, text(association, "en"))
        out.add(node, RDFS.label, text(f"ORPHA:{code} {symbol}: {association}", "en"))
        out.add(node, PROV.wasDerivedFrom, source)
        yield from out.drain()


def _prevalence(path: Path, out: QuadWriter, source: NamedNode) -> Iterator[Quad]:
    columns = ("orpha", "type", "qualification", "class", "value", "geography", "source")
    for rec in read_table(path, columns):
        disease, code = _disease(rec), rec.require("orpha")
        kind, geography = rec.require("type"), rec.get("geography")  # one record has none
        qualification = rec.require("qualification")
        cls, cited = rec.get("class"), rec.get("source")
        node = iri.prevalence(code, kind, geography, cls, qualification, cited, PACKETS_SOURCE)
        out.add(disease, RK.hasPrevalence, node)
        out.add(node, RDF.type, RK.PrevalenceEstimate)
        out.add(node, RK.prevalenceType, text(kind))
        if geography:
            out.add(node, RK.geography, text(geography))
        out.add(node, RK.prevalenceQualification, text(qualification))
        if cls:
            out.add(node, RK.prevalenceClass, text(cls))
        if "value" in qualification.lower():
            value = rec.convert("value", decimal)
            if value is not None:
                out.add(node, SDMX_MEASURE.obsValue, value)
        if cited:
            out.add(node, RK.sourceCitation, text(cited))
            for part in cited.split("_"):
                if part.endswith("[PMID]") and part[:-6].strip().isdigit():
                    pmid = part[:-6].strip()
                    out.add(node, DCT.source, NamedNode(f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
        where = geography or "no geography"
        out.add(node, RDFS.label, text(f"ORPHA:{code} {kind}, {where}: {cls or qualification}"))
        out.add(node, PROV.wasDerivedFrom, source)
        yield from out.drain()


def load_phenotypes(folder: Path) -> Iterator[Quad]:
    """The ``orphanet-phenotypes`` graph: HPO annotations with their frequency (115,853 rows: the
    terms are looked up once, and literals and IRIs of repeated values are reused)."""
    source = iri.source(PACKETS_SOURCE)
    out = QuadWriter(iri.graph(PHENOTYPE_GRAPH))
    has_phenotype, has_annotation, phenotype = (
        RK.hasPhenotype, RK.hasPhenotypeAnnotation, RK.phenotype)
    a, annotation, frequency_of, derived = (
        RDF.type, RK.PhenotypeAnnotation, RK.frequency, PROV.wasDerivedFrom)
    frequencies: dict[str, tuple[str, Literal]] = {}
    terms: dict[str, NamedNode] = {}
    for rec in read_table(folder / "orpha_phenotypes.csv.gz", ("orpha", "hpo", "frequency")):
        disease, code = _disease(rec), rec.require("orpha")
        term = rec.require("hpo")
        hpo = terms.get(term)
        if hpo is None:
            hpo = rec.convert("hpo", iri.hpo, required=True)
            assert hpo is not None
            terms[term] = hpo
        frequency = rec.get("frequency")
        if frequency not in frequencies:
            frequencies[frequency] = (short_digest(frequency), text(frequency, "en"))
        digest, literal = frequencies[frequency]
        node = iri.entity("phenotype-annotation", f"orpha-{code}-hp{term[3:]}-{digest}")
        if frequency != EXCLUDED:
            out.add(disease, has_phenotype, hpo)
        out.add(disease, has_annotation, node)
        out.add(node, a, annotation)
        out.add(node, phenotype, hpo)
        if frequency:
            out.add(node, frequency_of, literal)
        out.add(node, derived, source)
        yield from out.drain()


def load_rd_code(folder: Path) -> Iterator[Quad]:
    """The ``orphanet-rd-code`` graph: status of every code, replacements of inactive codes, names
    of codes without a packet, and the Master file's ICD-10 and ICD-11 codes."""
    source = iri.source(RD_CODE_SOURCE)
    out = QuadWriter(iri.graph(RD_CODE_GRAPH))
    packets, heads = packet_codes(folder)
    stated = packets | heads
    for rec in read_table(folder / "orpha_entities.csv.gz", ("orpha", "type", "status")):
        status = rec.one_of("status", STATUSES)
        if not status:
            continue
        disease = _disease(rec)
        _typed(out, disease, rec.require("orpha"))
        out.add(disease, RK.codeStatus, text(status))
        out.add(disease, PROV.wasDerivedFrom, source)
        yield from out.drain()
    for rec in read_table(folder / "orpha_replaced.csv.gz", ("orpha", "status", "target")):
        if rec.get("target"):
            out.add(_disease(rec), RK.replacedBy, _disease(rec, "target"))
            yield from out.drain()
    for rec in read_table(folder / "orpha_names.csv.gz", ("orpha", "lang", "kind", "name")):
        if rec.get("lang") == "en" and rec.get("orpha") not in stated:
            _name(out, rec)
            yield from out.drain()
    columns = ("orpha", "system", "code", "printed", "icd11_uri")
    for rec in read_table(folder / "orpha_icd.csv.gz", columns):
        yield from _icd(out, rec, source)


def _icd(out: QuadWriter, rec: Record, source: NamedNode) -> Iterator[Quad]:
    disease, orpha = _disease(rec), rec.require("orpha")
    system = rec.one_of("system", ("ICD-10", "ICD-11"), required=True)
    code, printed = rec.require("code"), rec.require("printed")
    if system == "ICD-10":
        target = rec.convert("code", iri.icd10, required=True)
    else:
        target = rec.convert("icd11_uri", iri.icd11_entity)
    node = iri.mapping(orpha, str(system), code, RD_CODE_SOURCE)
    out.add(disease, RK.hasMapping, node)
    out.add(node, RDF.type, RK.Mapping)
    out.add(node, RDF.subject, disease)
    out.add(node, RDF.predicate, SKOS.relatedMatch)
    if target is not None:
        out.add(disease, SKOS.relatedMatch, target)
        out.add(node, RDF.object, target)
    out.add(node, RK.terminology, text(str(system)))
    out.add(node, SKOS.notation, text(code))
    if printed != code:
        out.add(node, RDFS.comment, text(f"printed in the Master file as {printed}", "en"))
    out.add(node, RDFS.label, text(f"ORPHA:{orpha} coded as {system} {code}"))
    out.add(node, PROV.wasDerivedFrom, source)
    yield from out.drain()


def load_zh(folder: Path) -> Iterator[Quad]:
    """The ``orphanet-zh`` graph: Orphanet's Chinese preferred names."""
    source = iri.source(ZH_SOURCE)
    out = QuadWriter(iri.graph(ZH_GRAPH))
    for rec in read_table(folder / "orpha_names.csv.gz", ("orpha", "lang", "kind", "name")):
        if rec.get("lang") == "zh":
            _name(out, rec)
            out.add(_disease(rec), PROV.wasDerivedFrom, source)
            yield from out.drain()
