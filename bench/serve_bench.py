"""Load on ``allkg serve``: concurrent clients over loopback, and one runaway query among them.

Starts ``allkg serve`` as a subprocess on 127.0.0.1 (a free port), then:

Each phase runs twice, against a server with the reply cache off (every request goes through a
query worker) and on (the default: repeated requests are answered from memory).

1. ``--clients`` threads each send ``--requests`` named-query requests
   (``/queries/NAME?format=json``, every named query with its example, in turn) on a
   kept-alive connection; prints throughput, p50, p99 and the error count, next to the
   same queries run in-process (``allkg.queries.run``) for the ratio the HTTP and worker
   layers cost;
2. the same through the SPARQL endpoint (``POST /sparql``, direct body);
3. three clients, each from its own loopback address, send a cross join over all triples
   (never finishes) while the others keep sending named queries: prints how many were
   answered meanwhile, their p50, p99 and slowest, and how each runaway was stopped (503).

Bounded: at most ``--clients`` x ``--requests`` requests per phase and ``--deadline`` seconds
overall; only 127.0.0.1 is contacted.

    python bench/serve_bench.py                    # 8 clients x 500 requests
    python bench/serve_bench.py --clients 4 --requests 100 --timeout 2
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(graph: Path, port: int, timeout: float, workers: int, cache_mb: int) -> subprocess.Popen:
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - lives as long as the server
    command = [sys.executable, "-m", "allkg.cli", "serve", "--port", str(port), "--graph", str(graph), "--timeout", str(timeout),
               "--cache-mb", str(cache_mb)]
    if workers:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=log)
    end = time.monotonic() + 90
    while time.monotonic() < end:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"allkg serve exited: {log.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                if json.load(response)["status"] == "ok":
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("allkg serve did not become ready")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


class Client(threading.Thread):
    """Sends requests in turn on one kept-alive connection until its count or the stop flag is reached."""

    def __init__(self, port: int, requests: list[tuple[str, str, bytes | None, dict]], count: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.requests, self.count, self.stop = port, requests, count, stop
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for index in range(self.count):
            if self.stop.is_set():
                break
            method, path, body, headers = self.requests[index % len(self.requests)]
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    self.errors.append(f"{response.status} {path}")
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(f"{type(error).__name__} {path}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.latencies.append(time.perf_counter() - started)
        connection.close()


def load(port: int, requests, clients: int, count: int, stop: threading.Event) -> dict:
    threads = [Client(port, requests[i:] + requests[:i], count, stop) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = [value for thread in threads for value in thread.latencies]
    errors = [error for thread in threads for error in thread.errors]
    return {"requests": len(latencies), "seconds": elapsed, "throughput": len(latencies) / elapsed if elapsed else 0.0,
            "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000, "errors": len(errors), "first_errors": errors[:3]}


def show(title: str, figures: dict) -> None:
    print(f"{title}: {figures['requests']} requests in {figures['seconds']:.1f} s = {figures['throughput']:.0f}/s; "
          f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms; errors {figures['errors']} {figures['first_errors'] or ''}")


def in_process(graph: Path, names: list[str], repeats: int = 5) -> float:
    """Median milliseconds of the named queries run in this process (the floor the server adds to)."""
    from allkg import queries
    from allkg.store import open_store

    store = open_store(graph)
    for name in names:
        queries.run(name, None, store)
    times = []
    for _ in range(repeats):
        for name in names:
            started = time.perf_counter()
            queries.run(name, None, store)
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=500, help="per client and phase")
    parser.add_argument("--timeout", type=float, default=3.0, help="the server's per-query time limit")
    parser.add_argument("--workers", type=int, default=0, help="the server's workers (default: its own default)")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds before every client is stopped")
    options = parser.parse_args()

    from allkg import queries
    from allkg.store import ensure_built

    graph = ensure_built()
    names = [query.name for query in queries.list_queries()]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; graph {graph}")
    floor = in_process(graph, names)
    print(f"in-process named query (allkg.queries.run): median {floor:.2f} ms")
    named = [("GET", f"/queries/{name}?format=json", None, {}) for name in names]
    texts = [query.text for query in queries.list_queries() if not query.params]
    texts += ["SELECT ?drug ?label WHERE { ?drug a allkg:Drug ; rdfs:label ?label }", "ASK { drug:imatinib allkg:hasTarget ?t }"]
    sparql = [("POST", "/sparql", text.encode(), {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}) for text in texts]
    stop = threading.Event()
    timer = threading.Timer(options.deadline, stop.set)
    timer.start()
    try:
        for cache_mb in (0, 64):  # every request through a worker; then with the reply cache, as served by default
            port = free_port()
            server = start_server(graph, port, options.timeout, options.workers, cache_mb)
            try:
                label = "cache on" if cache_mb else "cache off"
                figures = load(port, named, options.clients, options.requests, stop)
                show(f"[{label}] named queries, {options.clients} clients x {options.requests}", figures)
                print(f"  server p50 / in-process median = {figures['p50_ms'] / floor:.1f}x")
                show(f"[{label}] SPARQL endpoint (POST direct), {options.clients} clients x {options.requests}",
                     load(port, sparql, options.clients, options.requests, stop))
                if not cache_mb:  # the others must really be answered by the other workers, not by the cache
                    runaway_phase(port, named, options, stop)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health") as response:
                    print(f"  server afterwards: {json.load(response)}")
            finally:
                server.terminate()
                server.wait(10)
    finally:
        timer.cancel()


def runaway_phase(port: int, named, options, stop: threading.Event) -> None:
    """Three clients (127.0.0.2 to .4: distinct clients to the server) send a query that never ends; the rest keep going."""
    outcomes = {}

    def runaway(source: str) -> None:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=options.timeout * 10, source_address=(source, 0))
        try:
            connection.request("POST", "/sparql", body=RUNAWAY.encode(), headers={"Content-Type": "application/sparql-query"})
            response = connection.getresponse()
            outcomes[source] = (response.status, response.read().decode("utf-8", "replace").strip(), time.perf_counter() - started)
        finally:
            connection.close()

    slow = [threading.Thread(target=runaway, args=(f"127.0.0.{n}",)) for n in (2, 3, 4)]
    others_stop = threading.Event()
    for thread in slow:
        thread.start()
    time.sleep(0.2)  # let the runaways take their workers first
    others = [Client(port, named[i:] + named[:i], options.requests, others_stop) for i in range(max(1, options.clients - 3))]
    for client in others:
        client.start()
    for thread in slow:
        thread.join()
    others_stop.set()
    for client in others:
        client.join()
    latencies = [value for client in others for value in client.latencies]
    errors = sum(len(client.errors) for client in others)
    for source, (status, message, seconds) in sorted(outcomes.items()):
        print(f"  runaway from {source}: {status} after {seconds:.2f} s (time limit {options.timeout:g} s): {message[:90]}")
    print(f"  meanwhile {len(others)} other clients got {len(latencies)} answers: p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, slowest {max(latencies, default=float('nan')) * 1000:.0f} ms, errors {errors}")


if __name__ == "__main__":
    main()
