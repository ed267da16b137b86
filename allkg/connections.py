"""HTTP connections of ``allkg serve``: size limits on the request head, a read timeout, an access log.

uvicorn's h11 protocol is used, subclassed, rather than httptools: with httptools
a long GET request line ends in a bare 400 at its own fixed limit, and neither
implementation bounds the time a client may take to send its request. Here:

- the request line may hold a query of ``max_query_bytes`` (the documented limit,
  percent-encoded: three bytes a character at worst); the application answers 413
  above that limit and this protocol answers 413 above what it buffers at all;
- the header fields together may take ``max_header_bytes`` (431 beyond);
- the request head must arrive within ``read_timeout`` seconds (408 and the
  connection closed otherwise); the body is held to the same limit by the server;
- each request leaves one line in the access log: time, client, method, path with
  at most a short prefix of the query string, status, duration; a client that goes
  away leaves one line saying so, not a traceback.
"""

from __future__ import annotations

import logging
import sys
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

ACCESS_LOG = logging.getLogger("allkg.serve")
CLIENT_GONE = 499  # the status logged (never sent) for a request whose client closed the connection first
PATH_SHOWN = 120  # characters of path and query string in a log line: enough to tell requests apart, no query bodies


def configure_log(enabled: bool) -> None:
    """Send the access log (and the server's one-line notices) to stderr, one line each."""
    ACCESS_LOG.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    ACCESS_LOG.addHandler(handler)
    ACCESS_LOG.setLevel(logging.INFO if enabled else logging.WARNING)
    ACCESS_LOG.propagate = False


def limited_protocol(max_line_bytes: int, max_header_bytes: int, read_timeout: float) -> type[H11Protocol]:
    """Return an h11 protocol class holding the request head to these limits."""

    class LimitedH11Protocol(H11Protocol):
        def __init__(self, config, *args, **kwargs):
            config.h11_max_incomplete_event_size = max_line_bytes + max_header_bytes + 1024
            super().__init__(config, *args, **kwargs)
            self.head = bytearray()
            self.head_timer = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self.head_timer is None:
                self.head_timer = self.loop.call_later(read_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self.head_timer is not None:
                self.head_timer.cancel()
                self.head_timer = None

        def _too_slow(self) -> None:
            self.head_timer = None
            if self.transport.is_closing():
                return
            if self.head:  # a request began and did not finish in time; an idle kept-alive connection just closes
                self._refuse(408, f"the request took longer than {read_timeout:g} s to arrive")
            else:
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.head += data
                line_end = self.head.find(b"\r\n")
                line = len(self.head) if line_end < 0 else line_end
                if line > max_line_bytes:
                    return self._refuse(413, f"the request line is longer than the limit of {max_line_bytes} bytes")
                if line_end >= 0 and len(self.head) - line > max_header_bytes and b"\r\n\r\n" not in self.head[: line + max_header_bytes + 4]:
                    return self._refuse(431, f"the request's header fields are larger than the limit of {max_header_bytes} bytes")
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:  # the head is complete: the application takes over
                self.head.clear()
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()  # the next request on this connection gets the same time

        def _refuse(self, status: int, message: str) -> None:
            ACCESS_LOG.info("%s - - %d %s", _client(self.client), status, message)
            self._disarm()
            self.head.clear()
            reason = {408: b"Request Timeout", 413: b"Content Too Large", 431: b"Request Header Fields Too Large"}[status]
            body = (message + "\n").encode("utf-8")
            self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
                                 b"connection: close\r\n\r\n%s" % (status, reason, len(body), body))
            self.transport.close()

    return LimitedH11Protocol


def _client(client) -> str:
    return client[0] if client else "-"


class AccessLog:
    """ASGI middleware: one log line per request, written when the response is complete or the client has gone."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.monotonic(), []

        async def sending(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            path = scope.get("path", "") + (f"?{query}" if query else "")
            shown = path if len(path) <= PATH_SHOWN else f"{path[:PATH_SHOWN]}...({len(path)} characters)"
            gone = not status or status[0] == CLIENT_GONE
            outcome = f"{CLIENT_GONE} (the client went away before its answer; its query was stopped)" if gone else str(status[0])
            ACCESS_LOG.info("%s %s %s %s %.0f ms", _client(scope.get("client")), scope["method"], shown.encode("unicode_escape").decode("ascii"),
                            outcome, (time.monotonic() - started) * 1000)
