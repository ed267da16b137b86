"""Query workers: processes without network access that answer one request at a time, and a fair pool of them.

Why processes: a pyoxigraph query cannot be interrupted from another thread,
so a runaway query (a cross join over every triple) would hold its thread and
the GIL-free Rust code for as long as it likes. Each request borrows a worker
process; when it runs past the time limit the pool kills that worker (SIGKILL:
the work really stops), answers 503, and puts a fresh worker in its place.

Fresh workers come from a *template* process: it loads the graph once, forbids
itself the network (:mod:`allkg.sandbox`: every process forked from it inherits
that and cannot lift it), and then forks a worker whenever the pool asks, in a
few milliseconds, sending back the worker's end of a socket pair. So a killed
worker is replaced at once, and many workers share the graph's memory.

Fairness (no client waits on another's runaway query): a query becomes *slow*
once it has run ``slow_after`` seconds. At most ``slow_queries`` slow queries
hold a worker for sure, and at most one per client (its IP address). A query
that turns slow beyond either limit runs on only while workers are free: as soon
as another request finds no idle worker, the oldest such query is stopped (503,
with a message that says which limit) and its worker replaced for that request.
The pool has more workers than slow slots, so quick queries always find one. A
request whose client goes away is cancelled, and its worker killed (see
:mod:`allkg.server`).

A worker receives a job (a small tuple) on its socket and sends back a
:class:`allkg.protocol.Reply` whose body is already serialized.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import signal
import socket
import sys
import threading
from collections import Counter, OrderedDict
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path

from allkg.protocol import Reply

READY_TIMEOUT_S = 120  # loading and indexing a large graph may take a while
FORK_TIMEOUT_S = 10
PROJECT_ONTOLOGY = "https://w3id.org/allkg/ontology"


def _template_main(control, graph_path: str | None, max_rows: int, memory_limit_mb: int, inference: bool | None) -> None:
    """Forbid the network, load the graph, then fork a worker each time the pool asks for one.

    ``inference``: apply the project's entailment rules (True), not (False), or only if the graph is the
    project's own, i.e. declares the allkg ontology (None).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its workers
    from allkg import sandbox

    sandboxed = sandbox.forbid_network()  # before anything reads a byte of a request
    if memory_limit_mb:
        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # a query that eats memory kills its worker only
    from allkg import queries
    from allkg.pages import Views
    from allkg.store import materialise, open_store

    path = Path(graph_path) if graph_path else None
    try:
        store = open_store(path, inference=inference is True)
        if inference is None and store.query(f"ASK {{ <{PROJECT_ONTOLOGY}> a <http://www.w3.org/2002/07/owl#Ontology> }}"):
            materialise(store)  # the project's rules describe the project's graph: foreign data is served as it is
        queries.name_index(store)  # resolve names from the first request on without a pause
    except Exception as error:  # noqa: BLE001 - a file that is not RDF, or not readable: one line for the person
        control.send(("error", f"{graph_path or 'the build'}: cannot load: {error}"))
        return
    state = (store, queries._prefixes(), Views(path), max_rows, sandboxed)
    from allkg import protocol

    protocol.answer(store, "ASK {}", None, [], max_rows=1, prefixes=state[1])  # import and warm the parsers once, for every fork
    state[2].network()  # the network the entity views draw from: built once here, not in each fresh worker
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers; the pool kills them by pidfd
    control.send(("ready", len(store), sandboxed))
    while True:
        try:
            message = control.recv()
        except (EOFError, OSError):
            return
        if message != "fork":
            continue
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            control.close()
            ours.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                _serve_jobs(Connection(theirs.detach()), *state)
            finally:
                os._exit(0)
        theirs.close()
        control.send(("worker", pid))
        send_handle(control, ours.fileno(), None)
        ours.close()


def _serve_jobs(connection, store, prefixes, views, max_rows: int, sandboxed: bool) -> None:
    """Answer jobs until the pipe closes."""
    from allkg import protocol
    from allkg.pages import named_query

    while True:
        try:
            kind, arguments = connection.recv()
        except (EOFError, OSError):
            return
        try:
            if kind == "sparql":
                reply = protocol.answer(store, *arguments, max_rows=max_rows, prefixes=prefixes, sandboxed=sandboxed)
            elif kind == "named":
                reply = named_query(store, *arguments, max_rows=max_rows)
            elif kind == "view":
                reply = views.entity(*arguments)
            elif kind == "page":
                reply = views.page(*arguments)
            elif kind == "explore":
                from allkg.pages import explore_page

                reply = explore_page(store, *arguments)
            else:
                reply = Reply.text(500, f"unknown job {kind!r}")
        except MemoryError:
            reply = Reply.text(503, "the query needed more memory than a worker may use")
        except Exception as error:  # noqa: BLE001 - a bug must not take the worker down; say what happened
            reply = Reply.text(500, f"internal error: {type(error).__name__}: {error}")
        connection.send(reply)


class Template:
    """The process that holds the graph and forks workers; its methods block (call them off the event loop)."""

    def __init__(self, context, graph_path, max_rows, memory_limit_mb, inference):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_template_main, args=(child, str(graph_path) if graph_path else None, max_rows,
                                                                     memory_limit_mb, inference), daemon=True, name="allkg-query-template")
        self.process.start()
        child.close()
        self.lock = threading.Lock()
        self.status: tuple[int, bool] = (0, False)  # set from ready()

    def ready(self) -> tuple[int, bool]:
        """Wait until the graph is loaded; return (triples, whether the network is forbidden); LoadError if not."""
        if not self.connection.poll(READY_TIMEOUT_S):
            raise LoadError(f"the graph was not loaded within {READY_TIMEOUT_S} s")
        try:
            message = self.connection.recv()
        except EOFError:
            raise LoadError(f"the process loading the graph stopped (exit code {self.process.exitcode})") from None
        if message[0] == "error":
            raise LoadError(message[1])
        self.status = (message[1], message[2])
        return self.status

    def fork(self) -> Worker:
        with self.lock:
            self.connection.send("fork")
            if not self.connection.poll(FORK_TIMEOUT_S):
                raise TimeoutError("the query template did not fork a worker")
            _, pid = self.connection.recv()
            return Worker(pid, Connection(recv_handle(self.connection)))

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.connection.close()
        self.process.join(2)


class Worker:
    """One worker process (a child of the template) and the pool's end of its socket."""

    def __init__(self, pid: int, connection: Connection):
        self.pid, self.connection = pid, connection
        try:  # a pidfd names this very process, even once its number is reused
            self.pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.pidfd = None

    async def receive(self, timeout: float):
        """Wait up to ``timeout`` seconds for the worker's next message, without blocking the event loop."""
        if not self.connection.poll(0):
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
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, OSError):
            pass  # it had ended already
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        self.connection.close()


class LoadError(RuntimeError):
    """The graph to serve could not be loaded."""


class Busy(Exception):
    """A query turned slow beyond what the pool allows."""


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
    """``size`` workers; a request borrows one for at most ``timeout`` seconds; answers are cached (``cache_mb``).

    ``slow_queries``: how many queries may run longer than ``slow_after`` seconds at once (one per client).
    """

    def __init__(self, graph_path: Path | None = None, size: int = 0, timeout: float = 10.0, max_rows: int = 10000,
                 memory_limit_mb: int = 0, cache_mb: int = 64, slow_queries: int = 0, slow_after: float = 1.0,
                 inference: bool | None = None, template: Template | None = None):
        self.slow_queries = slow_queries or default_slow_queries()
        self.size = max(size or self.slow_queries + 4, self.slow_queries + 1)  # room beyond the slow slots, always
        self.graph_path, self.timeout, self.max_rows, self.memory_limit_mb = graph_path, timeout, max_rows, memory_limit_mb
        self.slow_after, self.inference = min(slow_after, timeout), inference
        self.cache = ReplyCache(cache_mb * 1024 * 1024) if cache_mb else None
        self.context = multiprocessing.get_context("spawn")  # no fork of a process that runs an event loop and threads
        self.template = template
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self.slow: Counter[str] = Counter()  # client -> slow queries running within the limits
        self.preemptible: OrderedDict[Worker, tuple] = OrderedDict()  # slow beyond the limits: (stop, why), oldest first
        self.waiting = 0  # requests waiting for an idle worker
        self.triples, self.sandboxed = 0, False
        self.replaced = self.stopped_slow = 0
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        """Start the template, wait until it holds the graph, and fork every worker."""
        if self.template is None:
            self.template = Template(self.context, self.graph_path, self.max_rows, self.memory_limit_mb, self.inference)
            await asyncio.get_running_loop().run_in_executor(None, self.template.ready)
        self.triples, self.sandboxed = self.template.status
        await asyncio.gather(*(self._add_worker() for _ in range(self.size)))

    async def _add_worker(self) -> None:
        try:
            worker = await asyncio.get_running_loop().run_in_executor(None, self.template.fork)
        except (EOFError, OSError, TimeoutError) as error:  # the template is gone (killed for memory?): say so once
            print(f"allkg serve: cannot start a query worker ({type(error).__name__}: {error}); "
                  f"{len(self.workers)} workers remain", file=sys.stderr, flush=True)
            return
        self.workers.add(worker)
        self.idle.put_nowait(worker)

    def _discard(self, worker: Worker) -> None:
        worker.stop()
        self.workers.discard(worker)

    def _replace(self, worker: Worker) -> None:
        self._discard(worker)
        self.replaced += 1
        task = asyncio.create_task(self._add_worker())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, kind: str, *arguments, client: str = "") -> Reply:
        """Run one job on an idle worker and return its reply; 503 past the time limit or when preempted."""
        key = (kind, *(_hashable(argument) for argument in arguments))
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            return cached
        if self.idle.empty() and self.preemptible:  # a slow query beyond the limits yields its worker to this request
            _, (stop, _) = self.preemptible.popitem(last=False)
            stop.done() or stop.set_result(None)
        self.waiting += 1
        try:
            worker = await asyncio.wait_for(self.idle.get(), self.timeout)
        except TimeoutError:
            return Reply.text(503, f"every query worker stayed busy for the time limit ({self.timeout:g} s); try again later")
        finally:
            self.waiting -= 1
        slow = False
        try:
            worker.connection.send((kind, arguments))
            try:
                reply = await worker.receive(self.slow_after)
            except TimeoutError:
                over = self._over_limit(client)
                if over is None:
                    self.slow[client] += 1
                    slow = True
                    reply = await worker.receive(self.timeout - self.slow_after)
                else:
                    reply = await self._run_preemptible(worker, over)
        except Busy as refusal:
            self._replace(worker)
            self.stopped_slow += 1
            return Reply.text(503, str(refusal))
        except TimeoutError:
            self._replace(worker)
            return Reply.text(503, f"the query ran past the time limit of {self.timeout:g} s and was stopped")
        except (EOFError, OSError):
            self._replace(worker)
            return Reply.text(503, "the query worker stopped (did the query need more memory than allowed?); it has been replaced")
        except BaseException:  # cancelled mid-request (the client went away): the work is of no use, so stop it
            self._replace(worker)
            raise
        finally:
            self.preemptible.pop(worker, None)
            if slow:
                self.slow[client] -= 1
                if self.slow[client] <= 0:
                    del self.slow[client]
        self.idle.put_nowait(worker)
        if self.cache:
            self.cache.put(key, reply)
        return reply

    async def _run_preemptible(self, worker: Worker, why: str) -> Reply:
        """Wait for a slow query beyond the limits; it runs on while workers are free, and stops when one is needed."""
        if self.waiting:  # a request is already waiting for a worker: this one is needed now
            raise Busy(f"the query was stopped when another request needed its worker: {why}")
        stop = asyncio.get_running_loop().create_future()
        self.preemptible[worker] = (stop, why)
        receiving = asyncio.ensure_future(worker.receive(self.timeout - self.slow_after))
        try:
            await asyncio.wait({receiving, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not receiving.done():
                receiving.cancel()
                await asyncio.gather(receiving, return_exceptions=True)  # the reader is removed before the worker goes
        if receiving.cancelled():
            raise Busy(f"the query was stopped when another request needed its worker: {why}")
        return receiving.result()

    def _over_limit(self, client: str) -> str | None:
        """Why one more slow query for ``client`` passes a limit, or None if it may run as one."""
        if self.slow[client] >= 1:
            return "another slow query of yours was running (each client may run one at a time); wait for it, or try again later"
        if sum(self.slow.values()) >= self.slow_queries:
            return (f"the server already runs {self.slow_queries} slow {'query' if self.slow_queries == 1 else 'queries'} "
                    "(its limit); try again later")
        return None

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self.workers):
            worker.stop()
        self.workers.clear()
        if self.template is not None:
            self.template.stop()


def _hashable(value):
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return tuple(value) if isinstance(value, list) else value


def default_slow_queries() -> int:
    """Slow queries allowed at once: one per core beyond the first (at least one, at most eight)."""
    return max(1, min(8, (os.cpu_count() or 2) - 1))
