"""A loopback HTTP listener that counts the connections it receives: what a query must never reach.

It answers every request as a SPARQL endpoint would, with one row holding MARKER, so
that a query which did reach it would show the marker in its answer.
"""

from __future__ import annotations

import json
import socket
import threading

MARKER = "reached-the-loopback-listener"
ANSWER = json.dumps({"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": [
    {name: {"type": "literal", "value": MARKER} for name in ("s", "p", "o")}]}}).encode("utf-8")


class Listener:
    """A TCP server on 127.0.0.1 in a thread; ``connections`` counts the connections accepted so far."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                connection.settimeout(2)
                try:
                    request = b""
                    while b"\r\n\r\n" not in request:
                        chunk = connection.recv(65536)
                        if not chunk:
                            break
                        request += chunk
                    head, _, body = request.partition(b"\r\n\r\n")
                    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
                    while len(body) < length:
                        chunk = connection.recv(65536)
                        if not chunk:
                            break
                        body += chunk
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nConnection: close\r\n"
                                       b"Content-Length: %d\r\n\r\n%s" % (len(ANSWER), ANSWER))
                except OSError:
                    pass

    def close(self) -> None:
        self.socket.close()


def obfuscated_services(url: str, base: str) -> list[str]:
    """Queries that each make a bare Oxigraph store call SERVICE ``url`` (``base``: ``url`` without its last segment)."""
    pattern = "{ ?s ?p ?o }"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {pattern} }}",
        f"PREFIX ex: <http://example.org/> SELECT * WHERE {{ BIND(ex:a\\# AS ?x) SERVICE <{url}> {pattern} }}",
        f"PREFIX ex: <http://example.org/> SELECT * WHERE {{ BIND(ex:a\\' AS ?x) SERVICE <{url}> {pattern} }} #'",
        f"PREFIX ex: <http://example.org/> SELECT * WHERE {{ BIND(ex:a\\#\\' AS ?x) SERVICE <{url}> {pattern} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {pattern} }}",
        f"SELECT * WHERE {{ \\U00000053\\U00000045RVICE <{url}> {pattern} }}",
        f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {pattern} }}",
        f"SELECT * WHERE {{ # SERVICE in a comment, then the real one\n  SERVICE # between keyword and IRI\n <{url}> {pattern} }}",
        f"SELECT * WHERE {{ sErViCe <{url}> {pattern} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {pattern} }}",
        f"SELECT * WHERE {{ service silent <{url}> {pattern} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {pattern} }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {pattern} }} }} }} }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?x) FILTER EXISTS {{ SERVICE <{url}> {pattern} }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?x) FILTER NOT EXISTS {{ SERVICE <{url}> {pattern} }} }}",
        f"SELECT * WHERE {{ BIND(EXISTS {{ SERVICE <{url}> {pattern} }} AS ?x) }}",
        f"SELECT * WHERE {{ BIND(1 AS ?x) OPTIONAL {{ SERVICE <{url}> {pattern} }} }}",
        f"SELECT * WHERE {{ {{ BIND(1 AS ?x) }} UNION {{ SERVICE <{url}> {pattern} }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?x) MINUS {{ SERVICE <{url}> {pattern} }} }}",
        f"SELECT * WHERE {{ VALUES ?x {{ 1 }} SERVICE <{url}> {pattern} }}",
        f"PREFIX remote: <{base}> SELECT * WHERE {{ SERVICE remote:sparql {pattern} }}",
        f"BASE <{base}> SELECT * WHERE {{ SERVICE <sparql> {pattern} }}",
        f"SELECT * WHERE {{ BIND(\"}} # \\\" '\" AS ?x) SERVICE <{url}> {pattern} }}",
        f"SELECT * WHERE {{ BIND('''SERVICE''' AS ?x) SERVICE <{url}> {pattern} }}",
        f"SELECT * WHERE {{ VALUES ?endpoint {{ <{url}> }} SERVICE ?endpoint {pattern} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ GRAPH ?g {{ ?a ?b ?c }} }} SERVICE <{url}> {pattern} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?x) OPTIONAL {{ GRAPH <urn:none> {{ ?a ?b ?c }} }} {{ SERVICE <{url}> {pattern} }} UNION {{ BIND(2 AS ?y) }} }}",
        f"ASK {{ SERVICE <{url}> {pattern} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {pattern} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {pattern} }}",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{url}> {pattern} }} GROUP BY ?s HAVING (COUNT(*) > 0)",
    ]
