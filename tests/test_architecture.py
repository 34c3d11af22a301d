"""The layers of the code stay one-way (docs/architecture.md draws them).

Every import counts, including those inside functions: an import deferred to run time is still a
dependency, and hiding a loop inside a function does not remove it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.paths import ROOT

PACKAGES = ("kg", "loaders", "service")
COMPOSITION_ROOT = {"kg.cli", "kg.server"}
MAX_LINES = 420


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    _module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))
}


def _imported(path: Path) -> Iterator[str]:
    """The project modules ``path`` imports (``from kg import iri`` names ``kg.iri``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name.split(".")[0] in PACKAGES:
                yield name


GRAPH = {mod: set(_imported(path)) - {mod} for mod, path in MODULES.items()}


def _layer(mod: str) -> str:
    """The layer of a module: core, store, build, contrib, root, client, loaders or service."""
    if mod in COMPOSITION_ROOT:
        return "root"
    parts = mod.split(".")
    if parts[0] != "kg":
        return parts[0]
    if len(parts) > 1 and parts[1] in ("store", "build", "contrib", "client"):
        return parts[1]
    return "core"  # kg and its plain modules: vocabulary, IRIs, errors, settings, RDF helpers


# Who may import whom (besides itself). The core imports nothing above it.
ALLOWED = {
    "core": {"core"},
    "store": {"core"},
    "contrib": {"core", "store"},
    "build": {"core", "store", "loaders"},
    "loaders": {"core"},
    "service": {"core", "store", "contrib"},
    "client": {"core"},
    "root": {"core", "store", "contrib", "build", "loaders", "service", "client"},
}
RULES = {
    "loaders import only kg's core": "loaders",
    "the service imports kg's core, store and contrib, never loaders or kg's build": "service",
    "kg's core imports nothing of the layers above it": "core",
    "kg's store imports only kg's core": "store",
    "kg's contrib imports only kg's core and store": "contrib",
    "kg's build imports kg's core and store and the loaders, never the service": "build",
    "the notebook client imports only kg's core": "client",
}


def test_every_module_belongs_to_a_layer() -> None:
    assert set(map(_layer, MODULES)) <= set(ALLOWED)


@pytest.mark.parametrize("rule", list(RULES))
def test_layering(rule: str) -> None:
    layer = RULES[rule]
    wrong = [
        f"{mod} imports {dep}"
        for mod, deps in sorted(GRAPH.items())
        if _layer(mod) == layer
        for dep in sorted(deps)
        if _layer(dep) not in ALLOWED[layer] | {layer}
    ]
    assert not wrong, f"{rule}: " + "; ".join(wrong)


def test_only_the_build_and_the_composition_root_import_loaders() -> None:
    wrong = [
        f"{mod} imports {dep}"
        for mod, deps in sorted(GRAPH.items())
        for dep in deps
        if _layer(dep) == "loaders" and _layer(mod) not in ("build", "root", "loaders")
    ]
    assert not wrong, "; ".join(wrong)


def test_only_the_composition_root_imports_the_service() -> None:
    wrong = [
        f"{mod} imports {dep}"
        for mod, deps in sorted(GRAPH.items())
        for dep in deps
        if _layer(dep) == "service" and _layer(mod) not in ("root", "service")
    ]
    assert not wrong, "; ".join(wrong)


def test_the_app_factory_is_imported_by_no_blueprint() -> None:
    importers = sorted(mod for mod, deps in GRAPH.items() if "service.app" in deps)
    assert set(importers) <= COMPOSITION_ROOT, f"service.app is imported by {importers}"


def _cycle_from(start: str) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        mod, path = stack.pop()
        for dep in GRAPH.get(mod, ()):
            if dep == start:
                return [*path, start]
            if dep not in seen:
                seen.add(dep)
                stack.append((dep, [*path, dep]))
    return None


def test_no_import_loops() -> None:
    loops = [" -> ".join(c) for mod in sorted(GRAPH) if (c := _cycle_from(mod))]
    assert not loops, "import loops: " + " | ".join(loops)


def test_no_module_much_over_400_lines() -> None:
    long = {
        mod: n
        for mod, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_package_inits_hold_no_imports_of_the_project() -> None:
    for mod, path in MODULES.items():
        if path.name == "__init__.py":
            assert not GRAPH[mod], f"{mod}/__init__.py imports {sorted(GRAPH[mod])}"
