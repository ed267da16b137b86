"""Remote stores: push the graph to any SPARQL 1.1 Graph Store, and run queries on any SPARQL endpoint.

Push replaces the target graph without ever exposing a half-written one: the
whole graph goes in one PUT to a fresh temporary graph, its triple count is
checked there, and one SPARQL Update ``MOVE`` swaps it into place (stores run
an update request as one transaction). A plain PUT onto the target is not
enough: Oxigraph, for one, clears the graph before it parses the upload, so a
failed upload would leave it empty or partial. On any failure the temporary
graph is dropped and the target is left as it was.

Remote queries send the text with the project's prefixes declared and the
parameters bound by a ``VALUES`` block, exactly as local queries are
(:func:`allkg.queries.with_values`): the values are pyoxigraph terms written in
N-Triples syntax (escaped by the serializer), never the strings a person typed. Answers come back as SPARQL JSON (or N-Triples for
graphs) and are read into the same :class:`allkg.results.QueryResult`.

Only the standard library speaks HTTP here (urllib): nothing to install.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from allkg.queries import (  # RemoteError lives with the query errors: callers catch it without importing this module
    RemoteError,
    with_values,
)
from allkg.results import PREFIXES_FILE, QueryResult

QUERY_TIMEOUT_S = 120
PUSH_TIMEOUT_S = 600
RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
# Graph Store address suffix -> (query endpoint, update endpoint) suffixes of the same store.
ENDPOINT_RULES = [
    ("/store", "/query", "/update"),  # Oxigraph
    ("/data", "/query", "/update"),  # Apache Jena Fuseki: /DATASET/data
    ("/rdf-graphs/service", "", "/statements"),  # GraphDB and RDF4J: /repositories/REPO/rdf-graphs/service
    ("/sparql-graph-crud-auth", "/sparql", "/sparql"),  # Virtuoso
    ("/sparql-graph-crud", "/sparql", "/sparql"),
    ("/sparql/gsp", "/sparql", "/sparql"),  # Amazon Neptune
]




# -------------------------------------------------------------------------------------------------- HTTP


def request(method: str, url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = QUERY_TIMEOUT_S) -> tuple[int, str, bytes]:
    """Send one HTTP request; return (status, content type, body); raise RemoteError if the server cannot be reached."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise RemoteError(f"{url}: not an http(s) address")
    message = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(message, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        parts = urllib.parse.urlsplit(url)
        raise RemoteError(f"cannot reach {parts.scheme}://{parts.netloc}{parts.path}: {reason}") from None


def _said(body: bytes, limit: int = 600) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text if len(text) <= limit else text[:limit] + " ..."


def derive_endpoints(store_url: str) -> tuple[str, str]:
    """Return the (query, update) endpoints of the store whose Graph Store address is ``store_url``.

    >>> derive_endpoints("http://127.0.0.1:7878/store")
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update')
    >>> derive_endpoints("http://localhost:3030/allkg/data")
    ('http://localhost:3030/allkg/query', 'http://localhost:3030/allkg/update')
    """
    parts = urllib.parse.urlsplit(store_url)
    path = parts.path.rstrip("/")
    for suffix, query, update in ENDPOINT_RULES:
        if path.endswith(suffix):
            base = path[: -len(suffix)]
            return tuple(urllib.parse.urlunsplit(parts._replace(path=base + end, query="")) for end in (query, update))
    raise RemoteError(f"cannot tell the query and update endpoints of {store_url}; give --query-endpoint and --update-endpoint")


# ----------------------------------------------------------------------------------------------- queries


def prefix_block() -> str:
    prefixes = json.loads(PREFIXES_FILE.read_text(encoding="utf-8"))
    return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in prefixes.items())


def execute_remote(endpoint: str, text: str, bindings: dict, source: str = "<query>") -> QueryResult:
    """Run ``text`` with ``bindings`` on the SPARQL endpoint ``endpoint`` and return a QueryResult."""
    from allkg.queries import QueryError

    try:
        body = prefix_block() + with_values(text, bindings)
    except ValueError as error:
        raise QueryError(f"{source}: {error}") from None
    status, content_type, answer = request(
        "POST", endpoint, urllib.parse.urlencode({"query": body}).encode("utf-8"),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": RESULTS_ACCEPT},
    )
    if status == 400:
        raise QueryError(f"{source}: the endpoint {endpoint} refused the query: {_said(answer)}")
    if status != 200:
        raise RemoteError(f"{endpoint} answered {status}: {_said(answer)}")
    media = content_type.split(";")[0].strip().lower()
    try:
        if media in ("application/sparql-results+json", "application/json"):
            result = ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)
        elif media in ("application/sparql-results+xml", "application/xml"):
            result = ox.parse_query_results(answer, format=ox.QueryResultsFormat.XML)
        elif media in ("application/n-triples", "text/plain"):
            triples = [(t.subject, t.predicate, t.object) for t in ox.parse(answer, format=ox.RdfFormat.N_TRIPLES)]
            return QueryResult(["subject", "predicate", "object"], triples, name=source)
        elif media == "text/turtle":
            triples = [(t.subject, t.predicate, t.object) for t in ox.parse(answer, format=ox.RdfFormat.TURTLE)]
            return QueryResult(["subject", "predicate", "object"], triples, name=source)
        else:
            raise RemoteError(f"{endpoint} answered in {content_type or 'an unnamed format'}, not SPARQL JSON or XML")
    except SyntaxError as error:
        raise RemoteError(f"{endpoint} sent an answer that does not parse: {error}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryResult([], boolean=bool(result), name=source)
    columns = [variable.value for variable in result.variables]
    return QueryResult(columns, [tuple(solution[i] for i in range(len(columns))) for solution in result], name=source)


# -------------------------------------------------------------------------------------------------- push


@dataclass(frozen=True)
class PushResult:
    triples: int
    graph: str
    store: str
    seconds: float


def _graph_url(store_url: str, graph: str | None) -> str:
    parts = urllib.parse.urlsplit(store_url)
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    return urllib.parse.urlunsplit(parts._replace(query=query))


def count_triples(query_endpoint: str, graph: str | None) -> int:
    """Return the number of triples in ``graph`` (None: the default graph) as the store's query endpoint says."""
    pattern = f"GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    result = execute_remote(query_endpoint, f"SELECT (COUNT(*) AS ?triples) WHERE {{ {pattern} }}", {}, source="count")
    return int(result.terms[0][0].value)


def update(update_endpoint: str, text: str) -> None:
    status, _, answer = request("POST", update_endpoint, urllib.parse.urlencode({"update": text}).encode("utf-8"),
                                {"Content-Type": "application/x-www-form-urlencoded"}, timeout=PUSH_TIMEOUT_S)
    if status not in (200, 204):
        raise RemoteError(f"{update_endpoint} refused the update ({status}): {_said(answer)}")


def push_data(store_url: str, data: bytes, expected: int, graph: str | None = None, *, query_endpoint: str | None = None,
              update_endpoint: str | None = None, media_type: str = "application/n-triples") -> PushResult:
    """Replace ``graph`` (None: the default graph) of the store at ``store_url`` with ``data`` holding ``expected`` triples."""
    started = time.monotonic()
    target = ox.NamedNode(graph) if graph else None  # checks the IRI before anything is sent
    if not (query_endpoint and update_endpoint):
        derived = derive_endpoints(store_url)
        query_endpoint, update_endpoint = query_endpoint or derived[0], update_endpoint or derived[1]
    temporary = f"urn:allkg:upload:{uuid.uuid4()}"
    try:
        status, _, answer = request("PUT", _graph_url(store_url, temporary), data, {"Content-Type": media_type}, timeout=PUSH_TIMEOUT_S)
        if status not in (200, 201, 204):
            raise RemoteError(f"{store_url} refused the upload ({status}): {_said(answer)}; the target graph is unchanged")
        uploaded = count_triples(query_endpoint, temporary)
        if uploaded != expected:
            raise RemoteError(f"the store holds {uploaded} of the {expected} triples sent; the target graph is unchanged")
        update(update_endpoint, f"MOVE {ox.NamedNode(temporary)} TO {target if target else 'DEFAULT'}")
    except BaseException:
        _drop_quietly(store_url, temporary)
        raise
    final = count_triples(query_endpoint, graph)
    if final != expected:
        raise RemoteError(f"after the swap the graph holds {final} triples, not {expected}: is another client writing to it?")
    return PushResult(final, graph or "the default graph", store_url, time.monotonic() - started)


def _drop_quietly(store_url: str, graph: str) -> None:
    try:
        request("DELETE", _graph_url(store_url, graph), timeout=30)
    except RemoteError:
        pass  # the store is gone; there is nothing left to clean


def push(store_url: str, graph: str | None = None, *, path: Path | None = None, inference: bool = True,
         query_endpoint: str | None = None, update_endpoint: str | None = None) -> PushResult:
    """Load the built graph (default: with the class and property hierarchy materialised, as local queries see it)
    into ``graph`` of the Graph Store at ``store_url``, replacing it, and check the triple count."""
    from allkg.store import exact_triples

    triples = exact_triples(path, inference=inference)  # literals exactly as in the file: no store normalisation
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return push_data(store_url, data, len(triples), graph, query_endpoint=query_endpoint, update_endpoint=update_endpoint)
