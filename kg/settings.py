"""Settings of rarekg, declared once as data and read in layers: defaults, then the environment
(``RAREKG_<NAME>``), then the mapping given to ``create_app``, then command-line flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from platformdirs import user_data_path

from kg.paths import IN_CHECKOUT, ROOT

# A checkout keeps its store in var/store beside the code (`make serve`); an installed rarekg keeps
# it in the user's data directory (~/.local/share/rarekg/store on Linux), whatever the working
# directory.
DEFAULT_STORE = str(ROOT / "var" / "store") if IN_CHECKOUT else str(
    user_data_path("rarekg", appauthor=False) / "store"
)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    type: type = str

    @property
    def env(self) -> str:
        return "RAREKG_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("store", DEFAULT_STORE,
            "Store directory (built on first `serve` if it does not exist)"),
    Setting("host", "127.0.0.1", "Address the service listens on"),
    Setting("port", 8000, "Port the service listens on", int),
    Setting("workers", 2, "Number of worker processes of the WSGI server", int),
    Setting("threads", 4, "Threads per worker (readers are served in parallel)", int),
    Setting("query_timeout", 30.0, "Seconds a query may run before it is stopped", float),
    Setting("max_rows", 100000, "Most result rows (or triples) a query may return", int),
    Setting(
        "cache_bytes",
        64 * 1024 * 1024,
        "Bytes of query answers kept in the shared result cache beside the store (0: no cache)",
        int,
    ),
    Setting(
        "answer_memory_bytes",
        16 * 1024 * 1024,
        "Bytes of finished answers to repeated queries kept in each worker's memory, sent before "
        "the app runs (0: none; service/answers.py)",
        int,
    ),
    Setting(
        "lookup_rows",
        1000,
        "Point lookups (one triple pattern, nothing else) of up to this many rows are answered in "
        "the worker, not by an executor (0: every query goes to an executor; kg/store/lookup.py)",
        int,
    ),
    Setting(
        "executors", 2, "Query executor processes per worker (each runs one query at a time)", int
    ),
    Setting(
        "access_log",
        "",
        "Where the server writes its access log: a file, `-` for standard output, empty for none",
    ),
    Setting(
        "update_token",
        None,
        "Bearer token that enables SPARQL Update and Graph Store writes (unset: read-only)",
    ),
    Setting(
        "service_allowlist",
        "",
        "Space-separated endpoint IRIs that SERVICE may call (empty: SERVICE is refused)",
    ),
    Setting(
        "load_allowlist",
        "",
        "Space-separated URL prefixes that LOAD may read (empty: LOAD is refused)",
    ),
    Setting(
        "remote_query",
        None,
        "SPARQL 1.1 Query endpoint of a remote engine; set, it replaces the embedded store",
    ),
    Setting("remote_update", None, "SPARQL 1.1 Update endpoint of the remote engine"),
    Setting("remote_store", None, "Graph Store Protocol endpoint of the remote engine"),
    Setting("remote_user", None, "User for writes to the remote engine (HTTP Basic or Digest)"),
    Setting("remote_password", None, "Password for writes to the remote engine"),
    Setting(
        "remote_auth",
        "digest",
        "HTTP authentication of writes to the remote engine: digest (Virtuoso) or basic",
    ),
    Setting(
        "base_iri",
        "https://w3id.org/rarekg/",
        "Base of the IRIs the graph mints; the service answers for them at the same paths "
        "(`/id/...`, `/vocab`, `/graph/...`)",
    ),
    Setting(
        "shared_dir",
        str(ROOT.parent / "shared"),
        "Folder of the reference files and W3C test suites (tests and `derive-tables` only); "
        "defaults to `shared/` beside the checkout",
    ),
    Setting(
        "fetch_dir",
        "var/fetch",
        "Folder `rarekg fetch` and `rarekg build --fetch` download upstream files into "
        "(one folder per source, each file with its provenance record)",
    ),
    Setting(
        "ctgov_api",
        "https://clinicaltrials.gov/api/v2",
        "Base URL of the ClinicalTrials.gov API v2 that `fetch` reads (a mirror or a test double)",
    ),
    Setting(
        "orphadata_api",
        "https://api.orphadata.com",
        "Base URL of the Orphadata API that `fetch` reads (a mirror or a test double)",
    ),
    Setting(
        "ema_api",
        "https://www.ema.europa.eu",
        "Base URL of the EMA website whose orphan designations JSON `fetch` reads",
    ),
    Setting(
        "submissions_dir",
        None,
        "Folder of the submissions database (never part of the graph); defaults to `submissions` "
        "beside the store directory",
    ),
    Setting(
        "submission_rate_limit",
        20,
        "Most submissions one client (IP address) may send per hour (answer `429`); 0: no limit",
        int,
    ),
    Setting(
        "submission_max_bytes",
        65536,
        "Largest submission body accepted, in bytes (answer `413`)",
        int,
    ),
    Setting(
        "public_base_url",
        None,
        "The service's public URL (scheme, host, optional path), for `Location` headers, published "
        "sources and base IRIs; never taken from the request's `Host` (unset: "
        "`http://<host>:<port>`)",
    ),
    Setting("max_query_bytes", 262144,
            "Largest query or update accepted, in bytes (answer `413` before the body is read)",
            int),
    Setting("max_graph_bytes", 16777216,
            "Largest Graph Store body accepted, in bytes (answer `413` before it is read)", int),
    Setting("max_result_bytes", 67108864,
            "Largest serialized query result, in bytes (answer `413`)", int),
    Setting("max_query_depth", 100,
            "Deepest nesting of brackets in a query or update (answer `400` before parsing)", int),
    Setting("max_query_operators", 2000,
            "Most operators and keywords such as UNION, OPTIONAL, FILTER, `||` in one query "
            "(answer `400` before parsing)", int),
    Setting("client_max_queries", 4,
            "Queries one client address may run at once (answer `429` with `Retry-After`); "
            "0: no limit", int),
    Setting("child_memory_mb", 2048,
            "Address-space cap of each query executor and writer process, in MiB; 0: none", int),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _convert(setting: Setting, value: Any) -> Any:
    if value is None:
        return None
    if setting.type is int:
        return int(value)
    if setting.type is float:
        return float(value)
    return str(value)


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Every setting's value after the layers; unknown names in ``overrides`` raise ``KeyError``."""
    env = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    for s in SETTINGS:
        if s.env in env:
            values[s.name] = _convert(s, env[s.env])
    for name, value in (overrides or {}).items():
        if name not in _BY_NAME:
            raise KeyError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = _convert(_BY_NAME[name], value)
    return values
