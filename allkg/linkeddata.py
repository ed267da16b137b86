"""Linked data in ``allkg serve``: entity IRIs that answer, the graph by the Graph Store Protocol, and ``/void``.

- ``/drug/imatinib`` (any curated entity, statement or source, as its IRI path under
  https://w3id.org/allkg/) with content negotiation: Turtle, N-Triples or JSON-LD give the
  entity's own triples, every statement about it (as subject or object) with its qualifiers
  and sources, and the labels and titles of what these name; a browser (``text/html``) gets
  the entity's page from :func:`entity_page`. ``?format=ttl|nt|jsonld|html`` overrides Accept.
- ``/store?default``: the read-only SPARQL 1.1 Graph Store Protocol GET of the default graph
  (the asserted graph; the only graph). Other methods get 405.
- ``/void``: the dataset description (VoID + DCAT, :mod:`allkg.describe`), naming this server's
  SPARQL endpoint.

The served graph is read once, in the server process, into an rdflib Graph (the graph is small;
the answers are pattern lookups on the IRI of the path, so nothing from a request reaches a
query text). ``docs/linked-data.md`` shows how the w3id.org base redirects to a deployed server.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from allkg.protocol import Reply, negotiate

BASE_IRI = "https://w3id.org/allkg/"
RDF_OFFERS = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt", "text/plain": "nt",
              "application/ld+json": "json-ld", "application/json": "json-ld"}
PAGE_OFFERS = {"text/html": "html", "application/xhtml+xml": "html", **RDF_OFFERS}
MEDIA_TYPES = {"turtle": "text/turtle; charset=utf-8", "nt": "application/n-triples; charset=utf-8", "json-ld": "application/ld+json; charset=utf-8"}
FORMAT_PARAMETER = {"ttl": "turtle", "turtle": "turtle", "nt": "nt", "ntriples": "nt", "jsonld": "json-ld", "json-ld": "json-ld", "html": "html"}
NOT_DEREFERENCED = ("ontology", "shape")  # the ontology has its own document (allkg.ttl); shapes are internal


class ServedGraph:
    """The served graph, loaded on first use, with the answers that do not change cached."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._graph = None
        self._lock = threading.Lock()
        self._documents: dict[tuple, bytes] = {}

    @property
    def graph(self):
        with self._lock:
            if self._graph is None:
                from rdflib import Graph

                from allkg.vocab import bind_prefixes

                graph = Graph()
                bind_prefixes(graph)
                self._graph = graph.parse(self.path, format="nt" if self.path.suffix == ".nt" else None)
            return self._graph

    def entity(self, iri: str):
        """Return the entity's description as a small rdflib Graph, or None if the graph says nothing about it."""
        from rdflib import RDF, RDFS, Graph, URIRef
        from rdflib.namespace import DCTERMS

        from allkg.vocab import bind_prefixes

        graph, node = self.graph, URIRef(iri)
        if (node, None, None) not in graph:
            return None
        described = Graph()
        bind_prefixes(described)
        statements = {s for s in graph.subjects(RDF.subject, node)} | {s for s in graph.subjects(RDF.object, node)}
        for subject in (node, *sorted(statements)):
            for triple in graph.triples((subject, None, None)):
                described.add(triple)
        named = {o for o in described.objects() if isinstance(o, URIRef)} | {s for s in described.subjects()}
        for other in named - {node}:  # labels and titles, so that a client can show what is named
            for prop in (RDFS.label, DCTERMS.title, DCTERMS.isPartOf):
                for value in graph.objects(other, prop):
                    described.add((other, prop, value))
        return described

    def document(self, key: tuple, make) -> bytes:
        with self._lock:
            cached = self._documents.get(key)
        if cached is None:
            cached = make()
            with self._lock:
                self._documents[key] = cached
        return cached


@lru_cache(maxsize=4)
def served_graph(path: Path) -> ServedGraph:
    return ServedGraph(path)


def _served(request: Request) -> ServedGraph:
    from allkg.store import ensure_built

    return served_graph(ensure_built(request.app.state.settings.graph_path))


def _serialize(graph, rdf_format: str) -> bytes:
    if rdf_format == "json-ld":
        import json

        from allkg.vocab import prefix_map

        return json.dumps(json.loads(graph.serialize(format="json-ld", context=prefix_map(), auto_compact=True)), indent=1,
                          ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
    if rdf_format == "nt":
        return ("\n".join(sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())) + "\n").encode("utf-8")
    return graph.serialize(format="turtle").encode("utf-8")


def _chosen(request: Request, offers: dict[str, str], default: str) -> str | None:
    requested = request.query_params.get("format")
    if requested is not None:
        return FORMAT_PARAMETER.get(requested.strip().lower(), "unknown")
    return negotiate(offers, request.headers.get("accept"), default)


def _reply(status: int, media_type: str, body: bytes, **headers) -> Response:
    return Response(body, status_code=status, media_type=media_type, headers={"X-Content-Type-Options": "nosniff", "Vary": "Accept", **headers})


def _not_acceptable(offers: dict[str, str]) -> Response:
    return _reply(406, "text/plain; charset=utf-8", ("acceptable: " + ", ".join(offers) + " (or ?format=ttl, nt, jsonld)\n").encode())


async def entity_page(request: Request, entity_id: str) -> Response:
    """Return the HTML an entity IRI shows a browser: its page, as ``allkg site`` writes it, with its view embedded."""
    from allkg.server import respond

    reply: Reply = await request.app.state.pool.run("page", entity_id)
    return respond(reply)


async def entity(request: Request) -> Response:
    """Dereference an entity IRI: its triples and statements as RDF, or its page as HTML."""
    entity_id = f"{request.path_params['kind']}/{request.path_params['name']}"
    if request.path_params["kind"] in NOT_DEREFERENCED:
        return _reply(404, "text/plain; charset=utf-8", f"no entity {entity_id}\n".encode())
    chosen = _chosen(request, PAGE_OFFERS, "turtle")
    if chosen not in ("html", *MEDIA_TYPES):
        return _not_acceptable(PAGE_OFFERS)
    served = _served(request)
    described = await run_in_threadpool(served.entity, BASE_IRI + entity_id)
    if described is None:
        return _reply(404, "text/plain; charset=utf-8", f"no entity {entity_id} in this graph\n".encode())
    if chosen == "html":
        return await entity_page(request, entity_id)
    return _reply(200, MEDIA_TYPES[chosen], await run_in_threadpool(_serialize, described, chosen))


async def graph_store(request: Request) -> Response:
    """SPARQL 1.1 Graph Store Protocol, read-only: GET ``?default`` returns the whole (default) graph."""
    params = request.query_params
    if "graph" in params:
        return _reply(404, "text/plain; charset=utf-8", b"this store holds only the default graph: use ?default\n")
    if "default" not in params:
        return _reply(400, "text/plain; charset=utf-8", b"name the graph: ?default (the only graph)\n")
    chosen = _chosen(request, RDF_OFFERS, "turtle")
    if chosen not in MEDIA_TYPES:
        return _not_acceptable(RDF_OFFERS)
    served = _served(request)
    body = await run_in_threadpool(served.document, ("store", chosen), lambda: _serialize(served.graph, chosen))
    return _reply(200, MEDIA_TYPES[chosen], body)


async def void(request: Request) -> Response:
    """The dataset description of the served graph, naming this server's SPARQL endpoint."""
    chosen = _chosen(request, RDF_OFFERS, "turtle")
    if chosen not in MEDIA_TYPES:
        return _not_acceptable(RDF_OFFERS)
    endpoint = str(request.url.replace(path="/sparql", query=""))
    served = _served(request)
    body = await run_in_threadpool(served.document, ("void", chosen, endpoint), lambda: _serialize(_description(served, endpoint), chosen))
    return _reply(200, MEDIA_TYPES[chosen], body)


def _description(served: ServedGraph, endpoint: str):
    import datetime as dt

    from allkg.describe import data_version, describe, void_graph

    graph = served.graph
    issued = dt.date.fromtimestamp(served.path.stat().st_mtime).isoformat()
    try:
        version = data_version(graph)
    except ValueError:  # a graph given with --graph need not carry the ontology's version
        version = "unversioned"
    return void_graph(describe(graph, {served.path.name: served.path.read_bytes()}, version, issued, endpoint))


def routes() -> list[Route]:
    """The linked-data routes, to be registered after the server's own (the entity route matches any /KIND/NAME)."""
    return [
        Route("/void", void, methods=["GET"]),
        Route("/store", graph_store, methods=["GET"]),
        Route("/{kind}/{name:path}", entity, methods=["GET"]),
    ]
