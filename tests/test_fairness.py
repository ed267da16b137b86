"""No client waits on another's runaway query.

Real HTTP clients on loopback, each from its own address (127.0.0.2, 127.0.0.3, ...: all
of 127/8 is loopback on Linux, so the server sees distinct clients). Three clients send a
query that never finishes; meanwhile a fourth sends ordinary queries, and each must be
answered in under a second. Bounded in count (at most 40 ordinary requests) and time (the
server's time limit, 4 s).
"""

from __future__ import annotations

import http.client
import socket
import sys
import threading
import time
import urllib.parse

import pytest
from test_server import DRUGS, RUNAWAY, Server

TIME_LIMIT_S = 4
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs the whole 127/8 block on loopback (Linux)")


@pytest.fixture(scope="module")
def server(build_result):
    server = Server(build_result.outputs["allkg.nt"], "--timeout", str(TIME_LIMIT_S), "--cache-mb", "0", "--slow-queries", "2", "--workers", "5")
    yield server
    server.stop()


def get(server: Server, query: str, source: str, timeout: float = 60) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_ordinary_queries_are_answered_quickly_while_three_runaways_run(server):
    outcomes: dict[str, tuple[int, bytes]] = {}
    runaways = [threading.Thread(target=lambda source=source: outcomes.__setitem__(source, get(server, RUNAWAY, source)))
                for source in ("127.0.0.2", "127.0.0.3", "127.0.0.4")]
    for thread in runaways:
        thread.start()
    time.sleep(0.1)  # the runaways hold their workers first
    answers = []
    while any(thread.is_alive() for thread in runaways) and len(answers) < 40:
        started = time.monotonic()
        status, body = get(server, f"{DRUGS} # {len(answers)}", "127.0.0.5")  # a new text each time: no reuse
        answers.append(time.monotonic() - started)
        assert status == 200 and b"drug" in body
        time.sleep(0.05)
    for thread in runaways:
        thread.join()
    print(f"\nslowest of {len(answers)} ordinary answers while three runaways ran: {max(answers) * 1000:.0f} ms")
    assert len(answers) >= 10 and max(answers) < 1.0
    assert [status for status, _ in outcomes.values()] == [503, 503, 503]
    assert all(b"time limit" in body for _, body in outcomes.values())  # two in the slow slots, one beyond while workers were free


def test_a_second_slow_query_of_a_client_yields_its_worker_when_one_is_needed(server):
    """Five workers: two slow queries of one client, then three of others fill them; an ordinary request takes one back."""
    outcomes: dict[str, list] = {}

    def runaway(source: str) -> None:
        outcomes.setdefault(source, []).append(get(server, RUNAWAY, source))

    threads = []
    for sources in (("127.0.0.6", "127.0.0.6"), ("127.0.0.7", "127.0.0.8", "127.0.0.9")):
        for source in sources:
            threads.append(threading.Thread(target=runaway, args=(source,)))
            threads[-1].start()
        time.sleep(1.5)  # past the second that makes them slow
    started = time.monotonic()
    status, _ = get(server, f"{DRUGS} # preempting", "127.0.0.10")
    waited = time.monotonic() - started
    for thread in threads:
        thread.join()
    assert status == 200 and waited < 1.0
    own = sorted(body for _, body in outcomes["127.0.0.6"])
    assert [status for status, _ in outcomes["127.0.0.6"]] == [503, 503]
    assert sum(b"another slow query of yours" in body for body in own) == 1 and sum(b"time limit" in body for body in own) == 1


def test_a_query_is_stopped_when_its_client_goes_away(server):
    replaced = server.health()["replaced"]
    connection = socket.create_connection(("127.0.0.1", server.port), source_address=("127.0.0.7", 0))
    connection.sendall(b"GET /sparql?" + urllib.parse.urlencode({"query": RUNAWAY}).encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(1.5)
    connection.close()
    deadline = time.monotonic() + TIME_LIMIT_S - 1.5  # well before the time limit would have stopped it
    while server.health()["replaced"] == replaced and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.health()["replaced"] == replaced + 1
    time.sleep(0.3)
    log = server.output()
    assert log.count("went away before its answer") == 1 and "Traceback" not in log
