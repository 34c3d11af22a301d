"""A clean lifecycle of ``rarekg serve``, with real server processes: Ctrl+C (SIGINT) and SIGTERM,
to the master alone or to the whole process group, stop the master, its workers, their query
executors and the writer within 10 s, with exit status 0 and no traceback; no gunicorn control
socket is created; the access log is off unless the ``access_log`` setting names a file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.build.pipeline import build_graph
from kg.build.sources import default_sources
from tests.conftest import free_port

pytestmark = [pytest.mark.server, pytest.mark.timeout(180)]

NOISE = ("Traceback", "KeyboardInterrupt", "terminate called", "SIGABRT", "std::system_error",
         "ERROR")


def _living(pgid: int) -> list[str]:
    """Processes of the group ``pgid`` that are not zombies: ``pid state command``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(f"{stat.parent.name} {fields[0]} {text[:text.rindex(')') + 1]}")
    return found


class Served:
    def __init__(self, store: Path, tmp: Path, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._output: bytes | None = None
        self.home = tmp / "home"
        self.home.mkdir()
        env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
        env["HOME"] = str(self.home)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port",
             str(self.port), "--workers", "2", "--executors", "2", "--update-token", "secret",
             *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, env=env,
        )
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(self.url + "/sparql?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(self.output()) from None
                time.sleep(0.2)

    def work(self) -> None:
        """Start every kind of child: query executors in each worker and the writer."""
        for _ in range(4):
            with urllib.request.urlopen(self.url + "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D",
                                        timeout=30) as r:
                assert r.status == 200
        body = urllib.parse.urlencode({"update": "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> "
                                                 "<urn:x:b> 1 } }"}).encode()
        request = urllib.request.Request(self.url + "/sparql", data=body, headers={
            "Authorization": "Bearer secret",
            "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=30) as r:
            assert r.status == 204

    def output(self) -> str:
        """Everything the server printed (read once it has stopped)."""
        if self._output is None:
            self._output = b""
            if self.proc.stdout is not None:
                self._output = self.proc.stdout.read()
                self.proc.stdout.close()
        return self._output.decode("utf-8", errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def __del__(self) -> None:
        self.output()  # the pipe is read and closed even when a test stopped early


@pytest.fixture(scope="module")
def served_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small store of its own (the ontology graph), since these servers write into it."""
    store = tmp_path_factory.mktemp("lifecycle") / "store"
    build_graph(store, default_sources()[:1], validate=False)
    return store


@pytest.mark.parametrize(
    ("sig", "whole_group"),
    [(signal.SIGINT, True), (signal.SIGTERM, True), (signal.SIGINT, False),
     (signal.SIGTERM, False)],
    ids=["ctrl-c", "sigterm-group", "sigint-master", "sigterm-master"],
)
def test_signal_stops_everything_quietly(
    served_store: Path, tmp_path: Path, sig: signal.Signals, whole_group: bool
) -> None:
    server = Served(served_store, tmp_path)
    try:
        server.work()
        started = time.monotonic()
        if whole_group:
            os.killpg(server.proc.pid, sig)
        else:
            server.proc.send_signal(sig)
        try:
            status: int | None = server.proc.wait(10)
        except subprocess.TimeoutExpired:
            status = None  # still running after 10 s: killed below, reported with its output
        took = time.monotonic() - started
        deadline = time.monotonic() + 5
        while _living(server.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _living(server.proc.pid)
    finally:
        server.kill()
    out = server.output()
    assert status == 0, out
    assert took < 10
    assert not [n for n in NOISE if n in out], out
    assert left == [], out
    assert not (server.home / ".gunicorn").exists()


def test_access_log_is_off_by_default_and_a_file_when_set(served_store: Path,
                                                          tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    quiet = Served(served_store, tmp_path / "a")
    try:
        quiet.work()
        os.killpg(quiet.proc.pid, signal.SIGTERM)
        quiet.proc.wait(10)
    finally:
        quiet.kill()
    assert '"GET /sparql' not in quiet.output()

    log = tmp_path / "access.log"
    (tmp_path / "b").mkdir()
    logged = Served(served_store, tmp_path / "b", "--access-log", str(log))
    try:
        logged.work()
        os.killpg(logged.proc.pid, signal.SIGTERM)
        logged.proc.wait(10)
    finally:
        logged.kill()
    assert '"GET /sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D HTTP/1.1" 200' in log.read_text()
    assert '"GET /sparql' not in logged.output()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_signal_while_starting_is_quiet(served_store: Path, sig: signal.Signals) -> None:
    """Stopped while the workers are still starting their helpers: no traceback, status 0."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(served_store), "--port",
         str(free_port())],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    time.sleep(1.5)
    os.killpg(proc.pid, sig)
    out, _ = proc.communicate(timeout=15)
    text = out.decode("utf-8", errors="replace")
    assert proc.returncode == 0, text
    assert not [n for n in NOISE if n in text], text


@pytest.mark.timeout(420)
def test_first_serve_builds_in_a_child_and_stops_quietly(tmp_path: Path) -> None:
    """The README's first run: ``serve`` on a missing store builds it (in a process of its own,
    never in the master that gunicorn forks), serves it, and stops on Ctrl+C with status 0 and
    neither a traceback nor an aborted worker."""
    (tmp_path / "first").mkdir()
    server = Served(tmp_path / "store", tmp_path / "first")
    try:
        server.work()
        os.killpg(server.proc.pid, signal.SIGINT)
        status = server.proc.wait(10)
    finally:
        server.kill()
    out = server.output()
    assert status == 0, out
    assert "does not exist: building the default graph first" in out
    assert "swapped in" in out
    assert not [n for n in NOISE if n in out], out
