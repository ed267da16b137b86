"""Benchmark: allkg's HTML views against pyvis's from_nx, side by side in one run.

1. Page generation for synthetic graphs of 1k, 10k and 50k nodes: ``allkg.views.render``
   (layout included) next to ``pyvis.Network.from_nx`` + ``generate_html`` (no layout at all).
   from_nx is quadratic, so at 50k nodes it is skipped unless --pyvis-50k is given
   (about 25 x its 10k time) and the ratio is quoted at 10k.
2. Time to first drawn frame in headless Chromium for our 2k and 10k pages
   (``window.allkgReady``: performance.now() at vis-network's first afterDrawing).

Run: ``python bench/views_bench.py [--sizes 1000 10000 50000] [--pyvis-50k]``. Prints a table.
Targets: >= 20x faster generation than from_nx at 10k nodes; 2k page drawn < 1 s, 10k < 3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from allkg.network import kinds  # noqa: E402
from allkg.views import layout, render  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PREDICATES = ["has target", "has adverse effect", "treats", "has mechanism", "encodes"]


def synthetic_network(count: int, seed: int = 1) -> nx.MultiDiGraph:
    """Return a scale-free network shaped like ours: styled kinds, labels, labelled edges (about 2 per node)."""
    skeleton = nx.barabasi_albert_graph(count, 2, seed=seed)
    styles = list(kinds().values())
    network = nx.MultiDiGraph()
    for node in skeleton:
        style = styles[node % len(styles)]
        network.add_node(f"{style['prefix']}/n{node}", label=f"{style['legend']} {node}", kind=style["prefix"],
                         legend=style["legend"], colour=style["colour"], shape=style["shape"],
                         synonyms=[f"alias {node}"], sources=["source/synthetic"])
    names = list(network)
    for u, v in skeleton.edges():
        label = PREDICATES[(u + v) % len(PREDICATES)]
        network.add_edge(names[u], names[v], key=label, label=label, qualifiers={}, sources=["source/synthetic"],
                         statements=[{"qualifiers": {}, "sources": ["source/synthetic"], "sections": []}])
    return network


def time_it(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def pyvis_page(network: nx.MultiDiGraph) -> str:
    from pyvis.network import Network

    net = Network(cdn_resources="in_line", directed=True)
    net.from_nx(network)
    return net.generate_html()


def first_draw_ms(paths: list[Path], repeats: int = 3) -> dict[Path, list[tuple[float, float]]]:
    """Load each page ``repeats`` times in one browser; return (first drawn frame, everything loaded) times.

    Large pages draw their first frame with edges painted by the page itself and hand edges and node
    labels to vis-network right after (``window.allkgEdgesLoaded``): the second time says when.
    """
    from playwright.sync_api import sync_playwright

    results: dict[Path, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for path in paths:
            for _ in range(repeats):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
                page.goto(path.as_uri())
                page.wait_for_function("window.allkgReady !== undefined", timeout=120_000)
                while not page.evaluate("window.allkgEdgesLoaded !== undefined"):  # no wait_for_function: CSP bars its eval
                    page.wait_for_timeout(50)
                results.setdefault(path, []).append(tuple(page.evaluate("[window.allkgReady, window.allkgEdgesLoaded]")))
                page.close()
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--browser-sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--pyvis-50k", action="store_true", help="also time from_nx above 10k nodes (minutes)")
    options = parser.parse_args()

    print(f"{'nodes':>7} {'edges':>7} {'layout s':>9} {'allkg page s':>13} {'pyvis from_nx s':>16} {'ratio':>7} {'MB':>6}")
    for count in options.sizes:
        network = synthetic_network(count)
        layout_seconds, _ = time_it(lambda: layout(network))
        ours, view = time_it(lambda: render(network, title=f"synthetic {count}"))
        if count <= 10_000 or options.pyvis_50k:
            theirs, _ = time_it(lambda: pyvis_page(synthetic_network(count)))  # from_nx mutates its input
            theirs_text, ratio = f"{theirs:.2f}", f"{theirs / ours:.1f}x"
        else:
            theirs_text, ratio = "skipped", "-"
        print(f"{count:>7} {network.number_of_edges():>7} {layout_seconds:>9.2f} {ours:>13.2f} {theirs_text:>16} {ratio:>7} "
              f"{len(view.html) / 1e6:>6.1f}")
    if 50_000 in options.sizes and not options.pyvis_50k:
        print("pyvis at 50k skipped: from_nx is quadratic (about 25 x the 10k time); pass --pyvis-50k to run it")

    with tempfile.TemporaryDirectory() as directory:
        paths = []
        for count in options.browser_sizes:
            path = Path(directory) / f"synthetic-{count}.html"
            render(synthetic_network(count), title=f"synthetic {count}").save(path)
            paths.append(path)
        print("\nfirst drawn frame in headless Chromium, ms from navigation start (3 loads each)")
        print(f"{'nodes':>7} {'edges':>7} {'best':>6} {'median':>7} {'all loaded (median)':>20}")
        for path, times in first_draw_ms(paths).items():
            count = int(path.stem.split("-")[1])
            first = [ready for ready, _ in times]
            print(f"{count:>7} {2 * count - 4:>7} {min(first):>6.0f} {statistics.median(first):>7.0f} "
                  f"{statistics.median(loaded for _, loaded in times):>20.0f}")
    print(f"\nload average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
