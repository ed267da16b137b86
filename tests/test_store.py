"""The query store: Oxigraph under rdflib, the materialised hierarchy, the asserted build untouched, persistence."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph

import allkg
from allkg.store import load_graph, materialise, open_store, oxigraph_of
from allkg.vocab import ALLKG, entity_iri

TKIS = {"imatinib", "dasatinib", "nilotinib", "bosutinib", "ponatinib"}


@pytest.fixture(scope="module")
def graph(build_result):
    return load_graph(build_result.outputs["allkg.nt"])


def test_load_graph_is_rdflib_on_oxigraph(graph):
    assert isinstance(graph, Graph)
    assert oxigraph_of(graph) is not None
    assert (entity_iri("drug/imatinib"), RDF.type, ALLKG.BcrAbl1TyrosineKinaseInhibitor) in graph


def test_targeted_therapies_include_the_tkis_and_revumenib(graph):
    """The entailment: 'all targeted therapies' finds drugs stated only as TKIs or as a menin inhibitor."""
    members = {str(drug).rsplit("/", 1)[-1] for drug in graph.subjects(RDF.type, ALLKG.TargetedTherapy)}
    assert TKIS | {"revumenib"} <= members
    rows = graph.query("SELECT ?drug WHERE { ?drug a allkg:TargetedTherapy }")  # rdflib's API, answered by Oxigraph
    assert entity_iri("drug/revumenib") in {row[0] for row in rows}


def test_property_hierarchy_and_characteristics(graph):
    from rdflib import SKOS
    from rdflib.namespace import PROV

    assert (entity_iri("disease/ph-positive-all"), SKOS.broader, entity_iri("disease/all")) in graph  # subtypeOf < broader
    assert (entity_iri("target/menin"), ALLKG.interactsWith, entity_iri("target/kmt2a-fusion-protein")) in graph  # symmetric
    sections = {o for o in graph.objects(None, PROV.wasDerivedFrom) if "#" in str(o)}
    assert sections, "allkg:sourceSection is a sub-property of prov:wasDerivedFrom"
    assert (ALLKG.BcrAbl1TyrosineKinaseInhibitor, allkg_subclass(), ALLKG.Drug) in graph  # subClassOf closed


def allkg_subclass():
    from rdflib import RDFS

    return RDFS.subClassOf


def test_transitive_subtype_chain_is_closed():
    store = ox.Store()
    subtype = ox.NamedNode(str(ALLKG.subtypeOf))
    a, b, c = (ox.NamedNode(f"https://w3id.org/allkg/disease/{x}") for x in "abc")
    store.add(ox.Quad(subtype, ox.NamedNode(str(RDF.type)), ox.NamedNode("http://www.w3.org/2002/07/owl#TransitiveProperty")))
    store.add(ox.Quad(a, subtype, b))
    store.add(ox.Quad(b, subtype, c))
    assert materialise(store) == 1
    assert ox.Quad(a, subtype, c) in store


def test_asserted_graph_and_build_outputs_stay_asserted(build_result):
    asserted = load_graph(build_result.outputs["allkg.nt"], inference=False)
    assert len(asserted) == len(build_result.graph)
    imatinib_targeted = f"<{entity_iri('drug/imatinib')}> <{RDF.type}> <{ALLKG.TargetedTherapy}> ."
    assert imatinib_targeted not in build_result.outputs["allkg.nt"].read_text(encoding="utf-8")


def test_persistent_store_is_reused_and_reloaded_on_change(build_result, tmp_path):
    source = tmp_path / "allkg.nt"
    shutil.copy(build_result.outputs["allkg.nt"], source)
    first = open_store(source, store_dir=tmp_path / "store")
    size = len(first)
    stamp = (tmp_path / "store" / "allkg-store.json").read_text()
    del first
    again = open_store(source, store_dir=tmp_path / "store")
    assert len(again) == size and (tmp_path / "store" / "allkg-store.json").read_text() == stamp
    del again
    with source.open("a", encoding="utf-8") as stream:
        stream.write('<https://w3id.org/allkg/drug/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n')
    changed = open_store(source, store_dir=tmp_path / "store")
    assert len(changed) == size + 1


def test_reopening_an_unchanged_store_loads_nothing(build_result, tmp_path, monkeypatch):
    """Reopening is instant because nothing is read but the stamp: no bulk load, no entailment, no text index."""
    from allkg import store as stores
    from allkg import textindex

    first = open_store(build_result.outputs["allkg.nt"], store_dir=tmp_path / "store")
    size = len(first)
    del first

    def refuse(*args, **kwargs):
        raise AssertionError("an unchanged store was loaded again")

    monkeypatch.setattr(stores, "_fill", refuse)
    monkeypatch.setattr(textindex, "build_for_store", refuse)
    assert len(open_store(build_result.outputs["allkg.nt"], store_dir=tmp_path / "store")) == size


def test_load_graph_with_store_dir(build_result, tmp_path):
    graph = load_graph(build_result.outputs["allkg.nt"], store_dir=tmp_path / "store")
    assert (entity_iri("drug/revumenib"), RDF.type, ALLKG.TargetedTherapy) in graph


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no graph at"):
        open_store(tmp_path / "absent.nt")


def test_import_allkg_stays_light():
    import subprocess
    import sys

    code = "import sys, allkg; print('rdflib' in sys.modules, 'pyoxigraph' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_api_query_and_sparql(build_result):
    result = allkg.query("drugs-by-class", drug_class="targeted therapy")
    assert TKIS | {"revumenib"} <= set(result.column("drug_label"))
    first = result.rows[0]
    assert first.drug.startswith("https://w3id.org/allkg/drug/") and isinstance(first.drug_label, str)
    frame = result.to_dataframe()
    assert list(frame.columns) == result.columns and frame["drug"].str.startswith("drug:").all()
    assert allkg.sparql("ASK { drug:revumenib a allkg:TargetedTherapy }").boolean is True
    graph = load_graph(build_result.outputs["allkg.nt"])
    assert set(allkg.query("brands-of-drug", graph=graph, drug="imatinib").column("product_label")) == {"Gleevec", "Imkeldi"}
