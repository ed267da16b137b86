"""``allkg serve``: a read-only SPARQL 1.1 Protocol endpoint with the named queries and entity views beside it.

Routes (nothing else is served: no file is read from a request's path):

- ``/sparql``: GET or POST (``application/x-www-form-urlencoded`` or a direct
  ``application/sparql-query`` body) with content negotiation; GET without a
  query returns the service description (the editor for a browser).
- ``/``: the query editor; ``/queries`` and ``/queries/NAME?param=value``:
  the named queries; ``/view/ENTITY``: an entity's neighbourhood as a page.
- ``/health``: ``{"status": "ok", ...}`` once the workers hold the graph.
- ``/drug/imatinib`` (any entity IRI's path), ``/store?default``, ``/void``: linked data,
  see :mod:`allkg.linkeddata`.

Protection: SPARQL Update and SERVICE are refused (403, decided on the parsed
query: :mod:`allkg.readonly`), and the workers that run queries cannot open a
network connection at all (:mod:`allkg.sandbox`); each request gets at most
``timeout`` seconds of a worker process, which is killed and replaced if it
runs longer, and a client may run one slow query at a time (see
:mod:`allkg.workers`); a request whose client goes away is stopped; at most
``max_rows`` rows come back; requests over ``max_query_bytes`` get 413, header
fields over ``max_header_bytes`` 431, a request slower to arrive than
``read_timeout`` 408 (:mod:`allkg.connections`); CORS headers only for the one
origin given; it listens on 127.0.0.1 unless told otherwise.

Starlette (routing, requests, responses) on uvicorn (the HTTP server): small,
well kept, standard ASGI; the queries themselves run in Oxigraph.
"""

from __future__ import annotations

import asyncio
import json
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from allkg import linkeddata, pages, protocol
from allkg.connections import CLIENT_GONE, AccessLog, configure_log, limited_protocol
from allkg.protocol import Reply
from allkg.workers import Template, WorkerPool

HTML_POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-src 'self'; frame-ancestors 'self'"  # entity pages frame their view
)


@dataclass(frozen=True)
class Settings:
    """How the server runs; the command-line options of ``allkg serve``."""

    host: str = "127.0.0.1"
    port: int = 8000
    graph_path: Path | None = None
    timeout: float = 10.0
    max_rows: int = 10000
    max_query_bytes: int = 100_000
    workers: int = 0  # 0: slow_queries + 4
    slow_queries: int = 0  # 0: default_slow_queries()
    memory_limit_mb: int = 2048
    cache_mb: int = 64
    cors: str | None = None
    max_header_bytes: int = 32_768
    read_timeout: float = 10.0
    entailment: bool | None = None  # None: only for the project's own graph
    access_log: bool = True

    def public(self) -> dict[str, object]:
        return {"time limit (s)": self.timeout, "row limit": self.max_rows, "request size limit (bytes)": self.max_query_bytes}


class TooLarge(Exception):
    pass


def respond(reply: Reply) -> Response:
    headers = {"X-Content-Type-Options": "nosniff", **reply.headers}
    if reply.media_type.startswith("text/html"):
        headers["Content-Security-Policy"] = HTML_POLICY
    return Response(reply.body, status_code=reply.status, headers=headers, media_type=reply.media_type)


def refuse(status: int, message: str, **headers) -> Response:
    reply = Reply.text(status, message)
    reply.headers.update(headers)
    return respond(reply)


async def read_body(request: Request, limit: int, read_timeout: float) -> bytes:
    """Return the request body, raising TooLarge as soon as it passes ``limit`` bytes, TimeoutError if it is slow."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    body = bytearray()

    async def read() -> None:
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > limit:
                raise TooLarge

    await asyncio.wait_for(read(), read_timeout)
    return bytes(body)


async def _disconnected(request: Request) -> None:
    """Return once the client has closed its connection (the request's body has been read by then)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def borrow_worker(request: Request, kind: str, *arguments) -> Response:
    """Run a job on the pool for this request; if the client goes away first, stop the job (its worker is killed)."""
    pool: WorkerPool = request.app.state.pool
    client = request.client.host if request.client else ""
    work = asyncio.ensure_future(pool.run(kind, *arguments, client=client))
    watch = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({work, watch}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (work, watch):
            if not task.done():
                task.cancel()
    if work.cancelled() or not work.done():
        return Response(status_code=CLIENT_GONE)  # never sent: there is no one to send it to; the access log says so
    return respond(work.result())


def _prefers_html(accept: str | None) -> bool:
    return protocol.negotiate({"text/html": "html", "text/turtle": "rdf", "application/n-triples": "rdf",
                               "application/ld+json": "rdf", "application/rdf+xml": "rdf"}, accept, "rdf") == "html"


async def sparql(request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation."""
    settings: Settings = request.app.state.settings
    limit = settings.max_query_bytes
    if len(request.scope.get("query_string", b"")) > limit:
        return refuse(413, f"the request is larger than the limit of {limit} bytes")
    params = list(request.query_params.multi_items())
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            body = (await read_body(request, limit, settings.read_timeout)).decode("utf-8")
        except TooLarge:
            return refuse(413, f"the request is larger than the limit of {limit} bytes")
        except TimeoutError:
            return refuse(408, f"the request body took longer than {settings.read_timeout:g} s to arrive", connection="close")
        except UnicodeDecodeError:
            return refuse(400, "the request body is not UTF-8")
        if content_type == "application/sparql-update":
            return refuse(403, "this endpoint is read-only: SPARQL Update is refused")
        if content_type == "application/x-www-form-urlencoded":
            params += parse_qsl(body, keep_blank_values=True)
        elif content_type == "application/sparql-query":
            params.append(("query", body))
        else:
            return refuse(415, "POST a query as application/x-www-form-urlencoded (query=...) or as application/sparql-query")
    names = [name for name, _ in params]
    if "update" in names:
        return refuse(403, "this endpoint is read-only: SPARQL Update is refused")
    texts = [value for name, value in params if name == "query"]
    accept = request.headers.get("accept")
    if not texts:
        if request.method == "POST":
            return refuse(400, "no query given: send query=... or a direct application/sparql-query body")
        if _prefers_html(accept):
            return respond(Reply(200, "text/html; charset=utf-8", pages.editor_page()))
        endpoint = str(request.url.replace(query=""))
        return respond(protocol.service_description(endpoint, request.app.state.pool.triples, accept, settings.public()))
    if len(texts) > 1:
        return refuse(400, "give exactly one query per request")
    dataset = tuple(tuple(value for name, value in params if name == which) for which in ("default-graph-uri", "named-graph-uri"))
    formats = [value for name, value in params if name in ("format", "output")]
    endpoint = str(request.url.replace(query=""))  # the base IRI of relative IRIs in the query
    return await borrow_worker(request, "sparql", texts[0], accept, formats, endpoint, dataset)  # the worker refuses SERVICE and updates


async def editor(request: Request) -> Response:
    return respond(Reply(200, "text/html; charset=utf-8", pages.editor_page()))


async def asset(request: Request) -> Response:
    return respond(pages.asset(request.path_params["name"]))


async def explore(request: Request) -> Response:
    """The therapy explorer's form and answer (for research and education only)."""
    return await borrow_worker(request, "explore", dict(request.query_params))


async def site_asset(request: Request) -> Response:
    return respond(pages.site_asset(request.path_params["name"]))


async def query_list(request: Request) -> Response:
    return respond(pages.query_list(request.headers.get("accept"), request.query_params.get("format")))


async def named_query(request: Request) -> Response:
    params = dict(request.query_params)
    requested = params.pop("format", None)
    return await borrow_worker(request, "named", request.path_params["name"], params, request.headers.get("accept"), requested)


async def view(request: Request) -> Response:
    try:
        depth = int(request.query_params.get("depth", "1"))
    except ValueError:
        return refuse(400, "depth must be a whole number (0 to 3)")
    return await borrow_worker(request, "view", request.path_params["name"], depth)


async def health(request: Request) -> Response:
    pool: WorkerPool = request.app.state.pool
    status = {"status": "ok", "triples": pool.triples, "workers": len(pool.workers), "idle": pool.idle.qsize(), "replaced": pool.replaced,
              "network_forbidden": pool.sandboxed, "slow_running": sum(pool.slow.values()), "slow_stopped": pool.stopped_slow,
              "cache": {"hits": pool.cache.hits, "misses": pool.cache.misses, "bytes": pool.cache.size} if pool.cache else None}
    return Response(json.dumps(status), media_type="application/json")


def create_app(settings: Settings, template: Template | None = None) -> Starlette:
    """Return the ASGI application; its workers start with the application (lifespan) and stop with it.

    ``template``: a process already holding the graph (see :func:`serve`); without one, the lifespan starts it.
    """

    @asynccontextmanager
    async def lifespan(app: Starlette):
        pool = WorkerPool(settings.graph_path, settings.workers, settings.timeout, settings.max_rows, settings.memory_limit_mb,
                          settings.cache_mb, settings.slow_queries, inference=settings.entailment, template=template)
        await pool.start()
        app.state.pool, app.state.settings = pool, settings
        print(f"allkg serve: http://{settings.host}:{settings.port}/ (SPARQL endpoint /sparql; {pool.triples} triples, "
              f"{len(pool.workers)} workers, {pool.slow_queries} slow {'query' if pool.slow_queries == 1 else 'queries'} at a time, "
              f"time limit {settings.timeout:g} s, row limit {settings.max_rows})", file=sys.stderr, flush=True)
        if not pool.sandboxed:
            print("allkg serve: warning: the query workers could not be cut off from the network on this platform; "
                  "queries that cannot be checked for SERVICE are refused", file=sys.stderr, flush=True)
        try:
            yield
        finally:
            await pool.close()

    middleware = [Middleware(AccessLog)]
    if settings.cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=[settings.cors], allow_methods=["GET", "POST"],
                                     allow_headers=["Accept", "Content-Type"], expose_headers=["X-Allkg-Truncated", "X-Allkg-Max-Rows"]))
    routes = [
        Route("/", editor, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/assets/yasgui/{name}", asset, methods=["GET"]),
        Route("/assets/{name}", site_asset, methods=["GET"]),  # the entity pages' shared files
        Route("/explore", explore, methods=["GET"]),
        Route("/queries", query_list, methods=["GET"]),
        Route("/queries/{name}", named_query, methods=["GET"]),
        Route("/view/{name:path}", view, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        *linkeddata.routes(),  # last: its entity route answers any /KIND/NAME (allkg/linkeddata.py)
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def serve(settings: Settings) -> None:
    """Build the graph if needed, load it, start the workers and answer HTTP until interrupted.

    The graph is loaded before the HTTP server starts, so a file that cannot be read ends in one line
    (LoadError, ValueError) rather than in the server's start-up traceback.
    """
    import multiprocessing

    import uvicorn

    from allkg.store import _guess_format, ensure_built

    path = ensure_built(settings.graph_path)
    _guess_format(path)  # an unknown suffix: ValueError naming the formats, before any process starts
    settings = Settings(**{**settings.__dict__, "graph_path": path})
    configure_log(settings.access_log)
    template = Template(multiprocessing.get_context("spawn"), path, settings.max_rows, settings.memory_limit_mb, settings.entailment)
    try:
        template.ready()
    except BaseException:
        template.stop()
        raise
    uvicorn.run(
        create_app(settings, template), host=settings.host, port=settings.port, log_level="warning", access_log=False,
        loop="asyncio",  # not uvloop: with it, waiting on the workers' pipes (add_reader) stalled under load
        http=limited_protocol(settings.max_query_bytes + 8192, settings.max_header_bytes, settings.read_timeout),
        timeout_keep_alive=5,
    )
