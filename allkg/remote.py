"""Remote stores: push the graph to any SPARQL 1.1 Graph Store, and run queries on any SPARQL endpoint.

Push replaces the target graph without ever exposing a half-written one: the
whole graph goes in one PUT to a fresh temporary graph, its triple count is
checked there, and one SPARQL Update ``MOVE`` swaps it into place (stores run
an update request as one transaction). A plain PUT onto the target is not
enough: Oxigraph, for one, clears the graph before it parses the upload, so a
failed upload would leave it empty or partial. On any failure the temporary
graph is dropped and the target is left as it was; a lost answer to the swap
itself is checked in the store before it is called a failure; temporary graphs
that a crash left behind are dropped by the next push. Virtuoso, which has no
default graph to write to, gets :data:`PROJECT_GRAPH` instead (see docs/push.md).
Credentials (Basic, Digest or a bearer token) come from options, the
environment or the address, and are never shown.

Remote queries send the text with the project's prefixes declared and the
parameters bound by a ``VALUES`` block, exactly as local queries are
(:func:`allkg.queries.with_values`): the values are pyoxigraph terms written in
N-Triples syntax (escaped by the serializer), never the strings a person typed. Answers come back as SPARQL JSON (or N-Triples for
graphs) and are read into the same :class:`allkg.results.QueryResult`.

Only the standard library speaks HTTP here (urllib): nothing to install.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from allkg.queries import (  # RemoteError lives with the query errors: callers catch it without importing this module
    RemoteError,
    with_values,
)
from allkg.results import PREFIXES_FILE, QueryResult, paged

QUERY_TIMEOUT_S = 120
PUSH_TIMEOUT_S = 600
RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
# Graph Store address suffix -> (query endpoint, update endpoint) suffixes of the same store.
ENDPOINT_RULES = [
    ("/store", "/query", "/update"),  # Oxigraph
    ("/data", "/query", "/update"),  # Apache Jena Fuseki: /DATASET/data
    ("/rdf-graphs/service", "", "/statements"),  # GraphDB and RDF4J: /repositories/REPO/rdf-graphs/service
    ("/sparql-graph-crud-auth", "/sparql-auth", "/sparql-auth"),  # Virtuoso, with Digest authentication
    ("/sparql-graph-crud", "/sparql", "/sparql"),
    ("/sparql/gsp", "/sparql", "/sparql"),  # Amazon Neptune
]




# -------------------------------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class Credentials:
    """Who the client is to a store: a user name and password (HTTP Basic or Digest, whichever the server asks
    for) or a bearer token. Secrets are never shown: not in messages, not in ``repr``."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return bool(self.user or self.token)


class ConnectionLost(RemoteError):
    """The server could not be reached, or the connection broke before its answer was read."""


class Answer(NamedTuple):
    status: int
    content_type: str
    body: bytes
    server: str  # the Server header: tells stores apart where the protocol leaves them free (Virtuoso)


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """Return ``url`` without the ``user:password@`` part, and those credentials (percent-decoded) or None.

    >>> split_credentials("http://ann:s%40fe@127.0.0.1:7878/store")
    ('http://127.0.0.1:7878/store', Credentials(user='ann'))
    """
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # not shown: a password with an unencoded '/' spills into the host and path
        raise RemoteError("the store's address does not parse: its port is not a number (a password holding '/', '?', '#' "
                          "or '@' must be percent-encoded in an address; or give --user and --password instead)") from None
    if "@" not in parts.netloc:
        return url, None
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    credentials = Credentials(urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or ""))
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), credentials


def safe_url(url: str) -> str:
    """Return ``url`` as it may be shown: scheme, host, port and path, never a user name or password."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def request(method: str, url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = QUERY_TIMEOUT_S,
            credentials: Credentials | None = None) -> Answer:
    """Send one HTTP request and return its answer; raise ConnectionLost if the server cannot be reached or the
    connection breaks, and RemoteError with the server's reason if it wants other credentials (401)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise RemoteError(f"{safe_url(url)}: not an http(s) address")
    url, in_url = split_credentials(url)
    credentials = credentials or in_url
    headers = dict(headers or {})
    handlers = []
    if credentials and credentials.token:
        headers["Authorization"] = f"Bearer {credentials.token}"
    elif credentials and credentials.user:
        # Answer the server's challenge, Basic or Digest: a password never goes out before the server says how.
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, credentials.user, credentials.password or "")
        handlers = [urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)]
    message = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.build_opener(*handlers).open(message, timeout=timeout) as response:
            return Answer(response.status, response.headers.get("Content-Type", ""), response.read(), response.headers.get("Server", ""))
    except urllib.error.HTTPError as error:
        body = error.read()
        if error.code == 401:
            raise RemoteError(_refused_credentials(url, error, body, credentials)) from None
        return Answer(error.code, error.headers.get("Content-Type", ""), body, error.headers.get("Server", ""))
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or error or type(error).__name__
        raise ConnectionLost(f"cannot reach {safe_url(url)}: {reason}") from None


def _refused_credentials(url: str, error: urllib.error.HTTPError, body: bytes, credentials: Credentials | None) -> str:
    challenge = error.headers.get("WWW-Authenticate", "")
    reason = _said(body) if body.strip() and not error.headers.get("Content-Type", "").startswith("text/html") else ""
    if not reason and challenge:
        scheme, _, rest = challenge.partition(" ")
        realm = next((item.split("=", 1)[1].strip('" ') for item in rest.split(",") if item.strip().lower().startswith("realm=")), "")
        reason = f"it asks for {scheme} authentication" + (f" (realm {realm!r})" if realm else "")
    said = f"{safe_url(url)} answered 401 Unauthorized: {reason or 'no reason given'}"
    if credentials:
        return f"{said}; the credentials given were not accepted"
    return f"{said}; give --user and --password (or ALLKG_USER and ALLKG_PASSWORD), or --token (or ALLKG_TOKEN)"


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


def execute_remote(endpoint: str, text: str, bindings: dict, source: str = "<query>", credentials: Credentials | None = None,
                   *, limit: int | None = None, offset: int = 0) -> QueryResult:
    """Run ``text`` with ``bindings`` on the SPARQL endpoint ``endpoint`` and return a QueryResult.

    ``limit``, ``offset``: keep only that page of the answer (see :func:`allkg.results.take_page`). The page is cut
    from the endpoint's answer as it arrives: the protocol has no paging, and the query text is sent as written.
    """
    return _execute_remote(endpoint, text, bindings, source, credentials, limit, offset)[0]


def _execute_remote(endpoint: str, text: str, bindings: dict, source: str, credentials: Credentials | None,
                    limit: int | None = None, offset: int = 0) -> tuple[QueryResult, str]:
    """Return the result and the Server header of the endpoint's answer."""
    from allkg.queries import QueryError, answer_yes_or_no

    try:
        body = prefix_block() + with_values(text, bindings)
    except ValueError as error:
        raise QueryError(f"{source}: {error}") from None
    status, content_type, answer, server = request(
        "POST", endpoint, urllib.parse.urlencode({"query": body}).encode("utf-8"),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": RESULTS_ACCEPT}, credentials=credentials,
    )
    endpoint = safe_url(endpoint)
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
        elif media in ("application/n-triples", "text/plain", "text/turtle"):
            syntax = ox.RdfFormat.TURTLE if media == "text/turtle" else ox.RdfFormat.N_TRIPLES
            triples = ((t.subject, t.predicate, t.object) for t in ox.parse(answer, format=syntax))
            return paged(["subject", "predicate", "object"], triples, source, limit, offset), server
        else:
            raise RemoteError(f"{endpoint} answered in {content_type or 'an unnamed format'}, not SPARQL JSON or XML")
        if isinstance(result, ox.QueryBoolean):
            return answer_yes_or_no(bool(result), source, limit, offset), server
        columns = [variable.value for variable in result.variables]
        return paged(columns, (tuple(solution[i] for i in range(len(columns))) for solution in result), source, limit, offset), server
    except SyntaxError as error:  # the parsers read lazily: a fault in the answer may show while its rows are read
        raise RemoteError(f"{endpoint} sent an answer that does not parse: {error}") from None


# -------------------------------------------------------------------------------------------------- push

TEMPORARY_PREFIX = "urn:allkg:upload:"
# A temporary graph older than this belongs to no push still running (one is given PUSH_TIMEOUT_S per request).
STALE_AFTER_S = 3 * PUSH_TIMEOUT_S
# Where a push without --graph goes on a store with no default graph of its own (Virtuoso: queries without
# FROM or GRAPH see the union of all named graphs, and updates have no DEFAULT to write to).
PROJECT_GRAPH = "https://w3id.org/allkg/graph"


@dataclass(frozen=True)
class PushResult:
    triples: int
    graph: str
    store: str
    seconds: float
    notes: tuple[str, ...] = ()


def _graph_url(store_url: str, graph: str | None) -> str:
    parts = urllib.parse.urlsplit(store_url)
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    return urllib.parse.urlunsplit(parts._replace(query=query))


def count_triples(query_endpoint: str, graph: str | None, credentials: Credentials | None = None) -> int:
    """Return the number of triples in ``graph`` (None: the default graph) as the store's query endpoint says."""
    pattern = f"GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    result = execute_remote(query_endpoint, f"SELECT (COUNT(*) AS ?triples) WHERE {{ {pattern} }}", {}, source="count", credentials=credentials)
    return int(result.terms[0][0].value)


def update(update_endpoint: str, text: str, credentials: Credentials | None = None) -> None:
    status, _, answer, _ = request("POST", update_endpoint, urllib.parse.urlencode({"update": text}).encode("utf-8"),
                                   {"Content-Type": "application/x-www-form-urlencoded"}, timeout=PUSH_TIMEOUT_S, credentials=credentials)
    if status not in (200, 204):
        raise RemoteError(f"{safe_url(update_endpoint)} refused the update ({status}): {_said(answer)}")


def temporary_graphs(query_endpoint: str, credentials: Credentials | None = None) -> tuple[list[tuple[str, float | None]], str]:
    """Return the temporary graphs of pushes in the store, each with the time it was made (None if unknown),
    and the store's Server header."""
    text = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), {ox.Literal(TEMPORARY_PREFIX)})) }}"
    result, server = _execute_remote(query_endpoint, text, {}, "temporary graphs", credentials)
    graphs = []
    for (term,) in result.terms:
        made = term.value[len(TEMPORARY_PREFIX):].split(":", 1)[0]
        graphs.append((term.value, float(made) if made.isdigit() else None))  # a bare UUID: an older allkg's
    return graphs, server


def clean_up(store_url: str, *, query_endpoint: str | None = None, update_endpoint: str | None = None,
             credentials: Credentials | None = None, older_than: float | None = None) -> list[str]:
    """Drop the temporary graphs that interrupted pushes left in the store (only those made more than
    ``older_than`` seconds ago, if given); return their names."""
    store_url, credentials = _with_credentials(store_url, credentials)
    query_endpoint, update_endpoint = _endpoints(store_url, query_endpoint, update_endpoint)
    graphs, _ = temporary_graphs(query_endpoint, credentials)
    return _drop_stale(graphs, update_endpoint, credentials, older_than)


def _drop_stale(graphs, update_endpoint: str, credentials, older_than: float | None) -> list[str]:
    now, dropped = time.time(), []
    for graph, made in graphs:
        if older_than is None or made is None or now - made > older_than:
            update(update_endpoint, f"DROP SILENT GRAPH {ox.NamedNode(graph)}", credentials)
            dropped.append(graph)
    return dropped


def _with_credentials(store_url: str, credentials: Credentials | None) -> tuple[str, Credentials | None]:
    store_url, in_url = split_credentials(store_url)
    if in_url and credentials:
        raise RemoteError("give the user name and password either in the address or as options, not both")
    return store_url, credentials or in_url


def _endpoints(store_url: str, query_endpoint: str | None, update_endpoint: str | None) -> tuple[str, str]:
    if not (query_endpoint and update_endpoint):
        derived = derive_endpoints(store_url)
        query_endpoint, update_endpoint = query_endpoint or derived[0], update_endpoint or derived[1]
    return query_endpoint, update_endpoint


def push_data(store_url: str, data: bytes, expected: int, graph: str | None = None, *, query_endpoint: str | None = None,
              update_endpoint: str | None = None, media_type: str = "application/n-triples",
              credentials: Credentials | None = None) -> PushResult:
    """Replace ``graph`` (None: the default graph) of the store at ``store_url`` with ``data`` holding ``expected`` triples."""
    started = time.monotonic()
    if graph:
        ox.NamedNode(graph)  # checks the IRI before anything is sent
    store_url, credentials = _with_credentials(store_url, credentials)
    query_endpoint, update_endpoint = _endpoints(store_url, query_endpoint, update_endpoint)
    notes = []
    leftovers, server = temporary_graphs(query_endpoint, credentials)
    dropped = _drop_stale(leftovers, update_endpoint, credentials, STALE_AFTER_S)
    if dropped:
        notes.append(f"removed {len(dropped)} temporary graph(s) left by interrupted pushes")
    if graph is None and server.lower().startswith("virtuoso"):
        graph = PROJECT_GRAPH
        notes.append(f"Virtuoso has no default graph of its own, so the graph went to <{graph}>; "
                     "queries without FROM or GRAPH see it")
    temporary = f"{TEMPORARY_PREFIX}{int(time.time())}:{uuid.uuid4()}"
    target = f"{ox.NamedNode(graph)}" if graph else "DEFAULT"
    try:
        status, _, answer, _ = request("PUT", _graph_url(store_url, temporary), data, {"Content-Type": media_type},
                                       timeout=PUSH_TIMEOUT_S, credentials=credentials)
        if status not in (200, 201, 204):
            raise RemoteError(f"{safe_url(store_url)} refused the upload ({status}): {_said(answer)}; the target graph is unchanged")
        uploaded = count_triples(query_endpoint, temporary, credentials)
        if uploaded != expected:
            raise RemoteError(f"the store holds {uploaded} of the {expected} triples sent; the target graph is unchanged")
    except BaseException:
        _drop_quietly(update_endpoint, temporary, credentials)
        raise
    try:
        update(update_endpoint, f"MOVE {ox.NamedNode(temporary)} TO {target}", credentials)
    except ConnectionLost as lost:
        # The store may have done the swap and only its answer been lost: look before calling it a failure.
        _check_swap(query_endpoint, update_endpoint, graph, temporary, expected, credentials, lost)
        notes.append("the connection broke during the swap; the store was checked and holds the new graph")
    except BaseException:
        _drop_quietly(update_endpoint, temporary, credentials)
        raise
    final = count_triples(query_endpoint, graph, credentials)
    if final != expected:
        raise RemoteError(f"after the swap the graph holds {final} triples, not {expected}: is another client writing to it?")
    return PushResult(final, f"<{graph}>" if graph else "the default graph", safe_url(store_url), time.monotonic() - started, tuple(notes))


def _check_swap(query_endpoint, update_endpoint, graph, temporary, expected, credentials, lost: ConnectionLost) -> None:
    try:
        moved, left = count_triples(query_endpoint, graph, credentials), count_triples(query_endpoint, temporary, credentials)
    except RemoteError:
        raise RemoteError(f"{lost} during the swap, and the store cannot be reached to check it: the target holds either the "
                          "old or the new graph; push again (the next push removes the temporary graph)") from None
    if moved == expected and left == 0:
        return
    _drop_quietly(update_endpoint, temporary, credentials)
    raise RemoteError(f"{lost} during the swap, which did not happen: the target graph is unchanged")


def _drop_quietly(update_endpoint: str, graph: str, credentials: Credentials | None) -> None:
    try:
        update(update_endpoint, f"DROP SILENT GRAPH {ox.NamedNode(graph)}", credentials)
    except RemoteError:
        pass  # the store is gone or refuses: the next push removes the graph (see clean_up)


def push(store_url: str, graph: str | None = None, *, path: Path | None = None, inference: bool = True,
         query_endpoint: str | None = None, update_endpoint: str | None = None, credentials: Credentials | None = None) -> PushResult:
    """Load the built graph (default: with the class and property hierarchy materialised, as local queries see it)
    into ``graph`` of the Graph Store at ``store_url``, replacing it, and check the triple count."""
    from allkg.store import exact_triples

    triples = exact_triples(path, inference=inference)  # literals exactly as in the file: no store normalisation
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return push_data(store_url, data, len(triples), graph, query_endpoint=query_endpoint, update_endpoint=update_endpoint,
                     credentials=credentials)
