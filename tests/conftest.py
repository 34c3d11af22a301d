"""Fixtures: a real default graph built once per session, the Flask app and client on it, a real
``rarekg serve`` process on a free loopback port, and the shared reference folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.build.pipeline import BuildReport, build_graph
from kg.build.sources import default_sources
from kg.settings import load_settings
from service.app import create_app

IN_CI = os.environ.get("CI", "").lower() == "true"


@contextmanager
def scratch(request: pytest.FixtureRequest, factory: pytest.TempPathFactory,
            name: str) -> Iterator[Path]:
    """A folder for a module or session fixture, removed when the fixture is torn down unless a
    test failed meanwhile (then it stays as evidence). A copy of the default store is 1.1 GB, so
    keeping every one to the end of the session would need some 20 GB of disk."""
    failed = request.session.testsfailed
    folder = factory.mktemp(name)
    try:
        yield folder
    finally:
        if request.session.testsfailed == failed:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared folder (reference data, W3C suites): the ``shared_dir`` setting
    (``RAREKG_SHARED_DIR``)."""
    path = Path(load_settings()["shared_dir"])
    if not (path / "data").is_dir():
        message = (f"reference folder {path} not found: set RAREKG_SHARED_DIR to the folder that "
                   "holds data/ and w3c-sparql11-tests/")
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    """The default graph, built once for the session from the project's own tables."""
    return build_graph(tmp_path_factory.mktemp("default") / "store", default_sources())


@pytest.fixture(scope="session")
def store_dir(built: BuildReport) -> Path:
    return built.store_dir


@pytest.fixture(scope="session")
def app(store_dir: Path) -> Flask:
    return create_app({"store": str(store_dir)})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, store: Path, log: Path, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--host",
             "127.0.0.1", "--port", str(self.port), *extra],
            stdout=self._log_file, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"rarekg serve exited with {self.proc.returncode}:\n"
                                   + self.log.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(self.url + "/sparql?query=ASK%7B%7D", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("rarekg serve did not answer in time:\n"
                           + self.log.read_text(errors="replace"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log_file.close()


@pytest.fixture(scope="session")
def server(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real ``rarekg serve`` process on a free loopback port, serving the default graph."""
    srv = Server(store_dir, tmp_path_factory.mktemp("server") / "serve.log")
    srv.wait_ready()
    yield srv
    srv.stop()
