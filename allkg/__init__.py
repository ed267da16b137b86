"""allkg: the acute lymphoblastic leukemia therapy knowledge graph.

For research and education only; not for treating patients.

>>> graph = load_graph()  # doctest: +SKIP
>>> query("drug-adverse-effects", drug="Revuforj").to_dataframe()  # doctest: +SKIP

Importing ``allkg`` is light: the functions below import what they need when called.
"""

from __future__ import annotations

__version__ = "0.1.0"


def load_graph(path=None, *, store_dir=None, inference=True):
    """Return the built graph as an rdflib Graph backed by Oxigraph, building it first if no build exists.

    The class and property hierarchy is materialised (``inference=False`` gives the asserted triples only);
    ``store_dir`` keeps the store on disk for large graphs. See :mod:`allkg.store`.
    """
    from allkg.store import load_graph as load

    return load(path, store_dir=store_dir, inference=inference)


def query(name, graph=None, *, endpoint=None, timeout=60.0, limit=None, offset=0, **params):
    """Run the named query ``name`` (a file of queries/) with parameters; with none, its example.

    ``endpoint``: a SPARQL endpoint's address to ask instead of the local graph (e.g. a store ``allkg push`` filled).
    ``timeout``: seconds before the query's process is killed and ``QueryTimeout`` raised (None: no limit).
    ``limit``, ``offset``: only ``limit`` rows after the first ``offset`` of the answer, in its order; the result's
    ``.more`` says whether rows follow (``offset=result.offset + len(result)`` asks for the next page).
    Returns a :class:`allkg.results.QueryResult`: iterate for rows, ``.to_dataframe()`` for pandas.

    >>> page = query("drugs-by-route", limit=10, offset=20)  # doctest: +SKIP
    """
    from allkg.guarded import run

    return run(name, params, graph, endpoint=endpoint, timeout=timeout, limit=limit, offset=offset)


def sparql(text, graph=None, *, timeout=60.0, **bindings):
    """Run a free, read-only SPARQL query on the graph (default: the build) and return a QueryResult.

    Updates and SERVICE are refused; the query runs in a process that cannot open a network connection and
    is killed after ``timeout`` seconds (None: no limit), raising ``allkg.queries.QueryTimeout``.
    """
    from allkg.guarded import sparql as run_sparql

    return run_sparql(text, graph, timeout=timeout, **bindings)


def explore(graph=None, **profile):
    """Candidate therapies for a patient profile, with paths, evidence, exclusions, cautions and monitoring.

    For research and education only; never for treating a patient. Options (names as a person types them):
    ``subtype``, ``alteration``, ``mutation``, ``marker``, ``setting``, ``population``, ``prior_therapy``,
    ``comedication``, ``condition`` (each a name or a list of names) and ``age`` (years). Returns the documented
    JSON dict (see :mod:`allkg.explorer`).

    >>> answer = explore(subtype="Ph+ ALL", mutation="T315I", setting="relapsed", age=54)  # doctest: +SKIP
    """
    from allkg.explorer import explore as run

    return run(graph, **profile)


def check_regimen(drugs, graph=None, *, comedication=(), condition=()):
    """Check a combination of drugs: interactions, shared adverse effects, boxed warnings, monitoring, tests."""
    from allkg.regimen_check import check_regimen as run

    return run(drugs, graph, comedication=comedication, condition=condition)


def to_networkx(graph=None):
    """Return the graph (default: the built one) as a networkx MultiDiGraph, statements folded into edges."""
    from allkg.network import to_networkx as convert

    return convert(load_graph(inference=False) if graph is None else graph)  # asserted facts: each edge has its sources


def view(name=None, depth=1, graph=None, title=None):
    """Return an interactive view (shown inline in Jupyter; ``.save(path)`` writes the page).

    ``name``: an entity's id, label, synonym or brand; the view is then its neighbourhood.
    """
    from allkg.network import neighbourhood
    from allkg.resolve import node_named
    from allkg.views import render

    network, focus = to_networkx(graph), None
    if name is not None:
        focus = node_named(network, name)
        network = neighbourhood(network, focus, depth)
    return render(network, title=title or (f"allkg: {network.nodes[focus]['label']}" if focus else "allkg"), focus=focus)


__all__ = ["check_regimen", "explore", "load_graph", "query", "sparql", "to_networkx", "view", "__version__"]
