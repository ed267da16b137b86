"""What a source says of a drug class is stated once, on the class, and reaches its members by entailment."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from allkg.store import open_store

ALLKG = "https://w3id.org/allkg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CLASS = ox.NamedNode("https://w3id.org/allkg/drugclass/bcr-abl1-tkis")
TKIS = ("bosutinib", "dasatinib", "imatinib", "nilotinib", "ponatinib")


@pytest.fixture(scope="module")
def store(build_result):
    return open_store(build_result.outputs["allkg.nt"])


def inherited(store, drug: str) -> list:
    query = f"""
      SELECT ?copy ?object ?level ?class_level WHERE {{
        ?copy <{RDF}subject> <https://w3id.org/allkg/drug/{drug}> ; <{ALLKG}statedOfClass> ?class ;
              <{RDF}predicate> <{ALLKG}hasAdverseEffect> ; <{RDF}object> ?object ; <{ALLKG}evidenceLevel> ?level .
        ?original <{RDF}subject> ?class ; <{RDF}predicate> <{ALLKG}hasAdverseEffect> ; <{RDF}object> ?object ;
                  <{ALLKG}evidenceLevel> ?class_level .
      }}"""
    return list(store.query(query))


@pytest.mark.parametrize("drug", TKIS)
def test_each_member_reaches_the_class_statements(store, drug):
    rows = inherited(store, drug)
    assert {row["object"].value.rsplit("/", 1)[1] for row in rows} >= {"nausea", "rash", "anemia", "peripheral-edema"}
    assert all(row["level"] == row["class_level"] for row in rows), "a copy keeps its class statement's evidence level"


def test_a_drug_outside_the_class_does_not(store):
    assert inherited(store, "revumenib") == []


def test_entailment_is_stable(build_result):
    """Materialising twice gives the same store: the copies' IRIs are derived, not minted."""
    from allkg.store import materialise

    store = open_store(build_result.outputs["allkg.nt"])
    assert materialise(store) == 0


def test_class_statement_keeps_the_pages_hedges(graph):
    from rdflib import URIRef

    hedges = {
        str(hedge) for statement in graph.subjects(URIRef(RDF + "subject"), URIRef(CLASS.value))
        for hedge in graph.objects(statement, URIRef(ALLKG + "hedge"))
    }
    assert any(hedge.startswith("generally mild") for hedge in hedges)
    assert any(hedge.startswith("possible") for hedge in hedges)
