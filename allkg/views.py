"""Draw a network as one self-contained, offline, still HTML page (vis-network), for browsers and notebooks.

Why not ``pyvis.Network`` as it comes: its template loads Bootstrap from a CDN
even with ``cdn_resources="in_line"``; ``from_nx``/``add_node``/``add_edge`` test
membership in lists, which is quadratic (about 16 s for 10,000 nodes); and with
physics on a large page takes minutes to settle. So this module keeps what pyvis
does well, its bundled vis-network library and Jinja2 templating, and:

- builds the node and edge lists directly, in one pass;
- computes the layout once in Python (stress majorization for small graphs, a
  force layout with mesh-approximated repulsion for large ones) and freezes it
  (physics off), so the page is still and interactive at once;
- inlines vis-network's JS and CSS into its own small template
  (``allkg/templates/view.html``): the page makes no network request;
- embeds the data as JSON with ``<``, ``>`` and ``&`` escaped, and the page
  writes every label and detail with ``textContent``: data is shown, never run.

>>> import networkx as nx
>>> network = nx.MultiDiGraph()
>>> _ = network.add_edge("drug/x", "target/y", label="has target")
>>> view = render(network, title="tiny")
>>> view.nodes, "<script src=" in view.html, "<link" in view.html
(2, False, False)
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import networkx as nx
import numpy as np

from allkg.build import build_dir, write_atomically
from allkg.network import kind_of
from allkg.sectors import WRAP_CHARS, sector_layout, wrap

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
LAYOUT_SEED = 7
STRESS_LIMIT = 600  # stress layout is O(n^2) per step: best for small graphs, too slow for large ones
EDGE_LENGTH_PX = 140
NODE_ROOM_PX = 90  # large graphs: side of the square each node gets
MIN_SEPARATION = 0.55  # in edge lengths: room for a label between neighbours
DETAIL_KEYS = ("iri", "classes", "synonyms", "hidden_synonyms", "description", "identifiers", "sources", "attributes")
DISCLAIMER = "For research and education, not for treating patients."


@dataclass(frozen=True)
class View:
    """A rendered page: ``html`` is a complete, self-contained document."""

    html: str
    title: str
    nodes: int
    edges: int

    def __repr__(self) -> str:
        return f"<View {self.title!r}: {self.nodes} nodes, {self.edges} edges, {len(self.html) // 1024} kB; .save(path) writes it>"

    def save(self, path: Path) -> Path:
        """Write the page to ``path`` atomically and return the path."""
        path = Path(path)
        return write_atomically(path.parent, {path.name: self.html.encode("utf-8")})[path.name]

    def _repr_html_(self) -> str:
        """Show the page inline in Jupyter, isolated in a sandboxed iframe (scripts run, nothing else leaks)."""
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{html.escape(self.title, quote=True)}" '
            'style="width:100%;height:640px;border:1px solid #ddd" sandbox="allow-scripts allow-popups"></iframe>'
        )


def layout(network: nx.Graph, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Return fixed pixel positions for every node, the same for the same graph and seed."""
    index = {node: i for i, node in enumerate(network)}
    edges = np.array([(index[u], index[v]) for u, v in network.edges()], dtype=np.int64).reshape(-1, 2)
    coords = coordinates(len(index), edges, seed)
    return {node: (float(x), float(y)) for node, (x, y) in zip(index, coords)}


def coordinates(count: int, edges: np.ndarray, seed: int = LAYOUT_SEED) -> np.ndarray:
    """Return a (count, 2) array of pixel positions for nodes 0..count-1 joined by ``edges`` (index pairs)."""
    if count == 0:
        return np.zeros((0, 2))
    edges = edges[edges[:, 0] != edges[:, 1]]
    edges = np.unique(np.sort(edges, axis=1), axis=0) if len(edges) else edges  # direction and repeats do not matter
    if count <= STRESS_LIMIT:
        coords = _to_pixels(stress_layout(count, edges), edges)
    else:  # edges of a force layout vary too much in length to scale by: give each node room instead
        coords = mesh_force_layout(count, edges, seed)
        coords = (coords - coords.mean(axis=0)) * (NODE_ROOM_PX * np.sqrt(count) / max(float(np.ptp(coords, axis=0).max()), 1e-9))
    return np.round(coords, 1)


def stress_layout(count: int, edges: np.ndarray, iterations: int = 200) -> np.ndarray:
    """Place nodes so that drawn distances match graph distances (stress majorization, deterministic).

    Starts from classical MDS of the shortest-path distances, then improves with
    Jacobi steps of SMACOF. Pieces that are not connected sit one step beyond the
    longest path, so they stay near but apart.
    """
    simple = nx.Graph()
    simple.add_nodes_from(range(count))
    simple.add_edges_from(map(tuple, edges))
    distance = np.full((count, count), np.inf)
    for source, lengths in nx.all_pairs_shortest_path_length(simple):
        distance[source, list(lengths)] = list(lengths.values())
    finite = distance[np.isfinite(distance)]
    distance[~np.isfinite(distance)] = (finite.max() if finite.size else 0) + 1
    if count < 3:
        return np.array([[float(i), 0.0] for i in range(count)])
    squared = distance**2
    centred = -0.5 * (squared - squared.mean(axis=0) - squared.mean(axis=1)[:, None] + squared.mean())
    values, vectors = np.linalg.eigh(centred)
    coords = vectors[:, -2:] * np.sqrt(np.maximum(values[-2:], 1e-9))
    coords += np.random.default_rng(0).normal(scale=1e-3, size=coords.shape)  # split nodes MDS puts on one spot
    weights = np.divide(1.0, distance**2, out=np.zeros_like(distance), where=distance > 0)
    weight_sums = weights.sum(axis=1)[:, None]
    for _ in range(iterations):
        delta = coords[:, None, :] - coords[None, :, :]
        length = np.sqrt((delta**2).sum(axis=2))
        np.fill_diagonal(length, 1.0)
        pull = weights * distance / np.maximum(length, 1e-9)
        coords = ((weights @ coords) + (pull[:, :, None] * delta).sum(axis=1)) / weight_sums
    return _separate(coords, MIN_SEPARATION)


def _separate(coords: np.ndarray, minimum: float, iterations: int = 60) -> np.ndarray:
    """Push apart nodes closer than ``minimum``: drugs with the same effects land on one spot otherwise."""
    for _ in range(iterations):
        delta = coords[:, None, :] - coords[None, :, :]
        length = np.sqrt((delta**2).sum(axis=2))
        np.fill_diagonal(length, np.inf)
        overlap = np.clip(minimum - length, 0, None)
        if not overlap.any():
            break
        coords = coords + (overlap[:, :, None] * delta / np.maximum(length, 1e-9)[:, :, None]).sum(axis=1) / 4
    return coords


def mesh_force_layout(count: int, edges: np.ndarray, seed: int, iterations: int = 40) -> np.ndarray:
    """Fruchterman-Reingold with repulsion computed on a grid by FFT: O(n + grid log grid) per step.

    Attraction acts along edges exactly; repulsion between all pairs is approximated by
    convolving the node density with the 1/r force kernel (a particle-mesh method), which
    lays out 50,000 nodes in about two seconds where the exact method needs 2.5 billion
    pair forces per step.
    """
    rng = np.random.default_rng(seed)
    side = float(np.sqrt(count))  # ideal distance 1: the nodes fill a side x side square
    coords = rng.random((count, 2)) * side
    grid = int(min(160, max(32, 0.75 * side)))  # cells of about 1.3 ideal distances: coarse is enough for repulsion
    offsets = np.arange(-grid, grid)
    dx, dy = np.meshgrid(offsets, offsets, indexing="ij")
    r2 = (dx**2 + dy**2).astype(float)
    r2[grid, grid] = 1.0
    kernel_x, kernel_y = np.fft.rfft2(np.fft.ifftshift(dx / r2)), np.fft.rfft2(np.fft.ifftshift(dy / r2))
    source, target = (edges[:, 0], edges[:, 1]) if len(edges) else (np.zeros(0, int), np.zeros(0, int))
    shape = (2 * grid, 2 * grid)
    for step in range(iterations):
        temperature = side / 8 * (1 - step / iterations) + 0.05
        low = coords.min(axis=0)
        cell = max(float((coords.max(axis=0) - low).max()) / (grid - 1), 1e-9)
        cells = ((coords - low) / cell).astype(np.int64)
        flat = cells[:, 0] * shape[1] + cells[:, 1]
        spectrum = np.fft.rfft2(np.bincount(flat, minlength=shape[0] * shape[1]).reshape(shape).astype(float))
        field_x = np.fft.irfft2(spectrum * kernel_x, s=shape).ravel()
        field_y = np.fft.irfft2(spectrum * kernel_y, s=shape).ravel()
        # repulsion k^2/r with k = 1, measured in cells, converted back to layout units
        force = np.stack([field_x[flat], field_y[flat]], axis=1) / cell
        if len(edges):
            delta = coords[target] - coords[source]
            pull = delta * np.sqrt((delta**2).sum(axis=1))[:, None]  # d^2/k along the edge
            for axis in (0, 1):
                force[:, axis] += np.bincount(source, pull[:, axis], count) - np.bincount(target, pull[:, axis], count)
        length = np.sqrt((force**2).sum(axis=1))[:, None] + 1e-9
        coords += force / length * np.minimum(length, temperature)
    return coords


def _to_pixels(coords: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Scale so that a typical edge is about EDGE_LENGTH_PX long (or nodes that far apart when edgeless)."""
    coords = coords - coords.mean(axis=0)
    if len(edges):
        typical = float(np.median(np.linalg.norm(coords[edges[:, 0]] - coords[edges[:, 1]], axis=1)))
    else:
        typical = float(np.ptp(coords, axis=0).max()) / max(np.sqrt(len(coords)), 1)
    return coords * (EDGE_LENGTH_PX / typical if typical > 0 else 1.0)


def view_data(network: nx.MultiDiGraph, title: str, focus: str | None = None, seed: int = LAYOUT_SEED) -> dict:
    """Return the page's data: compact node and edge rows, legend, sources, options. JSON-ready.

    Nodes are ``[label, kind index, x, y, details]`` and edges ``[from, to, label index,
    statements index]``; edge statements repeat a lot (same qualifiers, same source), so they
    are stored once in ``details``, which keeps 50,000-node pages small.
    """
    kinds: dict[str, dict] = {}
    details: list = [None]
    details_index: dict[str, int] = {repr(None): 0}

    def detail(value) -> int:
        key = repr(value)  # several times faster than json.dumps, and as deterministic for our data
        if key not in details_index:
            details_index[key] = len(details)
            details.append(value)
        return details_index[key]

    index = {node: i for i, node in enumerate(network)}
    predicates: list[str] = []
    predicate_index: dict[str, int] = {}
    edge_rows = []
    for source, target, data in network.edges(data=True):
        label = str(data.get("label", ""))
        if label not in predicate_index:
            predicate_index[label] = len(predicates)
            predicates.append(label)
        statements = data.get("statements")
        edge_rows.append([index[source], index[target], predicate_index[label], detail(statements) if statements else 0])
    styles = {node: data if "kind" in data else {**kind_of(node), "kind": kind_of(node)["prefix"]} for node, data in network.nodes(data=True)}
    headings: list = []
    if focus is not None and focus in network:  # a neighbourhood: sectors by relation, labels apart
        placed, headings = sector_layout(network, focus, {node: style.get("shape", "ellipse") for node, style in styles.items()})
        positions = [[round(placed[node][0], 1), round(placed[node][1], 1)] for node in network]
    else:
        positions = coordinates(len(index), np.array([row[:2] for row in edge_rows], dtype=np.int64).reshape(-1, 2), seed).tolist()
    for style in sorted(styles.values(), key=lambda style: (style.get("legend", style["kind"]), style["kind"])):
        kinds.setdefault(style["kind"], {"kind": style["kind"], "legend": style.get("legend", style["kind"]),
                                         "colour": style.get("colour", "#9e9e9e"), "shape": style.get("shape", "ellipse"), "count": 0})
    kind_index = {kind: i for i, kind in enumerate(kinds)}
    rows = []
    for (node, data), (x, y) in zip(network.nodes(data=True), positions):
        kind = styles[node]["kind"]
        kinds[kind]["count"] += 1
        extra = {key: data[key] for key in DETAIL_KEYS if data.get(key)}
        rows.append([str(data.get("label", node)), kind_index[kind], x, y, {"id": node, **extra}])
    return {
        "title": title,
        "disclaimer": DISCLAIMER,
        "nodes": rows,
        "edges": edge_rows,
        "predicates": predicates,
        "kinds": list(kinds.values()),
        "details": details,
        "sources": network.graph.get("sources", {}),
        "focus": index.get(focus) if focus is not None else None,
        "headings": [[text, round(x, 1), round(y, 1)] for text, x, y in headings],
        "wrapped": {i: wrap(row[0]) for i, row in enumerate(rows) if len(row[0]) > WRAP_CHARS and len(rows) <= 1500},
        "degrees": [network.degree(node) for node in network],
        "large": len(rows) > 1500,
    }


def embed_json(value) -> str:
    """Serialize ``value`` for a ``<script type="application/json">`` element, safe against ``</script>`` and friends.

    >>> embed_json({"label": "</script><img src=x onerror=alert(1)>"})
    '{"label":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


@lru_cache(maxsize=1)
def _template():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html"]))
    return environment.get_template("view.html")


@lru_cache(maxsize=1)
def vis_library() -> tuple[str, str]:
    """Return vis-network's JS and CSS as bundled with pyvis, to inline them."""
    from importlib.util import find_spec

    # find_spec, not import: importing pyvis drags in IPython and costs a third of a second
    library = Path(find_spec("pyvis").submodule_search_locations[0]) / "lib" / "vis-9.1.2"
    script = (library / "vis-network.min.js").read_text(encoding="utf-8")
    style = (library / "vis-network.css").read_text(encoding="utf-8")
    if re.search(r"</script", script, re.I) or re.search(r"</style", style, re.I):
        raise RuntimeError("the bundled vis-network cannot be inlined: it contains a closing tag")
    return script, style


def render(network: nx.MultiDiGraph, title: str = "allkg", focus: str | None = None, seed: int = LAYOUT_SEED,
           assets: str | None = None, links: dict[str, str] | None = None) -> View:
    """Return the network drawn as a page; ``focus``: the node at the centre of a neighbourhood.

    ``assets``: a URL prefix (``"../assets/"``) where the page finds vis-network and its own script and styles
    (see :func:`allkg.site.shared_assets`) instead of inlining them, as the static site does. ``links``: node -> URL of its
    page; a click on a node then opens that page.
    """
    from markupsafe import Markup

    script, style = vis_library() if assets is None else ("", "")
    data = view_data(network, title, focus, seed)
    if links:
        data["links"] = {i: links[node] for i, node in enumerate(network) if node in links}
    page = _template().render(
        title=title, disclaimer=DISCLAIMER, vis_js=Markup(script), vis_css=Markup(style), data=Markup(embed_json(data)),
        assets=assets, view_js=Markup(_own_file("view.js")), view_css=Markup(_own_file("view.css")),
    )
    return View(page, title, len(data["nodes"]), len(data["edges"]))


@cache
def _own_file(name: str) -> str:
    return (TEMPLATE_DIR / name).read_text(encoding="utf-8")


def default_path(name: str) -> Path:
    """Return where a view called ``name`` goes when no --out is given: build/views/<slug>.html."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "view"
    return build_dir() / "views" / f"{slug}.html"
