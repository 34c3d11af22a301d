"""Downloads: ``/download`` lists them; ``/download/rarekg.nq.gz`` is the whole dataset of the build
being served (N-Quads, gzip, written by the build); ``/download/graph/<name>.nt.gz`` one named
graph (N-Triples, gzip, streamed from the store). A client asking the Graph Store for the dataset
itself (``GET /rdf-graph-store`` with ``Accept: application/n-quads`` or ``application/trig``) gets
it streamed the same way. Every download is announced in the VoID description as ``void:dataDump``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, send_file
from flask_babel import gettext
from pyoxigraph import NamedNode, RdfFormat, Store

from kg.errors import NotFound
from kg.store import dumps
from kg.store import embedded as stores
from kg.store.query import negotiate
from kg.vocab import GRAPH_BASE
from service import terms, web
from service.queries import select
from service.state import store_handle

bp = Blueprint("download", __name__)

DATASET_TYPES = {"application/n-quads": RdfFormat.N_QUADS, "application/trig": RdfFormat.TRIG}


def dump_links(base: str) -> list[tuple[str, str]]:
    """``(graph IRI or "", download URL)`` of every download, for the VoID description."""
    rows = select("SELECT DISTINCT ?g WHERE { GRAPH <https://w3id.org/rarekg/graph/void> "
                  "{ ?d <http://rdfs.org/ns/void#subset> ?g } } ORDER BY ?g")
    out = [("", base + "download/" + dumps.DATASET_DUMP)]
    for row in rows:
        iri = row["g"]["value"]
        if iri.startswith(GRAPH_BASE):
            out.append((iri, f"{base}download/graph/{iri[len(GRAPH_BASE):]}.nt.gz"))
    return out


def _dump_file() -> Path | None:
    settings = current_app.config["RAREKG"]
    if settings.get("remote_query"):
        return None
    return dumps.dataset_dump(stores.data_dir(Path(settings["store"])))


def dataset_response(media: str) -> Response:
    """The whole dataset as ``media`` (N-Quads or TriG), gzip-compressed on the wire."""
    store, _version = store_handle(current_app).get()
    fmt = DATASET_TYPES[media]

    def chunks() -> Iterator[bytes]:
        if isinstance(store, Store):
            yield from dumps.stream(store, None, fmt)
        else:  # a remote engine: graph by graph
            for graph in store.named_graphs():
                yield from dumps.stream(store, graph, fmt)  # type: ignore[arg-type]

    response = Response(chunks(), content_type=media + "; charset=utf-8")
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept, Accept-Encoding"
    return response


def wants_dataset() -> str | None:
    """The dataset media type the request's ``Accept`` asks for, if it asks for one."""
    accept = request.headers.get("Accept", "")
    if not any(t in accept for t in DATASET_TYPES):
        return None
    return negotiate(accept, list(DATASET_TYPES), "application/n-quads")


@bp.route("/download")
def page() -> str:
    dump = _dump_file()
    graphs = [{"name": iri[len(GRAPH_BASE):], "href": href, "page": terms.page_link(iri)}
              for iri, href in dump_links("/")[1:]]
    return render_template("download.html", title=gettext("Download the data"),
                           dump={"href": "/download/" + dumps.DATASET_DUMP,
                                 "bytes": dump.stat().st_size} if dump else None,
                           graphs=graphs)


@bp.route("/download/" + dumps.DATASET_DUMP)
def dataset() -> Response:
    path = _dump_file()
    if path is None:
        if web.wants_html():
            raise NotFound(gettext("this build has no dump file; GET /rdf-graph-store with "
                                   "Accept: application/n-quads streams the dataset"))
        return dataset_response("application/n-quads")
    return send_file(path, mimetype="application/gzip", as_attachment=True,
                     download_name=dumps.DATASET_DUMP, conditional=True, max_age=3600)


@bp.route("/download/graph/<name>.nt.gz")
def graph(name: str) -> Response:
    iri = terms.check_iri(GRAPH_BASE + name)
    store, _version = store_handle(current_app).get()
    if not select(f"SELECT ?s WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 1"):
        raise NotFound(f"no graph {name} in this build")
    chunks = dumps.stream(store, NamedNode(iri), RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
    response = Response(chunks, content_type="application/gzip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.nt.gz"'
    return response
