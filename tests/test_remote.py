"""Remote stores: a REAL Oxigraph server on a loopback port, filled by ``allkg push`` and asked every named query.

The server is the ``oxigraph`` CLI from PyPI (``oxigraph serve``). Remote answers
must equal local ones, for every named query; a down or refusing store must give a
clear error and leave nothing half-written.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import allkg
from allkg import queries, remote
from allkg.cli import main
from allkg.remote import RemoteError

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
NAMES = [query.name for query in queries.list_queries()]
GRAPH_IRI = "https://w3id.org/allkg/graph/test"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OxigraphServer:
    """``oxigraph serve`` (or ``serve-read-only``) on 127.0.0.1 and a free port."""

    def __init__(self, location: Path, read_only: bool = False):
        if not OXIGRAPH.exists() and shutil.which("oxigraph") is None:
            pytest.skip("the oxigraph server (PyPI package 'oxigraph') is not installed")
        command = str(OXIGRAPH) if OXIGRAPH.exists() else "oxigraph"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.store, self.query, self.update = self.base + "/store", self.base + "/query", self.base + "/update"
        mode = "serve-read-only" if read_only else "serve"
        self.process = subprocess.Popen([command, mode, "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 30
        while time.monotonic() < end:
            try:
                urllib.request.urlopen(self.query + "?query=ASK%7B%7D", timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def build_path(build_result) -> Path:
    return build_result.outputs["allkg.nt"]


@pytest.fixture(scope="module")
def local_store(build_path):
    from allkg.store import open_store

    return open_store(build_path)


@pytest.fixture(scope="module")
def pushed(oxigraph_server, build_path):
    """The server's default graph filled by ``allkg push``."""
    result = CliRunner().invoke(main, ["push", "--endpoint", oxigraph_server.store, "--graph", str(build_path)])
    assert result.exit_code == 0, result.output
    assert "count checked" in result.output
    queries.forget_names(oxigraph_server.query)
    return oxigraph_server


def comparable(result) -> list:
    """Rows as sortable text. Blank nodes are local to each store, so they compare as one; GROUP_CONCAT may
    join its values in any order (SPARQL leaves it open), so " | "-joined values compare as sorted lists."""
    if result.boolean is not None:
        return [result.boolean]

    def text(term):
        if isinstance(term, ox.BlankNode):
            return "_:"
        if isinstance(term, ox.Literal) and " | " in term.value:
            return " | ".join(sorted(term.value.split(" | ")))
        return str(term)

    return sorted(tuple(text(term) for term in row) for row in result.terms)


# ------------------------------------------------------------------------------------------------ push


def test_push_fills_the_default_graph(pushed, local_store):
    assert remote.count_triples(pushed.query, None) == len(local_store)


def test_push_to_a_named_graph_and_again(oxigraph_server, build_path, local_store):
    for _ in range(2):  # the second push replaces the first: the count stays the same
        result = remote.push(oxigraph_server.store, GRAPH_IRI, path=build_path)
        assert result.triples == len(local_store) == remote.count_triples(oxigraph_server.query, GRAPH_IRI)
    asserted = remote.push(oxigraph_server.store, GRAPH_IRI, path=build_path, inference=False)
    assert asserted.triples < len(local_store)
    assert temporary_graphs(oxigraph_server) == []


def temporary_graphs(server) -> list[str]:
    result = remote.execute_remote(server.query, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {})
    return [row[0].value for row in result.terms if row[0].value.startswith("urn:allkg:upload:")]


def test_a_broken_upload_leaves_the_target_as_it_was(pushed, local_store):
    before = remote.count_triples(pushed.query, None)
    good = local_store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    broken = good[: len(good) // 2] + b"<urn:a> <urn:b> this is not N-Triples .\n" + good[len(good) // 2:]
    with pytest.raises(RemoteError, match="refused the upload .*unchanged"):
        remote.push_data(pushed.store, broken, len(local_store))
    assert remote.count_triples(pushed.query, None) == before
    assert temporary_graphs(pushed) == []


def test_a_short_upload_is_not_swapped_in(pushed, local_store):
    before = remote.count_triples(pushed.query, None)
    with pytest.raises(RemoteError, match="holds 1 of the 2 triples sent"):
        remote.push_data(pushed.store, b"<urn:a> <urn:b> <urn:c> .\n", 2)
    assert remote.count_triples(pushed.query, None) == before
    assert temporary_graphs(pushed) == []


def test_push_to_a_closed_port_fails_clearly(build_path):
    result = CliRunner().invoke(main, ["push", "--endpoint", f"http://127.0.0.1:{free_port()}/store", "--graph", str(build_path)])
    assert result.exit_code == 1
    assert "cannot reach http://127.0.0.1:" in result.output and "refused" in result.output.lower()


def test_push_to_a_read_only_store_changes_nothing(tmp_path, build_path):
    location = tmp_path / "read-only"
    seed = tmp_path / "seed.nt"
    seed.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", str(seed)], check=True, capture_output=True)
    server = OxigraphServer(location, read_only=True)
    try:
        result = CliRunner().invoke(main, ["push", "--endpoint", server.store, "--graph", str(build_path)])
        assert result.exit_code == 1 and "refused the upload" in result.output and "unchanged" in result.output
        assert remote.count_triples(server.query, None) == 1
    finally:
        server.stop()


def test_push_needs_endpoints_it_can_derive(build_path):
    result = CliRunner().invoke(main, ["push", "--endpoint", "http://127.0.0.1:1/somewhere", "--graph", str(build_path)])
    assert result.exit_code == 1 and "--query-endpoint" in result.output


def test_push_checks_the_graph_iri(oxigraph_server, build_path):
    result = CliRunner().invoke(main, ["push", "--endpoint", oxigraph_server.store, "--named-graph", "not an iri>", "--graph", str(build_path)])
    assert result.exit_code == 1


# --------------------------------------------------------------------------------------- remote queries


@pytest.mark.parametrize("name", NAMES)
def test_every_named_query_answers_remotely_as_locally(pushed, local_store, name):
    local = queries.run(name, None, local_store)
    answered = queries.run(name, None, endpoint=pushed.query)
    assert answered.columns == local.columns
    assert comparable(answered) == comparable(local)


def test_python_api_takes_an_endpoint(pushed, local_store):
    answered = allkg.query("drug-adverse-effects", endpoint=pushed.query, drug="Gleevec")
    assert comparable(answered) == comparable(queries.run("drug-adverse-effects", {"drug": "Gleevec"}, local_store))
    assert "https://w3id.org/allkg/drug/imatinib" in answered.column("drug")


def test_cli_query_on_an_endpoint(pushed):
    result = CliRunner().invoke(main, ["query", "--endpoint", pushed.query, "drugs-for-gene", "-p", "gene=BCR", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "https://w3id.org/allkg/drug/imatinib" in result.output


def test_unknown_names_are_resolved_on_the_endpoint(pushed):
    result = CliRunner().invoke(main, ["query", "--endpoint", pushed.query, "drug-adverse-effects", "-p", "drug=imatinb"])
    assert result.exit_code == 1 and "did you mean" in result.output and "imatinib" in result.output


def test_parameters_are_bound_not_pasted(pushed):
    before = remote.count_triples(pushed.query, None)
    hostile = '" } } ; DROP ALL ; SELECT * { { "'
    answered = queries.run("entity-search", {"text": hostile}, endpoint=pushed.query)
    assert answered.terms == [] or all(str(row[0]) for row in answered.terms)
    assert remote.count_triples(pushed.query, None) == before


def test_a_down_endpoint_fails_clearly():
    with pytest.raises(RemoteError, match="cannot reach"):
        remote.execute_remote(f"http://127.0.0.1:{free_port()}/query", "ASK {}", {})
    result = CliRunner().invoke(main, ["query", "--endpoint", f"http://127.0.0.1:{free_port()}/query", "drugs-by-class"])
    assert result.exit_code == 1 and "cannot reach http://127.0.0.1:" in result.output


def test_remote_syntax_error_is_a_query_error(pushed):
    with pytest.raises(queries.QueryError, match="refused the query"):
        remote.execute_remote(pushed.query, "SELECT * WHERE { ?s ?p }", {})


@pytest.mark.parametrize("text, expected", [
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { VALUES (?x) { (<urn:v>) } ?x ?p ?o }"),
    ("SELECT ?x { ?x ?p '{' }", "SELECT ?x { VALUES (?x) { (<urn:v>) } ?x ?p '{' }"),
    ("# a { comment\nASK { ?x ?p ?o }", "# a { comment\nASK { VALUES (?x) { (<urn:v>) } ?x ?p ?o }"),
    ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "CONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { (<urn:v>) } ?x ?p ?o }"),
    ("SELECT (COUNT(?x) AS ?n) WHERE { ?x ?p ?o }", "SELECT (COUNT(?x) AS ?n) WHERE { VALUES (?x) { (<urn:v>) } ?x ?p ?o }"),
])
def test_values_block_opens_the_where_clause(text, expected):
    assert queries.with_values(text, {"x": ox.NamedNode("urn:v")}) == expected


def test_literal_values_are_escaped():
    text = queries.with_values("SELECT ?t WHERE { ?s ?p ?t }", {"t": ox.Literal('a" } DROP ALL #')})
    assert 'VALUES (?t) { ("a\\" } DROP ALL #") }' in text
