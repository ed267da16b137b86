"""Benchmark ``allkg push`` against a raw upload of the same file, to a real local Oxigraph server.

For each size (default one million triples; ten million with ``--sizes 10000000``, which takes over an hour
and needs ~3 GB of disk per million), the synthetic graph of bench/synthetic.py is written, then:

1. raw: one HTTP PUT of the N-Triples file, streamed from disk, into a named graph of a fresh ``oxigraph serve``
   (with Oxigraph's ``no_transaction``, its fastest way, which push uses to fill its temporary graph too);
2. allkg: ``allkg.remote.push`` of the same file into the default graph of another fresh server (asserted
   triples only, so both send the same triples; ``--entailment`` adds a push with the entailed triples too).

Each runs in a child process that reports its time and peak memory (``resource.getrusage``); the server's
peak memory is read from /proc. A server that grows past ``--server-limit-gb`` is stopped (the swap, one SPARQL
Update of the whole graph, is what grows it). Issue 17's goal: a push streams (memory does not grow with the
graph), shows progress, and is measured at ten million triples.

    python bench/push_bench.py [--sizes 1000000] [--entailment] [--server-limit-gb 12] [--compare-with DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's allkg, not an installed one
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

RAW = """
import json, os, resource, sys, time, urllib.request
path, url = sys.argv[1], sys.argv[2]
start = time.perf_counter()
with open(path, "rb") as body:
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(os.path.getsize(path))}
    urllib.request.urlopen(urllib.request.Request(url, data=body, method="PUT", headers=headers), timeout=None).read()
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PUSH = """
import inspect, json, resource, sys, time
from pathlib import Path
from allkg import remote
path, store, inference = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "yes"
options, marks = {}, {}
def progress(message):  # when each step began, in case the push fails before it can say
    marks[message.split()[0]] = round(time.perf_counter() - start, 1)
    print(f"{marks[message.split()[0]]:8.1f} s  {message}", file=sys.stderr, flush=True)
if "progress" in inspect.signature(remote.push).parameters:  # an allkg from before streaming has none
    options["progress"] = progress
start = time.perf_counter()
try:
    result = remote.push(store, path=path, inference=inference, **options)
    outcome = {"seconds": time.perf_counter() - start, "triples": result.triples, "phases": dict(getattr(result, "phases", ()))}
except Exception as error:
    outcome = {"error": f"{type(error).__name__}: {error}"[:300], "marks": marks, "seconds": time.perf_counter() - start}
outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(outcome))
"""


class Server:
    """A fresh ``oxigraph serve`` on disk (as tests/test_remote.py starts it), its memory watched."""

    def __init__(self, location: Path, limit_mb: float):
        from test_remote import OxigraphServer

        self.server = OxigraphServer(location)
        self.limit_mb, self.peak_mb, self.stopped_for_memory = limit_mb, 0.0, False
        self.watching = True
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.watcher.start()

    def _rss_mb(self, field: str = "VmRSS") -> float:
        try:
            for line in Path(f"/proc/{self.server.process.pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def _watch(self) -> None:
        while self.watching:
            rss = self._rss_mb()
            self.peak_mb = max(self.peak_mb, rss, self._rss_mb("VmHWM"))
            if rss > self.limit_mb:
                self.stopped_for_memory = True
                self.server.process.kill()  # only the server this benchmark started
                return
            time.sleep(0.5)

    def stop(self) -> None:
        self.watching = False
        self.watcher.join()
        if self.server.process.poll() is None:
            self.server.stop()


def child(code: str, *args: str, checkout: Path = ROOT) -> dict:
    """Run ``code`` in a new process (its progress goes straight to standard error) and return what it reports."""
    done = subprocess.run([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, cwd=checkout,
                          env={**os.environ, "PYTHONPATH": str(checkout)})
    if done.returncode != 0:
        return {"error": f"exit code {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(label: str, code: str, path: Path, work: Path, limit_mb: float, *args: str, checkout: Path = ROOT) -> dict:
    print(f"{label} ...", file=sys.stderr, flush=True)
    server = Server(work / f"server-{label.replace(' ', '-')}", limit_mb)
    try:
        url = server.server.store + ("?graph=urn:bench:raw&no_transaction" if code is RAW else "")
        outcome = child(code, str(path), url, *args, checkout=checkout)
    finally:
        server.stop()
    outcome["server_mb"] = server.peak_mb
    if server.stopped_for_memory:
        outcome["error"] = f"server stopped past {limit_mb / 1024:.0f} GB"
    print(f"{label}: {outcome}", file=sys.stderr, flush=True)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000")
    parser.add_argument("--entailment", action="store_true", help="Also push with the entailed triples.")
    parser.add_argument("--server-limit-gb", type=float, default=12.0)
    parser.add_argument("--compare-with", type=Path, metavar="DIR",
                        help="Also push with the allkg of another checkout (e.g. `git archive` of the commit before streaming).")
    options = parser.parse_args()
    from queries_bench import table
    from synthetic import write_synthetic

    from allkg.store import ensure_built

    limit_mb = options.server_limit_gb * 1024
    rows = []
    with tempfile.TemporaryDirectory(prefix="allkg-push-bench-") as directory:
        work = Path(directory)
        for size in (int(size) for size in options.sizes.split(",")):
            path = work / f"synthetic-{size}.nt"
            written = write_synthetic(ensure_built(), path, size)
            raw = measure(f"raw {size}", RAW, path, work, limit_mb)
            runs = [("allkg push --asserted-only", measure(f"push {size}", PUSH, path, work, limit_mb, "no"))]
            if options.compare_with:
                runs.append((f"push --asserted-only, {options.compare_with.name}",
                             measure(f"push before {size}", PUSH, path, work, limit_mb, "no", checkout=options.compare_with.resolve())))
            if options.entailment:
                runs.append(("allkg push", measure(f"push entailed {size}", PUSH, path, work, limit_mb, "yes")))
            rows.append(_row("raw PUT of the file", written, raw, raw))
            rows += [_row(name, outcome.get("triples", written), outcome, raw) for name, outcome in runs]
            path.unlink()
    table("Pushing to a local Oxigraph server (on disk): allkg push against one raw PUT of the same N-Triples file",
          ["run", "triples", "s", "triples/s", "peak MB", "server MB", "x raw", "phases (s)"], rows)


def _row(name: str, triples: int, outcome: dict, raw: dict) -> list[str]:
    if "error" in outcome:
        began = ", ".join(f"{what} from {seconds:.0f}" for what, seconds in outcome.get("marks", {}).items() if what != "loaded")
        return [name, f"{triples:,}", f"{outcome.get('seconds', 0):.0f}", "-", f"{outcome.get('peak_mb', 0):.0f}",
                f"{outcome.get('server_mb', 0):.0f}", "-", f"{outcome['error']}; {began}"]
    phases = ", ".join(f"{what} {seconds:.0f}" for what, seconds in outcome.get("phases", {}).items())
    ratio = outcome["seconds"] / raw["seconds"] if "seconds" in raw else float("nan")
    return [name, f"{triples:,}", f"{outcome['seconds']:.0f}", f"{triples / outcome['seconds']:,.0f}", f"{outcome['peak_mb']:.0f}",
            f"{outcome['server_mb']:.0f}", f"{ratio:.1f}", phases]


if __name__ == "__main__":
    main()
