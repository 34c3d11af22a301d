"""Running the service under gunicorn, a production multi-worker WSGI server."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from gunicorn.app.base import BaseApplication


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
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("preload_app", False)
        self.cfg.set("timeout", 120)
        self.cfg.set("graceful_timeout", 10)
        self.cfg.set("accesslog", "-")

        self.cfg.set("on_starting", _on_starting)
        self.cfg.set("child_exit", _child_exit)

    def load(self) -> Any:
        from service import create_app

        return create_app(self.settings)


def _on_starting(_server: Any) -> None:
    """Metrics of all workers are added up through files in one folder (prometheus_client)."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="rarekg-metrics-")


def _child_exit(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def serve(settings: dict[str, Any]) -> None:
    RarekgServer(settings).run()
