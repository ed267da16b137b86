"""Benchmark pages of long answers: each named query whole and as its first page, on the synthetic graph.

The synthetic graph of bench/synthetic.py (default one million triples) is loaded into an in-memory store;
every named query whose example answers with more than ``--limit`` rows then runs as ``allkg query`` runs it
(``allkg.guarded.run``: a forked process, the answer sent back) whole and with ``limit=--limit``, median of
``--repeat``. A page saves converting, sending back and printing the rows past it; with ORDER BY (every named
query has one) the engine still sees every row, so a page costs at least the query itself.

    python bench/paging_bench.py [--triples 1000000] [--limit 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's allkg, not an installed one
sys.path.insert(0, str(ROOT / "bench"))


def median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    from queries_bench import table
    from synthetic import write_synthetic

    from allkg import guarded, queries
    from allkg.store import ensure_built, open_store

    with tempfile.TemporaryDirectory(prefix="allkg-paging-") as work:
        path = Path(work) / "synthetic.nt"
        written = write_synthetic(ensure_built(), path, options.triples)
        store = open_store(path)
    queries.name_index(store)
    rows = []
    for query in queries.list_queries():
        whole = guarded.run(query, None, store, timeout=None)
        if len(whole) <= options.limit:
            continue
        whole_ms = median_ms(lambda query=query: guarded.run(query, None, store, timeout=None), options.repeat)
        page_ms = median_ms(lambda query=query: guarded.run(query, None, store, timeout=None, limit=options.limit), options.repeat)
        rows.append([query.name, f"{len(whole):,}", f"{whole_ms:.0f}", f"{page_ms:.0f}", f"{whole_ms / page_ms:.1f}x"])
    table(f"Named queries with more than {options.limit} rows, {written:,} triples in memory, as `allkg query` runs them; median ms",
          ["query", "rows", "whole", f"--limit {options.limit}", "saved"], rows)


if __name__ == "__main__":
    main()
