"""One spawned helper process that answers requests one at a time: started on first use, killed and
replaced when a request outlives its time limit or the process dies.  The writer
(``kg/store/writer.py``) and the SHACL checker of submissions (``kg/contrib/checker.py``) are each
one of these."""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from kg.errors import QueryTimeout, ResultTooLarge, StoreUnavailable

_CTX = multiprocessing.get_context("spawn")


def quiet_main(target: Callable[..., None], *args: Any) -> None:
    """The entry of every helper process (executors, writer, checker): Ctrl+C reaches the whole
    process group, but stopping a helper is its owner's job (it closes the pipe or kills it), so a
    helper ignores SIGINT instead of dying with a ``KeyboardInterrupt`` traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    target(*args)


def start_quietly(process: Any) -> None:
    """Start a helper process already ignoring SIGINT: an ignored signal stays ignored across the
    spawn's ``exec`` (and Python then installs no ``KeyboardInterrupt`` handler), so a Ctrl+C
    while the helper imports its modules cannot interrupt it either.  Only the main thread may
    change signal handlers: from other threads (a replacement executor, the writer started by a
    request) the helper is protected from :func:`quiet_main` on."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        process.start()
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process.start()
    finally:
        signal.signal(signal.SIGINT, previous)


def pipe() -> tuple[Connection, Connection]:
    """A pipe to a child process, both ends blocking.  (Under gevent a duplex pipe is a socket
    pair made non-blocking, which the child inherits, and whose reads then fail.)"""
    conn, child = _CTX.Pipe()
    os.set_blocking(conn.fileno(), True)
    os.set_blocking(child.fileno(), True)
    return conn, child


def readable(conn: Connection, timeout: float) -> bool:
    """Whether ``conn`` has an answer within ``timeout`` seconds.  Unlike ``conn.poll``, this
    looks ``select.select`` up when called, so under an asynchronous worker (gevent, which
    replaces it) waiting for a child lets the worker serve other requests meanwhile."""
    ready, _, _ = select.select([conn.fileno()], [], [], max(timeout, 0))
    return bool(ready)


def aborted(process: Any) -> bool:
    """Whether a child process that stopped answering ended by SIGABRT: what the engine does when
    an allocation fails under the address-space cap ("memory allocation of N bytes failed")."""
    process.join(2)
    return bool(process.exitcode == -signal.SIGABRT)


class ChildProcess:
    """``target(conn, *args)`` runs in a spawned process named ``name`` and answers on ``conn``."""

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...], name: str,
                 timeout: float) -> None:
        self.target = target
        self.args = args
        self.name = name
        self.timeout = timeout
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None
        self.memory_capped = False  # set by a subclass whose process has an address-space cap

    def _start(self) -> Connection:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self._stop()
        conn, child = pipe()
        self._process = _CTX.Process(target=quiet_main, args=(self.target, child, *self.args),
                                     daemon=True, name=self.name)
        start_quietly(self._process)
        child.close()
        self._conn = conn
        return conn

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def call(self, send: Callable[[Connection], None], too_long: str, failed: str) -> Any:
        """Send a request with ``send`` and return the process's answer.  Raises
        ``QueryTimeout(too_long)`` past ``timeout`` seconds (the process is killed; the next call
        starts a new one) and ``StoreUnavailable(failed)`` if the process dies."""
        with self._lock:
            conn = self._start()
            try:
                send(conn)
                if not readable(conn, self.timeout):
                    self._stop()
                    raise QueryTimeout(too_long)
                return conn.recv()
            except (EOFError, OSError):
                out_of_memory = (self.memory_capped and self._process is not None
                                 and aborted(self._process))
                self._stop()
                if out_of_memory:
                    raise ResultTooLarge(
                        f"the {self.name} process needed more memory than it may use (setting "
                        "child_memory_mb) and was stopped; nothing was changed") from None
                raise StoreUnavailable(failed) from None

    def close(self) -> None:
        with self._lock:
            self._stop()
