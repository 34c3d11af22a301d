"""A remote SPARQL engine (Virtuoso, QLever, GraphDB, Neptune, ...) used through the standard
protocols: SPARQL 1.1 Query (SPARQLWrapper), SPARQL 1.1 Update and the Graph Store Protocol (HTTP
Basic or Digest authentication for writes).  ``RemoteStore`` offers the part of
``pyoxigraph.Store`` that rarekg uses, so the build, validation, description and service run
unchanged on either backend."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
import requests.auth
from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
    serialize,
)
from SPARQLWrapper import SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import BadRequest, BuildError, QueryTimeout, RarekgError, StoreUnavailable
from kg.store.query import strip_literals
from kg.store.sparql_tokens import has_clause
from kg.vocab import QUERY_PREFIXES

# What the Graph Store Protocol answers for the default graph of a remote engine (read or write).
DEFAULT_GRAPH_MESSAGE = (
    "the default graph of a remote store is the union of its graphs: read or "
    "write a named graph (?graph=...)"
)

_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
CHUNK_TRIPLES = 20000


def with_known_prefixes(query: str) -> str:
    """``query`` with a ``PREFIX`` line for each known prefix it uses without declaring it (the
    engine does not predeclare them as the embedded store does).

    >>> with_known_prefixes("SELECT * WHERE { ?d a rk:RareDisease }").splitlines()[0]
    'PREFIX rk: <https://w3id.org/rarekg/vocab#>'
    >>> with_known_prefixes("PREFIX rk: <x:> ASK { ?d a rk:A }").startswith("PREFIX rk: <x:>")
    True
    """
    text = strip_literals(query)
    declared = {m.lower() for m in re.findall(r"PREFIX\s+([\w.-]*)\s*:", text, re.IGNORECASE)}
    used = set(re.findall(r"(?<![\w<?$@-])([A-Za-z][\w.-]*):", re.sub(r"<[^<>\s]*>", " ", text)))
    lines = [f"PREFIX {p}: <{QUERY_PREFIXES[p]}>" for p in sorted(used)
             if p in QUERY_PREFIXES and p.lower() not in declared]
    if not lines:
        return query
    # after a leading BASE: an engine may take BASE only first in the prologue (Virtuoso does)
    head = re.match(r"(?:\s|#[^\n]*\n|BASE\s*<[^<>\s]*>)*", query, re.IGNORECASE)
    at = head.end() if head else 0
    return query[:at] + ("\n" if at else "") + "\n".join(lines) + "\n" + query[at:]


def query_form(query: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the form of a query (its first keyword
    after the prologue)."""
    match = _FORM.search(strip_literals(query))
    return match.group(1).upper() if match else "SELECT"


@dataclass
class RemoteStore:
    query_url: str
    update_url: str | None = None
    store_url: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float | None = None
    chunk_triples: int = CHUNK_TRIPLES
    auth: str = "digest"
    log: Callable[[str], None] = field(default=lambda _m: None, repr=False)
    _http: requests.Session | None = field(default=None, repr=False, compare=False)

    # ----------------------------------------------------------------- queries
    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = False,
        default_graph: Sequence[NamedNode] | NamedNode | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        base_iri: str | None = None,
        **_ignored: Any,
    ) -> QuerySolutions | QueryBoolean | list[Triple]:
        """Run ``query`` on the engine; the answer is parsed into pyoxigraph terms.

        The engine's default graph is taken as the union of its graphs (as Virtuoso does) unless
        ``default_graph`` names graphs.  Raises ``SyntaxError`` (checked locally first, with the
        same messages as the embedded store) and ``StoreUnavailable``."""
        # Parse here: the same errors (and known prefixes) on every backend.
        Store().query(query, base_iri=base_iri, prefixes=QUERY_PREFIXES)
        if base_iri and not has_clause(query, "base"):
            query = f"BASE <{base_iri}>\n{query}"
        query = with_known_prefixes(query)
        client = SPARQLWrapper(self.query_url)
        client.setQuery(query)
        client.setMethod("POST")
        graphs = [default_graph] if isinstance(default_graph, NamedNode) else (default_graph or [])
        for graph in graphs:
            client.addParameter("default-graph-uri", graph.value)
        for graph in named_graphs or []:
            client.addParameter("named-graph-uri", graph.value)
        if self.timeout:
            client.setTimeout(int(max(self.timeout, 1)))
        form = query_form(query)
        if form in ("CONSTRUCT", "DESCRIBE"):
            client.setReturnFormat("turtle")
            body = self._read(client)
            return [
                Triple(q.subject, q.predicate, q.object)
                for q in parse(body, format=RdfFormat.TURTLE)
            ]
        client.setReturnFormat("xml")
        body = self._read(client)
        return parse_query_results(body, format=QueryResultsFormat.XML)

    def _read(self, client: SPARQLWrapper) -> bytes:
        try:
            response = client.query().response
            data: bytes = response.read()
            return data
        except SPARQLWrapperException as exc:
            raise StoreUnavailable(f"the SPARQL engine refused the query: {exc}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError):
                raise QueryTimeout(
                    f"the query ran longer than the limit of {self.timeout:g} s and was stopped "
                    "(setting query_timeout)"
                ) from None
            raise StoreUnavailable(
                f"the SPARQL engine at {self.query_url} did not answer: {exc}"
            ) from None

    def quads_for_pattern(
        self, subject: Any, predicate: Any, obj: Any, graph: NamedNode | DefaultGraph | None = None
    ) -> list[Quad]:
        if isinstance(graph, DefaultGraph):
            raise BadRequest(DEFAULT_GRAPH_MESSAGE)
        if subject is not None or predicate is not None or obj is not None or graph is None:
            raise RarekgError("only whole named graphs can be read from a remote store")
        triples = self.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
        )
        assert isinstance(triples, list)
        return [Quad(t.subject, t.predicate, t.object, graph) for t in triples]

    # ------------------------------------------------------------------ writes
    def _session(self) -> requests.Session:
        """An HTTP session authenticated for writes.  Digest authentication is primed with a small
        request first, so large bodies are sent with credentials at once (an engine that answers a
        large unauthenticated body with 401 may close the connection while it is being sent)."""
        if self._http is None:
            session = requests.Session()
            if self.user is not None:
                if self.auth == "basic":
                    session.auth = requests.auth.HTTPBasicAuth(self.user, self.password or "")
                else:
                    session.auth = requests.auth.HTTPDigestAuth(self.user, self.password or "")
                    probe = self.update_url or self.store_url
                    if probe:
                        try:
                            session.get(probe, timeout=30)
                        except requests.RequestException as exc:
                            raise BuildError(f"{probe} did not answer: {exc}") from None
            self._http = session
        return self._http

    def _send(
        self, method: str, url: str, body: bytes | None, content_type: str | None, what: str
    ) -> int:
        headers = {"Content-Type": content_type} if content_type else {}
        try:
            response = self._session().request(
                method, url, data=body, headers=headers, timeout=self.timeout or 300
            )
        except requests.RequestException as exc:
            raise BuildError(f"{what}: {url.split('?')[0]} did not answer: {exc}") from None
        if response.status_code >= 400:
            detail = response.text[:300]
            raise BuildError(
                f"{what}: HTTP {response.status_code} from {url.split('?')[0]}: {detail}"
            )
        return response.status_code

    def update(self, update: str, **_ignored: Any) -> None:
        """Send a SPARQL Update to the update endpoint (authenticated)."""
        if not self.update_url:
            raise RarekgError("no update endpoint is configured (setting remote_update)")
        body = urllib.parse.urlencode({"update": update}).encode("utf-8")
        self._send("POST", self.update_url, body, "application/x-www-form-urlencoded", "update")

    def _graph_url(self, graph: NamedNode) -> str:
        if not self.store_url:
            raise RarekgError("no Graph Store endpoint is configured (setting remote_store)")
        sep = "&" if "?" in self.store_url else "?"
        # Virtuoso names the parameter graph-uri; the standard name is graph.
        name = "graph-uri" if "graph-crud" in self.store_url else "graph"
        return f"{self.store_url}{sep}{name}={urllib.parse.quote(graph.value, safe='')}"

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple], *, label: str = "") -> int:
        """Replace ``graph`` with ``triples``, sent in chunks: the first chunk with PUT (so a rerun
        replaces instead of duplicating), the rest with POST.  Returns the number of triples sent;
        a failure names the graph and the chunk."""
        sent = 0
        chunk: list[Triple] = []
        number = 0

        def flush(final: bool) -> None:
            nonlocal sent, number, chunk
            if not chunk and not (final and number == 0):
                return
            number += 1
            body = serialize(chunk, format=RdfFormat.N_TRIPLES) or b""
            method = "PUT" if number == 1 else "POST"
            started = time.perf_counter()
            self._send(
                method,
                self._graph_url(graph),
                body,
                "application/n-triples",
                f"graph <{graph.value}>, chunk {number}",
            )
            sent += len(chunk)
            self.log(
                f"  {label or graph.value}: chunk {number} ({len(chunk)} triples, "
                f"{time.perf_counter() - started:.2f} s)"
            )
            chunk = []

        for triple in triples:
            chunk.append(triple)
            if len(chunk) >= self.chunk_triples:
                flush(False)
        flush(True)
        return sent

    def add_to_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> int:
        """Add ``triples`` to ``graph`` (POST chunks)."""
        batch = list(triples)
        for start in range(0, len(batch), self.chunk_triples):
            chunk = batch[start : start + self.chunk_triples]
            body = serialize(chunk, format=RdfFormat.N_TRIPLES) or b""
            self._send(
                "POST",
                self._graph_url(graph),
                body,
                "application/n-triples",
                f"graph <{graph.value}>, chunk {start // self.chunk_triples + 1}",
            )
        return len(batch)

    def has_graph(self, graph: NamedNode) -> bool:
        return bool(self.query(f"ASK {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"))

    def contains_named_graph(self, graph: NamedNode) -> bool:
        """As ``pyoxigraph.Store.contains_named_graph`` (a remote engine knows no empty graphs)."""
        return self.has_graph(graph)

    def drop_graph(self, graph: NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH <{graph.value}>")

    def named_graphs(self) -> list[NamedNode]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return [row["g"] for row in rows]  # type: ignore[union-attr]

    # pyoxigraph.Store compatibility for code that writes through bulk_extend
    def bulk_extend(self, quads: Iterable[Quad]) -> None:
        by_graph: dict[str, list[Triple]] = {}
        for quad in quads:
            if isinstance(quad.graph_name, DefaultGraph):
                raise RarekgError("remote builds write named graphs only")
            by_graph.setdefault(quad.graph_name.value, []).append(
                Triple(quad.subject, quad.predicate, quad.object)
            )
        for graph, triples in by_graph.items():
            self.replace_graph(NamedNode(graph), triples)
