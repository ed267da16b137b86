"""Benchmark the therapy explorer: in-process and end to end from the CLI, on our graph and a million-triple one.

Prints one table, side by side in one run: for each profile, the median and p95 of ``allkg.explore(...)`` and
``check_regimen(...)`` in-process on our graph and on the synthetic graph of bench/synthetic.py (same shape,
about a million triples), their ratios, and ``allkg explore ... --format json`` end to end in a new process.

Targets (issue 13): explore median < 50 ms in-process and < 0.5 s end to end, on both graphs.

    python bench/explore_bench.py [--triples 1000000] [--repeat 30] [--shapes beside,within|none] [--on-disk]

Two synthetic shapes: ``beside`` (a large graph next to allkg: the answers stay those of our graph, so their
cost should too) and ``within`` (every synthetic drug is an ALL drug: the answers grow with the graph).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from queries_bench import table, timings  # noqa: E402

PROFILES = {
    "Ph+ T315I adult": {"subtype": "Ph+ ALL", "mutation": ["T315I"], "setting": ["relapsed"], "age": 54},
    "KMT2A-r child": {"alteration": ["KMT2A rearrangement"], "setting": ["relapsed"], "age": 8},
    "B-ALL CD22 adult": {"subtype": "B-ALL", "marker": ["CD22"], "setting": ["relapsed"], "age": 30},
    "T-ALL adult": {"subtype": "T-ALL", "setting": ["relapsed"], "age": 30},
}
COMBINATION = ["vincristine", "daunorubicin", "pegaspargase", "prednisone"]


def _cli_args(profile: dict) -> list[str]:
    args = []
    for key, value in profile.items():
        for item in value if isinstance(value, list) else [value]:
            args += [f"--{key.replace('_', '-')}", str(item)]
    return args


def _in_process(graphs: dict, repeat: int) -> None:
    """Print explore and check_regimen timed in this process on each graph (a function: no store outlives it)."""
    from allkg.explorer import explore
    from allkg.regimen_check import check_regimen

    rows = []
    work = [(name, lambda graph, p=profile: explore(graph, **p)) for name, profile in PROFILES.items()]
    work.append(("check-regimen (4 drugs)", lambda graph: check_regimen(COMBINATION, graph)))
    for name, function in work:
        row = [name]
        medians = {}
        for label, graph in graphs.items():
            start = time.perf_counter()
            answer = function(graph)
            slow = time.perf_counter() - start > 1  # a second a call: three calls tell enough
            median, p95 = timings(lambda f=function, g=graph: f(g), 3 if slow else repeat, warmup=0 if slow else 2)
            medians[label] = median
            size = len(answer["candidates"]) if "candidates" in answer else len(answer["interactions"])
            row.append(f"{median:.0f} / {p95:.0f} ({size})")
        row += [f"{medians[label] / medians['ours']:.1f}x" for label in graphs if label != "ours"]
        rows.append(row)
    header = ["in-process"] + list(graphs) + [f"{label}/ours" for label in graphs if label != "ours"]
    table("explore / check_regimen in-process: median / p95 ms (answer rows)", header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--shapes", default="beside,within", help="synthetic shapes to run (bench/synthetic.py), comma-separated; none: our graph only")
    parser.add_argument("--on-disk", action="store_true", help="keep the synthetic graphs in on-disk stores (as load_graph(store_dir=...))")
    options = parser.parse_args()

    from allkg import queries
    from allkg.explorer import explore
    from allkg.store import ensure_built, forget_stores, open_store

    directory = tempfile.TemporaryDirectory(prefix="allkg-bench-")
    # On disk, our graph is on disk too, so that the ratios compare graph sizes, not storage.
    graphs = {"ours": open_store(ensure_built(), store_dir=Path(directory.name) / "store-ours") if options.on_disk else None}
    for shape in [s for s in options.shapes.split(",") if s and s != "none"]:
        from synthetic import write_synthetic

        path = Path(directory.name) / f"synthetic-{shape}.nt"
        write_synthetic(ensure_built(), path, options.triples, shape=shape)
        store_dir = Path(directory.name) / f"store-{shape}" if options.on_disk else None
        graphs[shape] = open_store(path, store_dir=store_dir)
        queries.name_index(graphs[shape])  # built once per graph, as a long-running process would
        print(f"synthetic graph, {shape} ALL: {len(graphs[shape])} triples with entailment"
              f"{' on disk' if options.on_disk else ' in memory'}")
    explore(graphs["ours"], **PROFILES["T-ALL adult"])  # build our graph's store and name index outside the timings
    _in_process(graphs, options.repeat)
    # End to end: a new process each time, on our build and, with --on-disk, on each synthetic store (reopened).
    targets = {"ours": []}
    if options.on_disk:
        for shape in [label for label in graphs if label != "ours"]:
            targets[shape] = ["--graph", str(Path(directory.name) / f"synthetic-{shape}.nt"),
                              "--store-dir", str(Path(directory.name) / f"store-{shape}")]
    graphs.clear()  # RocksDB lets one handle open a directory: the commands below open the stores themselves
    queries.forget_names()
    forget_stores()
    cli_rows = []
    for name, profile in list(PROFILES.items())[:2]:
        row = [f"allkg explore ({name})"]
        for extra in targets.values():
            command = [sys.executable, "-m", "allkg.cli", "explore", *_cli_args(profile), "--format", "json", *extra]
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
            median, p95 = timings(lambda c=command: subprocess.run(c, cwd=ROOT, capture_output=True, check=True), 5, warmup=0)
            row.append(f"{median:.0f} / {p95:.0f}")
        cli_rows.append(row)
    table("End to end, a new process each time: median / p95 ms", ["command", *targets], cli_rows)
    directory.cleanup()

if __name__ == "__main__":
    main()
