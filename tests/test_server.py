"""``allkg serve`` as a real subprocess on a loopback port, spoken to by a real SPARQL client (SPARQLWrapper).

Every protocol feature (GET, POST form, POST direct, each result format, the
service description) and every refusal (update, SERVICE, time limit, row limit,
request size, malformed query, CORS, path traversal) has a test. No test
asserts a timing: the time-limit test checks that the runaway query is stopped
and that other clients are answered while it runs.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from allkg import queries

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 3
MAX_ROWS = 2000  # above the largest named-query answer (interaction-matrix: 536 rows), below the graph size
MAX_BYTES = 20_000
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 10^12 rows: never finishes in time
DRUGS = "SELECT ?drug WHERE { ?drug a allkg:Drug }"
NAMES = [query.name for query in queries.list_queries()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``allkg serve`` in a subprocess; ``url`` is its base address."""

    def __init__(self, graph: Path, *options: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop(); a file, not a pipe: a full pipe would stall the server
        self.process = subprocess.Popen(
            [sys.executable, "-m", "allkg.cli", "serve", "--port", str(self.port), "--graph", str(graph), *options],
            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=self.log, text=True,
        )
        self.banner = self._wait_ready()

    def _wait_ready(self, limit_s: float = 90) -> str:
        end = time.monotonic() + limit_s
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"allkg serve exited: {self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                    if json.load(response)["status"] == "ok":
                        return self.output()
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("allkg serve did not become ready")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def health(self) -> dict:
        return json.loads(fetch(self.url + "/health")[2])


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None) -> tuple[int, dict, bytes]:
    """Return (status, headers, body) of a request; error statuses are returned, not raised."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def raw_get(server: Server, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """GET ``path`` exactly as written (no client-side normalisation of ``..`` or percent escapes)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    connection.close()
    return result


@pytest.fixture(scope="module")
def server(build_result):
    # no reply cache: every request must reach a worker, so the time-limit test proves the workers' isolation
    server = Server(build_result.outputs["allkg.nt"], "--timeout", str(TIMEOUT_S), "--max-rows", str(MAX_ROWS),
                    "--max-query-bytes", str(MAX_BYTES), "--cache-mb", "0")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cors_server(build_result):
    server = Server(build_result.outputs["allkg.nt"], "--workers", "1", "--cors", "https://lab.example.org")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def local_store(build_result):
    from allkg.store import open_store

    return open_store(build_result.outputs["allkg.nt"])


def client(server: Server, query: str, return_format=JSON, method=None, request_method=None) -> SPARQLWrapper:
    wrapper = SPARQLWrapper(server.url + "/sparql")
    wrapper.setQuery(query)
    wrapper.setReturnFormat(return_format)
    if method:
        wrapper.setMethod(method)
    if request_method:
        wrapper.setRequestMethod(request_method)
    return wrapper


def local_drugs(local_store) -> set[str]:
    return {row.drug for row in queries.execute(DRUGS, graph=local_store)}


# ------------------------------------------------------------------------------------------ the protocol


def test_listens_on_loopback_by_default(server):
    assert "http://127.0.0.1:" in server.banner


@pytest.mark.parametrize("method, request_method", [(None, None), (POST, URLENCODED), (POST, POSTDIRECTLY)], ids=["GET", "POST-form", "POST-direct"])
def test_select_by_each_method(server, local_store, method, request_method):
    answer = client(server, DRUGS, JSON, method, request_method).queryAndConvert()
    assert {binding["drug"]["value"] for binding in answer["results"]["bindings"]} == local_drugs(local_store)


def test_select_as_xml_csv_tsv(server, local_store):
    expected = local_drugs(local_store)
    document = client(server, DRUGS, XML).queryAndConvert()  # an xml.dom.minidom Document
    assert {node.firstChild.data for node in document.getElementsByTagName("uri")} == expected
    csv_lines = client(server, DRUGS, CSV).queryAndConvert().decode("utf-8").splitlines()
    assert csv_lines[0] == "drug" and set(csv_lines[1:]) == expected
    tsv_lines = client(server, DRUGS, TSV).queryAndConvert().decode("utf-8").splitlines()
    assert tsv_lines[0] == "?drug" and set(tsv_lines[1:]) == {f"<{iri}>" for iri in expected}


def test_tsv_escapes_tabs_and_keeps_literals_typed(server):
    status, headers, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode(
        {"query": 'SELECT ?text ?n WHERE { BIND("a\\tb" AS ?text) BIND(3 AS ?n) }'}), headers={"Accept": "text/tab-separated-values"})
    assert status == 200 and headers["content-type"].startswith("text/tab-separated-values")
    assert body.decode("utf-8").splitlines() == ["?text\t?n", '"a\\tb"\t"3"^^<http://www.w3.org/2001/XMLSchema#integer>']


@pytest.mark.parametrize("return_format", [JSON, XML], ids=["json", "xml"])
def test_ask(server, return_format):
    answer = client(server, "ASK { drug:imatinib allkg:hasTarget ?target }", return_format).queryAndConvert()
    if return_format == JSON:
        assert answer["boolean"] is True
    else:
        assert answer.getElementsByTagName("boolean")[0].firstChild.data == "true"


CONSTRUCT = "CONSTRUCT { drug:imatinib rdfs:label ?label } WHERE { drug:imatinib rdfs:label ?label }"


def test_construct_as_turtle_jsonld_rdfxml(server):
    from rdflib import Graph, Literal, URIRef

    expected = (URIRef("https://w3id.org/allkg/drug/imatinib"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("imatinib"))
    turtle = client(server, CONSTRUCT, TURTLE).queryAndConvert()
    assert expected in Graph().parse(data=turtle, format="turtle")
    assert expected in client(server, CONSTRUCT, JSONLD).queryAndConvert()  # SPARQLWrapper parses JSON-LD into a Graph
    assert expected in client(server, CONSTRUCT, XML).queryAndConvert()  # ... and RDF/XML


def test_describe_as_ntriples(server):
    from rdflib import Graph

    status, headers, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": "DESCRIBE drug:imatinib"}),
                                  headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["content-type"] == "application/n-triples"
    assert len(Graph().parse(data=body.decode("utf-8"), format="nt")) > 5


def test_format_parameter_overrides_accept(server):
    status, headers, _body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": DRUGS, "format": "csv"}),
                                  headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and headers["content-type"].startswith("text/csv")


def test_unacceptable_format_is_406(server):
    status, _, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": DRUGS}), headers={"Accept": "image/png"})
    assert status == 406 and b"text/csv" in body


def test_service_description(server):
    from rdflib import Graph, Namespace, URIRef

    sd, void = Namespace("http://www.w3.org/ns/sparql-service-description#"), Namespace("http://rdfs.org/ns/void#")
    status, headers, body = fetch(server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    description = Graph().parse(data=body.decode("utf-8"), format="turtle")
    endpoint = URIRef(server.url + "/sparql")
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in description
    assert (endpoint, sd.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in description
    assert int(next(description.objects(None, void.triples))) == server.health()["triples"] > 1000


def test_browser_gets_the_editor_at_sparql(server):
    status, headers, body = fetch(server.url + "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert status == 200 and b"<textarea" in body and "content-security-policy" in headers


# ------------------------------------------------------------------------------------------- refusals


def count_triples(server: Server) -> int:
    answer = client(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").queryAndConvert()
    return int(answer["results"]["bindings"][0]["n"]["value"])


UPDATES = [
    "INSERT DATA { <urn:x> <urn:y> <urn:z> }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "LOAD <http://127.0.0.1:1/evil.ttl>",
    "PREFIX ex: <urn:ex:> DROP GRAPH ex:g",
    "INSERT DATA { <urn:x> <urn:y> <urn:z> } ; CLEAR ALL",
]


def test_update_by_sparqlwrapper_is_refused(server):
    before = count_triples(server)
    wrapper = client(server, "INSERT DATA { <urn:x> <urn:y> <urn:z> }", method=POST)
    with pytest.raises(urllib.error.HTTPError) as raised:
        wrapper.query()
    assert raised.value.code == 403 and b"read-only" in raised.value.read()
    assert count_triples(server) == before


@pytest.mark.parametrize("text", UPDATES)
def test_update_in_any_form_is_refused(server, text):
    before = count_triples(server)
    attempts = [
        fetch(server.url + "/sparql", urllib.parse.urlencode({"update": text}).encode(), {"Content-Type": "application/x-www-form-urlencoded"}),
        fetch(server.url + "/sparql", text.encode(), {"Content-Type": "application/sparql-update"}),
        fetch(server.url + "/sparql", urllib.parse.urlencode({"query": text}).encode(), {"Content-Type": "application/x-www-form-urlencoded"}),
        fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": text})),
        fetch(server.url + "/sparql", text.encode(), {"Content-Type": "application/sparql-query"}),
    ]
    for status, _, body in attempts:
        assert status == 403 and b"read-only" in body
    assert count_triples(server) == before


def test_a_query_glued_to_an_update_is_a_syntax_error(server):
    """Neither a query nor an update: the parser says where it goes wrong (nothing runs either way)."""
    before = count_triples(server)
    text = "SELECT * WHERE { ?s ?p ?o } ; insert data { <urn:x> <urn:y> <urn:z> }"
    status, _, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": text}))
    assert status == 400 and b"query:1:" in body and b"syntax error" in body
    assert count_triples(server) == before


def test_update_words_inside_strings_and_iris_are_fine(server):
    query = 'SELECT ?x WHERE { BIND("INSERT DATA { } ; DROP ALL" AS ?x) FILTER(?x != <urn:delete:load>) } # CLEAR ALL'
    answer = client(server, query).queryAndConvert()
    assert answer["results"]["bindings"][0]["x"]["value"] == "INSERT DATA { } ; DROP ALL"


def test_service_is_refused(server):
    status, _, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"}))
    assert status == 403 and b"SERVICE" in body


def test_malformed_query_gives_400_with_position(server):
    wrapper = client(server, "SELECT ?drug WHERE {\n  ?drug a allkg:Drug\n  FILTER(\n}")
    with pytest.raises(QueryBadFormed) as raised:
        wrapper.query()
    assert "query:4:1: SPARQL syntax error" in str(raised.value)


def test_unknown_prefix_gives_400(server):
    status, _, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s nope:p ?o }"}))
    assert status == 400 and b"nope" in body


def test_row_limit_cuts_and_says_so(server):
    status, headers, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}),
                                  headers={"Accept": "application/sparql-results+json"})
    document = json.loads(body)
    assert status == 200 and len(document["results"]["bindings"]) == MAX_ROWS
    assert headers["x-allkg-truncated"] == "true" and headers["x-allkg-max-rows"] == str(MAX_ROWS)
    assert document["allkg"] == {"truncated": True, "max_rows": MAX_ROWS}
    status, headers, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o }"}),
                                  headers={"Accept": "application/n-triples"})
    assert status == 200 and len(body.decode("utf-8").splitlines()) == MAX_ROWS and headers["x-allkg-truncated"] == "true"
    status, headers, _ = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": DRUGS}))
    assert status == 200 and "x-allkg-truncated" not in headers


def test_request_size_limit(server):
    padding = "#" + "x" * MAX_BYTES + "\n"
    for request in (
        (server.url + "/sparql", (padding + DRUGS).encode(), {"Content-Type": "application/sparql-query"}),
        (server.url + "/sparql", urllib.parse.urlencode({"query": padding + DRUGS}).encode(), {"Content-Type": "application/x-www-form-urlencoded"}),
        (server.url + "/sparql?" + urllib.parse.urlencode({"query": padding + DRUGS}), None, {}),
    ):
        status, _, body = fetch(*request)
        assert status == 413 and b"limit" in body
    assert fetch(server.url + "/sparql", DRUGS.encode(), {"Content-Type": "application/sparql-query"})[0] == 200


def test_other_methods_and_bodies_are_refused(server):
    assert fetch(server.url + "/sparql", b"x", {"Content-Type": "text/plain"}, method="PUT")[0] == 405
    assert fetch(server.url + "/sparql", b"x", {"Content-Type": "text/plain"})[0] == 415
    assert fetch(server.url + "/sparql", b"", {"Content-Type": "application/x-www-form-urlencoded"})[0] == 400
    status, _, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": DRUGS, "named-graph-uri": "not an IRI"}))
    assert status == 400 and b"named-graph-uri" in body


def test_runaway_query_is_stopped_while_others_are_answered(server, local_store):
    outcome = {}

    def runaway():
        outcome["slow"] = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}))

    replaced = server.health()["replaced"]
    slow = threading.Thread(target=runaway)
    slow.start()
    answered_meanwhile = 0
    while slow.is_alive():  # the other worker keeps answering
        if answered_meanwhile < 20:
            answer = client(server, DRUGS).queryAndConvert()
            assert {b["drug"]["value"] for b in answer["results"]["bindings"]} == local_drugs(local_store)
            answered_meanwhile += 1
        else:
            time.sleep(0.05)
    slow.join()
    status, _, body = outcome["slow"]
    assert status == 503 and b"time limit" in body
    assert answered_meanwhile > 0
    assert server.health()["replaced"] == replaced + 1
    for _ in range(4):  # the replacement comes up and the server answers as before
        assert client(server, DRUGS).queryAndConvert()["results"]["bindings"]


# ------------------------------------------------------------------------------------------------ CORS


def test_no_cors_headers_unless_asked(server):
    status, headers, _ = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": DRUGS}), headers={"Origin": "https://lab.example.org"})
    assert status == 200 and "access-control-allow-origin" not in headers
    status, headers, _ = fetch(server.url + "/sparql", headers={"Origin": "https://lab.example.org", "Access-Control-Request-Method": "POST"}, method="OPTIONS")
    assert "access-control-allow-origin" not in headers


def test_cors_for_the_one_origin_given(cors_server):
    url = cors_server.url + "/sparql?" + urllib.parse.urlencode({"query": DRUGS})
    status, headers, _ = fetch(url, headers={"Origin": "https://lab.example.org"})
    assert status == 200 and headers["access-control-allow-origin"] == "https://lab.example.org"
    status, headers, _ = fetch(url, headers={"Origin": "https://elsewhere.example.org"})
    assert "access-control-allow-origin" not in headers
    status, headers, _ = fetch(cors_server.url + "/sparql", method="OPTIONS",
                               headers={"Origin": "https://lab.example.org", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert status == 200 and headers["access-control-allow-origin"] == "https://lab.example.org"


# ------------------------------------------------------------------------------------------ traversal

TRAVERSALS = [
    "/../pyproject.toml", "/%2e%2e/pyproject.toml", "/static/../../pyproject.toml", "/templates/editor.html",
    "/allkg/server.py", "/queries/..%2Fpyproject", "/queries/../../pyproject.toml", "/queries/%2e%2e%2fqc%2fentity-without-label-violation",
    "/view/..%2F..%2Fpyproject.toml", "/view/../../../etc/passwd", "/sparql/../../README.md", "//etc/passwd", "/queries/qc/entity-without-label-violation",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_file_is_served_by_path(server, path):
    status, _, body = raw_get(server, path)
    assert status in (400, 404)
    assert b"[project]" not in body and b"root:" not in body and b"import" not in body and b"SELECT" not in body


# ----------------------------------------------------------------------------------- named queries, views


def test_query_list(server):
    status, _, body = fetch(server.url + "/queries", headers={"Accept": "application/json"})
    listed = json.loads(body)
    assert status == 200 and [item["name"] for item in listed] == NAMES
    status, headers, body = fetch(server.url + "/queries", headers={"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("text/html") and b"drug-adverse-effects" in body


@pytest.mark.parametrize("name", NAMES)
def test_every_named_query_answers_as_locally(server, local_store, name):
    local = queries.run(name, None, local_store)
    status, _, body = fetch(f"{server.url}/queries/{name}?format=json")
    assert status == 200
    remote = json.loads(body)
    if local.boolean is not None:
        assert remote["boolean"] == local.boolean
    else:
        assert remote["head"]["vars"] == local.columns
        assert sorted(json.dumps(b, sort_keys=True) for b in remote["results"]["bindings"]) == sorted(
            json.dumps(b, sort_keys=True) for b in json.loads(local.serialize("json"))["results"]["bindings"])


def test_named_query_parameters_formats_and_errors(server):
    status, headers, body = fetch(server.url + "/queries/drug-adverse-effects?drug=Gleevec", headers={"Accept": "text/csv"})
    assert status == 200 and headers["content-type"].startswith("text/csv") and b"https://w3id.org/allkg/drug/imatinib" in body
    status, headers, body = fetch(server.url + "/queries/drug-adverse-effects?drug=Gleevec", headers={"Accept": "text/html"})
    assert status == 200 and b"<table>" in body and b'href="/view/drug/imatinib"' in body
    status, _, body = fetch(server.url + "/queries/drug-adverse-effects?drug=imatinb&format=json")
    assert status == 400 and b"did you mean" in body and b"imatinib" in body
    status, _, body = fetch(server.url + "/queries/drug-adverse-effects?medicine=imatinib&format=json")
    assert status == 400 and b"drug" in body
    status, _, body = fetch(server.url + "/queries/drug-adverse-effect")
    assert status == 404 and b"drug-adverse-effects" in body


def test_named_query_page_escapes_values(server):
    status, _, body = fetch(server.url + "/queries/entity-search?" + urllib.parse.urlencode({"text": "<script>alert(1)</script>"}), headers={"Accept": "text/html"})
    assert status == 200 and b"<script>alert(1)" not in body and b"&lt;script&gt;" in body


@pytest.mark.parametrize("path", ["/view/drug/imatinib", "/view/imatinib", "/view/Gleevec?depth=2"])
def test_entity_view(server, path):
    status, headers, body = fetch(server.url + path)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"imatinib" in body and b"<script src=" not in body and b"<link" not in body


def test_unknown_entity_view_suggests(server):
    status, _, body = fetch(server.url + "/view/imatinb")
    assert status == 404 and b"imatinib" in body


def test_editor_page_loads_only_from_this_server(server):
    status, headers, body = fetch(server.url + "/")
    assert status == 200 and "connect-src 'self'" in headers["content-security-policy"]
    assert set(re.findall(rb'(?:src|href)="([^"#]+)"', body)) <= {b"/assets/yasgui/yasgui.min.js", b"/assets/yasgui/yasgui.min.css", b"data:,",
                                                                   b"/", b"/queries", b"/sparql"}
    assert b"drug-adverse-effects" in body and b"Format without scripts" not in body and b"Answer format" in body
    for name, kind in (("yasgui.min.js", "text/javascript"), ("yasgui.min.css", "text/css")):
        status, headers, asset = fetch(server.url + "/assets/yasgui/" + name)
        assert status == 200 and headers["content-type"].startswith(kind) and len(asset) > 10_000
    assert fetch(server.url + "/assets/yasgui/LICENSE")[0] == 404 and fetch(server.url + "/assets/yasgui/..%2F..%2Fserver.py")[0] == 404


def test_repeated_requests_come_from_the_cache(cors_server):
    url = cors_server.url + "/sparql?" + urllib.parse.urlencode({"query": DRUGS + " LIMIT 3"})
    first = fetch(url)
    hits = cors_server.health()["cache"]["hits"]
    again = fetch(url)
    assert again[0] == 200 and again[2] == first[2]
    assert cors_server.health()["cache"]["hits"] == hits + 1


def test_editor_runs_a_query_in_chromium(server, browser):
    """The editor in a real Chromium: YASGUI offline, a named query as example, run, drawn as a table; labels stay
    text; without scripts the plain form still answers."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1300, "height": 900})
    elsewhere, errors = [], []
    page.on("request", lambda request: None if request.url.startswith(server.url) else elsewhere.append(request.url))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(server.url + "/")
    page.select_option("#example", "drugs-by-class")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table", timeout=20_000)  # the first query also starts a worker
    assert page.locator(".yasr tbody tr").count() > 2 and "drug" in " ".join(page.locator(".yasr th").all_text_contents())
    page.screenshot(path=str(Path(__file__).resolve().parent.parent / "build" / "screenshots" / "editor.png"))
    page.evaluate("""window.allkgYasgui.getTab().getYasqe().setValue('SELECT ?label WHERE { BIND("<img src=x onerror=window.hacked=1>" AS ?label) }')""")
    page.click(".yasqe_queryButton")
    expect(page.locator(".yasr tbody td").nth(1)).to_contain_text("<img src=x onerror=window.hacked=1>", timeout=15_000)
    assert page.locator(".yasr img").count() == 0 and page.evaluate("window.hacked === undefined")
    assert errors == []
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(server.url + "/")
    plain.fill("#query", "SELECT ?drug WHERE { ?drug a allkg:Drug } LIMIT 2")
    plain.select_option("#format", "csv")
    answers = []

    def capture(route):  # the browser would save the CSV as a download: read it on the way and show it as text
        response = route.fetch()
        answers.append(response.text())
        route.fulfill(status=response.status, content_type="text/plain", body=response.body())

    plain.route("**/sparql", capture)
    with plain.expect_navigation():
        plain.click("button[type=submit]")
    assert len(answers) == 1 and answers[0].count("/drug/") == 2
    page.close()
    plain.close()
    assert elsewhere == []


def test_explore_form_answers_a_profile(server):
    """The explorer's served page: the form, then the answer; a contradiction is said in the page (400)."""
    status, headers, body = raw_get(server, "/explore?subtype=Ph%2B+ALL&mutation=T315I&setting=relapsed&age=54")
    page = body.decode("utf-8")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert 'name="subtype" value="Ph+ ALL"' in page and "1. ponatinib" in page and "research and education only" in page
    status, _, body = raw_get(server, "/explore?subtype=T-ALL&marker=CD19")
    assert status == 400 and 'role="alert"' in body.decode("utf-8")


def test_entity_iri_shows_its_page_to_a_browser(server):
    status, headers, body = raw_get(server, "/drug/dasatinib", {"Accept": "text/html"})
    assert status == 200 and b"<h1>dasatinib</h1>" in body and b'href="/assets/site.css"' in body
    status, headers, _ = raw_get(server, "/assets/site.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
