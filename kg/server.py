"""Running the service under gunicorn, a production multi-worker WSGI server, with gevent workers.

Why gevent (docs/security.md): gunicorn's threaded worker hands a connection to a thread before its
request has arrived, so ten clients that trickle their headers hold every thread and nobody else is
answered.  A gevent worker reads each connection in a greenlet of its own (up to
``worker_connections``), so slow clients cost a little memory, not the service; the app's waits for
its executor processes go through ``select`` (``kg/store/child.py``), which gevent makes
cooperative.  gunicorn's own error answers (414, 431, 400 for a broken request) are written in the
service's JSON error shape by ``RarekgWorker``.

Lifecycle: Ctrl+C (SIGINT) and SIGTERM, sent to the master or to the whole process group, stop the
master, its workers and their helper processes (query executors, writer) within gunicorn's graceful
timeout (10 s), with exit status 0 and no traceback: helpers ignore SIGINT (their worker stops
them), and each worker stops its helpers itself when it exits.  No gunicorn control socket is
opened (several servers on one machine would share one path in the home directory); the access log
goes where the ``access_log`` setting says (off by default).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import ParseException
from gunicorn.workers.ggevent import GeventWorker
from pyoxigraph import Quad

from kg.paths import DATA_DIR


def _write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error answers, in the service's JSON error shape."""
    body = json.dumps({"error": {"type": reason.lower().replace(" ", "-"), "status": status_int,
                                 "message": mesg}}).encode("utf-8")
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


class RarekgWorker(GeventWorker):  # type: ignore[misc]
    """gunicorn's gevent worker, answering its own errors (414, 431, 400) as JSON, and quitting
    once however many quit signals it gets."""

    quitting = False

    def init_process(self) -> None:
        util.write_error = _write_json_error
        super().init_process()

    def handle_quit(self, sig: int, frame: Any) -> None:
        """Ctrl+C reaches a worker twice: SIGINT to the whole process group, then SIGQUIT from
        the master that stops it.  gunicorn's gevent worker answers each by spawning a greenlet
        that raises ``SystemExit``; when the second arrives while the interpreter is already
        shutting down after the first, that ``SystemExit`` is printed as a traceback.  The first
        signal starts the exit; later ones change nothing."""
        if self.quitting:
            return
        self.quitting = True
        super().handle_quit(sig, frame)


class RarekgServer(BaseApplication):  # type: ignore[misc]
    """Each worker process builds its own app, so each has its own read-only store handle."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        self.cfg.set("bind", f"{s['host']}:{s['port']}")
        self.cfg.set("workers", s["workers"])
        self.cfg.set("threads", s["threads"])
        self.cfg.set("worker_class", "kg.server.RarekgWorker")
        self.cfg.set("worker_connections", 1000)
        self.cfg.set("preload_app", False)
        self.cfg.set("timeout", 120)
        self.cfg.set("graceful_timeout", 10)
        # the longest request line gunicorn reads: shareable /?query= links of about 8 KB
        self.cfg.set("limit_request_line", 8190)
        self.cfg.set("accesslog", s.get("access_log") or None)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25
            self.cfg.set("control_socket_disable", True)

        self.cfg.set("on_starting", _on_starting)
        self.cfg.set("child_exit", _child_exit)
        self.cfg.set("worker_exit", _worker_exit)

    def load(self) -> Any:
        return create_app(self.settings)


def organization_record_quads(record: Mapping[str, Any]) -> list[Quad]:
    """The quads of one organization record in the curation format of ``data/organizations/`` (a
    submission), read by the loader that reads the files there, with the seed organizations of
    ``data/seeds/organizations.csv`` as the targets of ``same_as``.  Raises ``LoadError``."""
    from kg.contrib.contribution import toml_text
    from loaders import organizations

    with tempfile.TemporaryDirectory(prefix="rarekg-record-") as tmp:
        folder = Path(tmp)
        (folder / f"{record['id']}.toml").write_text(toml_text(record), encoding="utf-8")
        return list(organizations.load(folder, DATA_DIR / "seeds" / "organizations.csv"))


def approved_submission_sources(settings: Mapping[str, Any]) -> list[Any]:
    """Every approved submission of the ``submissions_dir`` folder as a source of the build, each
    into its own graph with the same quads and provenance its approval wrote, so that a rebuild
    keeps them (and validates them with the rest)."""
    from kg.build.pipeline import Source
    from kg.contrib import approval, contribution
    from kg.contrib.submissions import SubmissionStore, folder_of
    from kg.describe import SourceInfo

    folder = folder_of(settings)
    if not (folder / "submissions.sqlite").exists():
        return []
    sources = []
    for sub in SubmissionStore(folder).list("approved", limit=1_000_000):
        review = contribution.Review(sub.reviewer or "", sub.reviewed_at or sub.submitted_at)
        name = approval.graph_name(sub.id)
        title = approval.void_title(sub.id, sub.record, review)

        def load(sub: Any = sub, review: contribution.Review = review) -> list[Quad]:
            record = contribution.complete(sub.record, sub.id, sub.submitted_at, sub.language,
                                           sub.url, review)
            return approval.record_quads(organization_record_quads, record, sub.id,
                                             sub.submitted_at, sub.language, review)

        sources.append(Source(SourceInfo(name, title, (name,), review.at[:10]), load))
    return sources


def create_app(settings: Mapping[str, Any] | None = None) -> Any:
    """The service's app with what only the composition root can give it: the loader that turns a
    submitted organization record into quads (submissions are checked and approved with it)."""
    from service.app import create_app as service_app
    from service.contribute import RECORD_LOADER

    app = service_app(settings)
    app.extensions[RECORD_LOADER] = organization_record_quads

    @app.errorhandler(ParseException)
    def broken_body(exc: ParseException) -> Any:
        """A body gunicorn cannot read (a malformed chunk size): 400 in the JSON shape."""
        from kg.errors import BadRequest
        from service.failures import json_error

        return json_error(BadRequest(f"the request body cannot be read: {exc}"))
    return app


def _on_starting(_server: Any) -> None:
    """Metrics of all workers are added up through files in one folder (prometheus_client)."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="rarekg-metrics-")


def _child_exit(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def _worker_exit(_server: Any, worker: Any) -> None:
    """In a worker that is exiting: stop its query executors, writer and checker before the
    interpreter shuts down, so that none outlives it or is killed mid-shutdown.  (gunicorn also
    calls this hook in the master for a worker that is already gone: nothing to do there.)"""
    if worker.pid != os.getpid():
        return
    app = getattr(worker, "wsgi", None)
    extensions = getattr(app, "extensions", {})
    for name in ("rarekg_pool", "rarekg_writer", "rarekg_checker"):
        helper = extensions.get(name)
        if helper is not None:
            helper.close()


def serve(settings: dict[str, Any]) -> None:
    RarekgServer(settings).run()
