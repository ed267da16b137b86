"""Query workers: separate processes that each hold the graph and answer one request at a time.

Why processes: a pyoxigraph query cannot be interrupted from another thread,
so a runaway query (a cross join over every triple) would hold its thread and
the GIL-free Rust code for as long as it likes. Each worker is a process with
its own Oxigraph store; when a request runs past the time limit the pool kills
that worker (SIGKILL: the work really stops), answers 503, and starts a fresh
worker in the background while the others keep serving.

A worker receives a job (a small tuple) on a pipe and sends back a
:class:`allkg.protocol.Reply` whose body is already serialized.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import signal
from collections import OrderedDict
from pathlib import Path

from allkg.protocol import Reply

READY_TIMEOUT_S = 120  # loading and indexing a large graph may take a while


def _worker_main(connection, graph_path: str | None, max_rows: int, memory_limit_mb: int) -> None:
    """Load the graph, say how many triples it has, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its workers
    if memory_limit_mb:
        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # a query that eats memory kills its worker only
    from allkg import protocol, queries
    from allkg.pages import Views, named_query
    from allkg.store import open_store

    path = Path(graph_path) if graph_path else None
    store = open_store(path)
    prefixes = queries._prefixes()
    queries.name_index(store)  # resolve names from the first request on without a pause
    views = Views(path)
    views.network()  # convert the graph for /view now, so the first page is not held to the query time limit
    connection.send(("ready", len(store)))
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        kind, arguments = job
        try:
            if kind == "sparql":
                reply = protocol.answer(store, *arguments, max_rows=max_rows, prefixes=prefixes)
            elif kind == "named":
                reply = named_query(store, *arguments, max_rows=max_rows)
            elif kind == "view":
                reply = views.entity(*arguments)
            else:
                reply = Reply.text(500, f"unknown job {kind!r}")
        except MemoryError:
            reply = Reply.text(503, "the query needed more memory than a worker may use")
        except Exception as error:  # noqa: BLE001 - a bug must not take the worker down; say what happened
            reply = Reply.text(500, f"internal error: {type(error).__name__}: {error}")
        connection.send(reply)


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context, graph_path, max_rows, memory_limit_mb):
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, str(graph_path) if graph_path else None, max_rows, memory_limit_mb), daemon=True, name="allkg-query-worker"
        )
        self.process.start()
        child.close()
        self.triples = 0

    async def receive(self, timeout: float):
        """Wait up to ``timeout`` seconds for the worker's next message, without blocking the event loop."""
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        descriptor = self.connection.fileno()
        loop.add_reader(descriptor, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, timeout)
        finally:
            loop.remove_reader(descriptor)
        return self.connection.recv()  # raises EOFError if the worker died

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.connection.close()


class ReplyCache:
    """Successful replies by request, least recently used first out, within ``limit_bytes``.

    The served graph never changes while the server runs, so the same request gets the same bytes: a
    repeated query (a page reloaded, a dashboard polling) costs no worker time at all.
    """

    def __init__(self, limit_bytes: int, largest_bytes: int = 1 << 20):
        self.limit, self.largest, self.size = limit_bytes, min(largest_bytes, limit_bytes), 0
        self.replies: OrderedDict[tuple, Reply] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Reply | None:
        reply = self.replies.get(key)
        if reply is None:
            self.misses += 1
            return None
        self.replies.move_to_end(key)
        self.hits += 1
        return reply

    def put(self, key: tuple, reply: Reply) -> None:
        if reply.status != 200 or len(reply.body) > self.largest or key in self.replies:
            return
        self.replies[key] = reply
        self.size += len(reply.body)
        while self.size > self.limit:
            _, dropped = self.replies.popitem(last=False)
            self.size -= len(dropped.body)


class WorkerPool:
    """``size`` workers; each request borrows one for at most ``timeout`` seconds; answers are cached (``cache_mb``)."""

    def __init__(self, graph_path: Path | None = None, size: int = 2, timeout: float = 10.0, max_rows: int = 10000,
                 memory_limit_mb: int = 0, cache_mb: int = 64):
        self.graph_path, self.size, self.timeout, self.max_rows, self.memory_limit_mb = graph_path, size, timeout, max_rows, memory_limit_mb
        self.cache = ReplyCache(cache_mb * 1024 * 1024) if cache_mb else None
        self.context = multiprocessing.get_context("spawn")  # no fork of a process that runs an event loop and threads
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self.triples = 0
        self.replaced = 0
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        """Start every worker and wait until each holds the graph."""
        await asyncio.gather(*(self._add_worker() for _ in range(self.size)))

    async def _add_worker(self) -> None:
        worker = Worker(self.context, self.graph_path, self.max_rows, self.memory_limit_mb)
        self.workers.add(worker)
        try:
            message = await worker.receive(READY_TIMEOUT_S)
        except BaseException:
            self._discard(worker)
            raise
        self.triples = message[1]
        self.idle.put_nowait(worker)

    def _discard(self, worker: Worker) -> None:
        worker.stop()
        self.workers.discard(worker)
        # reap the killed process off the event loop, so no zombie is left behind
        asyncio.get_running_loop().run_in_executor(None, worker.process.join, 5)

    def _replace(self, worker: Worker) -> None:
        self._discard(worker)
        self.replaced += 1
        task = asyncio.create_task(self._add_worker())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, kind: str, *arguments) -> Reply:
        """Run one job on an idle worker and return its reply; 503 when the time limit is passed."""
        key = (kind, *(_hashable(argument) for argument in arguments))
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            return cached
        try:
            worker = await asyncio.wait_for(self.idle.get(), self.timeout)
        except TimeoutError:
            return Reply.text(503, f"every query worker stayed busy for the time limit ({self.timeout:g} s); try again later")
        try:
            worker.connection.send((kind, arguments))
            reply = await worker.receive(self.timeout)
        except TimeoutError:
            self._replace(worker)
            return Reply.text(503, f"the query ran past the time limit of {self.timeout:g} s and was stopped")
        except (EOFError, OSError):
            self._replace(worker)
            return Reply.text(503, "the query worker stopped (did the query need more memory than allowed?); it has been replaced")
        except BaseException:  # cancelled mid-request: the worker's answer would arrive late, so start afresh
            self._replace(worker)
            raise
        self.idle.put_nowait(worker)
        if self.cache:
            self.cache.put(key, reply)
        return reply

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self.workers):
            worker.stop()
            worker.process.join(2)
        self.workers.clear()


def _hashable(value):
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return tuple(value) if isinstance(value, list) else value


def default_size() -> int:
    """Two workers, or one per core beyond the first if there are more: one slow query never blocks the rest."""
    return max(2, min(8, (os.cpu_count() or 2) - 1))
