"""The W3C SPARQL 1.1 Protocol tests (query part) through ``allkg serve``.

``tests/fixtures/w3c-protocol/`` holds the suite's manifest and data files, copied unchanged from
github.com/w3c/rdf-tests (sparql/sparql11/protocol, commit ad541a5), under the W3C test suite
licence (https://www.w3.org/Consortium/Legal/2008/04-testsuite-copyright.html), which allows it.
Each test's requests are sent as written (the path prefix ``/sparql/`` made ``/sparql``) and the
answer is checked for the expected status class, result format and boolean. The data files are
served as the named graphs the manifest names them by (a TriG file made from them).

Update tests expect an update to succeed: this endpoint is read-only and refuses them (403), so
they are listed as expected failures with that reason.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from test_server import Server

SUITE = Path(__file__).parent / "fixtures" / "w3c-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
READ_ONLY = "a read-only endpoint refuses SPARQL Update (403), where the test expects it to run"
FORMATS = {  # media type -> the manifest's expected format
    "application/sparql-results+json": ("boolean", "tabular"), "application/sparql-results+xml": ("boolean", "tabular"),
    "text/csv": ("boolean", "tabular"), "text/tab-separated-values": ("boolean", "tabular"),
    "text/turtle": ("RDF",), "application/n-triples": ("RDF",), "application/ld+json": ("RDF",), "application/rdf+xml": ("RDF",),
}


def _manifest():
    manifest = Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest.ttl")
    root = next(manifest.subjects(MF.entries, None))
    return manifest, list(Collection(manifest, manifest.value(root, MF.entries)))


MANIFEST, ENTRIES = _manifest()


def _requests(test) -> list[dict]:
    action = MANIFEST.value(test, MF.action)
    requests = []
    for request in Collection(MANIFEST, MANIFEST.value(action, HT.requests)):
        body = MANIFEST.value(request, HT.body)
        headers_list = MANIFEST.value(request, HT.headers)
        headers = {str(MANIFEST.value(h, HT.fieldName)): str(MANIFEST.value(h, HT.fieldValue))
                   for h in (Collection(MANIFEST, headers_list) if headers_list else [])}
        response = MANIFEST.value(request, HT.resp)
        encoding = str(MANIFEST.value(body, CNT.characterEncoding) or "UTF-8") if body else "UTF-8"
        requests.append({
            "method": str(MANIFEST.value(request, HT.methodName)),
            "path": str(MANIFEST.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
            "headers": headers,
            "body": str(MANIFEST.value(body, CNT.chars)).encode(encoding) if body else None,
            "statuses": {str(status).rsplit("StatusCode", 1)[1] for status in MANIFEST.objects(response, MF.expectedStatus)},
            "format": str(MANIFEST.value(response, MF.expectedFormat) or "") or None,
            "boolean": MANIFEST.value(response, MF.expectedBoolean),
        })
    return requests


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The suite's data files as named graphs (named by their labels in the manifest), in one TriG file."""
    graphs = {}
    for data in MANIFEST.objects(None, UT.graphData):
        graphs[str(MANIFEST.value(data, RDFS.label))] = (SUITE / Path(str(MANIFEST.value(data, UT.graph))).name).read_text(encoding="utf-8")
    trig = tmp_path_factory.mktemp("w3c") / "protocol.trig"
    trig.write_text("".join(f"<{name}> {{\n{triples}}}\n" for name, triples in sorted(graphs.items())), encoding="utf-8")
    server = Server(trig, "--workers", "2")
    yield server
    server.stop()


def _check(server: Server, request: dict) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(request["method"], request["path"], body=request["body"], headers=request["headers"])
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    status_class = f"{str(response.status)[0]}xx"
    assert status_class in request["statuses"], (response.status, body[:300])
    media = (response.getheader("content-type") or "").split(";")[0].strip()
    if request["format"]:
        assert request["format"] in FORMATS.get(media, ()), media
    if request["boolean"] is not None:
        assert media == "application/sparql-results+json", media  # what this endpoint sends by default
        assert json.loads(body)["boolean"] is request["boolean"].toPython()


@pytest.mark.parametrize("test", ENTRIES, ids=[str(test).rsplit("#", 1)[1] for test in ENTRIES])
def test_w3c_protocol(server, test):
    name = str(test).rsplit("#", 1)[1]
    requests = _requests(test)
    if name.startswith("update_"):
        pytest.xfail(READ_ONLY)
    for request in requests:
        _check(server, request)
