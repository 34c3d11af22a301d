"""The store of the graph on disk: versioned builds and an atomically swapped ``serving`` link.

Layout of a store directory ``DIR``::

    DIR/builds/<id>/   one Oxigraph store per completed build
    DIR/serving        symbolic link to the build being served (swapped with one rename)

A directory without ``serving`` is served as the Oxigraph store it is (an empty directory is an
empty store).  Readers open the build read-only and notice a new ``serving`` link on their next
request.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import threading
import time
from pathlib import Path

from pyoxigraph import Store

from kg.errors import QuerySyntaxError, StoreUnavailable
from kg.syntax import explain

SERVING = "serving"
BUILDS = "builds"
KEEP_BUILDS = 2
GRACE_SECONDS = 300.0
_log = logging.getLogger(__name__)
def data_dir(store_dir: Path) -> Path:
    """The directory that holds the Oxigraph files being served from ``store_dir``."""
    current = store_dir / SERVING
    if current.is_symlink():
        return current.resolve()
    return store_dir


def new_build_dir(store_dir: Path) -> Path:
    builds = store_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    now = time.time_ns()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now / 1e9))
    path = builds / f"{stamp}.{now % 10**9:09d}-{os.getpid()}"  # names sort by time
    path.mkdir()
    return path


def swap_in(store_dir: Path, build: Path) -> None:
    """Point ``serving`` at ``build`` in one atomic rename, then drop builds older than the
    previous one."""
    link = store_dir / f".{SERVING}.{os.getpid()}"
    if link.is_symlink():
        link.unlink()
    os.symlink(Path(BUILDS) / build.name, link)
    os.replace(link, store_dir / SERVING)
    prune(store_dir, keep=build)


def prune(store_dir: Path, keep: Path, grace: float = GRACE_SECONDS) -> None:
    """Remove builds older than the last ``KEEP_BUILDS`` once their successor has served for
    ``grace`` seconds (long enough for every reader to have moved on)."""
    builds = sorted((p for p in (store_dir / BUILDS).iterdir() if p.is_dir()), key=lambda p: p.name)
    now = time.time()
    for index, (old, successor) in enumerate(itertools.pairwise(builds)):
        if index >= len(builds) - KEEP_BUILDS:
            break
        if old.resolve() == keep.resolve():
            continue
        try:
            replaced_for = now - successor.stat().st_mtime
        except OSError:
            continue
        if replaced_for >= grace:
            shutil.rmtree(old, ignore_errors=True)


def version(store_dir: Path) -> str:
    """A short identifier of the build being served (changes with every swap)."""
    try:
        return os.readlink(store_dir / SERVING).rsplit("/", 1)[-1]
    except OSError:  # not a link (an older layout) or no link at all
        pass
    try:
        return f"dir-{int(store_dir.stat().st_mtime)}"
    except OSError:
        return "none"


def initialize(path: str) -> None:
    """Give an empty directory the files of an empty store."""
    Store(path).flush()


def open_read_only(store_dir: Path) -> Store:
    """A read-only handle on the build being served.  Raises ``StoreUnavailable`` (its message
    names no server path: it may be shown to anyone; the log gets the details)."""
    path = data_dir(store_dir)
    if not path.is_dir():
        _log.error("store directory %s does not exist", store_dir)
        raise StoreUnavailable("the store is not available")
    if not any(path.iterdir()):
        Store(str(path)).flush()  # an empty directory is an empty store: give it the files
    try:
        return Store.read_only(str(path))
    except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB's "Corruption: ..."
        _log.error("cannot open store %s: %s", path, exc)
        raise StoreUnavailable("the store cannot be opened (damaged or unreadable); "
                               "the operator has been told in the log") from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_partial_builds(store_dir: Path) -> list[Path]:
    """Remove what killed builds and writes left under ``builds/``: directories newer than the
    build being served whose process (the number after the last ``-`` of the name) is gone.
    Returns them."""
    builds = store_dir / BUILDS
    if not builds.is_dir():
        return []
    link = store_dir / SERVING
    serving = link.resolve() if link.is_symlink() else None
    removed = []
    for path in sorted(builds.iterdir()):
        if not path.is_dir() or (serving is not None and path.name <= serving.name):
            continue
        pid = path.name.rpartition("-")[2]
        if pid.isdigit() and _alive(int(pid)):
            continue  # a build or write still running
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


class StoreHandle:
    """One process's read-only handle, reopened when a rebuilt store has been swapped in."""

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self._lock = threading.Lock()
        self._version: str | None = None
        self._store: Store | None = None

    def get(self) -> tuple[Store, str]:
        current = version(self.store_dir)
        with self._lock:
            if self._store is None or current != self._version:
                self._store = open_read_only(self.store_dir)
                self._version = current
            return self._store, current


def syntax_error(exc: SyntaxError, text: str | None = None) -> QuerySyntaxError:
    """The parser's message in plain words (``kg.syntax``) for the query or update ``text``, with
    its 1-based line and column and the parser's own text as ``detail``."""
    explained = explain(str(exc), text)
    return QuerySyntaxError(explained.message, explained.line, explained.column, explained.detail)
