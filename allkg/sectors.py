"""Lay out an entity's neighbourhood so that it reads at a glance: the entity at the centre, each kind of
relation in a sector of its own, and no two labels overlapping.

Which relation goes to which section, in what order, and how a section sorts its members comes from
``ontology/sections.tsv`` (the entity pages use the same table); a relation without a row gets a section
named after it, after the known ones, so new kinds of facts show up without code changes.

Label boxes are estimated from the text with generous character widths for the page's sans-serif font,
long labels are wrapped, and nodes are placed greedily: each section fills its sector from the inner ring
outwards, taking the first spot whose box, with a margin, touches no box already placed. The result is
deterministic, computed once in Python (no physics in the page), and fast enough (numpy over the
candidate spots) for a static site to lay out every entity's view.
"""

from __future__ import annotations

import math
import textwrap
from functools import lru_cache

import networkx as nx
import numpy as np

from allkg.curation import load_sections

FONT_PX = 14
CENTRE_FONT_PX = 17
LINE_PX = 1.25  # line height, in font sizes
WRAP_CHARS = 22
NODE_SIZE = 14
CENTRE_SIZE = 22
GAP_PX = 10  # free room around every box
RING_STEP_PX = 22
LABEL_INSIDE = {"box", "ellipse", "circle", "database", "text"}
# Widths in em of DejaVu Sans (the Debian default sans-serif), rounded up so that narrower fonts fit too.
CHAR_EM = {" ": 0.33, "i": 0.3, "l": 0.3, "j": 0.3, "t": 0.42, "f": 0.38, "r": 0.43, "I": 0.32, ".": 0.34, ",": 0.34,
           ":": 0.36, ";": 0.36, "'": 0.3, "(": 0.4, ")": 0.4, "-": 0.38, "m": 0.98, "w": 0.84, "M": 0.88, "W": 1.0}
SEVERITY_ORDER = ["can be fatal", "life-threatening", "severe", "serious", "less serious", "moderate", "mild"]


def char_width(char: str) -> float:
    if char in CHAR_EM:
        return CHAR_EM[char]
    if char.isupper():
        return 0.76
    if char.isdigit():
        return 0.65
    return 0.63 if char.isalpha() else 0.7


def wrap(label: str, width: int = WRAP_CHARS) -> str:
    """Return the label broken into lines of about ``width`` characters (vis-network draws each line)."""
    return "\n".join(textwrap.wrap(label, width, break_long_words=False, break_on_hyphens=False)) or label


def label_box(label: str, shape: str, size: float = NODE_SIZE, font: float = FONT_PX) -> tuple[float, float, float, float]:
    """Return the node's box (left, top, right, bottom) around its centre, label included, in pixels."""
    lines = wrap(label).split("\n")
    text_w = max(sum(char_width(c) for c in line) for line in lines) * font + 4
    text_h = len(lines) * font * LINE_PX + 2
    if shape in LABEL_INSIDE:
        grow = 1.5 if shape in ("ellipse", "circle") else 1.0
        half_w, half_h = (text_w * grow) / 2 + 9, (text_h * (1.3 if grow > 1 else 1.0)) / 2 + 9
        return (-half_w, -half_h, half_w, half_h)
    half_w = max(size * 1.2, text_w / 2)
    return (-half_w, -size * 1.2, half_w, size * 1.2 + 4 + text_h)


@lru_cache(maxsize=1)
def sections() -> dict[tuple[str, str], dict[str, str]]:
    """Return ``ontology/sections.tsv`` keyed by (predicate local name, ``out`` or ``in``)."""
    return load_sections()


def local_name(predicate: str) -> str:
    return predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def section_of(predicate: str, label: str, outgoing: bool) -> tuple[int, str, str]:
    """Return (order, heading, sort) of the section a fact belongs to, seen from the entity it is about."""
    row = sections().get((local_name(predicate), "out" if outgoing else "in"))
    if row:
        return int(row["order"]), row["section"], row["sort"]
    return 1000, (label if outgoing else f"{label} (inverse)").capitalize(), "label"


def severity_rank(statements: list[dict]) -> tuple:
    """Order adverse effects: boxed warnings first, then from the gravest severity, then the rest."""
    qualifiers = [statement.get("qualifiers", {}) for statement in statements or [{}]]
    boxed = any(q.get("boxed warning") == "true" for q in qualifiers)
    severities = [s.strip() for q in qualifiers for s in q.get("severity", "").split("|") if s.strip()]
    rank = min((SEVERITY_ORDER.index(s) for s in severities if s in SEVERITY_ORDER), default=len(SEVERITY_ORDER))
    return (0 if boxed else 1, rank)


def groups_around(network: nx.MultiDiGraph, focus: str) -> list[tuple[str, list[str]]]:
    """Return the focus's neighbours as [(heading, [node, ...])], sections in table order, members sorted."""
    chosen: dict[str, tuple] = {}  # neighbour -> (order, heading, sort key)
    for source, target, data in [*network.out_edges(focus, data=True), *network.in_edges(focus, data=True)]:
        outgoing = source == focus
        other = target if outgoing else source
        if other == focus:
            continue
        order, heading, sort = section_of(str(data.get("predicate", "")), str(data.get("label", "")), outgoing)
        label = str(network.nodes[other].get("label", other)).casefold()
        key = (severity_rank(data.get("statements")) if sort == "severity" else ()) + (label, other)
        if other not in chosen or (order, heading) < chosen[other][:2]:
            chosen[other] = (order, heading, key)
    grouped: dict[tuple[int, str], list] = {}
    for node, (order, heading, key) in chosen.items():
        grouped.setdefault((order, heading), []).append((key, node))
    return [(heading, [node for _, node in sorted(members)]) for (_, heading), members in sorted(grouped.items())]


class Placer:
    """Boxes placed so far, and the search for the first free spot on rings around the centre."""

    def __init__(self):
        self.boxes = np.zeros((0, 4))

    def add(self, x: float, y: float, box) -> None:
        self.boxes = np.vstack([self.boxes, [x + box[0], y + box[1], x + box[2], y + box[3]]])

    def free(self, xs: np.ndarray, ys: np.ndarray, box) -> np.ndarray:
        if not len(self.boxes):
            return np.ones(len(xs), dtype=bool)
        left, top = xs + box[0] - GAP_PX, ys + box[1] - GAP_PX
        right, bottom = xs + box[2] + GAP_PX, ys + box[3] + GAP_PX
        b = self.boxes
        hit = (left[:, None] < b[None, :, 2]) & (b[None, :, 0] < right[:, None]) & (top[:, None] < b[None, :, 3]) & (b[None, :, 1] < bottom[:, None])
        return ~hit.any(axis=1)

    def place(self, box, start: float, end: float, radius: float, rings: int = 60) -> tuple[float, float]:
        """Return the first free spot in the sector [start, end] (radians), from ``radius`` outwards."""
        for ring in range(rings):
            r = radius + ring * RING_STEP_PX
            count = max(3, int(r * (end - start) / 8))
            angles = start + (end - start) * (np.arange(count) + 0.5) / count
            xs, ys = r * np.cos(angles), r * np.sin(angles)
            ok = np.flatnonzero(self.free(xs, ys, box))
            if len(ok):
                x, y = float(xs[ok[0]]), float(ys[ok[0]])
                self.add(x, y, box)
                return x, y
        return self.place(box, start - math.pi, end + math.pi, radius + rings * RING_STEP_PX)

    def place_near(self, box, start: float, end: float, radius: float, near: tuple[float, float], rings: int = 12) -> tuple[float, float]:
        """Return the free spot of the sector, from ``radius`` out over ``rings`` rings, closest to ``near``."""
        xs, ys = [], []
        for ring in range(rings):
            r = radius + ring * RING_STEP_PX
            count = max(3, int(r * (end - start) / 8))
            angles = start + (end - start) * (np.arange(count) + 0.5) / count
            xs.append(r * np.cos(angles))
            ys.append(r * np.sin(angles))
        xs, ys = np.concatenate(xs), np.concatenate(ys)
        ok = np.flatnonzero(self.free(xs, ys, box))
        if not len(ok):
            return self.place(box, start, end, radius + rings * RING_STEP_PX)
        best = ok[np.argmin((xs[ok] - near[0]) ** 2 + (ys[ok] - near[1]) ** 2)]
        self.add(float(xs[best]), float(ys[best]), box)
        return float(xs[best]), float(ys[best])


def sector_layout(network: nx.MultiDiGraph, focus: str, shapes: dict[str, str]) -> tuple[dict, list]:
    """Return node positions ({node: (x, y)}) and section headings ([(heading, x, y)]) around ``focus``.

    ``shapes``: each node's vis-network shape (labels below a dot, inside a box), to size its box.
    Nodes further than one step are placed beyond the neighbour they hang from.
    """
    placer, positions, headings = Placer(), {focus: (0.0, 0.0)}, []
    centre = label_box(str(network.nodes[focus].get("label", focus)), shapes[focus], CENTRE_SIZE, CENTRE_FONT_PX)
    placer.add(0.0, 0.0, centre)
    groups = groups_around(network, focus)
    boxes = {node: label_box(str(network.nodes[node].get("label", node)), shapes[node]) for node in network}
    weights = [sum(boxes[n][2] - boxes[n][0] + GAP_PX for n in members) + 120 for _, members in groups]
    total, angle = sum(weights) or 1.0, -math.pi / 2
    inner = max(-centre[0], centre[3]) + 70
    for (heading, members), weight in zip(groups, weights):
        span = 2 * math.pi * weight / total
        for node in members:
            positions[node] = placer.place(boxes[node], angle, angle + span, inner)
        # The heading goes where there is room closest to its members (their centroid), inside the sector.
        centroid = tuple(np.mean([positions[node] for node in members], axis=0))
        headings.append((wrap(heading), *placer.place_near(label_box(heading, "text", font=13.5), angle, angle + span, inner, centroid)))
        angle += span
    for node in nx.bfs_tree(network.to_undirected(as_view=True), focus):  # depth 2 and beyond
        if node in positions:
            continue
        anchor = next((positions[n] for n in nx.all_neighbors(network, node) if n in positions), (0.0, 1.0))
        direction, distance = math.atan2(anchor[1], anchor[0]), math.hypot(*anchor)
        positions[node] = placer.place(boxes[node], direction - 0.35, direction + 0.35, distance + 60)
    for node in network:  # not connected to the focus at all
        if node not in positions:
            positions[node] = placer.place(boxes[node], 0, 2 * math.pi, inner)
    return positions, headings
