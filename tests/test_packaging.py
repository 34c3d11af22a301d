"""The distribution is self-contained: the wheel carries the ontology and the default data, and the
installed ``rarekg`` builds and queries the default graph from any directory.

The wheel is built from this checkout (``pip wheel``, with the build backend pyproject.toml names)
and installed without its dependencies into a fresh virtual environment; the dependencies are
reused from the environment running the tests (a ``.pth`` file adds its site-packages after the new
environment's own, so ``kg``, ``loaders`` and ``service`` come from the wheel).  Then, from an
unrelated temporary directory, ``rarekg --version``, ``rarekg build`` into the default store (the
user data directory, here under a temporary ``XDG_DATA_HOME``) and ``rarekg query -`` (the query on
standard input) are run.  About a minute: the build is the real default build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from kg.paths import ROOT

pytestmark = pytest.mark.timeout(600)


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
         stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
                          check=False, timeout=540)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc


LOCAL = {".git", ".venv", "build", "var", "dist", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def _local_only(folder: str, names: list[str]) -> set[str]:
    """What a clone does not have: the checkout's own environment and build leftovers (setuptools
    reuses ``build/`` and would put stale modules into the wheel)."""
    top = Path(folder) == ROOT
    return {n for n in names if (top and n in LOCAL) or n == "__pycache__"
            or n.endswith(".egg-info")}


# the sources the vendored editor bundle (service/static/vendor) is built from: not served
EDITOR_SOURCES = "service/static/editor-src/"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("clone") / "rarekg"
    shutil.copytree(ROOT, source, ignore=_local_only, symlinks=True)
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
          str(source)], cwd=out)
    (built,) = out.glob("rarekg-*.whl")
    return built


def _packaged(root: Path, folder: str) -> set[str]:
    return {
        str(p.relative_to(root)) for p in (root / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_wheel_carries_every_file_of_ontology_data_and_service(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, inside in (("ontology", "kg/ontology"), ("data", "kg/data")):
        expected = {inside + f[len(folder):] for f in _packaged(ROOT, folder)}
        assert expected - names == set(), f"{folder}/ files missing from the wheel"
    for folder in ("kg", "loaders", "service"):
        files = {f for f in _packaged(ROOT, folder) if not f.startswith(EDITOR_SOURCES)}
        assert files - names == set(), f"{folder}/ files missing from the wheel"
    assert "kg/data/lists/china_rare_disease_lists.csv" in names
    assert "kg/ontology/shapes.ttl" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_installed_wheel_builds_and_queries_from_any_directory(
    wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=tmp_path).stdout.strip())
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "zz_rarekg_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet",
          str(wheel)], cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAREKG_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    env["HOME"] = str(tmp_path / "home")
    rarekg = str(env_dir / "bin" / "rarekg")

    show = "import kg.paths as p; print(p.DATA_DIR); print(p.ONTOLOGY_DIR)"
    where = _run([str(python), "-c", show], cwd=elsewhere, env=env).stdout.split()
    assert all(Path(w).is_relative_to(site) for w in where), where

    assert _run([rarekg, "--version"], cwd=elsewhere, env=env).stdout.strip() == "rarekg 0.1.0"
    build = _run([rarekg, "build"], cwd=elsewhere, env=env)
    store = tmp_path / "xdg" / "rarekg" / "store"
    assert (store / "serving").is_symlink(), build.stderr
    assert "https://w3id.org/rarekg/graph/china-lists" in build.stdout
    asked = _run([rarekg, "query", "--format", "csv", "-"], cwd=elsewhere, env=env,
                 stdin="PREFIX rk: <https://w3id.org/rarekg/vocab#>\n"
                       "SELECT (COUNT(?e) AS ?n) WHERE { ?e rk:inList ?list }")
    assert asked.stdout.splitlines() == ["n", "207"]
    assert list(elsewhere.iterdir()) == []
