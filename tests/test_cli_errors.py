"""Every error of the ``rarekg`` command is one line on standard error with a non-zero exit, never a
traceback: a table of bad invocations, each run as a real process.  Also the query's three inputs
(argument, ``--file``, standard input ``-``), ``--version`` and ``--help``."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ASK = "ASK { ?s ?p ?o }"


def rarekg(*args: str, stdin: str | None = None, cwd: Path | None = None
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], input=stdin, cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=120)


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert proc.stdout == ""
    return lines[0]


@pytest.fixture()
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def test_syntax_error_is_readable(store_dir: Path) -> None:
    line = one_line_error(rarekg("query", "--store", str(store_dir),
                                 "SELECT * WHERE {\n ?d a ex:Thing }"))
    assert line == (
        "rarekg query: undeclared prefix ex: (in ex:Thing at line 2, column 7); "
        "declare it with a line PREFIX ex: <...> before the query"
    )


def test_missing_store_is_reported_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "store"
    line = one_line_error(rarekg("query", "--store", str(missing), ASK))
    assert line == (f"rarekg query: store {missing} does not exist "
                    "(build it with: rarekg build --store PATH)")
    assert not (tmp_path / "nowhere").exists()


def test_store_that_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "store.txt"
    file.write_text("not a store")
    line = one_line_error(rarekg("query", "--store", str(file), ASK))
    assert line == f"rarekg query: store {file} is a file, not a store directory"
    line = one_line_error(rarekg("serve", "--store", str(file), "--port", "1"))
    assert line == f"rarekg serve: store {file} is a file, not a store directory"


def test_empty_directory_is_not_a_store_for_query(tmp_path: Path) -> None:
    line = one_line_error(rarekg("query", "--store", str(tmp_path), ASK))
    assert line == (f"rarekg query: {tmp_path} is not a rarekg store (no serving build and no "
                    "store files; build one with: rarekg build --store PATH)")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_build_directory(tmp_path: Path) -> None:
    file = tmp_path / "a-file"
    file.write_text("")
    line = one_line_error(rarekg("build", "--store", str(file / "store")))
    assert line.startswith(f"rarekg build: cannot write the store {file / 'store'}: ")
    assert "Not a directory" in line
    line = one_line_error(rarekg("build", "--store", "/proc/rarekg-store"))
    assert line.startswith("rarekg build: cannot write the store /proc/rarekg-store: ")


def test_busy_port(store_dir: Path, busy_port: int) -> None:
    line = one_line_error(rarekg("serve", "--store", str(store_dir), "--port", str(busy_port)))
    assert line == (f"rarekg serve: cannot listen on 127.0.0.1:{busy_port}: the address is "
                    "already in use (choose another with --port)")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("query", "--nope", ASK), "rarekg: unrecognized arguments: --nope"),
        (("serve", "--port", "eighty"), "rarekg serve: argument --port: invalid int value: "
                                         "'eighty'"),
        (("frobnicate",), "rarekg: argument command: invalid choice: 'frobnicate' (choose from "
                          "'build', 'fetch', 'serve', 'query', 'derive-tables')"),
        ((), "rarekg: the following arguments are required: command"),
        (("query",), "rarekg query: give the query as an argument, with --file PATH, or - to "
                     "read it from standard input"),
        (("query", "--file", "/nonexistent/q.rq"),
         "rarekg query: cannot read the query file /nonexistent/q.rq: No such file or directory"),
    ],
)
def test_bad_flags(args: tuple[str, ...], expected: str) -> None:
    assert one_line_error(rarekg(*args)) == expected


def test_query_from_argument_file_and_stdin(store_dir: Path, tmp_path: Path) -> None:
    q = ("SELECT ?l (COUNT(*) AS ?n) WHERE { ?e <https://w3id.org/rarekg/vocab#inList> ?l } "
         "GROUP BY ?l ORDER BY ?l")
    expected = ["l,n", "https://w3id.org/rarekg/id/list/cn1,121",
                "https://w3id.org/rarekg/id/list/cn2,86"]
    assert rarekg("query", "--store", str(store_dir), "--format", "csv", q
                  ).stdout.splitlines() == expected
    path = tmp_path / "q.rq"
    path.write_text(q, encoding="utf-8")
    assert rarekg("query", "--store", str(store_dir), "--format", "csv", "--file", str(path)
                  ).stdout.splitlines() == expected
    assert rarekg("query", "--store", str(store_dir), "--format", "csv", "-", stdin=q
                  ).stdout.splitlines() == expected
    assert rarekg("query", "--store", str(store_dir), "-", stdin="ASK {}").stdout == "yes\n"


def test_version_and_help_show_defaults() -> None:
    assert rarekg("--version").stdout == "rarekg 0.1.0\n"
    serve = rarekg("serve", "--help").stdout
    flat = " ".join(serve.split())
    assert "port (default: 8000; setting port, environment RAREKG_PORT)" in flat
    assert "(default: empty; setting access_log, environment RAREKG_ACCESS_LOG)" in flat
    assert "(default: 127.0.0.1;" in serve
    assert "--access-log" in serve
    query = rarekg("query", "--help").stdout
    assert "(default: table)" in query
    assert "standard input" in query
