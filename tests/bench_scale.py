"""Benchmark: a scale curve of embedded Oxigraph against Virtuoso, in one run on one machine
(figures go to docs/benchmarks.md).

A synthetic graph shaped like the domain (diseases with subtypes, national-list entries with
printed names in two languages, patient organizations serving diseases, regulatory statuses with
indications, phenotypes) at each size, plus the real default graph (dumped from a build), is
bulk-loaded raw into both engines (Oxigraph's load includes its compaction, Virtuoso's a
checkpoint); then question 1 of the catalogue (its own text), a COUNT of
every triple and a point lookup are timed on both (median of ``--repeat``).  Oxigraph is asked in
process; Virtuoso through its own HTTP endpoint (so its times include about a millisecond of HTTP).

    python -m tests.bench_scale [--sizes 100000 1000000] [--repeat 5] [--store var/store]

Not collected by pytest (named bench_*).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import QuerySolutions, RdfFormat, Store

from kg.store.embedded import data_dir
from kg.store.union import union_dataset
from tests import virtuoso

RK = "https://w3id.org/rarekg/vocab#"
ID = "https://w3id.org/rarekg/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
APPROVAL = "https://w3id.org/rarekg/vocab/decision-type/marketing-approval"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
TRIPLES_PER_DISEASE = 15  # about, with everything hanging off one disease


# The shape of question 1 as it counts at query time (MINUS over every organization's
# skos:broader* path): the catalogue's question 1 reads the coverage table a build computes into
# the graph analyses, which a synthetic graph does not have.
Q01_SHAPE = """PREFIX rk: <https://w3id.org/rarekg/vocab#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?disease ?list ?entry ?name_zh ?name_en
       (GROUP_CONCAT(DISTINCT ?code; separator=" ") AS ?orpha)
       (COUNT(DISTINCT ?search) AS ?searches) (MAX(?searched_on) AS ?last_searched)
WHERE {
  ?e a rk:ListEntry ; rk:inList ?list ; rk:entryNumber ?entry ; rk:entryOf ?disease ;
     rk:printedName ?name_zh, ?name_en .
  FILTER (lang(?name_zh) = "zh" && lang(?name_en) = "en")
  MINUS {
    ?org a rk:PatientOrganization ; rk:servesDisease ?served .
    ?served skos:broader* ?disease .
  }
  OPTIONAL { ?disease rk:orphaCode ?code }
  OPTIONAL { ?search a rk:DiseaseSearch ; rk:searchedFor ?disease ; prov:endedAtTime ?searched_on }
}
GROUP BY ?disease ?list ?entry ?name_zh ?name_en
ORDER BY ?list ?entry
"""


def lookup(disease: str) -> str:
    return f"SELECT ?p ?o WHERE {{ <{disease}> ?p ?o }}"


def generate(path: Path, triples: int, seed: int = 16) -> str:
    """Write about ``triples`` synthetic triples as N-Triples; returns a disease IRI to look up."""
    rnd = random.Random(seed)
    diseases = max(triples // TRIPLES_PER_DISEASE, 10)
    listed = min(diseases // 3, 2000)  # lists stay small, as the real ones (121 + 86)
    with path.open("w", encoding="utf-8") as out:
        w = out.write
        for d in range(diseases):
            s = f"<{ID}disease/s{d}>"
            w(f"{s} <{TYPE}> <{RK}RareDisease> .\n")
            w(f'{s} <{SKOS}prefLabel> "disease {d}"@en .\n')
            w(f'{s} <{SKOS}prefLabel> "疾病{d}"@zh .\n')
            w(f'{s} <{SKOS}altLabel> "syndrome {d}"@en .\n')
            w(f'{s} <{RK}orphaCode> "{100000 + d}" .\n')
            if d >= listed:  # a subtype of a listed disease (or of another subtype)
                w(f"{s} <{SKOS}broader> <{ID}disease/s{rnd.randrange(d)}> .\n")
            for k in range(3):
                w(f"{s} <{RK}hasPhenotype> <http://purl.obolibrary.org/obo/HP_{d * 3 + k:07d}> .\n")
            if d < listed:
                e = f"<{ID}entry/s{d}>"
                w(f"{e} <{TYPE}> <{RK}ListEntry> .\n{e} <{RK}inList> <{ID}list/s{d % 2}> .\n")
                w(f'{e} <{RK}entryNumber> "{d // 2 + 1}"^^<{XSD_INTEGER}> .\n')
                w(f"{e} <{RK}entryOf> {s} .\n{s} <{RK}hasListEntry> {e} .\n")
                w(f'{e} <{RK}printedName> "病{d}"@zh .\n{e} <{RK}printedName> "Disease {d}"@en .\n')
            if rnd.random() < 0.4:  # an organization serving this disease
                o = f"<{ID}organization/s{d}>"
                w(f"{o} <{TYPE}> <{RK}PatientOrganization> .\n{o} <{RK}servesDisease> {s} .\n")
                w(f'{o} <{SKOS}prefLabel> "Organization {d}"@en .\n')
            if rnd.random() < 0.5:  # a regulatory status with an indication
                st, drug = f"<{ID}status/s{d}>", f"<{ID}drug/s{rnd.randrange(diseases)}>"
                w(f"{st} <{TYPE}> <{RK}RegulatoryStatus> .\n{st} <{RK}ofDrug> {drug} .\n")
                w(f'{st} <{RK}jurisdiction> "{rnd.choice(("CN", "US", "EU"))}" .\n')
                w(f"{st} <{RK}statusType> <{APPROVAL}> .\n{st} <{RK}forIndication> {s} .\n")
        for n in (0, 1):
            w(f"<{ID}list/s{n}> <{TYPE}> <{RK}RareDiseaseList> .\n")
    return f"{ID}disease/s{listed // 2}"


def lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def oxigraph(store: Store, query: str) -> int:
    result = store.query(query, **union_dataset(store))
    assert isinstance(result, QuerySolutions)
    return sum(1 for _ in result)


def remote(url: str, query: str) -> bytes:
    req = urllib.request.Request(
        url + "?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(req, timeout=600) as r:
        body: bytes = r.read()
    return body


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def virtuoso_load(v: virtuoso.Virtuoso, folder: Path, mask: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            "isql-vt",
            f"127.0.0.1:{v.sql_port}",
            v.user,
            v.password,
            f"exec=ld_dir('{folder}', '{mask}', 'https://w3id.org/rarekg/graph/bench'); "
            "rdf_loader_run(); checkpoint;",
        ],
        check=True,
        capture_output=True,
        timeout=1800,
    )
    return time.perf_counter() - started


def virtuoso_clear(v: virtuoso.Virtuoso) -> None:
    subprocess.run(
        [
            "isql-vt",
            f"127.0.0.1:{v.sql_port}",
            v.user,
            v.password,
            "exec=log_enable(3,1); SPARQL CLEAR GRAPH <https://w3id.org/rarekg/graph/bench>; "
            "DELETE FROM DB.DBA.LOAD_LIST; checkpoint;",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )


def cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--store", type=Path, help="a built store (else one is built)")
    args = parser.parse_args()
    q01 = Q01_SHAPE
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {cpu()}, Python "
        f"{platform.python_version()}; date {time.strftime('%Y-%m-%d %H:%M')} UTC"
    )
    print(
        "| graph | triples | load Oxigraph (s) | load Virtuoso (s) | disk Oxigraph / Virtuoso "
        "(MB) | q01 Oxigraph (ms) | q01 Virtuoso (ms) | COUNT Oxigraph (ms) "
        "| COUNT Virtuoso (ms) | lookup Oxigraph (ms) | lookup Virtuoso (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        root = Path(tmp)
        v = virtuoso.Virtuoso(root / "virtuoso")
        v.start()
        try:
            graphs: list[tuple[str, Path, str, RdfFormat]] = []
            for size in args.sizes:
                folder = root / f"synthetic-{size}"
                folder.mkdir()
                target = generate(folder / "graph.nt", size)
                graphs.append(
                    (f"synthetic 10^{len(str(size)) - 1}", folder, target, RdfFormat.N_TRIPLES)
                )
            store_dir = args.store
            if store_dir is None:
                store_dir = root / "store"
                subprocess.run(
                    [sys.executable, "-m", "kg.cli", "build", "--store", str(store_dir)],
                    check=True,
                    capture_output=True,
                    timeout=1200,
                )
            real = root / "real"
            real.mkdir()
            Store.read_only(str(data_dir(store_dir))).dump(
                output=str(real / "graph.nq"), format=RdfFormat.N_QUADS
            )
            graphs.append(("real default graph", real, f"{ID}disease/cn1-086", RdfFormat.N_QUADS))
            for name, folder, target, fmt in graphs:
                data = next(folder.glob("graph.*"))
                n = lines(data)
                started = time.perf_counter()
                store = Store(str(folder / "oxigraph"))
                store.bulk_load(path=str(data), format=fmt)
                store.flush()
                store.optimize()  # as the build does; Virtuoso's load ends with a checkpoint
                ox_load = time.perf_counter() - started
                vt_load = virtuoso_load(v, folder, data.name)
                ox_disk = du(folder / "oxigraph") / 1e6
                vt_disk = du(v.folder) / 1e6
                times = []
                for q in (q01, COUNT, lookup(target)):
                    times.append(seconds(lambda q=q, store=store: oxigraph(store, q), args.repeat))
                    times.append(seconds(lambda q=q: remote(v.query_url, q), args.repeat))
                print(
                    f"| {name} | {n:,} | {ox_load:.1f} | {vt_load:.1f} | {ox_disk:.0f} / "
                    f"{vt_disk:.0f} | " + " | ".join(f"{t * 1000:.1f}" for t in times) + " |",
                    flush=True,
                )
                del store
                shutil.rmtree(folder, ignore_errors=True)
                virtuoso_clear(v)
        finally:
            v.stop()


if __name__ == "__main__":
    main()
