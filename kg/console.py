"""What the ``rarekg`` command says to people: help with every default, one-line errors, the query
from an argument, a file or standard input, and checks made before work starts.

Every error the command reports is one line on standard error, ``rarekg COMMAND: message``, with a
non-zero exit status (1 for errors, 2 for bad flags, 130 when interrupted), never a traceback.  The
checks here run first so that a mistake is reported before a build or a server starts: a store that
does not exist (``query`` never creates one), a store path that is a file, a directory that is not
a store, a store that cannot be written, a port already in use.
"""

from __future__ import annotations

import argparse
import errno
import signal
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from kg.errors import RarekgError
from kg.settings import SETTINGS

BAD_FLAGS = 2
FAILED = 1
INTERRUPTED = 130

_DEFAULTS = {s.name: s for s in SETTINGS}


class CommandError(RarekgError):
    """A mistake in how the command was called or in what it was pointed at."""

    status = 400
    kind = "command-error"


def version() -> str:
    """The installed distribution's version (the package's own when it is not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("rarekg")
    except PackageNotFoundError:
        from kg import __version__

        return __version__


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help that shows the default of every option: the setting's default (and its environment
    variable) for options that are settings, the flag's own default otherwise."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "%(default)" in text or not action.option_strings or action.default is argparse.SUPPRESS:
            return text
        setting = _DEFAULTS.get(action.dest)
        if setting is not None:
            default = {None: "unset", "": "empty"}.get(setting.default, str(setting.default))
            text = text.replace(f" (setting: {setting.name})", "")
            return (f"{text} (default: {default}; setting {setting.name}, environment "
                    f"{setting.env})").replace("%", "%%")
        if action.default is not None and not isinstance(action.default, bool):
            return f"{text} (default: %(default)s)"
        return text


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: ``rarekg COMMAND: message``."""

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_FLAGS, f"{self.prog}: {' '.join(message.split())}\n")


def read_query(sparql: str | None, file: str | None) -> str:
    """The query from the argument, from ``--file PATH``, or from standard input (``-``)."""
    if sparql is not None and file is not None:
        raise CommandError("give the query either as an argument or with --file, not both")
    if file is not None:
        try:
            return Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                f"cannot read the query file {file}: {exc.strerror or exc}"
            ) from None
        except UnicodeDecodeError:
            raise CommandError(f"the query file {file} is not UTF-8 text") from None
    if sparql == "-":
        return sys.stdin.read()
    if sparql is None:
        raise CommandError("give the query as an argument, with --file PATH, or - to read it "
                           "from standard input")
    return sparql


def _is_store(path: Path) -> bool:
    """A store directory: a ``serving`` link to a build, or the files of an Oxigraph store."""
    return (path / "serving").is_symlink() or (path / "CURRENT").is_file()


def check_store_to_read(path: Path) -> None:
    """``query``: the store must exist and be a store; it is never created."""
    if path.is_file():
        raise CommandError(f"store {path} is a file, not a store directory")
    if not path.exists():
        raise CommandError(f"store {path} does not exist (build it with: rarekg build --store "
                           "PATH)")
    if not path.is_dir() or not _is_store(path):
        raise CommandError(f"{path} is not a rarekg store (no serving build and no store files; "
                           "build one with: rarekg build --store PATH)")


def check_store_to_serve(path: Path) -> None:
    """``serve``: a missing store is built first, but a file is never a store."""
    if path.is_file():
        raise CommandError(f"store {path} is a file, not a store directory")


def check_store_to_write(path: Path) -> None:
    """``build``: the store directory can be created and written."""
    if path.is_file():
        raise CommandError(f"store {path} is a file, not a store directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".rarekg-write-check"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CommandError(f"cannot write the store {path}: {exc.strerror or exc}") from None


def check_port(host: str, port: int) -> None:
    """The address ``host:port`` is free to listen on (the check gunicorn's own bind makes)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(f"cannot listen on {host}:{port}: the address is already in "
                                   "use (choose another with --port)") from None
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def run(command: str, call: Callable[[], int]) -> int:
    """``call()``, with every error reported as one line on standard error.  For ``serve``, Ctrl+C
    and SIGTERM (see :func:`calm_signals`) before the server has started stop it as they do later:
    quietly, status 0; other commands say they were interrupted (status 130)."""
    try:
        return call()
    except RarekgError as exc:
        return _fail(command, str(exc))
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(command, f"{exc.strerror or exc}{where}")
    except KeyboardInterrupt:
        if command == "serve":
            print("rarekg serve: stopped", file=sys.stderr)
            return 0
        print(f"rarekg {command}: interrupted", file=sys.stderr)
        return INTERRUPTED


def calm_signals() -> None:
    """SIGTERM interrupts like Ctrl+C (a build then removes its unfinished directory); gunicorn
    installs its own handlers once the server runs."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(_signal: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _fail(command: str, message: str) -> int:
    """One line: a message of several lines (a validation report) is joined with ``; ``."""
    parts = [" ".join(part.split()) for part in message.strip().splitlines()]
    line = "; ".join(p for p in parts if p).replace(":;", ":")
    print(f"rarekg {command}: {line}", file=sys.stderr)
    return FAILED


def settings_overrides(args: argparse.Namespace) -> Mapping[str, Any]:
    """The settings given as flags (the flags named like settings)."""
    return {k: v for k, v in vars(args).items() if k in _DEFAULTS and v is not None}
