"""Benchmark growth: loading against the store's own bulk loader, and every named query at each size side by side.

For each size (one million triples by default; ``--ten-million`` adds ten million, which takes about half an
hour and some GB of disk), the synthetic graph of bench/synthetic.py is written, then loaded on disk, each load
in a child process of its own so that its peak memory is its own: pyoxigraph's raw ``bulk_load`` (no entailment)
and ``allkg.store.open_store`` (bulk load, entailment, text index). A third child reopens the loaded store
(which must stay instant). The entailment's rounds, as ``open_store`` reports them, are printed too. Then every
named query runs with its example on the on-disk store: the table shows each one's rows and median at each size
and the ratio of the largest size to the smallest. With ``--explain DIR``, each query slower than
``--explain-over`` seconds at the largest size gets Oxigraph's plan with per-step counts and times
(``oxigraph query --explain --stats``) in ``DIR/NAME.txt``.

Issue 17's goals: loading with entailment at >= 80 % of raw ``bulk_load`` speed and < 4 GB at ten million;
reopening instant; every query whose answer has at most 100 rows < 100 ms, every query < 1 s.

    python bench/scale_bench.py [--ten-million] [--repeat 5] [--explain build/bench/explain]
"""

from __future__ import annotations

import argparse
import json
import shutil
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

# Each load runs here, in a process of its own; it prints one JSON line: wall and CPU seconds, peak memory.
CHILD = """
import json, resource, sys, time
from pathlib import Path
import pyoxigraph as ox
from allkg.store import open_store
mode, path, directory = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
start = time.perf_counter()
if mode == "raw":
    store = ox.Store(str(directory)); store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES); store.flush()
else:  # "allkg" loads, "reopen" finds the stamp and loads nothing
    store = open_store(path, store_dir=directory)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024, "triples": len(store)}))
"""


def load(mode: str, path: Path, directory: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), str(directory)], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{mode} load of {path} failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["log"] = [line for line in done.stderr.splitlines() if "entailment" in line]
    return result


def time_queries(store, repeat: int) -> dict[str, tuple[int, float]]:
    """Each named query with its example: (rows, median milliseconds)."""
    from allkg import queries

    queries.name_index(store)
    results = {}
    for query in queries.list_queries():
        times, rows = [], 0
        for _ in range(repeat):
            start = time.perf_counter()
            rows = len(queries.run(query, None, store))
            times.append((time.perf_counter() - start) * 1000)
        results[query.name] = (rows, statistics.median(times))
    return results


def bound_text(name: str, store) -> str:
    """The query as Oxigraph runs it for its example: parameters bound by VALUES, prefixes declared."""
    from allkg import queries

    query = queries.load_query(name)
    text = queries.with_values(query.text, queries.bind(query, None, store))
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in queries._prefixes().items()) + text


def explain(texts: dict[str, str], directory: Path, out: Path) -> dict[str, list[list[str]]]:
    """Write Oxigraph's plan of each query, with each step's count and time, to ``out/NAME.json``; return, for
    each query, the steps that take most of its time by themselves."""
    cli = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if cli is None:
        print("no oxigraph command (pip install oxigraph): no explanations")
        return {}
    out.mkdir(parents=True, exist_ok=True)
    steps = {}
    for name, text in texts.items():
        query_file = out / f"{name}.rq"
        query_file.write_text(text, encoding="utf-8")
        subprocess.run([cli, "query", "--location", str(directory), "--query-file", str(query_file), "--results-file",
                        str(out / f"{name}.tsv"), "--explain-file", str(out / f"{name}.json"), "--stats"], check=True)
        steps[name] = costly_steps(json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["plan"])
    return steps


def costly_steps(plan: dict, keep: int = 3) -> list[list[str]]:
    """The ``keep`` steps of an explained plan with the most time of their own (not their children's)."""
    found = []

    def walk(node):
        children = node.get("children", [])
        own = node.get("duration in seconds", 0) - sum(child.get("duration in seconds", 0) for child in children)
        found.append((own, node))
        for child in children:
            walk(child)

    walk(plan)
    total = max(plan.get("duration in seconds", 0), 1e-9)
    found.sort(key=lambda item: -item[0])
    return [[f"{100 * own / total:.0f} %", f"{node.get('number of results', 0):,}", node["name"][:110]] for own, node in found[:keep]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ten-million", action="store_true", help="also ten million triples (long)")
    parser.add_argument("--sizes", help="comma-separated triple counts instead (e.g. 1000000,2000000)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", type=Path, help="write the plans of slow queries at the largest size here")
    parser.add_argument("--explain-over", type=float, default=1.0, help="seconds (default 1)")
    parser.add_argument("--work", type=Path, help="where to make the temporary directory of graphs and stores (default: the system's)")
    parser.add_argument("--reuse", metavar="FILE=STORE_DIR", action="append", default=[],
                        help="time the queries on a store an earlier run of allkg.open_store(FILE, store_dir=STORE_DIR) "
                             "loaded (reopened, not loaded again; no load figures); once per size, smallest first")
    options = parser.parse_args()
    if options.reuse:
        return queries_on_loaded_stores(options)
    from synthetic import write_synthetic

    from allkg.store import ensure_built, open_store

    sizes = [int(size) for size in options.sizes.split(",")] if options.sizes else \
        [1_000_000, 10_000_000] if options.ten_million else [1_000_000]
    medians: dict[int, dict[str, tuple[int, float]]] = {}
    load_rows, logs, explained = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="allkg-scale-", dir=options.work) as work:
        for size in sizes:
            path = Path(work) / f"synthetic-{size}.nt"
            written = write_synthetic(ensure_built(), path, size)
            store_dir = Path(work) / f"store-{size}"
            raw = load("raw", path, Path(work) / f"raw-{size}")
            shutil.rmtree(Path(work) / f"raw-{size}")  # its disk, before the next store needs it
            ours = load("allkg", path, store_dir)
            again = load("reopen", path, store_dir)
            logs[size] = ours["log"]
            load_rows.append([f"{written:,}", f"{ours['triples']:,}", f"{raw['seconds']:.1f}", f"{raw['cpu']:.1f}", f"{raw['peak_mb']:,.0f}",
                              f"{ours['seconds']:.1f}", f"{ours['cpu']:.1f}", f"{ours['peak_mb']:,.0f}",
                              f"{100 * raw['seconds'] / ours['seconds']:.0f} %", f"{100 * raw['cpu'] / ours['cpu']:.0f} %",
                              f"{1000 * again['seconds']:.0f}"])
            store = open_store(path, store_dir=store_dir)
            medians[size] = time_queries(store, options.repeat)
            slow = [name for name, (_, ms) in medians[size].items() if ms > 1000 * options.explain_over]
            texts = {name: bound_text(name, store) for name in slow} if options.explain and size == sizes[-1] else {}
            del store
            if texts:
                explained = explain(texts, store_dir, options.explain)
            path.unlink()
    table("Loading on disk: raw bulk_load (no entailment) vs allkg.open_store (bulk load + entailment + text index), "
          "each in a process of its own", ["asserted", "stored", "raw s", "raw cpu s", "raw MB", "allkg s", "allkg cpu s", "allkg MB",
                                           "speed (wall)", "speed (cpu)", "reopen ms"], load_rows)
    for size, lines in logs.items():
        print(f"entailment at {size:,} triples:")
        for line in lines:
            print("  " + line.split(": ", 2)[-1])
    query_table(medians, sizes, options.repeat)
    if explained:
        rows = [[name, *step] for name, steps in sorted(explained.items()) for step in steps]
        table(f"Where the queries over {options.explain_over:g} s at {sizes[-1]:,} spend their time (oxigraph query --explain --stats; "
              "the time a step takes itself)", ["query", "share", "rows", "step"], rows)
    goal_lines(medians, sizes)


def query_table(medians: dict[int, dict[str, tuple[int, float]]], sizes: list[int], repeat: int) -> None:
    """Each query's rows and median at each size, side by side, and the ratio of the largest size to the smallest."""
    header, rows = ["query"], []
    for size in sizes:
        header += [f"rows {size / 1e6:.3g}M", f"ms {size / 1e6:.3g}M"]
    if len(sizes) > 1:
        header.append(f"{sizes[-1] / sizes[0]:.3g}x triples: ms ratio")
    for name in sorted(medians[sizes[0]]):
        row = [name]
        for size in sizes:
            rows_found, ms = medians[size][name]
            row += [str(rows_found), f"{ms:.1f}"]
        if len(sizes) > 1:
            row.append(f"{medians[sizes[-1]][name][1] / max(medians[sizes[0]][name][1], 0.01):.1f}")
        rows.append(row)
    table(f"Named queries on disk with their examples, median of {repeat}", header, rows)


def goal_lines(medians: dict[int, dict[str, tuple[int, float]]], sizes: list[int]) -> None:
    """How many queries meet issue 17's goal at each size: at most 100 rows in < 100 ms, or < 1 s."""
    for size in sizes:
        over = [name for name, (found, ms) in medians[size].items() if ms > 1000 or (found <= 100 and ms > 100)]
        print(f"at {size:,}: {len(medians[size]) - len(over)} of {len(medians[size])} queries within the goal; outside it: {', '.join(sorted(over)) or 'none'}")


def queries_on_loaded_stores(options) -> None:
    """The query table alone, on stores already loaded (a ten-million-triple load takes six minutes)."""
    from allkg.store import open_store

    medians, sizes = {}, []
    for pair in options.reuse:
        path, _, directory = pair.partition("=")
        store = open_store(Path(path), store_dir=Path(directory))
        sizes.append(len(store))  # triples stored, entailment included
        medians[sizes[-1]] = time_queries(store, options.repeat)
        del store
    query_table(medians, sizes, options.repeat)
    goal_lines(medians, sizes)


if __name__ == "__main__":
    main()
