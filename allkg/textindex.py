"""A text index of the graph's names (labels and synonyms), for searches by part of a name.

SQLite's FTS5 with the trigram tokenizer (standard library, no server) finds every name containing a piece
of text through the index instead of a regex scan over every label: ``entity-search`` on ten million
triples no longer reads every label. A store on disk keeps its index beside it (``names.sqlite``, rebuilt
with the store); an in-memory store builds its index on the first search. Pieces shorter than three
characters cannot use trigrams and are matched by a scan of the index's table, which is still small.

>>> index = TextIndex.from_names([("https://w3id.org/allkg/drug/imatinib", "imatinib"), ("urn:x", "Gleevec")])
>>> index.search("TINI")
['https://w3id.org/allkg/drug/imatinib']
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# The predicates whose literal values name an IRI.
NAME_PREDICATES = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel",
                   "http://www.w3.org/2004/02/skos/core#hiddenLabel")
INDEX_FILE = "names.sqlite"


class TextIndex:
    """Names of entities, searchable by any piece of text (case-insensitive)."""

    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection

    @classmethod
    def from_names(cls, names, path: Path | None = None) -> TextIndex:
        """Build an index of ``names`` ((entity IRI, name) pairs), in memory or, atomically, in the file ``path``."""
        target = ":memory:" if path is None else str(Path(path).with_suffix(".building"))
        if path is not None:
            Path(target).unlink(missing_ok=True)
        connection = sqlite3.connect(target, check_same_thread=False)
        if path is not None:  # a file no one reads until it is renamed into place: no journal, no waiting for the disk
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
        connection.execute("CREATE VIRTUAL TABLE names USING fts5(entity UNINDEXED, name, tokenize='trigram')")
        connection.executemany("INSERT INTO names (entity, name) VALUES (?, ?)", names)
        connection.commit()
        if path is None:
            return cls(connection)
        connection.close()
        Path(target).replace(path)  # readers see the whole index or none
        return cls.open(path)

    @classmethod
    def open(cls, path: Path) -> TextIndex:
        return cls(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False))

    def search(self, text: str) -> list[str]:
        """Return the entities (sorted) with a name that contains ``text``, ignoring case."""
        text = str(text)
        if any(character in text for character in "%_\\"):  # LIKE's own characters: escaped, without the index
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self._connection.execute("SELECT DISTINCT entity FROM names WHERE name LIKE ? ESCAPE '\\'", (pattern,))
        else:  # the trigram index answers LIKE '%text%' itself
            rows = self._connection.execute("SELECT DISTINCT entity FROM names WHERE name LIKE ?", (f"%{text}%",))
        return sorted(entity for (entity,) in rows)


def store_names(store):
    """Yield the (entity IRI, name) pairs of a pyoxigraph store's default graph, one pass over each name predicate."""
    import pyoxigraph as ox

    for predicate in NAME_PREDICATES:
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.DefaultGraph()):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                yield quad.subject.value, quad.object.value


def build_for_store(store, directory: Path | None = None) -> TextIndex:
    """Build the index of a store's names, in ``directory`` (a store on disk) or in memory."""
    return TextIndex.from_names(store_names(store), None if directory is None else Path(directory) / INDEX_FILE)
