"""Benchmark growth: every named query at two graph sizes side by side, and loading against the store's own speed.

For each size (default 1 and 2 million triples; ten million with ``--sizes 1000000,10000000``, which takes long
and about 4 GB), the synthetic graph of bench/synthetic.py is written, then loaded in a child process twice:
pyoxigraph's raw ``bulk_load`` into an empty on-disk store (no entailment) and ``allkg.store.open_store`` (bulk
load, entailment, text index); each child reports its time and peak memory. The named queries then run on the
on-disk store with their examples: the table shows each one's rows and median at each size and the ratio of the
largest to the smallest. Issue 17's goals: load >= 80 % of raw speed, < 4 GB at ten million; every query whose
answer has at most 100 rows < 100 ms, every query < 1 s.

    python bench/scale_bench.py [--sizes 1000000,2000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from queries_bench import table  # noqa: E402

CHILD = """
import json, resource, sys, time
from pathlib import Path
mode, path, directory = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
start = time.perf_counter()
if mode == "raw":
    import pyoxigraph as ox
    store = ox.Store(str(directory)); store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES); store.flush()
else:
    from allkg.store import open_store
    store = open_store(path, store_dir=directory)
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def load(mode: str, path: Path, directory: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), str(directory)], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,2000000")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    from synthetic import write_synthetic

    from allkg import queries
    from allkg.store import ensure_built, open_store

    sizes = [int(size) for size in options.sizes.split(",")]
    medians: dict[int, dict[str, tuple[int, float]]] = {}
    load_rows = []
    with tempfile.TemporaryDirectory(prefix="allkg-scale-") as work:
        for size in sizes:
            path = Path(work) / f"synthetic-{size}.nt"
            written = write_synthetic(ensure_built(), path, size)
            raw = load("raw", path, Path(work) / f"raw-{size}")
            ours = load("allkg", path, Path(work) / f"store-{size}")
            load_rows.append([f"{written:,}", f"{raw['seconds']:.1f}", f"{raw['peak_mb']:.0f}", f"{ours['seconds']:.1f}",
                              f"{ours['peak_mb']:.0f}", f"{100 * raw['seconds'] / ours['seconds']:.0f} %"])
            store = open_store(path, store_dir=Path(work) / f"store-{size}")
            queries.name_index(store)
            medians[size] = {}
            for query in queries.list_queries():
                times, rows = [], 0
                for _ in range(options.repeat):
                    start = time.perf_counter()
                    rows = len(queries.run(query, None, store))
                    times.append((time.perf_counter() - start) * 1000)
                medians[size][query.name] = (rows, statistics.median(times))
            del store
    table("Loading on disk: raw bulk_load vs allkg (bulk load + entailment + text index)",
          ["triples", "raw s", "raw MB", "allkg s", "allkg MB", "allkg speed"], load_rows)
    small, large = sizes[0], sizes[-1]
    rows = []
    for name in sorted(medians[small]):
        (rows_small, ms_small), (rows_large, ms_large) = medians[small][name], medians[large][name]
        rows.append([name, str(rows_small), f"{ms_small:.1f}", str(rows_large), f"{ms_large:.1f}", f"{ms_large / max(ms_small, 0.01):.1f}x"])
    table(f"Named queries on disk, median of {options.repeat}; ms", ["query", f"rows {small:,}", "ms", f"rows {large:,}", "ms", "ratio"], rows)


if __name__ == "__main__":
    main()
