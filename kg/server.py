"""Running the service under gunicorn, a production multi-worker WSGI server."""

from __future__ import annotations

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

    def load(self) -> Any:
        from service import create_app

        return create_app(self.settings)


def serve(settings: dict[str, Any]) -> None:
    RarekgServer(settings).run()
