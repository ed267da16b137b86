"""Count overlapping node boxes (shape + label) in every drug's neighbourhood view, at the initial zoom, in Chromium.

    .venv/bin/python bench/view_overlaps.py [--depth 1]

Prints, per drug, the number of node pairs whose boxes (``network.getBoundingBox``, label included)
overlap and the number of boxes not wholly inside the canvas, then the totals. Used to compare
the layout before and after a change (run it on each branch).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Measured in the page: every node's box in DOM pixels, pairs that overlap, boxes outside the canvas.
MEASURE = "\n".join(line for line in (Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "measure_boxes.js")
                    .read_text(encoding="utf-8").splitlines() if not line.startswith("//"))


def drug_ids(network) -> list[str]:
    return sorted(node for node in network if node.startswith("drug/"))


def measure_all(browser, network, render_neighbourhood, directory: Path, viewport=(1400, 900)) -> dict[str, dict]:
    """Return {drug id: {nodes, overlaps, outside}} for each drug's neighbourhood view."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    counts = {}
    for drug in drug_ids(network):
        path = directory / (drug.replace("/", "-") + ".html")
        path.write_text(render_neighbourhood(drug), encoding="utf-8")
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)
        counts[drug] = page.evaluate(MEASURE)
    page.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=1)
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from allkg import load_graph
    from allkg.network import neighbourhood, to_networkx
    from allkg.views import render

    network = to_networkx(load_graph(inference=False))

    def render_neighbourhood(drug: str) -> str:
        return render(neighbourhood(network, drug, arguments.depth), title=drug, focus=drug).html

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as directory:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        counts = measure_all(browser, network, render_neighbourhood, Path(directory))
        browser.close()
    for drug, row in counts.items():
        print(f"{drug:40} nodes {row['nodes']:3}  overlapping pairs {row['overlaps']:3}  outside canvas {row['outside']:3}")
    print(f"{len(counts)} drugs: {sum(r['overlaps'] for r in counts.values())} overlapping pairs, "
          f"{sum(r['outside'] for r in counts.values())} boxes outside the canvas, "
          f"{sum(1 for r in counts.values() if r['overlaps'] or r['outside'])} views with either")


if __name__ == "__main__":
    main()
