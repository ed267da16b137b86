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


__all__ = ["load_graph", "__version__"]
