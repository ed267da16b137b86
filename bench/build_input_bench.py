"""Time and peak memory of ``allkg build`` on the real curation and on one oversized table, side by side.

Copies ``graph/`` to a temporary directory, adds a facts table of ``--megabytes`` MB made of
valid, distinct rows, and builds both in a fresh process each, reading the wall time and the
peak resident memory of the process (VmHWM in /proc, Linux). With ``--compare DIR`` the same runs are
made with the ``allkg`` package of another checkout (e.g. main) in the same table, so a
change shows as before/after in one run. A run is stopped after ``--timeout`` seconds.

Target (issue 16, item 6): a 50 MB table fails fast with a clear limit, in bounded memory.

    python bench/build_input_bench.py [--megabytes 50] [--compare ../main] [--timeout 300]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ROW = ("alteration/philadelphia-chromosome\tPhiladelphia chromosome\tinvolvesChromosome\t{}\t\t\t\t"
       "acs-targeted-therapy-all\tph-positive")
HEADER = "subject\tsubject_label\tpredicate\tobject\tobject_label\tapproximate\tin_population\tsource\tsection"
BUILD = "import sys; from pathlib import Path; from allkg.build import build; build(Path(sys.argv[1]), Path(sys.argv[2]))"


def oversized_graph(directory: Path, megabytes: int) -> Path:
    graph = directory / "graph"
    shutil.copytree(PROJECT_ROOT / "graph", graph)
    with open(graph / "facts" / "oversized.tsv", "w", encoding="utf-8") as stream:
        stream.write(HEADER + "\n")
        number, size = 100, 0
        while size < megabytes * 10**6:
            row = ROW.format(number) + "\n"
            stream.write(row)
            size, number = size + len(row), number + 1
    return graph


def run(package_root: Path, graph: Path, out: Path, timeout: float) -> tuple[str, float, float]:
    """Build in a fresh process; return (outcome, seconds, peak resident MB), the peak read from /proc (VmHWM)
    while it runs, so that a run stopped at the time limit is measured too."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", BUILD, str(out), str(graph)], cwd=package_root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={"PYTHONPATH": str(package_root), "PATH": "/usr/bin:/bin"})
    peak_kb = 0
    while process.poll() is None:
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
            peak_kb = max(peak_kb, int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))))
        except (OSError, StopIteration):
            pass
        if time.monotonic() - started > timeout:
            process.kill()
            process.wait()
            return f"stopped after {timeout:.0f} s", time.monotonic() - started, peak_kb / 1024
        time.sleep(0.05)
    return ("built" if process.returncode == 0 else "refused"), time.monotonic() - started, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--compare", type=Path, help="another checkout whose allkg package to run too (e.g. main)")
    parser.add_argument("--timeout", type=float, default=300)
    options = parser.parse_args()
    checkouts = [("this checkout", PROJECT_ROOT)] + ([("compared", options.compare.resolve())] if options.compare else [])
    with tempfile.TemporaryDirectory() as temporary:
        big = oversized_graph(Path(temporary), options.megabytes)
        print(f"{'package':<14} {'input':<22} {'outcome':<22} {'seconds':>8} {'peak MB':>8}")
        for label, root in checkouts:
            for name, graph in (("graph/ as curated", PROJECT_ROOT / "graph"), (f"+ {options.megabytes} MB table", big)):
                outcome, seconds, peak = run(root, graph, Path(temporary) / "out", options.timeout)
                print(f"{label:<14} {name:<22} {outcome:<22} {seconds:>8.1f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
