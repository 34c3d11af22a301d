"""A small runner for the W3C SPARQL 1.1 test manifests of the Protocol, the Graph Store Protocol
and the Service Description, replayed over HTTP against a real server.

Each test's ``ht:Request`` sequence is sent in order with ``http.client`` (so that headers and
bodies are exactly the manifest's: no default ``Content-Type``).  Paths are mapped onto rarekg:
``/sparql/`` to ``/sparql``, ``/gsp/<path>`` to ``/rdf-graphs/<path>`` (direct identification) and
``/gsp?...`` to ``/rdf-graph-store?...`` (indirect identification).  Requests that write (updates,
Graph Store ``PUT`` / ``POST`` / ``DELETE``) carry ``Authorization: Bearer <token>``; a ``401`` or
``403`` to such a request is a failure even where the test expects some 4xx, so that an error test
passes for its own reason, not for a missing credential.  Before each test the store is emptied
(``DROP ALL``) and ``ut:graphData`` is loaded as named graphs (Graph Store ``PUT``).

The Service Description manifest has no requests: its three tests are checks on ``GET /sparql``,
written here from the test names and the Service Description vocabulary.
"""

from __future__ import annotations

import csv
import functools
import http.client
import io
import json
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse

import rdflib
from rdflib import RDF, RDFS, BNode, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX = "{http://www.w3.org/2005/sparql-results#}"

TEST_TYPES = {MF.ProtocolTest, MF.GraphStoreProtocolTest, MF.ServiceDescriptionTest}
STATUS_CODES = {
    "OK": "200",
    "Created": "201",
    "NoContent": "204",
    "BadRequest": "400",
    "NotFound": "404",
    "MethodNotAllowed": "405",
    "UnsupportedMediaType": "415",
}
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
ENDPOINT = "/sparql"
GRAPHS = "/rdf-graphs"
GRAPH_STORE = "/rdf-graph-store"

SD_TERMS = {
    SD[t]
    for t in [
        "Service",
        "Feature",
        "Language",
        "Function",
        "Aggregate",
        "EntailmentRegime",
        "EntailmentProfile",
        "GraphCollection",
        "Dataset",
        "Graph",
        "NamedGraph",
        "endpoint",
        "feature",
        "defaultEntailmentRegime",
        "entailmentRegime",
        "defaultSupportedEntailmentProfile",
        "supportedEntailmentProfile",
        "extensionFunction",
        "extensionAggregate",
        "languageExtension",
        "supportedLanguage",
        "propertyFeature",
        "defaultDataset",
        "availableGraphs",
        "resultFormat",
        "inputFormat",
        "defaultGraph",
        "namedGraph",
        "name",
        "graph",
        "SPARQL10Query",
        "SPARQL11Query",
        "SPARQL11Update",
        "DereferencesURIs",
        "UnionDefaultGraph",
        "RequiresDataset",
        "EmptyGraphs",
        "BasicFederatedQuery",
    ]
}
SD_LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
SD_FEATURES = {
    SD.DereferencesURIs,
    SD.UnionDefaultGraph,
    SD.RequiresDataset,
    SD.EmptyGraphs,
    SD.BasicFederatedQuery,
}
# property: (class of its subjects, class of its objects or None)
SD_SCHEMA = {
    SD.endpoint: (SD.Service, None),
    SD.supportedLanguage: (SD.Service, None),
    SD.feature: (SD.Service, None),
    SD.resultFormat: (SD.Service, None),
    SD.inputFormat: (SD.Service, None),
    SD.defaultDataset: (SD.Service, SD.Dataset),
    SD.availableGraphs: (SD.Service, SD.GraphCollection),
    SD.defaultGraph: (SD.Dataset, SD.Graph),
    SD.namedGraph: (None, SD.NamedGraph),
    SD.name: (SD.NamedGraph, None),
    SD.graph: (SD.NamedGraph, SD.Graph),
}


class W3CFailure(AssertionError):
    """A test whose answers differ from what its manifest expects."""


@dataclass(frozen=True)
class Expected:
    statuses: tuple[str, ...]  # "201" or a class "2xx"
    format: str | None = None  # "boolean", "tabular" or "RDF"
    boolean: bool | None = None
    location_variable: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected: Expected


@dataclass(frozen=True)
class W3CTest:
    name: str
    title: str
    kind: str  # ProtocolTest, GraphStoreProtocolTest or ServiceDescriptionTest
    requires: tuple[str, ...] = ()
    graph_data: tuple[tuple[str, Path], ...] = ()
    steps: tuple[Step, ...] = ()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    authorized: bool = False
    step: str = ""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";")[0].strip().lower()


# -- reading manifests -----------------------------------------------------------------------------


@functools.cache
def load_manifest(path: Path) -> dict[str, W3CTest]:
    """The tests of a manifest by local name: its ``mf:entries`` in order, then tests the file
    defines without listing them.  Raises ``FileNotFoundError``."""
    graph = rdflib.Graph().parse(path, format="turtle")
    manifest = URIRef(path.resolve().as_uri())
    entries = graph.value(manifest, MF.entries)
    listed = list(Collection(graph, entries)) if entries is not None else []
    defined = sorted({s for t in TEST_TYPES for s in graph.subjects(RDF.type, t)}, key=str)
    tests = [_test(graph, node) for node in [*listed, *(s for s in defined if s not in listed)]]
    return {t.name: t for t in tests}


def _test(graph: rdflib.Graph, node: rdflib.term.Node) -> W3CTest:
    kind = next(str(t).rsplit("#", 1)[1] for t in graph.objects(node, RDF.type) if t in TEST_TYPES)
    graph_data = []
    for data in graph.objects(node, UT.graphData):
        source = graph.value(data, UT.graph)
        graph_data.append(
            (str(graph.value(data, RDFS.label)), Path(unquote(urlparse(str(source)).path)))
        )
    steps: list[Step] = []
    action = graph.value(node, MF.action)
    if action is not None:
        for request in Collection(graph, graph.value(action, HT.requests)):
            steps.append(_step(graph, request))
    return W3CTest(
        name=str(node).rsplit("#", 1)[1],
        title=str(graph.value(node, MF.name)),
        kind=kind,
        requires=tuple(sorted(str(r).rsplit("#", 1)[1] for r in graph.objects(node, MF.requires))),
        graph_data=tuple(graph_data),
        steps=tuple(steps),
    )


def _headers(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[tuple[str, str], ...]:
    listed = graph.value(node, HT.headers)
    if listed is None:
        return ()
    return tuple(
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in Collection(graph, listed)
    )


def _body(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[str, str] | None:
    body = graph.value(node, HT.body)
    if body is None:
        return None
    return str(graph.value(body, CNT.chars)), str(
        graph.value(body, CNT.characterEncoding) or "UTF-8"
    )


def _step(graph: rdflib.Graph, request: rdflib.term.Node) -> Step:
    resp = graph.value(request, HT.resp)
    statuses = []
    for status in graph.objects(resp, MF.expectedStatus):
        name = str(status).removeprefix(HTS)
        if name.startswith("StatusCode"):
            statuses.append(name.removeprefix("StatusCode").lower())
        else:
            statuses.append(STATUS_CODES[name])
    boolean = graph.value(resp, MF.expectedBoolean)
    fmt = graph.value(resp, MF.expectedFormat)
    location = graph.value(resp, MF.expectedLocation)
    expected_body = _body(graph, resp)
    expected = Expected(
        statuses=tuple(sorted(statuses)),
        format=str(fmt) if fmt is not None else None,
        boolean=bool(boolean.toPython()) if isinstance(boolean, Literal) else None,
        location_variable=str(location) if location is not None else None,
        headers=_headers(graph, resp),
        body=expected_body[0] if expected_body else None,
    )
    body = _body(graph, request)
    return Step(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=_headers(graph, request),
        body=body[0].encode(body[1]) if body else None,
        expected=expected,
    )


# -- replaying tests -------------------------------------------------------------------------------


def parse_rdf(data: bytes | str, media_type: str) -> rdflib.Graph:
    """An RDF document read with rdflib (an engine other than the server's).  Raises
    ``KeyError`` for a media type that is not RDF."""
    fmt = RDF_TYPES[media_type]
    with warnings.catch_warnings():
        # rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph internally
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return rdflib.Graph().parse(data=data, format=fmt, publicID="http://www.example/")


def map_path(path: str) -> str:
    """The manifest's request path on rarekg.  Raises ``ValueError`` for other paths."""
    if path.startswith("/sparql/"):
        return ENDPOINT + path.removeprefix("/sparql/")
    if path.startswith("/gsp/"):
        return GRAPHS + "/" + path.removeprefix("/gsp/")
    if path == "/gsp" or path.startswith("/gsp?"):
        return GRAPH_STORE + path.removeprefix("/gsp")
    raise ValueError(f"the runner does not know where {path} goes")


def media(value: str) -> tuple[str, frozenset[str]]:
    """A media type with its parameters, compared without case and spaces."""
    parts = [p.strip().lower().replace(" ", "") for p in value.split(";")]
    return parts[0], frozenset(p for p in parts[1:] if p)


@dataclass
class Runner:
    """Runs tests against the server at ``base_url`` (``http://127.0.0.1:<port>``), sending
    ``token`` with every write."""

    base_url: str
    token: str
    timeout: float = 30.0
    log: list[str] = field(default_factory=list)

    def send(
        self,
        method: str,
        target: str,
        headers: tuple[tuple[str, str], ...] = (),
        body: bytes | None = None,
        *,
        authorized: bool = False,
    ) -> Answer:
        url = urlparse(self.base_url)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=self.timeout)
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            if authorized:
                conn.putheader("Authorization", f"Bearer {self.token}")
            if body is not None or method in ("POST", "PUT"):
                conn.putheader("Content-Length", str(len(body or b"")))
            conn.endheaders(body)
            response = conn.getresponse()
            data = response.read()
            answer = Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                data,
                authorized,
                f"{method} {target}",
            )
        finally:
            conn.close()
        self.log.append(f"{method} {target} -> {answer.status}")
        return answer

    def reset(self) -> None:
        """An empty store: ``DROP ALL`` through the protocol."""
        answer = self.send(
            "POST",
            ENDPOINT,
            (("Content-Type", "application/sparql-update"),),
            b"DROP ALL",
            authorized=True,
        )
        if answer.status != 204:
            raise W3CFailure(f"DROP ALL answered {answer.status}: {answer.body[:300]!r}")

    def load(self, graph_iri: str, path: Path) -> None:
        """``ut:graphData``: a file loaded as the named graph ``graph_iri``."""
        answer = self.send(
            "PUT",
            f"{GRAPH_STORE}?graph={quote(graph_iri, safe='')}",
            (("Content-Type", "application/n-triples"),),
            path.read_bytes(),
            authorized=True,
        )
        if answer.status not in (201, 204):
            raise W3CFailure(
                f"loading {path.name} as <{graph_iri}> answered {answer.status}: "
                f"{answer.body[:300]!r}"
            )

    def run(self, test: W3CTest) -> None:
        """Replay ``test``.  Raises ``W3CFailure`` naming each answer that differs."""
        self.log = []
        if test.kind == "ServiceDescriptionTest":
            SERVICE_DESCRIPTION_CHECKS[test.name](self)
            return
        self.reset()
        for graph_iri, path in test.graph_data:
            self.load(graph_iri, path)
        variables: dict[str, str] = {}
        for number, step in enumerate(test.steps, 1):
            target = map_path(step.path)
            body = step.body
            for name, value in variables.items():
                target = target.replace(name, value)
                if body is not None:
                    body = body.replace(name.encode("utf-8"), value.encode("utf-8"))
            answer = self.send(
                step.method, target, step.headers, body, authorized=is_write(test, step)
            )
            problems = check(step.expected, answer)
            if problems:
                raise W3CFailure(
                    f"{test.name}, request {number} ({step.method} {target}): "
                    + "; ".join(problems)
                    + f"\nbody: {answer.body[:500]!r}"
                    + "\nrequests: "
                    + " | ".join(self.log)
                )
            if step.expected.location_variable:
                variables[step.expected.location_variable] = answer.header("location")


def is_write(test: W3CTest, step: Step) -> bool:
    """Whether a request writes (and so gets the token): Graph Store PUT / POST / DELETE, and any
    protocol request that carries an update (even a wrong one, so that it fails for its own
    reason)."""
    if test.kind == "GraphStoreProtocolTest":
        return step.method in ("PUT", "POST", "DELETE")
    ctype = dict((k.lower(), v) for k, v in step.headers).get("content-type", "")
    if media(ctype)[0] == "application/sparql-update":
        return True
    if "update" in parse_qs(urlparse(step.path).query):
        return True
    if step.body is not None and media(ctype)[0] in ("", "application/x-www-form-urlencoded"):
        return "update" in parse_qs(step.body.decode("utf-8", "replace"))
    return False


def check(expected: Expected, answer: Answer) -> list[str]:
    """What differs between an answer and the manifest's expectations."""
    problems = []
    code = str(answer.status)
    if not any(code == s or (s.endswith("xx") and code[0] == s[0]) for s in expected.statuses):
        problems.append(f"status {code}, expected {' or '.join(expected.statuses)}")
    if answer.authorized and answer.status in (401, 403):
        problems.append(f"status {code}: the server refused the runner's credentials")
    if problems:
        return problems
    if expected.format is not None or expected.boolean is not None:
        problems += _check_format(expected, answer)
    for name, value in expected.headers:
        got = answer.header(name)
        same = media(got) == media(value) if name.lower() == "content-type" else got == value
        if not same:
            problems.append(f"header {name}: {got!r}, expected {value!r}")
    if expected.body is not None:
        ctype = dict((k.lower(), v) for k, v in expected.headers).get("content-type", "text/turtle")
        want = parse_rdf(expected.body, media(ctype)[0])
        if answer.media_type not in RDF_TYPES:
            problems.append(f"body of type {answer.media_type!r} is not RDF")
        else:
            got = parse_rdf(answer.body, answer.media_type)
            if not isomorphic(got, want):
                problems.append(
                    f"the graph differs from the expected one:\n{got.serialize(format='nt')}"
                )
    if expected.location_variable and not answer.header("location"):
        problems.append("no Location header")
    return problems


def _check_format(expected: Expected, answer: Answer) -> list[str]:
    kind = expected.format or "boolean"
    if kind == "RDF":
        if answer.media_type not in RDF_TYPES:
            return [f"{answer.media_type!r} is not an RDF format"]
        parse_rdf(answer.body, answer.media_type)
        return []
    allowed = BOOLEAN_TYPES if kind == "boolean" else TABULAR_TYPES
    if answer.media_type not in allowed:
        return [f"{answer.media_type!r} is not a {kind} result format"]
    value = read_results(answer.media_type, answer.body)
    if kind == "boolean" and not isinstance(value, bool):
        return ["the result is not a boolean"]
    if kind == "tabular" and not isinstance(value, list):
        return ["the result is not a table"]
    if expected.boolean is not None and value is not expected.boolean:
        return [f"boolean {value}, expected {expected.boolean}"]
    return []


def read_results(media_type: str, body: bytes) -> bool | list[dict[str, str]]:
    """A SPARQL result as a boolean or a list of rows (values as strings)."""
    if media_type == "application/sparql-results+json":
        data = json.loads(body)
        if "boolean" in data:
            return bool(data["boolean"])
        return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
    if media_type == "application/sparql-results+xml":
        root = ET.fromstring(body)
        boolean = root.find(f"{SRX}boolean")
        if boolean is not None:
            return (boolean.text or "").strip() == "true"
        return [
            {b.get("name", ""): "".join(b.itertext()).strip() for b in r.findall(f"{SRX}binding")}
            for r in root.iter(f"{SRX}result")
        ]
    delimiter = "," if media_type == "text/csv" else "\t"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8")), delimiter=delimiter))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


# -- the Service Description tests -----------------------------------------------------------------


def _description(runner: Runner, accept: str | None) -> rdflib.Graph:
    headers = (("Accept", accept),) if accept else ()
    answer = runner.send("GET", ENDPOINT, headers)
    if answer.status != 200:
        raise W3CFailure(f"GET {ENDPOINT} (Accept {accept!r}) answered {answer.status}")
    if answer.media_type not in RDF_TYPES:
        raise W3CFailure(
            f"GET {ENDPOINT} (Accept {accept!r}) answered {answer.media_type!r}, not RDF"
        )
    graph = parse_rdf(answer.body, answer.media_type)
    if not len(graph):
        raise W3CFailure(f"GET {ENDPOINT} (Accept {accept!r}) answered an empty graph")
    return graph


def _returns_rdf(runner: Runner) -> None:
    graphs = [
        _description(runner, accept)
        for accept in (None, "text/turtle", "application/rdf+xml", "application/ld+json")
    ]
    if not all(isomorphic(graphs[0], g) for g in graphs[1:]):
        raise W3CFailure("the service description differs between formats")


def _has_endpoint_triple(runner: Runner) -> None:
    graph = _description(runner, "text/turtle")
    endpoint = URIRef(runner.base_url + ENDPOINT)
    services = set(graph.subjects(SD.endpoint, endpoint))
    if not services:
        raise W3CFailure(f"no sd:endpoint <{endpoint}> in the service description")
    if not all((s, RDF.type, SD.Service) in graph for s in services):
        raise W3CFailure("the subject of sd:endpoint is not an sd:Service")


def _conforms_to_schema(runner: Runner) -> None:
    graph = _description(runner, "text/turtle")
    problems = []
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and t in SD}
    problems += [f"{t} is not a term of the vocabulary" for t in sorted(used - SD_TERMS)]
    for prop, (domain, range_) in SD_SCHEMA.items():
        for s, o in graph.subject_objects(prop):
            if domain is not None and (s, RDF.type, domain) not in graph:
                problems.append(f"subject of sd:{prop.fragment} is not a {domain}")
            if range_ is not None and (o, RDF.type, range_) not in graph:
                problems.append(f"object of sd:{prop.fragment} is not a {range_}")
            if range_ is None and not isinstance(o, URIRef):
                problems.append(f"object of sd:{prop.fragment} is not an IRI: {o!r}")
    languages = set(graph.objects(None, SD.supportedLanguage))
    if not languages or not languages <= SD_LANGUAGES:
        problems.append(f"sd:supportedLanguage {sorted(languages)}")
    problems += [
        f"unknown sd:feature {f}" for f in graph.objects(None, SD.feature) if f not in SD_FEATURES
    ]
    for named in graph.subjects(RDF.type, SD.NamedGraph):
        if len(list(graph.objects(named, SD.name))) != 1:
            problems.append("an sd:NamedGraph without exactly one sd:name")
    if not list(graph.subjects(RDF.type, SD.Service)):
        problems.append("no sd:Service")
    if any(
        isinstance(s, BNode) and not list(graph.predicate_objects(s))
        for s in graph.objects(None, SD.defaultDataset)
    ):
        problems.append("an empty sd:defaultDataset")
    if problems:
        raise W3CFailure("; ".join(problems))


SERVICE_DESCRIPTION_CHECKS = {
    "returns-rdf": _returns_rdf,
    "has-endpoint-triple": _has_endpoint_triple,
    "conforms-to-schema": _conforms_to_schema,
}
