"""Linked data in ``allkg serve`` (a real server subprocess): entity IRIs with content negotiation, Graph Store GET, /void."""

from __future__ import annotations

import json

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import PROV, VOID
from test_server import Server, fetch

IMATINIB = URIRef("https://w3id.org/allkg/drug/imatinib")
ALLKG = "https://w3id.org/allkg/ontology#"


@pytest.fixture(scope="module")
def server(build_result):
    server = Server(build_result.outputs["allkg.nt"], "--workers", "1")
    yield server
    server.stop()


def _rdf(server, path: str, accept: str, rdf_format: str) -> Graph:
    status, headers, body = fetch(server.url + path, headers={"Accept": accept})
    assert status == 200, body[:500]
    assert headers["content-type"].startswith(accept) and "Accept" in headers["vary"]
    return Graph().parse(data=body, format=rdf_format)


def test_entity_iri_gives_its_triples_and_statements_as_turtle(server):
    graph = _rdf(server, "/drug/imatinib", "text/turtle", "turtle")
    assert (IMATINIB, RDFS.label, Literal("imatinib")) in graph
    statements = set(graph.subjects(RDF.subject, IMATINIB))
    assert len(statements) > 5
    facts = [s for s in statements if str(graph.value(s, RDF.predicate)).startswith(ALLKG)]
    assert facts and all(graph.value(statement, PROV.wasDerivedFrom) for statement in facts)
    qualifiers = [URIRef(ALLKG + name) for name in ("frequency", "severity", "timing", "incidence", "inSetting", "inPopulation")]
    assert any(graph.value(s, qualifier) for s in facts for qualifier in qualifiers), "qualifiers travel with the statements"
    sources = {graph.value(s, PROV.wasDerivedFrom) for s in statements} - {None}
    assert all(graph.value(source, RDFS.label) for source in sources), "each source comes with its title"


def test_the_same_entity_as_json_ld_and_n_triples(server):
    turtle = _rdf(server, "/drug/imatinib", "text/turtle", "turtle")
    assert len(_rdf(server, "/drug/imatinib", "application/ld+json", "json-ld")) == len(turtle)
    status, headers, body = fetch(server.url + "/drug/imatinib?format=nt", headers={"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=body, format="nt")) == len(turtle)


def test_a_browser_gets_the_entity_page(server):
    status, headers, body = fetch(server.url + "/drug/imatinib", headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert status == 200 and headers["content-type"].startswith("text/html") and b"imatinib" in body.lower()


def test_unknown_entities_and_formats_are_refused_clearly(server):
    status, _, body = fetch(server.url + "/drug/no-such-drug", headers={"Accept": "text/turtle"})
    assert status == 404 and b"no entity drug/no-such-drug" in body
    status, _, body = fetch(server.url + "/drug/imatinib", headers={"Accept": "image/png"})
    assert status == 406 and b"text/turtle" in body
    assert fetch(server.url + "/ontology/x")[0] == 404


def test_graph_store_get_returns_the_default_graph(server, build_result):
    status, headers, body = fetch(server.url + "/store?default", headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=body, format="nt")) == build_result.triples
    assert fetch(server.url + "/store")[0] == 400
    assert fetch(server.url + "/store?graph=https://example.org/g")[0] == 404
    for method in ("PUT", "POST", "DELETE"):
        assert fetch(server.url + "/store?default", data=b"<a> <b> <c> .", method=method,
                     headers={"Content-Type": "application/n-triples"})[0] == 405


def test_void_describes_the_served_graph_and_its_endpoint(server, build_result):
    graph = _rdf(server, "/void", "text/turtle", "turtle")
    version = next(graph.subjects(VOID.sparqlEndpoint, URIRef(server.url + "/sparql")))
    assert graph.value(version, VOID.triples).toPython() == build_result.triples
    document = json.loads(fetch(server.url + "/void", headers={"Accept": "application/ld+json"})[2])
    assert document
