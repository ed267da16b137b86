"""What a push sends, in pieces: N-Triples documents of a bounded size, and how fast they go.

A large graph cannot go in one request without a copy of it in memory (the serialised body) and, on most
stores, one transaction as large as the graph. So it goes as documents of :data:`BATCH_TRIPLES` triples, each
one request into the push's temporary graph (see :mod:`allkg.remote`). A blank node's label names the same node
only within one document, so every triple with a blank node goes in the last document, together: a graph made
mostly of blank nodes is then held whole in that document (the project's graph has none).

>>> triples = [ox.Triple(ox.NamedNode(f"urn:s{n}"), ox.NamedNode("urn:p"), ox.Literal("o")) for n in range(5)]
>>> [count for _, count in documents(triples, size=2)]
[2, 2, 1]
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

BATCH_TRIPLES = 100_000  # about 14 MB of N-Triples for our graph: one request parses and writes that much at a time


def documents(triples: Iterable[ox.Triple], size: int | None = None) -> Iterator[tuple[bytes, int]]:
    """Yield N-Triples documents of ``size`` (default: BATCH_TRIPLES) triples each, with the number of triples in
    each; at least one. ``triples`` is read lazily. Triples holding a blank node all go in the last document (see
    the module's note).
    """
    size = size or BATCH_TRIPLES
    batch: list[ox.Triple] = []
    with_blank: list[ox.Triple] = []
    held, held_count, sent_any = io.BytesIO(), 0, False  # the triples with a blank node, serialised as they come
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode) and isinstance(triple.object, (ox.NamedNode, ox.Literal)):
            batch.append(triple)
            if len(batch) == size:
                yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES), size
                batch, sent_any = [], True
        else:
            with_blank.append(triple)
            if len(with_blank) == size:
                ox.serialize(with_blank, output=held, format=ox.RdfFormat.N_TRIPLES)
                held_count, with_blank = held_count + size, []
    if batch or with_blank or held_count or not sent_any:
        ox.serialize(with_blank, output=held, format=ox.RdfFormat.N_TRIPLES)
        last = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) if batch else b""
        yield last + held.getvalue(), len(batch) + held_count + len(with_blank)


class Rate:
    """How many triples have been sent of how many, and how fast.

    >>> rate = Rate(200_000, started=0.0)
    >>> rate.add(50_000, now=10.0)
    >>> rate.message()
    'sent 50,000 of 200,000 triples (25 %), 5,000 triples/s'
    """

    def __init__(self, expected: int, started: float | None = None):
        self.expected, self.sent = expected, 0
        self.started = time.monotonic() if started is None else started
        self.now = self.started

    def add(self, count: int, now: float | None = None) -> None:
        self.sent += count
        self.now = time.monotonic() if now is None else now

    def message(self) -> str:
        share = min(100, self.sent * 100 // max(self.expected, 1))  # a file that repeats a triple sends it twice
        per_second = self.sent / max(self.now - self.started, 1e-6)
        return f"sent {self.sent:,} of {self.expected:,} triples ({share} %), {per_second:,.0f} triples/s"
