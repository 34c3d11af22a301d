"""The Prometheus registry of this service's metrics (a leaf module: the request path and the
result cache both count into it, ``/metrics`` serves it)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

REGISTRY = CollectorRegistry(auto_describe=True)
