"""Query text a person supplied, run read-only, without network access and within a time limit.

What ``allkg.sparql``, ``allkg.query``, ``allkg query`` and ``allkg view --query-file`` go
through: SERVICE and updates are refused by the parsed query (:mod:`allkg.readonly`); the
query then runs in a forked process that forbids itself the network (:mod:`allkg.sandbox`, so
a gap in the parser cannot reopen the door) and is killed when its time limit passes (the
work really stops: pyoxigraph cannot be interrupted from another thread). A remote
``endpoint`` is asked from a process that may use the network, under the same time limit.
"""

from __future__ import annotations

import pyoxigraph as ox

from allkg import readonly, sandbox
from allkg import store as stores
from allkg.queries import (
    DEFAULT_TIMEOUT_S,
    NamedQuery,
    QueryError,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    _display_path,
    bind,
    check_page,
    execute,
    load_query,
    valid_text,
)


def run(name: str | NamedQuery, params: dict | None = None, graph=None, *, endpoint: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT_S, limit: int | None = None, offset: int = 0) -> QueryResult:
    """Run a named query (or a query file read by :func:`allkg.queries.parse_query_file`) as :func:`execute_guarded` does.

    ``limit``, ``offset``: one page of the answer, in its own order (see :func:`allkg.queries.execute`).
    """
    limit, offset = check_page(limit, offset)  # before the work: a wrong value is told at once
    query = name if isinstance(name, NamedQuery) else load_query(name)
    bindings = bind(query, params, graph, endpoint)
    result = execute_guarded(query.text, bindings, graph, endpoint=endpoint, source=_display_path(query.path), timeout=timeout,
                             limit=limit, offset=offset)
    result.name = query.name
    return result


def sparql(text: str, graph=None, *, timeout: float | None = DEFAULT_TIMEOUT_S, **bindings) -> QueryResult:
    """Run a free, read-only SPARQL query; keyword arguments bind variables to terms or strings.

    Updates and SERVICE are refused, and the query runs in a process that cannot open a network connection
    and is killed after ``timeout`` seconds (None: no limit), raising QueryTimeout.
    """
    terms = {name: value if isinstance(value, (ox.NamedNode, ox.Literal)) else ox.Literal(valid_text(str(value), f"parameter {name!r}"))
             for name, value in bindings.items()}
    return execute_guarded(text, terms, graph, timeout=timeout)


def execute_guarded(text: str, bindings: dict | None = None, graph=None, *, endpoint: str | None = None, source: str = "<query>",
                    timeout: float | None = DEFAULT_TIMEOUT_S, limit: int | None = None, offset: int = 0) -> QueryResult:
    """Run :func:`execute` on text a person supplied: read-only, without network access, within ``timeout`` seconds.

    SERVICE and updates are refused by the parsed query (:mod:`allkg.readonly`); the query then runs in a forked
    process that forbids itself the network (:mod:`allkg.sandbox`: so a gap in the parser cannot reopen the
    door) and is killed when ``timeout`` passes (None: no limit). A remote ``endpoint`` is asked from a process
    that may use the network, under the same time limit. ``limit``, ``offset``: the page is cut in that process,
    so only the page comes back.
    """
    valid_text(text, source)
    limit, offset = check_page(limit, offset)
    if endpoint is None:
        refused = readonly.refusal(text)
        if refused is not None and refused.kind != "unchecked":
            raise QueryError(f"{source}: read-only: {refused.message}")
        strict = refused is not None  # what rdflib cannot read runs only where no connection can be opened
        graph = stores.default_store() if graph is None else graph  # loaded here, so every run's process shares it
    else:
        strict = False
    try:
        return sandbox.run_isolated(_execute_for, text, bindings, graph, endpoint, source, limit, offset, timeout=timeout,
                                    network=endpoint is not None, strict=strict)
    except sandbox.TimeLimit:
        raise QueryTimeout(f"{source}: the query ran past the time limit of {timeout:g} s and was stopped (its process was killed); "
                           "give a longer limit (--timeout SECONDS, or timeout= in Python; none: 0 or None) if it must run longer") from None
    except sandbox.IsolationError as error:
        raise QueryError(f"{source}: {error}") from None
    except PermissionError:  # the sandbox refused a connection a query rdflib could not read tried to open
        raise QueryError(f"{source}: read-only: {readonly.SERVICE_MESSAGE}") from None
    except QuerySyntaxError:
        if readonly.is_update(text):
            raise QueryError(f"{source}: read-only: {readonly.UPDATE_MESSAGE}") from None
        raise
    except (OSError, ValueError) as error:  # the engine's own errors, e.g. an IRI it will not connect to
        raise QueryError(f"{source}: {error}") from None


def _execute_for(text, bindings, graph, endpoint, source, limit, offset):
    return execute(text, bindings, graph, endpoint=endpoint, source=source, limit=limit, offset=offset)
