"""No query reaches the network: not through the server, the Python API or the command line.

A loopback listener stands in for a remote SPARQL endpoint and counts the connections it
receives. A corpus of SERVICE clauses hidden in every way the grammar allows (escapes in
prefixed names, ``\\u`` escapes, comments, case, SILENT, subqueries, EXISTS, OPTIONAL,
UNION, MINUS, GRAPH, VALUES, BASE, prefixes) is first shown to reach the listener from a
bare Oxigraph store, then sent through allkg, which must let no connection through.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.parse

import pyoxigraph as ox
import pytest
from loopback import MARKER, Listener, obfuscated_services
from test_server import PROJECT_ROOT, Server, fetch

import allkg
from allkg import sandbox
from allkg.queries import ERRORS

NOT_AN_UPDATE = "PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ex:a\\-delete ?o }"  # \- is an escape in a local name


@pytest.fixture(scope="module")
def listener():
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def corpus(listener):
    return obfuscated_services(listener.url, listener.url.rsplit("/", 1)[0] + "/")


@pytest.fixture(scope="module")
def server(build_result):
    server = Server(build_result.outputs["allkg.nt"], "--cache-mb", "0")
    yield server
    server.stop()


def _try_sockets():
    outcomes = {}
    for name, family in (("inet", socket.AF_INET), ("inet6", socket.AF_INET6)):
        try:
            socket.socket(family, socket.SOCK_STREAM).close()
            outcomes[name] = "opened"
        except PermissionError:
            outcomes[name] = "refused"
    left, right = socket.socketpair()  # local sockets (the pipes to the pool) keep working
    left.send(b"x")
    outcomes["unix"] = right.recv(1).decode()
    return outcomes


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the seccomp filter is Linux-only")
def test_forbid_network_refuses_inet_sockets_and_keeps_local_ones():
    assert sandbox.run_isolated(_try_sockets, timeout=30) == {"inet": "refused", "inet6": "refused", "unix": "x"}
    assert _try_sockets()["inet"] == "opened"  # the caller itself is untouched


def test_the_corpus_reaches_a_bare_oxigraph(listener, corpus):
    """Without allkg's guards, nearly every query of the corpus calls the listener (the \\u ones Oxigraph does not read)."""
    store, before = ox.Store(), listener.connections
    for text in corpus:
        try:
            list(store.query(text)) if not text.startswith("ASK") else store.query(text)
        except (SyntaxError, OSError, RuntimeError):
            pass
    assert listener.connections - before >= len(corpus) - 4


def test_no_service_reaches_the_network_through_the_server(server, listener, corpus):
    before = listener.connections
    for text in corpus:
        for status, _, body in (
            fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": text})),
            fetch(server.url + "/sparql", text.encode(), {"Content-Type": "application/sparql-query"}),
        ):
            assert status in (400, 403), (text, status, body)
            assert MARKER.encode() not in body
    assert listener.connections == before
    assert server.health()["network_forbidden"] is True


def test_no_service_reaches_the_network_through_the_api(listener, corpus, build_result):
    before = listener.connections
    for text in corpus:
        with pytest.raises(ERRORS) as raised:
            allkg.sparql(text)
        assert MARKER not in str(raised.value)
    assert listener.connections == before


def test_no_service_reaches_the_network_through_the_command_line(listener, corpus, tmp_path, build_result):
    before = listener.connections
    for number, text in enumerate(corpus[1:4]):  # escapes in names: what the regex missed
        path = tmp_path / f"q{number}.rq"
        path.write_text(text.replace("SELECT *", "CONSTRUCT { ?s ?p ?o }"), encoding="utf-8")
        for command in (["query", "--query-file", str(path)], ["view", "--query-file", str(path), "--out", str(tmp_path / "v.html")]):
            done = subprocess.run([sys.executable, "-m", "allkg.cli", *command], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
            assert done.returncode == 1 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr, done.stderr
            assert MARKER not in done.stdout + done.stderr
    assert listener.connections == before


def test_an_escaped_name_is_not_taken_for_an_update(server, build_result):
    status, _, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": NOT_AN_UPDATE}))
    assert status == 200, body
    assert allkg.sparql(NOT_AN_UPDATE).columns == ["s"]


def test_updates_are_refused_by_the_api(build_result):
    for text in ("INSERT DATA { <urn:x> <urn:y> <urn:z> }", "CLEAR ALL", "PREFIX ex: <urn:ex:> DELETE WHERE { ex:a ?p ?o }"):
        with pytest.raises(ERRORS, match="SPARQL Update is refused"):
            allkg.sparql(text)
