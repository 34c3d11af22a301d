"""Licences and citation: the code's LICENSE and CITATION.cff, the licence of every source graph
in the VoID description (dct:license, dct:rights), and the web footer that says how to cite."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from pyoxigraph import Store

from kg.paths import ROOT

VOID = "https://w3id.org/rarekg/graph/void"
G = "https://w3id.org/rarekg/graph/"


def _licences(store_dir: Path) -> dict[str, tuple[str, str]]:
    store = Store.read_only(str(store_dir / "serving"))
    rows = store.query(
        "PREFIX void: <http://rdfs.org/ns/void#> PREFIX dct: <http://purl.org/dc/terms/> "
        f"SELECT ?g ?licence ?rights WHERE {{ GRAPH <{VOID}> {{ ?d void:subset ?g . "
        "OPTIONAL { ?g dct:license ?licence } OPTIONAL { ?g dct:rights ?rights } } }"
    )
    return {r["g"].value: (r["licence"].value if r["licence"] else "",  # type: ignore[index]
                           r["rights"].value if r["rights"] else "")  # type: ignore[index]
            for r in rows}


def test_every_source_graph_has_a_licence_and_rights(store_dir: Path) -> None:
    from kg.build.licences import TERMS

    licences = _licences(store_dir)
    catalogue = {G + name for name in TERMS}
    # every source graph; besides them only the build's own analyses (kg/store/analyses.py)
    assert catalogue <= set(licences)
    assert set(licences) - catalogue == {G + "analyses"}, "add them to kg/build/licences.py"
    missing = [g for g, (licence, rights) in licences.items() if g in catalogue
               and (not rights or bool(licence) != bool(TERMS[g.removeprefix(G)][0]))]
    assert missing == []
    assert licences[G + "ema-epar"][0] == ""  # the copy states no licence: none is claimed
    assert "states no licence" in licences[G + "ema-epar"][1]
    cc_by = "https://creativecommons.org/licenses/by/4.0/"
    assert licences[G + "orphadata"][0] == cc_by
    assert "© INSERM 1999" in licences[G + "orphadata"][1]
    assert licences[G + "ccrd-hpo"][0] == "https://www.apache.org/licenses/LICENSE-2.0"
    assert "https://hpo.jax.org/app/license" in licences[G + "ccrd-hpo"][1]
    assert licences[G + "fda-orphan-approvals"][0] == "https://www.usa.gov/government-works"
    assert licences[G + "china-lists"][0] == "https://opensource.org/license/mit"
    assert "国卫医发〔2018〕10号" in licences[G + "china-lists"][1]


def test_licence_file_and_citation() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert "END OF TERMS AND CONDITIONS" in licence
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "cff-version: 1.2.0" in citation
    assert "license: Apache-2.0" in citation
    assert 'title: "rarekg: an open knowledge graph of the rare-disease ecosystem"' in citation


def test_footer_says_how_to_cite(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert ("How to cite: rarekg, an open knowledge graph of the rare-disease ecosystem (version "
            "of the build you used), https://w3id.org/rarekg; cite the source documents of the "
            "facts you use as well.") in page


def test_terms_are_given_by_graph_name() -> None:
    from kg.build.licences import with_terms
    from kg.build.pipeline import Source
    from kg.describe import SourceInfo

    (lists,) = with_terms([Source(SourceInfo("china-lists", "Lists"), list)])
    assert lists.info.licence == "https://opensource.org/license/mit"
    (new,) = with_terms([Source(SourceInfo("new-source", "A new source"), list)])
    assert (new.info.licence, new.info.rights) == (None, None)  # the VoID test names such graphs
    (own,) = with_terms([Source(SourceInfo("download-fda-x", "An own download"), list)])
    assert own.info.rights == "Your own download: the terms of the site it came from apply"


def test_licensing_keeps_the_linking_phase_of_the_catalogue() -> None:
    """The catalogue's sources keep every part when their licences are added: the linking
    phase (a source's ``after_loading``) must survive, or the build writes no disease links."""
    from kg.build.sources import default_sources

    phases = [s.info.name for s in default_sources() if s.after_loading is not None]
    assert phases == ["disease-links"]
