"""Benchmark the named queries: Oxigraph (our store) against plain rdflib, a million-triple graph, and the CLI.

Prints three tables:

1. every named query with its example on our graph, in one run: Oxigraph
   (``allkg.queries.execute`` on the store) and plain rdflib (the same
   triples, entailment included, in an in-memory ``rdflib.Graph``), median
   and p95 in milliseconds, and the ratio;
2. a synthetic graph of the same shape (bench/synthetic.py): load time with
   entailment, memory, and every named query's median and p95;
3. ``allkg query NAME`` end to end in a new process (start-up included), and
   the import time of the command's modules.

Targets (issue 4): median < 1 ms and >= 10x rdflib on our graph; on the
million-triple graph load < 10 s and every query < 1 s; end to end < 1 s.

    python bench/queries_bench.py [--triples 1000000] [--repeat 200] [--skip-synthetic]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's allkg, not an installed one
sys.path.insert(0, str(ROOT / "bench"))


def timings(function, repeat: int, warmup: int = 2) -> tuple[float, float]:
    """Return (median, p95) of ``function()`` in milliseconds."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def rss_mb() -> float:
    """Resident memory of this process, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def plain_rdflib_copy(store):
    from oxrdflib._converter import from_ox
    from rdflib import Graph

    graph = Graph()
    for quad in store:
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    output = Table(*header, title=title)
    for row in rows:
        output.add_row(*row)
    Console(width=160).print(output)


def bench_our_graph(repeat: int) -> None:
    from allkg import queries
    from allkg.store import open_store

    store = open_store()
    plain = plain_rdflib_copy(store)
    rows, medians, ratios = [], [], []
    for query in queries.list_queries():
        bindings = queries.bind(query, None, store)
        count = len(queries.execute(query.text, bindings, store))
        ox_median, ox_p95 = timings(lambda: queries.execute(query.text, bindings, store), repeat)
        run_median, _ = timings(lambda: queries.run(query, None, store), repeat)
        rdf_median, rdf_p95 = timings(lambda: queries.execute(query.text, bindings, plain), max(5, repeat // 20), warmup=1)
        medians.append(ox_median)
        ratios.append(rdf_median / ox_median)
        rows.append([query.name, str(count), f"{ox_median:.3f}", f"{ox_p95:.3f}", f"{run_median:.3f}", f"{rdf_median:.2f}", f"{rdf_p95:.2f}", f"{rdf_median / ox_median:.0f}x"])
    rows.append(["[bold]worst / smallest ratio[/bold]", "", f"{max(medians):.3f}", "", "", "", "", f"{min(ratios):.0f}x"])
    table(
        f"Named queries on our graph ({len(store)} triples with entailment); ms",
        ["query", "rows", "oxigraph median", "oxigraph p95", "run() median", "rdflib median", "rdflib p95", "rdflib/oxigraph"],
        rows,
    )


def bench_synthetic(triples: int, repeat: int) -> None:
    from synthetic import write_synthetic

    from allkg import queries
    from allkg.store import ensure_built, open_store

    with tempfile.TemporaryDirectory(prefix="allkg-bench-") as directory:
        path = Path(directory) / "synthetic.nt"
        start = time.perf_counter()
        written = write_synthetic(ensure_built(), path, triples)
        generated = time.perf_counter() - start
        gc.collect()
        before = rss_mb()
        start = time.perf_counter()
        store = open_store(path)
        loaded = time.perf_counter() - start
        memory = rss_mb() - before
        start = time.perf_counter()
        persistent = open_store(path, store_dir=Path(directory) / "store")
        persisted = time.perf_counter() - start
        del persistent
        start = time.perf_counter()
        reopened = open_store(path, store_dir=Path(directory) / "store")
        reopen = time.perf_counter() - start
        del reopened
        start = time.perf_counter()
        queries.name_index(store)
        indexed = time.perf_counter() - start
        print(
            f"synthetic graph: {written} triples written in {generated:.1f} s; {len(store)} with entailment; "
            f"in-memory load + entailment {loaded:.2f} s, +{memory:.0f} MB RSS; "
            f"on-disk store: first load {persisted:.2f} s, reopen {reopen * 1000:.0f} ms; name index {indexed:.2f} s"
        )
        rows, worst = [], 0.0
        for query in queries.list_queries():
            bindings = queries.bind(query, None, store)
            count = len(queries.execute(query.text, bindings, store))
            median, p95 = timings(lambda: queries.execute(query.text, bindings, store), repeat, warmup=1)
            worst = max(worst, median)
            rows.append([query.name, str(count), f"{median:.2f}", f"{p95:.2f}"])
        rows.append(["[bold]worst median[/bold]", "", f"{worst:.2f}", ""])
        table(f"Named queries on the synthetic graph ({len(store)} triples); ms", ["query", "rows", "median", "p95"], rows)


def bench_cli(repeat: int) -> None:
    names = ["drug-adverse-effects", "drugs-by-class", "facts-from-source"]
    env = dict(os.environ)
    rows = []
    for name in names:
        for output_format in ("tsv", "table"):
            command = [sys.executable, "-m", "allkg.cli", "query", name, "--format", output_format]
            subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)  # warm the OS cache
            median, p95 = timings(lambda: subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True), repeat, warmup=0)
            rows.append([f"allkg query {name} -f {output_format}", f"{median:.0f}", f"{p95:.0f}"])
    baseline, _ = timings(lambda: subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True), repeat, warmup=1)
    rows.append(["python -c pass (interpreter start, for scale)", f"{baseline:.0f}", ""])
    table("End to end, new process each time; ms", ["command", "median", "p95"], rows)
    importtime = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "allkg.cli", "query", "drug-adverse-effects", "--format", "tsv"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stderr
    cumulative = {}
    for line in importtime.splitlines():
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 3 and parts[1].isdigit() and not parts[2].startswith(" "):
            cumulative[parts[2]] = int(parts[1]) / 1000
    top = sorted(cumulative.items(), key=lambda item: -item[1])[:8]
    print("import time (cumulative, top-level modules) of `allkg query`: " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in top))
    print(f"rdflib imported by `allkg query`: {'yes' if 'rdflib' in cumulative else 'no'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph")
    parser.add_argument("--repeat", type=int, default=200, help="runs per query on our graph (rdflib: a twentieth)")
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    os.chdir(ROOT)
    bench_our_graph(args.repeat)
    if not args.skip_synthetic:
        bench_synthetic(args.triples, max(3, args.repeat // 20))
    bench_cli(max(5, args.repeat // 20))


if __name__ == "__main__":
    main()
