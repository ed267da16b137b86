"""The ontology is complete (every term labelled and defined) and matches the Python vocabulary."""

from __future__ import annotations

import json

from rdflib import OWL, RDF, RDFS, SKOS, Graph

from allkg.curation import load_kinds, load_ontology
from allkg.vocab import ALLKG, ONTOLOGY_DIR, prefix_map

NS = str(ALLKG._NS)


def ontology_terms(graph: Graph) -> set[str]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {str(s)[len(NS):] for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(NS)}


def test_every_term_has_label_and_definition():
    graph = load_ontology()
    for term in ontology_terms(graph):
        iri = ALLKG._NS[term]
        assert graph.value(iri, RDFS.label), f"{term} has no rdfs:label"
        assert graph.value(iri, SKOS.definition), f"{term} has no skos:definition"


def test_python_vocabulary_matches_ontology():
    declared = set(ALLKG.__annotations__)
    assert declared == ontology_terms(load_ontology()), "allkg/vocab.py and ontology/*.ttl disagree"


def test_vocabulary_fails_on_typos():
    import pytest

    with pytest.raises(AttributeError):
        ALLKG.hasTarge  # noqa: B018


def test_naming_conventions():
    graph = load_ontology()
    for term in ontology_terms(graph):
        is_class = (ALLKG._NS[term], RDF.type, OWL.Class) in graph
        assert term[0].isupper() == is_class, f"{term}: classes UpperCamelCase, properties lowerCamelCase"


def test_kinds_table_points_at_classes():
    classes = {t for t in ontology_terms(load_ontology()) if t[0].isupper()}
    for prefix, kind in load_kinds().items():
        assert kind["root_class"] in classes, prefix
        assert prefix in prefix_map(), f"kind prefix {prefix} missing from ontology/prefixes.json"


def test_prefix_map_is_valid_json_with_unique_namespaces():
    data = json.loads((ONTOLOGY_DIR / "prefixes.json").read_text())
    assert len(set(data.values())) == len(data)


def test_shapes_parse():
    graph = Graph().parse(ONTOLOGY_DIR / "shapes.ttl")
    assert len(graph) > 50
