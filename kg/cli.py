"""The ``rarekg`` command: the one place that wires loaders, store and service together.

The engine, the build and the loaders are imported when a command runs, not when the command
starts: ``--help`` and ``--version`` answer at once, and a Ctrl+C during those imports is an
interruption like any other (one line, no traceback)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg import console
from kg.console import CommandError, HelpFormatter, Parser
from kg.errors import StoreUnavailable
from kg.paths import DATA_DIR, IN_CHECKOUT
from kg.progress import Progress
from kg.settings import SETTINGS, load_settings

if TYPE_CHECKING:
    from kg.build.pipeline import BuildReport, Source
    from kg.store.backend import Backend


def _print_report(report: BuildReport) -> None:
    print(f"built {report.total} triples in {report.seconds:.1f} s into {report.build_dir}")
    for graph, n in sorted(report.triples.items()):
        print(f"  {n:>8}  {graph}")
    for w in report.warnings:
        print(f"warning: {w}")


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def _build(store_dir: Path, sources: list[Source]) -> BuildReport:
    """A build with its phases shown: each source, links, validation, VoID, search index, dump,
    swap."""
    from kg.build.pipeline import build_graph

    linking = sum(1 for s in sources if s.after_loading is not None)
    # validation, description, search index, dump, union graph, optimize, swap
    with Progress(len(sources) + linking + 7) as progress:
        return build_graph(store_dir, sources, log=progress)


def _build_remote(args: argparse.Namespace, backend: Backend, settings: dict[str, Any]) -> None:
    """Build and validate locally in a temporary store, then publish it graph by graph."""
    import tempfile

    from kg.build.publish import publish
    from kg.store import embedded as stores

    with tempfile.TemporaryDirectory(prefix="rarekg-build-") as tmp:
        report = _build(Path(tmp) / "store", _build_sources(args) + _approved(settings))
        _print_report(report)
        local = stores.open_read_only(Path(tmp) / "store")
        remote = backend.remote()
        remote.log = _log
        published = publish(local, remote, log=_log)
        del local
    print(f"published {sum(published.triples.values())} triples in {published.seconds:.1f} s to "
          f"{backend.remote_query}")


def _build_sources(args: argparse.Namespace) -> list[Source]:
    """The default graph's sources and the user's own downloads (``--source NAME=PATH``)."""
    from kg.build.downloads import download_sources
    from kg.build.sources import default_sources

    data = Path(args.data)
    return default_sources(data) + download_sources(getattr(args, "source", None) or [], data)


def _fetch(args: argparse.Namespace, settings: dict[str, Any], source: str, out: Path) -> None:
    """Fetch ``source`` into ``out``; raises ``FetchError`` when files failed (the next run
    resumes)."""
    from kg.build.fetch import FetchError
    from kg.build.fetch_sources import fetch

    base = getattr(args, "base_url", None) or settings[f"{source}_api"]
    counts = fetch(source, out, data_dir=Path(args.data), base_url=base, rate=args.rate,
                   only=args.disease or (), log=_log)
    print(f"{source}: {counts.summary()} (into {out / source})")
    if counts.failed:
        shown = "\n".join(counts.failures[:20])
        raise FetchError(f"{counts.failed} file(s) failed; run again to resume:\n{shown}")


def cmd_fetch(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    _fetch(args, settings, args.source, Path(args.out or settings["fetch_dir"]))
    return 0


def cmd_build(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    if args.fetch:
        from kg.build.fetch_sources import SOURCES

        out = Path(settings["fetch_dir"])
        for source in SOURCES:
            _fetch(args, settings, source, out)
        args.source = [*(args.source or []), *(f"{s}={out / s}" for s in SOURCES)]
    from kg.store.backend import backend_from_settings

    backend = backend_from_settings(settings)
    if backend.is_remote:
        _build_remote(args, backend, settings)
        return 0
    store_dir = Path(settings["store"])
    sources = _build_sources(args) + _approved(settings)  # bad --source flags first
    console.check_store_to_write(store_dir)
    _print_report(_build(store_dir, sources))
    return 0


def _approved(settings: dict[str, Any]) -> list[Source]:
    """The approved submissions (setting ``submissions_dir``), each a graph of the build."""
    from kg.server import approved_submission_sources

    return approved_submission_sources(settings)


def _build_in_a_child(args: argparse.Namespace) -> None:
    """``rarekg build`` with the same settings, in a process of its own: gunicorn forks its workers
    from this process, and a process that has had a store open (with its engine's threads) must not
    be forked.  A failed build has said why; this process then exits with its status."""
    import os
    import subprocess

    env = dict(os.environ)
    for name, value in console.settings_overrides(args).items():
        env["RAREKG_" + name.upper()] = str(value)
    try:
        done = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--data", args.data],
                              env=env, check=False)
    except KeyboardInterrupt:
        raise SystemExit(0) from None  # the build has said it was interrupted
    if done.returncode != 0:
        raise SystemExit(done.returncode)


def cmd_serve(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    from kg.store import embedded as stores
    from kg.store.backend import backend_from_settings

    backend = backend_from_settings(settings)
    if backend.is_remote:
        _, version = backend.handle().get()
        if version == "remote-none":
            console.check_port(settings["host"], settings["port"])
            _log(f"{backend.remote_query} holds no rarekg graph: building the default graph first")
            _build_in_a_child(args)
        from kg.server import serve

        console.check_port(settings["host"], settings["port"])
        serve(settings)
        return 0
    store_dir = Path(settings["store"])
    console.check_store_to_serve(store_dir)
    console.check_port(settings["host"], settings["port"])
    if not store_dir.exists():
        print(f"{store_dir} does not exist: building the default graph first", file=sys.stderr)
        console.check_store_to_write(store_dir)
        _build_in_a_child(args)
    for partial in stores.remove_partial_builds(store_dir):
        print(f"removed the unfinished build {partial.name}", file=sys.stderr)
    if not stores.data_dir(store_dir).is_dir():
        raise StoreUnavailable(f"store directory {store_dir} cannot be served")
    if not any(stores.data_dir(store_dir).iterdir()):
        # An empty directory is an empty store: create its files in a separate process, since
        # gunicorn forks the workers from this one and a forked store handle cannot write.
        import multiprocessing

        init = multiprocessing.get_context("spawn").Process(target=stores.initialize,
                                                            args=(str(store_dir),))
        init.start()
        init.join()
    from kg.server import serve

    serve(settings)
    return 0


def cmd_query(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    from kg.store import embedded as stores
    from kg.store.query import run_query

    query = console.read_query(args.sparql, args.file)
    store_dir = Path(settings["store"])
    console.check_store_to_read(store_dir)
    result = run_query(stores.open_read_only(store_dir), query)
    if args.format in ("json", "csv", "tsv"):
        media = {"json": "application/sparql-results+json", "csv": "text/csv",
                 "tsv": "text/tab-separated-values"}[args.format]
        if result.kind == "graph":
            media = {"json": "application/ld+json"}.get(args.format, "application/n-triples")
        sys.stdout.write(result.serialize(media).decode("utf-8"))
        if args.format == "json":
            sys.stdout.write("\n")
        return 0
    if result.kind == "graph":
        sys.stdout.write(result.serialize("text/turtle").decode("utf-8"))
        return 0
    data = json.loads(result.serialize("application/sparql-results+json"))
    if "boolean" in data:
        print("yes" if data["boolean"] else "no")
        return 0
    variables = data["head"]["vars"]
    rows = [[b.get(v, {}).get("value", "") for v in variables] for b in data["results"]["bindings"]]
    print_table(variables, rows)
    return 0


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    import unicodedata

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True))

    print(line(header).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r).rstrip())
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def cmd_derive(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    from kg.build.derive import write_tables

    if args.data is None:
        raise CommandError("give --data DIR, the folder to write the tables into")
    ref = Path(settings["shared_dir"]) / "data"
    for path in write_tables(ref, Path(args.data)):
        print(path)
    return 0


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="rarekg", formatter_class=HelpFormatter,
               description="The rare-disease ecosystem graph: build it, serve it, query it.",
               epilog="Every option that is a setting can also be set in the environment "
                      "(RAREKG_<NAME>); see README.md, Settings.")
    p.add_argument("--version", action="version", version=f"rarekg {console.version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="command",
                           parser_class=Parser)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, formatter_class=HelpFormatter)

    def store_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--store", metavar="DIR", help="store directory (setting: store)")

    def remote_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--remote-query", dest="remote_query",
                        help="SPARQL Query endpoint of a remote engine (setting: remote_query)")
        sp.add_argument("--remote-update", dest="remote_update",
                        help="SPARQL Update endpoint of the remote engine (setting: remote_update)")
        sp.add_argument("--remote-store", dest="remote_store",
                        help="Graph Store Protocol endpoint of the remote engine "
                             "(setting: remote_store)")
        sp.add_argument("--remote-user", dest="remote_user",
                        help="user for writes to the remote engine (setting: remote_user)")
        sp.add_argument("--remote-password", dest="remote_password",
                        help="password for writes to the remote engine (setting: remote_password)")
        sp.add_argument("--remote-auth", dest="remote_auth", choices=("digest", "basic"),
                        help="HTTP authentication for remote writes (setting: remote_auth)")

    def fetch_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--rate", type=float, metavar="REQ_PER_S",
                        help="most requests per second (default: 1)")
        sp.add_argument("--disease", action="extend", nargs="+", metavar="ID",
                        help="fetch only these listed diseases (CN1:110 ...)")

    b = command("build", "build the default graph into a store and swap it in")
    store_arg(b)
    b.add_argument("--data", metavar="DIR", default=str(DATA_DIR),
                   help="folder of the curated source tables")
    b.add_argument("--source", action="append", metavar="NAME=PATH",
                   help="also load your own download PATH in format NAME (ctgov, orphadata, fda, "
                        "ema, nmpa, hospitals) as a named graph of its own; repeatable")
    b.add_argument("--fetch", action="store_true",
                   help="first fetch ClinicalTrials.gov, Orphadata and the EMA into the fetch_dir "
                        "setting (rarekg fetch), then build with them")
    fetch_args(b)
    remote_args(b)
    f = command("fetch", "download a source's files for the listed diseases, each with a "
                         "provenance record")
    f.add_argument("source", choices=("ctgov", "orphadata", "ema"),
                   help="ctgov: ClinicalTrials.gov API v2; orphadata: the Orphadata API; "
                        "ema: the EMA's orphan designations")
    f.add_argument("--out", metavar="DIR", help="folder to fetch into (setting: fetch_dir)")
    f.add_argument("--base-url", dest="base_url",
                   help="base URL of the API (settings: ctgov_api, orphadata_api, ema_api)")
    f.add_argument("--data", metavar="DIR", default=str(DATA_DIR),
                   help="folder of the curated source tables")
    fetch_args(f)
    s = command("serve", "serve a store (building the default graph if it is missing)")
    store_arg(s)
    s.add_argument("--data", metavar="DIR", default=str(DATA_DIR),
                   help="folder of the curated source tables (for the first build)")
    remote_args(s)
    s.add_argument("--host", help="listen address (setting: host)")
    s.add_argument("--port", type=int, help="port (setting: port)")
    s.add_argument("--workers", type=int, help="worker processes (setting: workers)")
    s.add_argument("--threads", type=int, help="threads per worker (setting: threads)")
    s.add_argument("--query-timeout", type=float, dest="query_timeout",
                   help="seconds a query may run (setting: query_timeout)")
    s.add_argument("--max-rows", type=int, dest="max_rows",
                   help="most result rows a query may return (setting: max_rows)")
    s.add_argument("--executors", type=int, help="query executors per worker (setting: executors)")
    s.add_argument("--update-token", dest="update_token",
                   help="bearer token that enables updates (setting: update_token)")
    s.add_argument("--service-allowlist", dest="service_allowlist",
                   help="space-separated endpoints SERVICE may call (setting: service_allowlist)")
    s.add_argument("--load-allowlist", dest="load_allowlist",
                   help="space-separated URL prefixes LOAD may read (setting: load_allowlist)")
    s.add_argument("--access-log", dest="access_log", metavar="FILE",
                   help="write the access log to FILE, or - for standard output (setting: "
                        "access_log)")
    for setting in SETTINGS:  # the limits of docs/security.md, one flag each
        if setting.name in LIMIT_FLAGS:
            s.add_argument("--" + setting.name.replace("_", "-"), dest=setting.name,
                           type=setting.type, help=f"{setting.help} (setting: {setting.name})")
    q = command("query", "run a SPARQL query against a store and print the result")
    store_arg(q)
    q.add_argument("sparql", nargs="?", metavar="SPARQL",
                   help="the SPARQL query, or - to read it from standard input")
    q.add_argument("--file", metavar="PATH", help="read the SPARQL query from the file PATH")
    q.add_argument("--format", choices=("table", "json", "csv", "tsv"), default="table",
                   help="a table for people; SPARQL JSON, CSV or TSV results for programs")
    d = command("derive-tables", "derive data/ tables from the reference files")
    d.add_argument("--data", metavar="DIR", default=str(DATA_DIR) if IN_CHECKOUT else None,
                   help="folder to write the tables into (required when rarekg is installed "
                        "rather than run from a checkout)")
    d.add_argument("--shared-dir",
                   help="folder holding data/ reference files (setting: shared_dir)")
    return p


LIMIT_FLAGS = ("public_base_url", "max_query_bytes", "max_graph_bytes", "max_result_bytes",
               "max_query_depth", "max_query_operators", "client_max_queries", "child_memory_mb")
COMMANDS = {"build": cmd_build, "serve": cmd_serve, "query": cmd_query,
            "derive-tables": cmd_derive, "fetch": cmd_fetch}


def main(argv: Sequence[str] | None = None) -> int:
    console.calm_signals()
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    def call() -> int:
        settings = load_settings(console.settings_overrides(args))
        return COMMANDS[args.command](args, settings)

    return console.run(args.command, call)


if __name__ == "__main__":
    sys.exit(main())
