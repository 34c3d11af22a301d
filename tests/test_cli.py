"""The ``rarekg`` command line: query output for people and programs, clear errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main

Q = (
    "SELECT ?entry ?name WHERE { ?e <https://w3id.org/rarekg/vocab#inList> "
    "<https://w3id.org/rarekg/id/list/cn1> ; <https://w3id.org/rarekg/vocab#entryNumber> ?entry ; "
    "<https://w3id.org/rarekg/vocab#printedName> ?name . "
    "FILTER (lang(?name) = 'zh' && ?entry <= 2) }"
    " ORDER BY ?entry"
)


def test_query_prints_a_table(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--store", str(store_dir), Q]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["entry", "name"]
    assert out[2].split() == ["1", "21-羟化酶缺乏症"]
    assert out[3].split() == ["2", "白化病"]
    assert out[-1] == "(2 rows)"


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv"])
def test_query_prints_machine_formats(
    store_dir: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    assert main(["query", "--store", str(store_dir), "--format", fmt, Q]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        rows = json.loads(out)["results"]["bindings"]
        assert [r["name"]["value"] for r in rows] == ["21-羟化酶缺乏症", "白化病"]
    else:
        rows = list(csv.reader(io.StringIO(out), delimiter="," if fmt == "csv" else "\t"))
        assert rows[0] == (["entry", "name"] if fmt == "csv" else ["?entry", "?name"])
        assert len(rows) == 3


def test_query_syntax_error_is_one_line_and_nonzero(store_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", "--store", str(store_dir), "SELECT * WHERE {"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr == ("rarekg query: unbalanced brackets: { opened at line 1, column 16 is "
                           "never closed (a } is missing)\n")
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_build_with_a_bad_table_fails_with_a_clear_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    import shutil

    from kg.paths import DATA_DIR

    shutil.copytree(DATA_DIR, data)
    table = data / "seeds" / "statements.csv"
    text = table.read_text(encoding="utf-8").replace(
        "servesDisease,CN1:110", "servesDisease,CN9:1", 1
    )
    table.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "build",
            "--store",
            str(tmp_path / "store"),
            "--data",
            str(data),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("rarekg build: statements.csv, record ")
    assert "field 'value'" in last and "Traceback" not in proc.stderr
    assert not (tmp_path / "store" / "serving").exists()
