"""The picture of the project stays true: import boundaries, settings and commands in the README."""

from __future__ import annotations

import ast
from pathlib import Path

from kg.cli import COMMANDS
from kg.paths import ROOT
from kg.settings import SETTINGS

COMPOSITION_ROOT = {"kg/cli.py", "kg/sources.py", "kg/server.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_package_boundaries() -> None:
    for path in sorted((ROOT / "loaders").glob("*.py")):
        assert not _imports(path) & {"service", "flask"}, f"{path.name} must import kg only"
    for path in sorted((ROOT / "service").glob("*.py")):
        assert "loaders" not in _imports(path), f"service/{path.name} must not import loaders"
        assert "rdflib" not in _imports(path), f"service/{path.name}: no rdflib on requests"
    for path in sorted((ROOT / "kg").glob("*.py")):
        rel = f"kg/{path.name}"
        if rel not in COMPOSITION_ROOT:
            assert not _imports(path) & {"loaders", "service"}, f"{rel} imports the layers above"


def test_ontology_holds_no_python() -> None:
    assert not list((ROOT / "ontology").rglob("*.py"))


def test_readme_documents_every_setting_and_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in readme, f"setting {setting.name} missing from README"
        assert setting.env in readme, f"{setting.env} missing from README"
    for command in COMMANDS:
        assert f"rarekg {command}" in readme, f"command {command} missing from README"
