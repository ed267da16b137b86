"""Remote stores: push the graph to any SPARQL 1.1 Graph Store, and run queries on any SPARQL endpoint.

Push replaces the target graph without ever exposing a half-written one: the
graph streams into a fresh temporary graph (a PUT, then a POST for each further
document of :data:`allkg.upload.BATCH_TRIPLES` triples), its triple count is
checked there, and one SPARQL Update ``MOVE`` swaps it into place (stores run
an update request as one transaction). A plain PUT onto the target is not
enough: Oxigraph, for one, clears the graph before it parses the upload, so a
failed upload would leave it empty or partial. On any failure the temporary
graph is dropped and the target is left as it was; a lost answer to the swap
itself is checked in the store before it is called a failure; temporary graphs
that a crash left behind are dropped by the next push. Virtuoso, which has no
default graph to write to, gets :data:`PROJECT_GRAPH` instead (see docs/push.md).
Credentials (Basic, Digest or a bearer token) come from options, the
environment or the address, and are never shown (:mod:`allkg.webclient`).

Remote queries send the text with the project's prefixes declared and the
parameters bound by a ``VALUES`` block, exactly as local queries are
(:func:`allkg.queries.with_values`): the values are pyoxigraph terms written in
N-Triples syntax (escaped by the serializer), never the strings a person typed. Answers come back as SPARQL JSON (or N-Triples for
graphs) and are read into the same :class:`allkg.results.QueryResult`.

Only the standard library speaks HTTP (urllib, in :mod:`allkg.webclient`): nothing to install.
"""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from allkg.queries import (  # RemoteError lives with the query errors: callers catch it without importing this module
    RemoteError,
    with_values,
)
from allkg.results import PREFIXES_FILE, QueryResult, paged
from allkg.webclient import (  # noqa: F401 - the HTTP layer, reachable here as before
    QUERY_TIMEOUT_S,
    Answer,
    ConnectionLost,
    Credentials,
    _said,
    request,
    safe_url,
    split_credentials,
)

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




# ----------------------------------------------------------------------------------------------- endpoints


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
                    limit: int | None = None, offset: int = 0, timeout: float = QUERY_TIMEOUT_S) -> tuple[QueryResult, str]:
    """Return the result and the Server header of the endpoint's answer."""
    from allkg.queries import QueryError, answer_yes_or_no

    try:
        body = prefix_block() + with_values(text, bindings)
    except ValueError as error:
        raise QueryError(f"{source}: {error}") from None
    status, content_type, answer, server = request(
        "POST", endpoint, urllib.parse.urlencode({"query": body}).encode("utf-8"),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": RESULTS_ACCEPT}, timeout=timeout, credentials=credentials,
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
# A temporary graph older than this belongs to no push still running (one is given PUSH_TIMEOUT_S per request),
# unless its name allows it longer (a large push: see _allowance).
STALE_AFTER_S = 3 * PUSH_TIMEOUT_S
# The fewest triples a second a store is expected to take, sending or swapping (Oxigraph's MOVE does ~3,500 on a busy
# 2-core machine; see docs/push.md): a large push's swap may take that long, and its temporary graph is kept so long.
SLOWEST_TRIPLES_PER_S = 1000
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
    phases: tuple[tuple[str, float], ...] = ()  # (what, seconds): preparing, sending, counting, swapping, checking


def _graph_url(store_url: str, graph: str | None, bulk: bool = False) -> str:
    parts = urllib.parse.urlsplit(store_url)
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    if bulk:  # Oxigraph's own switch: load without one transaction for the whole request (its bulk loader)
        query += "&no_transaction"
    return urllib.parse.urlunsplit(parts._replace(query=query))


def count_triples(query_endpoint: str, graph: str | None, credentials: Credentials | None = None, timeout: float = QUERY_TIMEOUT_S) -> int:
    """Return the number of triples in ``graph`` (None: the default graph) as the store's query endpoint says."""
    pattern = f"GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    result, _ = _execute_remote(query_endpoint, f"SELECT (COUNT(*) AS ?triples) WHERE {{ {pattern} }}", {}, "count", credentials, timeout=timeout)
    return int(result.terms[0][0].value)


def update(update_endpoint: str, text: str, credentials: Credentials | None = None, timeout: float = PUSH_TIMEOUT_S) -> None:
    status, _, answer, _ = request("POST", update_endpoint, urllib.parse.urlencode({"update": text}).encode("utf-8"),
                                   {"Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout, credentials=credentials)
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


def _temporary_name(expected: int) -> str:
    """``urn:allkg:upload:<unix time>:<uuid>:<seconds>``: when the push began, and how long it may keep the graph."""
    return f"{TEMPORARY_PREFIX}{int(time.time())}:{uuid.uuid4()}:{int(STALE_AFTER_S + 2 * expected / SLOWEST_TRIPLES_PER_S)}"


def _allowance(graph: str) -> float:
    """How long the push that made ``graph`` may keep it: its name says so (an older allkg's names: STALE_AFTER_S)."""
    fields = graph[len(TEMPORARY_PREFIX):].split(":")
    return float(fields[2]) if len(fields) == 3 and fields[2].isdigit() else STALE_AFTER_S


def clean_up(store_url: str, *, query_endpoint: str | None = None, update_endpoint: str | None = None,
             credentials: Credentials | None = None, older_than: float | None = None) -> list[str]:
    """Drop the temporary graphs that interrupted pushes left in the store (if ``older_than`` is given, only those
    made more than ``older_than`` seconds ago and longer ago than their push allowed itself); return their names."""
    store_url, credentials = _with_credentials(store_url, credentials)
    query_endpoint, update_endpoint = _endpoints(store_url, query_endpoint, update_endpoint)
    graphs, _ = temporary_graphs(query_endpoint, credentials)
    return _drop_stale(graphs, update_endpoint, credentials, older_than)


def _drop_stale(graphs, update_endpoint: str, credentials, older_than: float | None) -> list[str]:
    now, dropped = time.time(), []
    for graph, made in graphs:
        if older_than is None or made is None or now - made > max(older_than, _allowance(graph)):
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


def push_data(store_url: str, data, expected: int, graph: str | None = None, *, query_endpoint: str | None = None,
              update_endpoint: str | None = None, media_type: str = "application/n-triples",
              credentials: Credentials | None = None, progress=None) -> PushResult:
    """Replace ``graph`` (None: the default graph) of the store at ``store_url`` with ``data`` holding ``expected``
    distinct triples.

    ``data``: the bytes of one document, or an iterable of (document, number of triples in it), read lazily and
    sent one after the other into the temporary graph (see :func:`allkg.upload.documents`). ``progress(message)``
    hears how far the sending is.
    """
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
    temporary = _temporary_name(expected)
    target = f"{ox.NamedNode(graph)}" if graph else "DEFAULT"
    slow = PUSH_TIMEOUT_S + expected / SLOWEST_TRIPLES_PER_S  # a count or a swap of many triples takes long
    phases = Phases(started)
    try:
        # Nobody reads the temporary graph, so Oxigraph may fill it without a transaction (several times faster).
        _send(_graph_url(store_url, temporary, bulk=server.lower().startswith("oxigraph")), _as_documents(data, expected),
              expected, media_type, credentials, progress)
        phases.done("sending")
        uploaded = count_triples(query_endpoint, temporary, credentials, timeout=slow)
        phases.done("counting")
        if uploaded != expected:
            raise RemoteError(f"the store holds {uploaded} of the {expected} triples sent; the target graph is unchanged")
    except BaseException:
        _drop_quietly(update_endpoint, temporary, credentials)
        raise
    if progress:
        progress(f"swapping {expected:,} triples into place (one SPARQL Update)")
    try:
        update(update_endpoint, f"MOVE {ox.NamedNode(temporary)} TO {target}", credentials, timeout=slow)
    except ConnectionLost as lost:
        # The store may have done the swap and only its answer been lost: look before calling it a failure.
        _check_swap(query_endpoint, update_endpoint, graph, temporary, expected, credentials, lost)
        notes.append("the connection broke during the swap; the store was checked and holds the new graph")
    except BaseException:
        _drop_quietly(update_endpoint, temporary, credentials)
        raise
    phases.done("swapping")
    final = count_triples(query_endpoint, graph, credentials, timeout=slow)
    if final != expected:
        raise RemoteError(f"after the swap the graph holds {final} triples, not {expected}: is another client writing to it?")
    phases.done("checking")
    return PushResult(final, f"<{graph}>" if graph else "the default graph", safe_url(store_url), time.monotonic() - started,
                      tuple(notes), phases.spent)


class Phases:
    """Seconds spent in each step of a push, one after the other."""

    def __init__(self, started: float):
        self.last, self.spent = started, ()

    def done(self, what: str) -> None:
        now = time.monotonic()
        self.spent, self.last = (*self.spent, (what, round(now - self.last, 3))), now


def _as_documents(data, expected: int):
    return [(data, expected)] if isinstance(data, (bytes, bytearray)) else data


def _send(url: str, documents, expected: int, media_type: str, credentials: Credentials | None, progress) -> None:
    """Send ``documents`` to the graph at ``url``: the first replaces it (PUT), the others add to it (POST)."""
    from allkg.upload import Rate

    method, rate = "PUT", Rate(expected)
    for document, count in documents:
        status, _, answer, _ = request(method, url, document, {"Content-Type": media_type}, timeout=PUSH_TIMEOUT_S, credentials=credentials)
        if status not in (200, 201, 204):
            after = f" after {rate.sent:,} triples" if rate.sent else ""
            raise RemoteError(f"{safe_url(url)} refused the upload ({status}{after}): {_said(answer)}; the target graph is unchanged")
        method = "POST"
        rate.add(count)
        if progress:
            progress(rate.message())


def _check_swap(query_endpoint, update_endpoint, graph, temporary, expected, credentials, lost: ConnectionLost) -> None:
    slow = PUSH_TIMEOUT_S + expected / SLOWEST_TRIPLES_PER_S
    try:
        moved, left = count_triples(query_endpoint, graph, credentials, slow), count_triples(query_endpoint, temporary, credentials, slow)
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
         query_endpoint: str | None = None, update_endpoint: str | None = None, credentials: Credentials | None = None,
         progress=None) -> PushResult:
    """Load the built graph (default: with the class and property hierarchy materialised, as local queries see it)
    into ``graph`` of the Graph Store at ``store_url``, replacing it, and check the triple count.

    The graph streams: it is prepared on disk (see :func:`allkg.store.exact_graph`) and sent in documents of
    :data:`allkg.upload.BATCH_TRIPLES` triples, never held whole in memory. ``progress(message)``: told how far it is.
    """
    from allkg.store import exact_graph
    from allkg.upload import documents

    started = time.monotonic()
    with exact_graph(path, inference=inference, progress=progress) as exact:  # literals exactly as in the file
        prepared = time.monotonic() - started
        if progress:
            progress(f"prepared {exact.count:,} triples in {prepared:.0f} s")
        result = push_data(store_url, documents(exact.triples()), exact.count, graph, query_endpoint=query_endpoint,
                           update_endpoint=update_endpoint, credentials=credentials, progress=progress)
    return dataclasses.replace(result, seconds=time.monotonic() - started, phases=(("preparing", round(prepared, 3)), *result.phases))
