"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests, replayed
against a real ``rarekg serve`` process on an empty store with writes switched on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.settings import load_settings
from tests.conftest import Server
from tests.w3c import Runner, W3CTest, load_manifest

TOKEN = "w3c-suite-token"
PROTOCOL = "protocol/manifest.ttl"
GSP_DIRECT = "graph-store-protocol/manifest-direct.ttl"
GSP_INDIRECT = "graph-store-protocol/manifest-indirect.ttl"
SERVICE_DESCRIPTION = "service-description/manifest.ttl"
SUITE_MISSING = "suite-not-found"


def _suite(shared: Path) -> Path:
    return shared / "w3c-sparql11-tests"


def _names(manifest: str) -> list[str]:
    """Test names for parametrization, read when tests are collected; without the suite, one
    placeholder whose test then skips (or fails in CI) through the ``shared_dir`` fixture."""
    path = _suite(Path(load_settings()["shared_dir"])) / manifest
    if not path.is_file():
        return [SUITE_MISSING]
    return list(load_manifest(path))


def _test(shared_dir: Path, manifest: str, name: str) -> W3CTest:
    return load_manifest(_suite(shared_dir) / manifest)[name]


@pytest.fixture(scope="module")
def runner(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """A real server on a fresh, empty store, with the update token set."""
    folder = tmp_path_factory.mktemp("w3c")
    store = folder / "store"
    store.mkdir()
    srv = Server(store, folder / "serve.log", "--update-token", TOKEN)
    srv.wait_ready()
    yield Runner(srv.url, TOKEN)
    srv.stop()


def test_the_suites_hold_every_test(shared_dir: Path) -> None:
    suite = _suite(shared_dir)
    assert len(load_manifest(suite / PROTOCOL)) == 34
    direct, indirect = load_manifest(suite / GSP_DIRECT), load_manifest(suite / GSP_INDIRECT)
    assert len(direct) + len(indirect) == 14
    assert {t.kind for t in [*direct.values(), *indirect.values()]} == {"GraphStoreProtocolTest"}
    assert len(load_manifest(suite / SERVICE_DESCRIPTION)) == 3


@pytest.mark.server
@pytest.mark.parametrize("name", _names(PROTOCOL))
def test_protocol(shared_dir: Path, runner: Runner, name: str) -> None:
    runner.run(_test(shared_dir, PROTOCOL, name))


@pytest.mark.server
@pytest.mark.parametrize("name", _names(GSP_DIRECT))
def test_graph_store_direct(shared_dir: Path, runner: Runner, name: str) -> None:
    runner.run(_test(shared_dir, GSP_DIRECT, name))


@pytest.mark.server
@pytest.mark.parametrize("name", _names(GSP_INDIRECT))
def test_graph_store_indirect(shared_dir: Path, runner: Runner, name: str) -> None:
    runner.run(_test(shared_dir, GSP_INDIRECT, name))


@pytest.mark.server
@pytest.mark.parametrize("name", _names(SERVICE_DESCRIPTION))
def test_service_description(shared_dir: Path, runner: Runner, name: str) -> None:
    runner.run(_test(shared_dir, SERVICE_DESCRIPTION, name))
