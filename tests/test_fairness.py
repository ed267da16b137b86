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
    server = Server(build_result.outputs["allkg.nt"], "--timeout", str(TIME_LIMIT_S), "--cache-mb", "0", "--slow-queries", "2")
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
    statuses = sorted(outcomes[source][0] for source in outcomes)
    bodies = b" ".join(body for _, body in outcomes.values())
    assert statuses == [503, 503, 503]
    assert b"time limit" in bodies and b"already runs 2 slow queries" in bodies  # two ran to the limit, one was stopped early


def test_a_client_runs_one_slow_query_at_a_time(server):
    outcomes = []
    threads = [threading.Thread(target=lambda: outcomes.append(get(server, RUNAWAY, "127.0.0.6"))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bodies = sorted(body for _, body in outcomes)
    assert [status for status, _ in outcomes] == [503, 503]
    assert any(b"another slow query of yours" in body for body in bodies) and any(b"time limit" in body for body in bodies)


def test_a_query_is_stopped_when_its_client_goes_away(server):
    replaced = server.health()["replaced"]
    connection = socket.create_connection(("127.0.0.1", server.port), source_address=("127.0.0.7", 0))
    connection.sendall(b"GET /sparql?" + urllib.parse.urlencode({"query": RUNAWAY}).encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(1)
    connection.close()
    deadline = time.monotonic() + TIME_LIMIT_S - 1.5  # well before the time limit would have stopped it
    while server.health()["replaced"] == replaced and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.health()["replaced"] == replaced + 1
    time.sleep(0.3)
    log = server.output()
    assert "went away before its answer" in log and "Traceback" not in log
