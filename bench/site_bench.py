"""Benchmark: the static site of the whole graph (``allkg site``), its build time and its page sizes.

Targets: the whole site in < 10 s (graph already loaded); an entity page < 200 kB without the shared
assets (its embedded neighbourhood view is a page of its own, counted separately here).

Run: ``python bench/site_bench.py [--repeat 3]``. Prints wall and CPU time (the machine may be shared:
CPU time is what the build itself costs), file counts and sizes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    from allkg import load_graph
    from allkg.network import to_networkx
    from allkg.site import build_site

    started = time.perf_counter()
    network = to_networkx(load_graph(inference=False))
    print(f"graph loaded and converted in {time.perf_counter() - started:.2f} s ({network.number_of_nodes()} nodes, "
          f"{network.number_of_edges()} edges)")
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "site"
        for _ in range(arguments.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            summary = build_site(out, network)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        kinds = {}
        for path in out.rglob("*.html"):
            part = path.relative_to(out).parts[0]
            key = "view pages" if part == "views" else "query pages" if part == "queries" else "source pages" if part == "source" \
                else "index" if part == "index.html" else "entity pages"
            kinds.setdefault(key, []).append(path.stat().st_size)
        assets = sum(path.stat().st_size for path in (out / "assets").iterdir())
    print(f"site: {summary['pages']} pages, {summary['files']} files, {summary['bytes'] / 1e6:.1f} MB "
          f"(shared assets {assets / 1e3:.0f} kB)")
    print(f"build: median {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU "
          f"over {arguments.repeat} runs (target < 10 s)")
    print(f"{'pages':14} {'count':>5} {'median kB':>10} {'max kB':>8}")
    for key, sizes in sorted(kinds.items()):
        print(f"{key:14} {len(sizes):5} {statistics.median(sizes) / 1e3:10.1f} {max(sizes) / 1e3:8.1f}")
    entity_max = max(kinds["entity pages"])
    print(f"largest entity page {entity_max / 1e3:.1f} kB (target < 200 kB): {'ok' if entity_max < 200_000 else 'TOO LARGE'}")


if __name__ == "__main__":
    main()
