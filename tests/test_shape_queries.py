"""The shapes compiled into SPARQL queries (kg/build/shape_queries.py) find exactly what pySHACL
finds: on a small graph of real curated data plus nodes with deliberate errors against every
constraint of every shape of the project, both report the same focus nodes, paths, values and
severities; every compiled constraint finds at least one of the errors; unsupported SHACL raises
when compiled."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pyshacl
import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg.build.shape_checks import Check, run_checks, run_results, short_path
from kg.build.shape_queries import UnsupportedShape, compile_shapes, load_shapes
from kg.build.sources import default_sources
from kg.build.validate import union_graph
from kg.shapes import SHAPES, Finding

TEST = "https://example.org/shape-test/"
GRAPH = NamedNode(TEST + "graph")
XSD = "http://www.w3.org/2001/XMLSchema#"
REAL_SOURCES = ("ontology", "sources", "china-lists", "china-list-aliases", "seed-documents",
                "examples", "organizations")


def _slug(term: rdflib.term.Node) -> str:
    return str(term).rstrip("/#").rsplit("/", 1)[-1].replace("#", "-")


def _simple_path(shapes: rdflib.Graph, path: rdflib.term.Node) -> rdflib.URIRef | None:
    if isinstance(path, rdflib.URIRef):
        return path
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return next(iter(Collection(shapes, alternatives)))  # type: ignore[no-any-return]
    return None


def _wrong_values(node: NamedNode, pred: NamedNode) -> Iterator[Quad]:
    """Values that break every kind of constraint: a short plain string, a long tagged string,
    an untyped IRI, a negative integer; two of them break sh:maxCount 1."""
    for value in (Literal("x"), Literal("y" * 400, language="zh"),
                  NamedNode(TEST + "untyped"), Literal("-5", datatype=NamedNode(XSD + "integer"))):
        yield Quad(node, pred, value, GRAPH)


def generated_errors(shapes: rdflib.Graph) -> Iterator[Quad]:
    """For each class a shape targets, an instance with no properties (every sh:minCount) and one
    whose every property path has wrong values; for each sh:targetSubjectsOf predicate, a subject
    with wrong values."""
    rdf_type = NamedNode(str(rdflib.RDF.type))
    for shape, cls in sorted(shapes.subject_objects(SH.targetClass)):
        if cls in BY_HAND:
            continue
        empty = NamedNode(f"{TEST}empty-{_slug(cls)}")
        wrong = NamedNode(f"{TEST}wrong-{_slug(cls)}")
        yield Quad(empty, rdf_type, NamedNode(str(cls)), GRAPH)
        yield Quad(wrong, rdf_type, NamedNode(str(cls)), GRAPH)
        for prop in shapes.objects(shape, SH.property):
            pred = _simple_path(shapes, shapes.value(prop, SH.path))
            if pred is not None:
                yield from _wrong_values(wrong, NamedNode(str(pred)))
    for _shape, pred in sorted(shapes.subject_objects(SH.targetSubjectsOf)):
        subject = NamedNode(f"{TEST}subject-of-{_slug(pred)}")
        yield from _wrong_values(subject, NamedNode(str(pred)))


# Classes whose wrong instances are written by hand (below): their SPARQL constraints compare
# numbers, and a string compared with a number is an error in SPARQL 1.1 (no result: the store)
# but ordered as strings by rdflib (a result: pySHACL).
BY_HAND = {rdflib.URIRef("https://w3id.org/rarekg/vocab#SurveyObservation")}
ERRORS_TTL = """
@prefix rk: <https://w3id.org/rarekg/vocab#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix sdmx: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix t: <https://example.org/shape-test/> .
"""


HAND = """
t:share-out-of-range a rk:SurveyObservation ; rk:denominator 0, 3 ; sdmx:obsValue 1.5, -0.2 ;
    <http://www.w3.org/ns/qb#dataSet> t:a, t:b ; rk:measure t:m ; rk:evidenceQuote "q1", "q2" ;
    prov:wasDerivedFrom t:not-a-document, <https://w3id.org/rarekg/id/source/nhc-2018-10> .
t:share-mistyped a rk:SurveyObservation ; rk:denominator "3"^^xsd:decimal ;
    sdmx:obsValue "0.5"^^xsd:double .
t:share-without-value a rk:SurveyObservation ; rk:denominator 10 .

t:list a rk:RareDiseaseList ; rk:listSize 2 .
t:entry-beyond-list a rk:ListEntry ; rk:entryNumber 3 ; rk:inList t:list .

t:org a rk:Organization .
t:evidence-bare a rk:Evidence ; rdf:subject t:org .
t:evidence-doubled a rk:Evidence ; rdf:subject t:org ; rk:evidenceQuote "x", "untagged quote" ;
    prov:wasDerivedFrom t:not-a-document, <https://w3id.org/rarekg/id/source/nhc-2018-10> .
"""


def _store(quads: list[Quad]) -> Store:
    store = Store()
    store.bulk_extend(quads)
    store.load(ERRORS_TTL + HAND, format=RdfFormat.TURTLE, to_graph=GRAPH)
    return store



def _key(f: Finding) -> tuple[str, str, str, str]:
    return (f.severity, f.focus, f.path, f.value)


def _str(term: rdflib.term.Node | None) -> str:
    return "" if term is None else str(term)


def pyshacl_results(store: Store) -> list[tuple[str, str, str, str]]:
    """pySHACL's results on the union of the store's graphs: (severity, focus, path, value) of
    each result of the report (not the nested results it gives as sh:detail of a sh:node result).
    """
    _conforms, report, _text = pyshacl.validate(
        union_graph(store), shacl_graph=load_shapes(SHAPES), inference="none", advanced=True,
        allow_warnings=True)
    assert isinstance(report, rdflib.Graph)
    found = []
    for result in report.objects(None, SH.result):
        path = report.value(result, SH.resultPath)
        found.append(_key(Finding(
            severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            focus=str(report.value(result, SH.focusNode)),
            path="" if path is None else short_path(str(path)) if isinstance(
                path, rdflib.URIRef) else "(path)",
            message="",
            value=_str(report.value(result, SH.value)))))
    return found


@pytest.fixture(scope="module")
def graph() -> Store:
    quads = [q for s in default_sources() if s.info.name in REAL_SOURCES for q in s.load()]
    return _store([*quads, *generated_errors(load_shapes())])


@pytest.fixture(scope="module")
def checks() -> list[Check]:
    return compile_shapes(load_shapes())


@pytest.fixture(scope="module")
def compiled(graph: Store, checks: list[Check]) -> list[Finding]:
    return run_checks(graph, checks)


def test_compiled_queries_find_what_pyshacl_finds(graph: Store, compiled: list[Finding]) -> None:
    expected = Counter(pyshacl_results(graph))
    found = Counter(_key(f) for f in compiled)
    only_queries, only_pyshacl = found - expected, expected - found
    assert (sorted(only_queries), sorted(only_pyshacl)) == ([], [])


def test_every_compiled_constraint_finds_a_deliberate_error(graph: Store,
                                                           checks: list[Check]) -> None:
    found = {(id(check), component, f.path) for check, component, f in run_results(graph, checks)}
    silent = [f"{c.shape} {path} {component}" for c in checks for component, _m, path in c.parts
              if (id(c), component, path) not in found]
    assert silent == []


def test_sparql_constraints_run_for_all_focus_nodes_with_their_messages(
        compiled: list[Finding]) -> None:
    assert Finding("Violation", TEST + "entry-beyond-list", "",
                   "entry number 3 is larger than the size of its list (2)",
                   TEST + "entry-beyond-list") in compiled
    shares = {f.message for f in compiled if f.focus == TEST + "share-out-of-range"
              and f.severity == "Violation" and f.path == ""}
    assert shares == {"a share (1.5) must lie in [0, 1]", "a share (-0.2) must lie in [0, 1]"}
    assert Finding("Warning", TEST + "share-out-of-range", "", "1.5 of 3 is not a whole number "
                   "(4.5), even allowing for the rounding of the published figure; the published "
                   "figure is kept", TEST + "share-out-of-range") in compiled


def test_targets_include_subclasses_and_warnings_keep_their_severity(
        compiled: list[Finding]) -> None:
    # rk:PatientOrganization is a subclass of rk:Organization: its instances need a label too
    assert Finding("Violation", TEST + "empty-vocab-PatientOrganization",
                   "http://www.w3.org/2000/01/rdf-schema#label",
                   "needs a label", "") in compiled
    assert Finding("Warning", TEST + "empty-vocab-SourceDocument", "schema:url",
                   "a source document should say where it can be read", "") in compiled
    assert not [f for f in compiled if f.focus.startswith("https://w3id.org/rarekg/id/")
                and f.severity == "Violation"], "the real curated data conforms"


UNSUPPORTED = {
    "closed shapes": "sh:closed true",
    "exactly-one-of": "sh:xone ( [ sh:class rk:Drug ] [ sh:class rk:Policy ] )",
    "qualified counts": "sh:property [ sh:path rk:ofDrug ; sh:qualifiedValueShape [ sh:class "
                        "rk:Drug ] ; sh:qualifiedMinCount 1 ]",
    "OPTIONAL in a SPARQL constraint": 'sh:sparql [ sh:select "SELECT $this WHERE { OPTIONAL { '
                                       '$this a ?c } }" ]',
    "property pairs": "sh:property [ sh:path rk:ofDrug ; sh:equals rk:forIndication ]",
}


@pytest.mark.parametrize("constraint", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_unsupported_shapes_raise_when_compiled(constraint: str) -> None:
    shapes = rdflib.Graph().parse(format="turtle", data=(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix rk: <https://w3id.org/rarekg/vocab#> ."
        f"<urn:s> a sh:NodeShape ; sh:targetClass rk:Drug ; {constraint} ."))
    with pytest.raises(UnsupportedShape):
        compile_shapes(shapes)


def test_compiled_queries_are_checked_on_the_store_when_compiled() -> None:
    shapes = rdflib.Graph().parse(format="turtle", data=(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix rk: <https://w3id.org/rarekg/vocab#> ."
        '<urn:s> a sh:NodeShape ; sh:targetClass rk:Drug ; sh:sparql [ sh:select '
        '"SELECT $this WHERE { $this undeclared:p ?x }" ] .'))
    with pytest.raises(UnsupportedShape, match="does not parse"):
        compile_shapes(shapes)
