"""``rarekg fetch`` against a stand-in of ClinicalTrials.gov and Orphadata on loopback
(``tests/standin.py``, replaying recorded real responses): both pages fetched through a ``429``,
a ``503`` and a truncated body; provenance records beside the files; a second run that fetches
nothing new; an interrupted run resumed at page 2; and a build from the fetched folders holding the
trials linked to spinal muscular atrophy (CN1:110) with their retrieval date in the graph and VoID.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Store

from kg.build.fetch import Fetcher, retry_after
from kg.build.fetch_sources import ctgov_query, listed_diseases
from kg.cli import main
from kg.errors import LoadError
from kg.paths import DATA_DIR, ROOT
from kg.store import embedded as stores
from loaders import documents
from tests.standin import Running, StandIn, ctgov_pages, sha256_of

SMA, DRAVET = "CN1:110", "CN1:105"
GRAPH = "https://w3id.org/rarekg/graph/"
PREFIXES = """PREFIX rk: <https://w3id.org/rarekg/vocab#>
PREFIX rkid: <https://w3id.org/rarekg/id/>
PREFIX schema: <http://schema.org/>
PREFIX pav: <http://purl.org/pav/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@pytest.fixture()
def standin() -> Iterator[Running]:
    running = Running(StandIn())
    yield running
    running.stop()


def fetch(running: Running, out: Path, source: str = "ctgov", *diseases: str,
          wait: bool = True) -> subprocess.Popen[str]:
    """``rarekg fetch`` as a separate process, as a user runs it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "fetch", source, "--out", str(out), "--base-url",
         running.url, "--rate", "20", "--disease", *(diseases or (SMA,))],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if wait:
        proc.wait(timeout=120)
    return proc


def output(proc: subprocess.Popen[str]) -> tuple[str, str]:
    out, err = proc.communicate(timeout=120)
    return out, err


def test_the_search_names_the_disease_by_its_english_names_not_its_acronyms() -> None:
    [sma] = listed_diseases(DATA_DIR, [SMA])
    assert sma.slug == "cn1-110" and sma.orpha == ("70",)
    assert ctgov_query(sma).startswith('"Spinal Muscular Atrophy"')
    [dravet] = listed_diseases(DATA_DIR, ["cn1-105"])
    # "Severe Myoclonic Epilepsy in Infancy (Dravet Syndrome)"; ORPHA's "Dravet syndrome" is a
    # duplicate but for case
    assert ctgov_query(dravet).split(" OR ")[:2] == [
        '"Severe Myoclonic Epilepsy in Infancy"',
        '"Dravet Syndrome"',
    ]
    assert dravet.orpha == ("33069",)
    # brackets that qualify the name qualify it in the search too
    [gsd, cadasil, parkinson] = listed_diseases(DATA_DIR, ["CN1:87", "CN1:35", "CN1:42"])
    assert parkinson.names == ("Young-onset Parkinson Disease", "Early-onset Parkinson Disease")
    assert gsd.names[:2] == ("Glycogen Storage Disease type I", "Glycogen Storage Disease type II")
    assert "CADASIL" in cadasil.names and "Hereditary Multi-infarct Dementia" in cadasil.names


def test_retry_after_reads_seconds_and_http_dates_and_is_capped() -> None:
    assert retry_after("1", 300) == 1.0
    assert retry_after("7200", 300) == 300
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 300) == 0.0  # in the past
    assert retry_after("Fri, 01 Jan 2100 00:00:00 GMT", 300) == 300  # far ahead: capped
    assert retry_after("soon", 300) is None
    assert retry_after(None, 300) is None


def test_fetch_honours_429_retries_503_and_a_truncated_body_and_records_provenance(
    standin: Running, tmp_path: Path
) -> None:
    standin.state.faults = {"version": ["429"], "page-1": ["503"], "page-2": ["truncated"]}
    proc = fetch(standin, tmp_path)
    out, err = output(proc)
    assert proc.returncode == 0, err
    assert "ctgov: fetched 3, not modified 0, kept 0, absent 0, failed 0" in out
    log = standin.state.log
    assert [(s.key, s.status) for s in log] == [
        ("version", 429), ("version", 200), ("page-1", 503), ("page-1", 200),
        ("page-2", 200), ("page-2", 200),
    ]
    # the truncated answer was sent with status 200 and half its body; it was retried
    assert log[1].at - log[0].at >= 1.0  # Retry-After: 1 honoured
    assert log[3].at - log[2].at >= 1.0  # backoff after 503

    folder = tmp_path / "ctgov" / "cn1-110"
    pages = ctgov_pages()
    assert (folder / "page-0001.json").read_bytes() == pages[0]
    assert (folder / "page-0002.json").read_bytes() == pages[1]
    assert not list(tmp_path.rglob("*.part"))
    assert sorted(p.name for p in folder.iterdir()) == [
        "page-0001.json", "page-0001.json.prov.json", "page-0002.json", "page-0002.json.prov.json"
    ]
    record = json.loads((folder / "page-0002.json.prov.json").read_text("utf-8"))
    assert record["sha256"] == sha256_of(folder / "page-0002.json")
    assert record["bytes"] == len(pages[1])
    assert record["status"] == 200
    assert record["etag"].startswith('"') and record["last_modified"].endswith("GMT")
    assert record["source"] == "ctgov" and record["disease"] == SMA and record["page"] == 2
    assert record["params"]["pageToken"] == "stand-in-page-2"
    assert record["params"]["query.cond"].startswith('"Spinal Muscular Atrophy"')
    assert record["url"].startswith(standin.url + "/studies?query.cond=")
    assert record["retrieved"].endswith("Z")
    run = json.loads((tmp_path / "ctgov" / "fetch-run.json").read_text("utf-8"))
    assert run["complete"] is True and run["run"] == record["run"]

    # a second run asks conditionally and fetches nothing new
    standin.state.log.clear()
    data = [folder / "page-0001.json", folder / "page-0002.json"]
    before = {p: p.stat().st_mtime_ns for p in data}
    proc = fetch(standin, tmp_path)
    out, err = output(proc)
    assert proc.returncode == 0, err
    assert "ctgov: fetched 0, not modified 3, kept 0, absent 0, failed 0" in out
    assert [(s.key, s.status, s.conditional) for s in standin.state.log] == [
        ("version", 304, True), ("page-1", 304, True), ("page-2", 304, True)
    ]
    assert before == {p: p.stat().st_mtime_ns for p in data}
    again = json.loads((folder / "page-0002.json.prov.json").read_text("utf-8"))
    assert again["retrieved"] == record["retrieved"] and again["checked_status"] == 304


def test_an_interrupted_fetch_resumes_at_the_next_page(standin: Running, tmp_path: Path) -> None:
    standin.state.faults = {"page-2": ["hold"]}
    proc = fetch(standin, tmp_path, wait=False)
    assert standin.state.held.wait(60), "the fetch never asked for page 2"
    proc.kill()  # stopped after page 1, as by a lost connection or Ctrl-C
    proc.communicate(timeout=60)
    folder = tmp_path / "ctgov" / "cn1-110"
    assert sorted(p.name for p in folder.iterdir()) == [
        "page-0001.json", "page-0001.json.prov.json"
    ]
    run = json.loads((tmp_path / "ctgov" / "fetch-run.json").read_text("utf-8"))
    assert run["complete"] is False

    standin.state.log.clear()
    standin.state.release.set()
    proc = fetch(standin, tmp_path)
    out, err = output(proc)
    assert proc.returncode == 0, err
    assert "resuming run" in err
    assert "ctgov: fetched 1, not modified 0, kept 2, absent 0, failed 0" in out
    assert [s.key for s in standin.state.log if s.status == 200] == ["page-2"]
    assert (folder / "page-0002.json").read_bytes() == ctgov_pages()[1]


def test_a_second_fetch_into_the_same_folder_is_refused_while_one_runs(
    standin: Running, tmp_path: Path
) -> None:
    (tmp_path / "ctgov").mkdir()
    with (tmp_path / "ctgov" / "fetch.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = fetch(standin, tmp_path)
        _out, err = output(proc)
    assert proc.returncode == 1
    assert err.strip() == f"rarekg fetch: another rarekg fetch is writing into {tmp_path / 'ctgov'}"
    assert standin.state.log == []


def test_a_file_that_keeps_failing_is_never_left_under_its_final_name(
    standin: Running, tmp_path: Path
) -> None:
    standin.state.faults = {"version": ["truncated", "truncated"]}
    fetcher = Fetcher(rate=50, run="test", attempts=2, backoff=0.01)
    dest = tmp_path / "fetch-version.json"
    outcome = fetcher.get(standin.url + "/version", {}, dest, {"source": "ctgov"})
    assert outcome.status == "failed" and "ChunkedEncodingError" in (outcome.error or "")
    assert not dest.exists() and not list(tmp_path.iterdir())


def test_orphadata_fetch_names_files_as_the_loader_reads_them(
    standin: Running, tmp_path: Path
) -> None:
    proc = fetch(standin, tmp_path, "orphadata", DRAVET, SMA)
    out, err = output(proc)
    assert proc.returncode == 0, err
    # ORPHA:33069 (Dravet) is recorded; ORPHA:70 (SMA) is not, so the stand-in answers 404
    assert "orphadata: fetched 3, not modified 0, kept 0, absent 3, failed 0" in out
    for name in ("orphadata-cross-33069-en.json", "orphadata-cross-33069-zh.json",
                 "orphadata-epidemiology-33069.json"):
        fetched = tmp_path / "orphadata" / name
        assert fetched.read_bytes() == (DATA_DIR / "orphadata" / name).read_bytes()
        record = json.loads(fetched.with_name(name + ".prov.json").read_text("utf-8"))
        assert record["orpha"] == "33069" and record["disease"] == DRAVET
    assert not list((tmp_path / "orphadata").glob("*-70-*"))


def test_a_fetched_file_changed_after_its_fetch_stops_the_build(
    standin: Running, tmp_path: Path
) -> None:
    proc = fetch(standin, tmp_path, "ema")
    _out, err = output(proc)
    assert proc.returncode == 0, err
    path = tmp_path / "ema" / "ema-orphan-designations.json"
    quads = list(documents.fetched(path, "x", "ema", "EMA", NamedNode(GRAPH + "x")))
    assert len(quads) > 10
    path.write_bytes(path.read_bytes().replace(b"Isembyld", b"Isembyle"))
    with pytest.raises(LoadError) as caught:
        list(documents.fetched(path, "x", "ema", "EMA", NamedNode(GRAPH + "x")))
    assert str(caught.value).startswith("ema-orphan-designations.json.prov.json")
    assert "sha256" in str(caught.value) and "changed after its fetch" in str(caught.value)


def _ask(store: Store, where: str) -> bool:
    return bool(store.query(PREFIXES + f"ASK {{ {where} }}"))


def test_build_holds_the_fetched_trials_linked_with_their_retrieval_date(
    standin: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAREKG_FETCH_DIR", str(tmp_path / "fetch"))
    monkeypatch.setenv("RAREKG_CTGOV_API", standin.url)
    monkeypatch.setenv("RAREKG_ORPHADATA_API", standin.url)
    monkeypatch.setenv("RAREKG_EMA_API", standin.url)
    store_dir = tmp_path / "store"
    argv = ["build", "--store", str(store_dir), "--fetch", "--rate", "50", "--disease", SMA, DRAVET]
    assert main(argv) == 0
    store = stores.open_read_only(store_dir)
    graph = GRAPH + "download-ctgov-ctgov"
    page1 = "rkid:source\\/download-ctgov-ctgov-cn1-110-page-0001"
    page2 = "rkid:source\\/download-ctgov-ctgov-cn1-110-page-0002"
    record = json.loads(
        (tmp_path / "fetch" / "ctgov" / "cn1-110" / "page-0002.json.prov.json").read_text("utf-8")
    )
    links = GRAPH + "disease-links"
    for trial, page in (("NCT04089566", page1), ("NCT06971094", page2), ("NCT05614531", page2)):
        # the trial as the page has it, and its link made by the build's linking phase, derived
        # from the page it came from
        assert _ask(store, f"""GRAPH <{graph}> {{ rkid:trial\\/{trial} a rk:ClinicalTrial ;
            rk:conditionText ?text ; prov:wasDerivedFrom {page} }}
            GRAPH <{links}> {{ rkid:trial\\/{trial} schema:healthCondition rkid:disease\\/cn1-110 .
              ?link rdf:subject rkid:trial\\/{trial} ; rdf:object rkid:disease\\/cn1-110 ;
                    prov:wasDerivedFrom {page} }}"""), trial
    assert not _ask(store, "rkid:trial\\/NCT02294461 schema:healthCondition ?d")
    assert _ask(store, f"""GRAPH <{graph}> {{ {page2} a rk:SourceDocument ;
        pav:retrievedOn "{record['retrieved']}"^^xsd:dateTime ;
        prov:wasDerivedFrom <{record['url']}> ; schema:sha256 "{record['sha256']}" ;
        rk:asOf "{record['retrieved'][:10]}"^^xsd:date }}""")
    void = GRAPH + "void"
    assert _ask(store, f"""GRAPH <{void}> {{ <{graph}> a void:Dataset ; void:triples ?n ;
        pav:retrievedOn ?when ; pav:version "data timestamp 2026-10-05T00:00:00 (API stand-in)" ;
        dct:source {page1}, {page2}
        FILTER (?n > 0 && ?when >= "{record['retrieved']}"^^xsd:dateTime) }}""")
    # Orphadata's recorded answers for ORPHA:33069 are in their own graph, with their documents
    orpha = GRAPH + "download-orphadata-orphadata"
    assert _ask(store, f"GRAPH <{orpha}> {{ rkid:disease\\/orpha-33069 rk:orphaCode \"33069\" ; "
                       "prov:wasDerivedFrom rkid:source\\/download-orphadata-orphadata-"
                       "orphadata-cross-33069-zh }")

    # the EMA's designations file, with the designation for spinal muscular atrophy linked
    ema = GRAPH + "download-ema-ema"
    assert _ask(store, f"""GRAPH <{ema}> {{ ?s rk:indicationText ?text ;
        prov:wasDerivedFrom rkid:source\\/download-ema-ema-ema-orphan-designations }}
        GRAPH <{links}> {{ ?s rk:forIndication rkid:disease\\/cn1-110 }}""")
    assert _ask(store, f"GRAPH <{void}> {{ <{ema}> pav:retrievedOn ?when ; "
                       'pav:version "report timestamp 2026-10-05T06:05:12Z" }')

    # the fetched folder builds as a plain --source too, with the same documents
    again = tmp_path / "again"
    assert main(["build", "--store", str(again), "--source",
                 f"ctgov={tmp_path / 'fetch'}"]) == 0
    store = stores.open_read_only(again)
    trial = "rkid:trial\\/NCT05614531"
    assert _ask(store, f"""GRAPH <{graph}> {{ {trial} prov:wasDerivedFrom {page2} }}
        GRAPH <{links}> {{ {trial} schema:healthCondition rkid:disease\\/cn1-110 }}""")
