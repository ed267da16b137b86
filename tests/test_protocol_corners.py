"""Corners of the SPARQL 1.1 Protocol and of HTTP that real clients reach.

Wildcard Accept headers, a CONSTRUCT asked for as SPARQL results (rdflib's SPARQLStore), relative
IRIs, the documented request size limit on a GET request line, header and read limits, the
access log, serving any RDF file, entailment only for the project's own graph, and text that is
not valid Unicode. Each against ``allkg serve`` in a subprocess on loopback.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from test_server import DRUGS, PROJECT_ROOT, Server, fetch, raw_get

LIMIT = 100_000  # the documented default of --max-query-bytes


@pytest.fixture(scope="module")
def server(build_result):
    server = Server(build_result.outputs["allkg.nt"], "--read-timeout", "1")
    yield server
    server.stop()


def get(server: Server, query: str, **headers) -> tuple[int, dict, bytes]:
    return fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": query}), headers=headers)


def test_a_text_wildcard_gets_text(server):
    status, headers, body = get(server, DRUGS, Accept="text/*")
    assert status == 200 and headers["content-type"].startswith("text/tab-separated-values") and body.startswith(b"?drug\n")
    status, headers, _ = get(server, "CONSTRUCT WHERE { ?s a ?o } LIMIT 3", Accept="text/*")
    assert status == 200 and headers["content-type"].startswith("text/turtle")


def test_construct_asked_for_as_results_json_gets_turtle(server):
    status, headers, _ = get(server, "CONSTRUCT WHERE { ?s a ?o } LIMIT 3", Accept="application/sparql-results+json")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    remote = Graph(SPARQLStore(server.url + "/sparql", returnFormat="json"))  # what rdflib sends for every query form
    constructed = remote.query("PREFIX allkg: <https://w3id.org/allkg/ontology#> CONSTRUCT { ?d a allkg:Drug } WHERE { ?d a allkg:Drug }")
    assert len(constructed.graph) > 10


def test_relative_iris_resolve_against_the_endpoint(server):
    """The W3C protocol test query_content_type_construct."""
    status, headers, body = fetch(server.url + "/sparql", b"CONSTRUCT { <s> <p> 1 } WHERE {}",
                                  {"Content-Type": "application/sparql-query", "Accept": "application/n-triples"})
    assert status == 200
    assert body.decode().strip() == f'<{server.url}/s> <{server.url}/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'


def _padded(length: int) -> str:
    """A GET path whose query string is exactly ``length`` bytes."""
    start = urllib.parse.urlencode({"query": DRUGS + " #"})
    return "/sparql?" + start + "x" * (length - len(start))


def test_a_get_request_line_up_to_the_documented_limit_works(server):
    status, _, body = raw_get(server, _padded(LIMIT), {"Accept": "text/csv"})
    assert status == 200 and body.startswith(b"drug")
    for over in (LIMIT + 1, 3 * LIMIT):  # just over: the application says so; far over: the HTTP layer does
        status, headers, body = raw_get(server, _padded(over))
        assert status == 413 and b"limit" in body


def test_header_fields_are_limited(server):
    status, _, body = raw_get(server, "/health", {f"X-Padding-{n}": "y" * 1000 for n in range(40)})
    assert status == 431 and b"header" in body
    assert raw_get(server, "/health", {"X-Padding": "y" * 1000})[0] == 200


def _slow_client(server: Server, sent: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(sent)
        received = b""
        while chunk := connection.recv(65536):  # the server answers and closes; a held connection would time out here
            received += chunk
        return received


def test_a_client_slow_to_send_its_request_is_answered_408_and_let_go(server):
    started = time.monotonic()
    assert _slow_client(server, b"GET /sparql HTTP/1.1\r\nHost: x\r\n").startswith(b"HTTP/1.1 408")
    assert _slow_client(server, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                                b"Content-Length: 100\r\n\r\nASK").startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < 8
    status, _, _ = get(server, "ASK {}")
    assert status == 200


def test_one_access_log_line_per_request_without_the_query_body(server):
    marker = "y" * 5000
    get(server, f"ASK {{ }} # {marker}")
    time.sleep(0.2)
    lines = [line for line in server.output().splitlines() if "GET /sparql?query=ASK" in line and "yyyy" in line]
    assert len(lines) == 1 and marker not in lines[0] and len(lines[0]) < 300
    assert " 127.0.0.1 GET " in lines[0] and " 200 " in lines[0] and lines[0].endswith(" ms")


@pytest.mark.parametrize("path", ["/queries/drug-adverse-effects?drug=%ED%B2%80", "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%ED%B2%80%22%20%7D",
                                  "/view/%ED%B2%80", "/queries/drugs-by-class?drug_class=%80"])
def test_bytes_that_are_not_utf8_get_a_clean_answer(server, path):
    status, _, body = raw_get(server, path)
    assert status in (200, 400, 404) and b"internal error" not in body


# -------------------------------------------------------------------------------------------- serve --graph

FOREIGN_RDFXML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://example.org/Cat"><rdfs:subClassOf rdf:resource="http://example.org/Animal"/></rdf:Description>
  <rdf:Description rdf:about="http://example.org/tom"><rdf:type rdf:resource="http://example.org/Cat"/></rdf:Description>
</rdf:RDF>
"""
TOM_IS_AN_ANIMAL = "ASK { <http://example.org/tom> a <http://example.org/Animal> }"


def _ask(server: Server, query: str) -> bool:
    return json.loads(get(server, query, Accept="application/sparql-results+json")[2])["boolean"]


def test_serve_any_rdf_file_with_entailment_only_when_asked(tmp_path):
    graph = tmp_path / "pets.rdf"
    graph.write_text(FOREIGN_RDFXML, encoding="utf-8")
    for options, entailed in (((), False), (("--entailment",), True)):
        server = Server(graph, "--workers", "2", *options)
        try:
            assert _ask(server, "ASK { <http://example.org/tom> a <http://example.org/Cat> }") is True
            assert _ask(server, TOM_IS_AN_ANIMAL) is entailed
        finally:
            server.stop()


def test_the_projects_graph_is_served_with_its_entailment(server, build_result):
    import pyoxigraph as ox

    asserted = ox.Store()
    asserted.load(path=str(build_result.outputs["allkg.nt"]), format=ox.RdfFormat.N_TRIPLES)
    row = next(iter(asserted.query("SELECT ?x ?d WHERE { ?x a ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?d "
                                   "FILTER NOT EXISTS { ?x a ?d } } LIMIT 1")))
    assert _ask(server, f"ASK {{ {row['x']} a {row['d']} }}") is True  # entailed by the class hierarchy, not asserted


@pytest.mark.parametrize("name, text", [("broken.rdf", "<rdf:RDF this is not XML"), ("broken.ttl", "@prefix : <x> .\n:a :b"),
                                        ("data.unknown", "<a:a> <a:a> <a:a> .")])
def test_serve_a_file_that_cannot_be_read_fails_in_one_line(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "allkg.cli", "serve", "--port", "0", "--graph", str(path)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1 and name in done.stderr
