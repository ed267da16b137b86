"""Figures for the notebooks, drawn with matplotlib and returned as Figure objects.

Each function builds a :class:`matplotlib.figure.Figure` directly, never through
``pyplot``: no global state and no GUI backend, so the figures render the same
inline in Jupyter, in tests and in scripts (``figure.savefig(path)``). Inputs
are the tables of :mod:`allkg.analysis`.

>>> figure = bar_chart({"a": 2, "b": 1}, title="tiny")
>>> [text.get_text() for text in figure.axes[0].get_yticklabels()]
['b', 'a']
"""

from __future__ import annotations

import textwrap

from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

BAR_COLOUR = "#1565c0"  # the drug colour of ontology/kinds.tsv
# From "no statement" (white) through pale to dark: one colour per level of an analysis matrix.
LEVEL_COLOURS = ("#ffffff", "#d9d9d9", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000")
MUTED = "#bdbdbd"


def _short(text: str, width: int = 38) -> str:
    return textwrap.shorten(str(text), width=width, placeholder="...")


def bar_chart(values, title: str = "", xlabel: str = "", colours=None, top: int | None = None) -> Figure:
    """Return horizontal bars for ``values`` (a mapping or pandas Series: label -> number), largest at the top.

    ``colours``: one colour per bar, or a mapping label -> colour; ``top`` keeps the largest bars only.
    """
    items = sorted(dict(values).items(), key=lambda item: (-item[1], str(item[0])))[:top]
    items.reverse()  # barh draws the first bar at the bottom
    if isinstance(colours, dict):
        colours = [colours.get(label, BAR_COLOUR) for label, _ in items]
    elif colours is not None:
        colours = list(colours)[: len(items)][::-1]
    figure = Figure(figsize=(8, 0.3 * len(items) + 1.2), layout="constrained")
    axes = figure.add_subplot()
    axes.barh([_short(label) for label, _ in items], [value for _, value in items], color=colours or BAR_COLOUR)
    for index, (_, value) in enumerate(items):
        axes.annotate(f"{value:g}", (value, index), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def level_heatmap(matrix, levels, title: str = "", xlabel: str = "", ylabel: str = "", colours=LEVEL_COLOURS) -> Figure:
    """Return a heat map of a matrix of integer levels (0..len(levels)-1), with one legend entry per level.

    ``matrix``: a DataFrame such as :func:`allkg.analysis.adverse_effect_matrix` gives (rows drawn top down);
    ``colours``: one per level, from "no statement" up.
    """
    if len(colours) < len(levels):
        raise ValueError(f"{len(levels)} levels need as many colours, not {len(colours)}")
    colour_map = ListedColormap(list(colours[: len(levels)]))
    norm = BoundaryNorm([level - 0.5 for level in range(len(levels) + 1)], len(levels))
    rows, columns = matrix.shape
    figure = Figure(figsize=(max(6, 0.34 * columns + 3.5), max(3, 0.26 * rows + 2.2)), layout="constrained")
    axes = figure.add_subplot()
    axes.pcolormesh(matrix.to_numpy(), cmap=colour_map, norm=norm, edgecolors="#eeeeee", linewidth=0.5)
    axes.set_xticks([i + 0.5 for i in range(columns)], [_short(c, 30) for c in matrix.columns], rotation=60, ha="right", fontsize=8)
    axes.set_yticks([i + 0.5 for i in range(rows)], [_short(r, 34) for r in matrix.index], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel(xlabel or (matrix.columns.name or ""))
    axes.set_ylabel(ylabel or (matrix.index.name or ""))
    axes.set_title(title)
    handles = [Patch(facecolor=colour, edgecolor="#999999", label=level) for colour, level in zip(colours, levels)]
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(levels), 3), fontsize=8, frameon=False)
    return figure


def upset(table, names, title: str = "", top: int = 15) -> Figure:
    """Return an UpSet plot: bars for the sizes of exclusive intersections, dots for who shares each.

    ``table``: :func:`allkg.analysis.intersections` (``members`` tuples and ``size``); ``names``: the sets in
    the order to list them (e.g. the drugs). Bars are the ``top`` largest intersections.
    """
    names = list(names)
    shown = table.head(top)
    count = len(shown)
    figure = Figure(figsize=(max(6, 0.45 * count + 3), 2.6 + 0.32 * len(names)), layout="constrained")
    bars, dots = figure.subplots(2, 1, sharex=True, height_ratios=[3, max(1, 0.3 * len(names))])
    positions = range(count)
    bars.bar(positions, shown["size"], color=BAR_COLOUR)
    for position, size in zip(positions, shown["size"]):
        bars.annotate(str(size), (position, size), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    bars.set_ylabel("shared by exactly these")
    bars.set_title(title)
    bars.spines[["top", "right"]].set_visible(False)
    for position, members in zip(positions, shown["members"]):
        rows = sorted(names.index(member) for member in members if member in names)
        dots.scatter([position] * len(names), range(len(names)), color=MUTED, s=30, zorder=1)
        dots.scatter([position] * len(rows), rows, color="#212121", s=36, zorder=2)
        if len(rows) > 1:
            dots.plot([position, position], [rows[0], rows[-1]], color="#212121", linewidth=1.5, zorder=1)
    dots.set_yticks(range(len(names)), [_short(name, 30) for name in names], fontsize=8)
    dots.set_ylim(len(names) - 0.5, -0.5)
    dots.set_xticks([])
    for side in ("top", "right", "bottom"):
        dots.spines[side].set_visible(False)
    return figure


def result_dots(table, title: str = "", xlabel: str = "percent of patients") -> Figure:
    """Return a dot chart of trial results: one row per result, a filled dot for the arm, a ring for its comparator.

    ``table``: :func:`allkg.treatment.percentage_results` (``trial_label``, ``outcome_label``, ``timepoint``,
    ``value``, ``comparator_value``); rows are drawn top down in the table's order.
    """
    rows = len(table)
    figure = Figure(figsize=(9, 0.28 * rows + 1.6), layout="constrained")
    axes = figure.add_subplot()
    labels = [
        _short(f"{trial} - {outcome}" + (f" ({timepoint})" if isinstance(timepoint, str) and timepoint else ""), 70)
        for trial, outcome, timepoint in zip(table["trial_label"], table["outcome_label"], table["timepoint"])
    ]
    positions = range(rows)
    for position, value, comparator in zip(positions, table["value"], table["comparator_value"]):
        if comparator == comparator:  # not NaN: the trial had a comparator arm
            axes.plot([comparator, value], [position, position], color=MUTED, linewidth=1.5, zorder=1)
    axes.scatter(table["comparator_value"], positions, facecolors="white", edgecolors="#616161", s=34, zorder=2, label="comparator arm")
    axes.scatter(table["value"], positions, color=BAR_COLOUR, s=34, zorder=3, label="experimental arm or single arm")
    axes.set_yticks(list(positions), labels, fontsize=8)
    axes.set_ylim(rows - 0.5, -0.5)
    axes.set_xlim(0, 100)
    axes.set_xlabel(xlabel)
    axes.set_title(title)
    axes.grid(axis="x", color="#eeeeee")
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return figure
