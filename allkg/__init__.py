"""allkg: the acute lymphoblastic leukemia therapy knowledge graph.

For research and education only; not for treating patients.

>>> graph = load_graph()  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"


def load_graph(path=None):
    """Return the built graph as an rdflib Graph, building it first if no build exists."""
    from rdflib import Graph

    from allkg.build import build, build_dir

    target = path or build_dir() / "allkg.nt"
    if path is None and not target.exists():
        build()
    return Graph().parse(target, format="nt" if str(target).endswith(".nt") else None)


def to_networkx(graph=None):
    """Return the graph (default: the built one) as a networkx MultiDiGraph, statements folded into edges."""
    from allkg.network import to_networkx as convert

    return convert(load_graph() if graph is None else graph)


def view(name=None, depth=1, graph=None, title=None):
    """Return an interactive view (shown inline in Jupyter; ``.save(path)`` writes the page).

    ``name``: an entity's id, label, synonym or brand; the view is then its neighbourhood.
    """
    from allkg.network import neighbourhood, resolve
    from allkg.views import render

    network, focus = to_networkx(graph), None
    if name is not None:
        focus = resolve(network, name)
        network = neighbourhood(network, focus, depth)
    return render(network, title=title or (f"allkg: {network.nodes[focus]['label']}" if focus else "allkg"), focus=focus)


__all__ = ["load_graph", "to_networkx", "view", "__version__"]
