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
import urllib.parse
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


def test_a_large_graph_goes_in_many_documents_and_says_how_far_it_is(oxigraph_server, build_path, local_store, monkeypatch):
    from allkg import upload

    monkeypatch.setattr(upload, "BATCH_TRIPLES", 5000)
    gateway = GatewayProxy(oxigraph_server.base)  # only to see the requests
    try:
        args = ["push", "--endpoint", gateway.store, "--named-graph", GRAPH_IRI + "/batches", "--graph", str(build_path)]
        result = CliRunner().invoke(main, [*args, "--progress"])
        assert result.exit_code == 0, result.output
        assert remote.count_triples(oxigraph_server.query, GRAPH_IRI + "/batches") == len(local_store)
        uploads = [(method, path) for method, path in gateway.requests if path.startswith("/store")]
        assert [method for method, _ in uploads] == ["PUT"] + ["POST"] * (len(uploads) - 1) and len(uploads) == -(-len(local_store) // 5000)
        assert all("no_transaction" in path for _, path in uploads), "Oxigraph fills a temporary graph with its bulk loader"
        assert f"allkg push: sent {len(local_store):,} of {len(local_store):,} triples (100 %)" in result.stderr
        assert "allkg push: swapping" in result.stderr
        quiet = CliRunner().invoke(main, args)  # not a terminal, no --progress: no reports
        assert quiet.exit_code == 0 and "allkg push:" not in quiet.output
    finally:
        gateway.stop()
    assert temporary_graphs(oxigraph_server) == []


def test_blank_nodes_keep_their_links_across_documents(oxigraph_server, tmp_path, monkeypatch):
    from allkg import upload

    monkeypatch.setattr(upload, "BATCH_TRIPLES", 1)
    path = tmp_path / "blank.ttl"
    path.write_text("<urn:a> <urn:p> [ <urn:q> <urn:b> ; <urn:r> [ <urn:q> <urn:c> ] ] .\n<urn:x> <urn:p> <urn:y> , <urn:z> .\n")
    result = remote.push(oxigraph_server.store, GRAPH_IRI + "/blank", path=path, inference=False)
    assert result.triples == 6
    text = f"SELECT ?c WHERE {{ GRAPH <{GRAPH_IRI}/blank> {{ <urn:a> <urn:p> ?b . ?b <urn:r> ?d . ?d <urn:q> ?c }} }}"
    assert [row[0].value for row in remote.execute_remote(oxigraph_server.query, text, {}).terms] == ["urn:c"]


def test_a_file_that_repeats_a_triple_is_counted_once(oxigraph_server, tmp_path):
    path = tmp_path / "twice.nt"
    path.write_text("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> <urn:d> .\n")
    assert remote.push(oxigraph_server.store, GRAPH_IRI + "/twice", path=path, inference=False).triples == 2


def test_a_document_refused_midway_leaves_the_target_as_it_was(pushed):
    before = remote.count_triples(pushed.query, None)
    good = b"<urn:a> <urn:b> <urn:c> .\n"
    documents = iter([(good, 1), (b"<urn:a> <urn:b> this is not N-Triples .\n", 1), (good, 1)])
    with pytest.raises(RemoteError, match=r"refused the upload \(\d+ after 1 triples\).*unchanged"):
        remote.push_data(pushed.store, documents, 3)
    assert remote.count_triples(pushed.query, None) == before
    assert temporary_graphs(pushed) == []


def test_a_stream_that_breaks_midway_leaves_nothing_behind(pushed):
    def breaking():
        yield b"<urn:a> <urn:b> <urn:c> .\n", 1
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="the disk went away"):
        remote.push_data(pushed.store, breaking(), 2)
    assert temporary_graphs(pushed) == []


def test_a_large_push_keeps_its_temporary_graph_longer():
    assert remote._allowance(remote._temporary_name(1000)) == remote.STALE_AFTER_S + 2
    assert remote._allowance(remote._temporary_name(10_000_000)) > 5 * 3600  # sending and swapping ten million triples
    assert remote._allowance(f"{remote.TEMPORARY_PREFIX}1000000000:crashed") == remote.STALE_AFTER_S  # an older allkg's name


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


def test_a_page_of_a_remote_answer_is_the_same_page_as_locally(pushed, local_store):
    whole = queries.run("drugs-by-route", None, local_store)
    page = queries.run("drugs-by-route", None, endpoint=pushed.query, limit=3, offset=2)
    ordered_by = [(row.item_kind, row.item_label) for row in whole][2:5]  # rows that tie on ORDER BY may come in any order
    assert [(row.item_kind, row.item_label) for row in page] == ordered_by
    assert len(page) == 3 and page.offset == 2 and page.more == (len(whole) > 5)


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


# --------------------------------------------------------------------------- authentication, crashes, lost answers


class GatewayProxy:
    """A real HTTP reverse proxy on loopback in front of a store, as nginx would be: it may demand credentials
    (Basic or bearer) and may break the connection after passing on a ``MOVE`` (the swap done, its answer lost)."""

    def __init__(self, upstream: str, *, basic: tuple[str, str] | None = None, token: str | None = None, lose_move_answer: bool = False):
        import base64
        import http.client
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        upstream_parts = urllib.parse.urlsplit(upstream)
        wanted = None
        if basic:
            wanted = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
        elif token:
            wanted = f"Bearer {token}"
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            upstream_server = "allkg test gateway"

            def log_message(self, *args):
                pass

            def version_string(self):  # the store's own Server header passes through, as most proxies leave it
                return self.upstream_server

            def relay(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.requests.append((self.command, self.path))
                if wanted and self.headers.get("Authorization") != wanted:
                    reason = b"wrong or missing credentials for the allkg test store"
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="allkg test"' if basic else 'Bearer realm="allkg test"')
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(reason)))
                    self.end_headers()
                    self.wfile.write(reason)
                    return
                connection = http.client.HTTPConnection(upstream_parts.hostname, upstream_parts.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("authorization", "host", "connection")}
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                if lose_move_answer and b"MOVE" in urllib.parse.unquote_plus(body.decode("latin-1")).encode("latin-1"):
                    proxy.moves += 1
                    self.close_connection = True
                    return  # the store did the swap; the client never hears of it
                self.upstream_server = answer.getheader("Server") or self.upstream_server
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length", "server"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = relay

        self.moves, self.requests = 0, []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.store, self.query, self.update = self.base + "/store", self.base + "/query", self.base + "/update"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def small_file(tmp_path) -> Path:
    path = tmp_path / "small.ttl"
    path.write_text('<urn:allkg:s> <urn:allkg:p> "1.50"^^<http://www.w3.org/2001/XMLSchema#decimal> , "two" .\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["options", "environment", "address"])
def test_push_with_http_basic_credentials(oxigraph_server, small_file, monkeypatch, how):
    gateway = GatewayProxy(oxigraph_server.base, basic=("ann", "s3cret:/@x"))
    try:
        endpoint, options = gateway.store, []
        if how == "options":
            options = ["--user", "ann", "--password", "s3cret:/@x"]
        elif how == "environment":
            monkeypatch.setenv("ALLKG_USER", "ann")
            monkeypatch.setenv("ALLKG_PASSWORD", "s3cret:/@x")
        else:
            endpoint = gateway.store.replace("http://", f"http://ann:{urllib.parse.quote('s3cret:/@x', safe='')}@")
        result = CliRunner().invoke(main, ["push", "--endpoint", endpoint, "--named-graph", GRAPH_IRI + "/basic", "--graph", str(small_file), "--asserted-only", *options])
        assert result.exit_code == 0, result.output
        assert "pushed 2 triples" in result.output and "s3cret" not in result.output and "ann:" not in result.output
        assert remote.count_triples(oxigraph_server.query, GRAPH_IRI + "/basic") == 2
    finally:
        gateway.stop()


def test_push_with_a_bearer_token(oxigraph_server, small_file, monkeypatch):
    gateway = GatewayProxy(oxigraph_server.base, token="t0ken-123")
    try:
        monkeypatch.setenv("ALLKG_TOKEN", "t0ken-123")
        result = CliRunner().invoke(main, ["push", "--endpoint", gateway.store, "--named-graph", GRAPH_IRI + "/token", "--graph", str(small_file), "--asserted-only"])
        assert result.exit_code == 0, result.output
        assert "t0ken" not in result.output
    finally:
        gateway.stop()


@pytest.mark.parametrize("credentials", [[], ["--user", "ann", "--password", "wrong-secret"]])
def test_a_refused_login_reports_the_server_reason(oxigraph_server, small_file, credentials):
    gateway = GatewayProxy(oxigraph_server.base, basic=("ann", "right"))
    try:
        result = CliRunner().invoke(main, ["push", "--endpoint", gateway.store, "--graph", str(small_file), *credentials])
        assert result.exit_code == 1
        assert "answered 401 Unauthorized: wrong or missing credentials for the allkg test store" in result.output
        assert ("not accepted" if credentials else "give --user and --password") in result.output
        assert "wrong-secret" not in result.output and "Traceback" not in result.output
    finally:
        gateway.stop()


def test_a_password_with_unencoded_slashes_in_the_address_is_refused_clearly(small_file):
    result = CliRunner().invoke(main, ["push", "--endpoint", "http://ann:pa/ss@127.0.0.1:1/store", "--graph", str(small_file)])
    assert result.exit_code == 1 and "percent-encoded" in result.output and "pa/ss" not in result.output


def test_leftover_temporary_graphs_are_removed(oxigraph_server, small_file):
    stale = [f"{remote.TEMPORARY_PREFIX}{uuid}" for uuid in ("0b8e4a3c-old-format",)] + [f"{remote.TEMPORARY_PREFIX}1000000000:crashed"]
    fresh = f"{remote.TEMPORARY_PREFIX}{int(time.time())}:running"
    for graph in [*stale, fresh]:
        remote.update(oxigraph_server.update, f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    result = remote.push(oxigraph_server.store, GRAPH_IRI + "/tidy", path=small_file, inference=False)
    assert "removed 2 temporary graph(s)" in " ".join(result.notes)
    assert temporary_graphs(oxigraph_server) == [fresh], "a graph a running push may still use is kept"
    cleaned = CliRunner().invoke(main, ["push", "--endpoint", oxigraph_server.store, "--clean-up"])
    assert cleaned.exit_code == 0 and "removed 1 temporary graph(s)" in cleaned.output
    assert temporary_graphs(oxigraph_server) == []


def test_a_swap_whose_answer_was_lost_is_checked_not_reported_as_failed(oxigraph_server, small_file):
    gateway = GatewayProxy(oxigraph_server.base, lose_move_answer=True)
    try:
        result = CliRunner().invoke(main, ["push", "--endpoint", gateway.store, "--named-graph", GRAPH_IRI + "/lost", "--graph", str(small_file), "--asserted-only"])
        assert gateway.moves == 1
        assert result.exit_code == 0, result.output
        assert "the connection broke during the swap; the store was checked and holds the new graph" in result.output
        assert remote.count_triples(oxigraph_server.query, GRAPH_IRI + "/lost") == 2
        assert temporary_graphs(oxigraph_server) == []
    finally:
        gateway.stop()


def test_push_sends_literals_exactly_as_the_file_has_them(small_file):
    from allkg.store import exact_triples

    assert '"1.50"^^<http://www.w3.org/2001/XMLSchema#decimal>' in {str(t.object) for t in exact_triples(small_file, inference=False)}


# ------------------------------------------------------------------------------------------------ Virtuoso

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


class VirtuosoServer:
    """Debian's Virtuoso (``virtuoso-t``) on loopback, with its own configuration, ports and database directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.sql_port, self.http_port = free_port(), free_port()
        (directory / "virtuoso.ini").write_text(VIRTUOSO_INI.format(dir=directory, sql_port=self.sql_port, http_port=self.http_port), encoding="utf-8")
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.store, self.store_auth = self.base + "/sparql-graph-crud", self.base + "/sparql-graph-crud-auth"
        self.query = self.update = self.base + "/sparql"
        self.process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(directory / "virtuoso.ini")], cwd=directory,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 240  # a fresh database takes ~45 s to initialise on a busy machine
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t stopped; see {directory / 'virtuoso.log'}")
            try:
                urllib.request.urlopen(self.query + "?query=ASK%7B%7D", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("virtuoso-t did not start")

    def isql(self, statement: str) -> None:
        subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"], check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory, request):
    """One Virtuoso for the session. Its first database (~45 s to make) is kept in pytest's cache and copied."""
    if not (shutil.which("virtuoso-t") and shutil.which("isql-vt")):
        pytest.skip("Debian's virtuoso-opensource is not installed (scripts/test.sh installs it with apt-get)")
    binary = Path(shutil.which("virtuoso-t")).stat()
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider: then made afresh each session
    key = f"virtuoso-{binary.st_size}-{int(binary.st_mtime)}"
    template = Path(cache.mkdir(key)) if cache else tmp_path_factory.mktemp(key)
    if not (template / "virtuoso.db").exists():
        fresh = VirtuosoServer(tmp_path_factory.mktemp("virtuoso-template"))
        # The anonymous /sparql and /sparql-graph-crud run as the SQL user "SPARQL", which may not write by default.
        fresh.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        fresh.isql("checkpoint;")
        fresh.stop()
        shutil.copy(fresh.directory / "virtuoso.db", template / "virtuoso.db.part")
        (template / "virtuoso.db.part").rename(template / "virtuoso.db")
    directory = tmp_path_factory.mktemp("virtuoso")
    shutil.copy(template / "virtuoso.db", directory / "virtuoso.db")
    server = VirtuosoServer(directory)
    yield server
    server.stop()


def virtuoso_temporary_graphs(server) -> list[str]:
    return [graph for graph, _ in remote.temporary_graphs(server.query)[0]]


def test_push_to_virtuoso_without_a_graph_lands_in_the_project_graph(virtuoso, build_path):
    from allkg.store import exact_triples

    expected = len(exact_triples(build_path))
    result = CliRunner().invoke(main, ["push", "--endpoint", virtuoso.store, "--graph", str(build_path)])
    assert result.exit_code == 0, result.output
    assert "Virtuoso has no default graph of its own" in result.output and f"pushed {expected} triples to <{remote.PROJECT_GRAPH}>" in result.output
    assert remote.count_triples(virtuoso.query, remote.PROJECT_GRAPH) == expected
    assert virtuoso_temporary_graphs(virtuoso) == []
    answered = queries.run("drugs-for-gene", {"gene": "BCR"}, endpoint=virtuoso.query)
    assert "https://w3id.org/allkg/drug/imatinib" in answered.column("drug")


def test_push_to_a_named_graph_of_virtuoso_with_digest_authentication(virtuoso, small_file, monkeypatch):
    monkeypatch.setenv("ALLKG_USER", "dba")
    monkeypatch.setenv("ALLKG_PASSWORD", "dba")
    result = CliRunner().invoke(main, ["push", "--endpoint", virtuoso.store_auth, "--named-graph", GRAPH_IRI, "--graph", str(small_file), "--asserted-only"])
    assert result.exit_code == 0, result.output
    assert f"pushed 2 triples to <{GRAPH_IRI}> of {virtuoso.store_auth}" in result.output
    assert remote.count_triples(virtuoso.query, GRAPH_IRI) == 2


def test_virtuoso_takes_a_graph_in_several_documents(virtuoso, small_file, monkeypatch):
    from allkg import upload

    monkeypatch.setattr(upload, "BATCH_TRIPLES", 1)  # a PUT, then a POST
    result = remote.push(virtuoso.store, GRAPH_IRI + "/documents", path=small_file, inference=False)
    assert result.triples == 2 == remote.count_triples(virtuoso.query, GRAPH_IRI + "/documents")


def test_virtuoso_refusing_a_password_says_how_it_wants_to_be_asked(virtuoso, small_file):
    result = CliRunner().invoke(main, ["push", "--endpoint", virtuoso.store_auth, "--graph", str(small_file), "--user", "dba", "--password", "not-it"])
    assert result.exit_code == 1
    assert "answered 401 Unauthorized: it asks for Digest authentication (realm 'SPARQL'); the credentials given were not accepted" in result.output
    assert "not-it" not in result.output


def test_virtuoso_leftovers_are_cleaned_and_a_lost_swap_answer_is_checked(virtuoso, small_file):
    remote.update(virtuoso.update, f"INSERT DATA {{ GRAPH <{remote.TEMPORARY_PREFIX}1000000000:crashed> {{ <urn:a> <urn:b> <urn:c> }} }}")
    gateway = GatewayProxy(virtuoso.base, lose_move_answer=True)
    try:
        result = CliRunner().invoke(main, ["push", "--endpoint", gateway.base + "/sparql-graph-crud", "--named-graph", GRAPH_IRI + "/lost",
                                           "--graph", str(small_file), "--asserted-only"])
        assert result.exit_code == 0, result.output
        assert gateway.moves == 1 and "removed 1 temporary graph(s)" in result.output and "the store was checked" in result.output
    finally:
        gateway.stop()
    assert remote.count_triples(virtuoso.query, GRAPH_IRI + "/lost") == 2
    assert virtuoso_temporary_graphs(virtuoso) == []
