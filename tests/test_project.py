"""The picture of the project stays true: settings and commands in the README, no Python in the
ontology (import boundaries: tests/test_architecture.py)."""

from __future__ import annotations

from kg.cli import COMMANDS
from kg.paths import ROOT
from kg.settings import SETTINGS


def test_ontology_holds_no_python() -> None:
    assert not list((ROOT / "ontology").rglob("*.py"))


def test_readme_documents_every_setting_and_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in readme, f"setting {setting.name} missing from README"
        assert setting.env in readme, f"{setting.env} missing from README"
    for command in COMMANDS:
        assert f"rarekg {command}" in readme, f"command {command} missing from README"
