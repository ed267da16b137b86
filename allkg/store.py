"""The query store: the built graph in Oxigraph, with the class and property hierarchy materialised.

Entailment is decided here, once, for every query: at load time the rules in
``queries/entailment/*.rq`` (a small OWL 2 RL subset: scm-sco, scm-spo,
prp-spo1, prp-symp, prp-trp, cax-sco, and the class statements) are applied
until nothing new follows (see :mod:`allkg.entailment`).
So ``?drug a allkg:TargetedTherapy`` finds the tyrosine kinase inhibitors and
the menin inhibitor, ``allkg:subtypeOf`` is closed, and every qualifier is
also an ``allkg:qualifier``. Domain and range axioms are *not* used to
classify: they are constraints (checked by SHACL), not a way to learn types.
The outputs of ``allkg build`` stay asserted-only; inferred triples live only
in the store (``inference=False`` gives the asserted graph).

This module imports pyoxigraph only; rdflib is imported when an rdflib Graph
is asked for, so ``allkg query`` starts fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from allkg.entailment import entailment_rules, materialise
from allkg.resources import default_build_dir

__all__ = ["entailment_rules", "materialise"]  # and the functions below; these two live in allkg.entailment

STORE_STAMP = "allkg-store.json"
# An RDF file this large (some 100,000 triples of N-Triples) has its entailment rounds planned: see allkg.entailment.
PLAN_ENTAILMENT_BYTES = 16 << 20


def default_graph_path() -> Path:
    """Return the built N-Triples file: $ALLKG_BUILD_DIR/allkg.nt if set, else build/allkg.nt in the current directory."""
    return default_build_dir() / "allkg.nt"


def ensure_built(path: Path | None = None) -> Path:
    """Return the path of the graph to load, building it first if the default build is absent."""
    if path is not None:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"no graph at {path}")
        return path
    path = default_graph_path()
    if not path.exists():
        from allkg.build import build

        build(path.parent)
    return path


def _guess_format(path: Path) -> ox.RdfFormat:
    suffix = path.suffix.lower()
    formats = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD,
               ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML, ".trig": ox.RdfFormat.TRIG,
               ".n3": ox.RdfFormat.N3}
    if suffix not in formats:
        raise ValueError(f"{path}: cannot tell the RDF format from the suffix {suffix!r} (use {', '.join(formats)})")
    return formats[suffix]


def _stamp(path: Path, inference: bool) -> dict:
    """What a persistent store was loaded from; a different stamp means it must be reloaded."""
    stat = path.stat()
    rules = "".join(text for _, text in entailment_rules()) if inference else ""
    return {"source": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inference": inference, "rules": hash_text(rules)}


def hash_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def open_store(path: Path | None = None, *, store_dir: Path | None = None, inference: bool = True) -> ox.Store:
    """Return an Oxigraph store holding the graph at ``path`` (default: the build), entailment applied.

    With ``store_dir`` the store is persistent (RocksDB on disk): it is loaded
    once and reopened in milliseconds afterwards, and reloaded automatically
    when the graph file or the entailment rules change. Without it the store
    is in memory.
    """
    path = ensure_built(path)
    if store_dir is None:
        store = ox.Store()
        _fill(store, path, inference, progress=_reporter(path))
        return store
    store_dir = Path(store_dir)
    stamp_file = store_dir / STORE_STAMP
    wanted = _stamp(path, inference)
    _forget_directory(store_dir)  # our reference to an earlier handle would keep RocksDB's lock on the directory
    store = ox.Store(str(store_dir))
    current = json.loads(stamp_file.read_text(encoding="utf-8")) if stamp_file.exists() else None
    if current != wanted:
        stamp_file.unlink(missing_ok=True)  # a load cut short leaves no stamp, so the next open loads again
        store.clear()
        _fill(store, path, inference, progress=_reporter(path))
        store.flush()
        from allkg.textindex import build_for_store

        build_for_store(store, store_dir)
        stamp_file.write_text(json.dumps(wanted, indent=1) + "\n", encoding="utf-8")
    _store_dirs[id(store)] = (store, store_dir)
    return store


# id of a store opened on disk here -> (the store, its directory), for its text index and saved names. The store
# itself is kept so that its id cannot be reused by another store while the entry lives; reopening a directory
# drops the entry first.
_store_dirs: dict[int, tuple[ox.Store, Path]] = {}
_text_indexes: dict[int, tuple[ox.Store, object]] = {}


def _forget_directory(store_dir: Path) -> None:
    for key, (_, directory) in list(_store_dirs.items()):
        if directory == store_dir:
            del _store_dirs[key]
            _text_indexes.pop(key, None)


def forget_stores() -> None:
    """Drop this module's references to the stores it opened on disk, so their directories can be opened again."""
    _store_dirs.clear()
    _text_indexes.clear()


def store_dir_of(store: ox.Store) -> Path | None:
    """The directory of a store :func:`open_store` opened on disk; None for one in memory or opened elsewhere."""
    entry = _store_dirs.get(id(store))
    return entry[1] if entry is not None and entry[0] is store else None


def text_index(graph=None):
    """Return the text index of a graph's names (see :mod:`allkg.textindex`): beside a store on disk, else built now.

    None for a graph that is not in Oxigraph.
    """
    from allkg.textindex import INDEX_FILE, TextIndex, build_for_store

    store = default_store() if graph is None else oxigraph_of(graph)
    if store is None:
        return None  # a plain rdflib graph: the query scans the names itself
    cached = _text_indexes.get(id(store))
    if cached is None or cached[0] is not store:
        directory = store_dir_of(store)
        if directory is not None and (directory / INDEX_FILE).exists():
            index = TextIndex.open(directory / INDEX_FILE)
        else:
            index = build_for_store(store)
        cached = _text_indexes[id(store)] = (store, index)
    return cached[1]


# Files larger than this report their loading on standard error: a person waiting should see it move.
PROGRESS_BYTES = 64 << 20


def _reporter(path: Path):
    if path.stat().st_size < PROGRESS_BYTES:
        return None
    import sys

    def report(message: str) -> None:
        print(f"allkg: {path.name}: {message}", file=sys.stderr, flush=True)

    return report


class _CountingReader:
    """A binary file that reports how much of it has been read (bulk_load reads it in chunks)."""

    def __init__(self, path: Path, progress):
        self._stream, self._size, self._read, self._shown = path.open("rb"), path.stat().st_size, 0, -1
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._read += len(data)
        percent = self._read * 100 // max(self._size, 1)
        if percent // 10 != self._shown // 10:
            self._shown = percent
            self._progress(f"loaded {percent}% of {self._size >> 20} MB")
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()


def _fill(store: ox.Store, path: Path, inference: bool, progress=None) -> None:
    if progress is None:
        store.bulk_load(path=str(path), format=_guess_format(path))
    else:
        reader = _CountingReader(path, progress)
        try:
            store.bulk_load(reader, format=_guess_format(path))
        finally:
            reader.close()
    if inference:
        materialise(store, progress, plan=path.stat().st_size >= PLAN_ENTAILMENT_BYTES)


# Oxigraph keeps numbers, booleans and dates by value, so a literal read back from a store may differ from the
# one loaded ("1.50"^^xsd:decimal -> "1.5", xsd:short -> xsd:integer, 1.0E6 -> 1000000). (Language tags are
# lower-cased by its parser already, as RDF 1.1 allows: they compare case-insensitively.) Where literals must leave exactly as they came (push), each one crosses the store
# under a private datatype that Oxigraph leaves alone; the entailment rules never look at literal values.
EXACT_DATATYPE = "urn:allkg:exact:"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _shield(term):
    if isinstance(term, ox.Literal):
        if not term.language and term.datatype.value != XSD_STRING:
            return ox.Literal(term.value, datatype=ox.NamedNode(EXACT_DATATYPE + term.datatype.value))
    return term


def _unshield(term):
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(EXACT_DATATYPE):
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype.value[len(EXACT_DATATYPE):]))
    return term


# A graph file larger than this is prepared for a push in a temporary store on disk rather than in memory (where a
# triple costs about 450 bytes): about two million triples of N-Triples.
IN_MEMORY_BYTES = 256 << 20


@dataclass(frozen=True)
class ExactGraph:
    """A graph ready to leave exactly as written (see :func:`exact_graph`): N-Triples files, and how many distinct
    triples they hold."""

    count: int  # distinct triples (a file may repeat one)
    asserted: Path  # the file's default graph as it wrote it, in N-Triples
    entailed: tuple[Path, ...]  # what the entailment rules added, literals shielded (see _shield)

    def triples(self) -> Iterator[ox.Triple]:
        """Yield the triples, read lazily from the files: a triple the file repeats comes again."""
        for quad in ox.parse(path=str(self.asserted), format=ox.RdfFormat.N_TRIPLES):
            yield quad.triple
        for path in self.entailed:
            for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
                shielded = quad.object
                yield ox.Triple(quad.subject, quad.predicate, _unshield(shielded)) if isinstance(shielded, ox.Literal) else quad.triple


@contextmanager
def exact_graph(path: Path | None = None, *, inference: bool = True, progress=None) -> Iterator[ExactGraph]:
    """Prepare the default graph of the RDF file at ``path`` (default: the build) to leave exactly as written: entailment
    applied, every literal as the file wrote it (lexical form and datatype), the triples counted; yield an ExactGraph,
    whose files are removed afterwards.

    The file is read once, into a store (where the rules run and the triples are counted; a temporary one on disk for
    a file over IN_MEMORY_BYTES) and into an N-Triples file as parsed (what is sent, with blank node labels the store
    shares); so no copy of the graph is ever held whole in Python. ``progress(message)`` hears how far it is.
    """
    import tempfile

    path = ensure_built(path)
    with tempfile.TemporaryDirectory(prefix="allkg-exact-") as directory:
        directory = Path(directory)
        store = ox.Store(str(directory / "store")) if path.stat().st_size > IN_MEMORY_BYTES else ox.Store()
        asserted = directory / "asserted.nt"
        reader = _CountingReader(path, progress) if progress else path.open("rb")
        try:
            with asserted.open("wb") as spool:
                store.bulk_extend(_spooled(ox.parse(reader, format=_guess_format(path)), spool))
        finally:
            reader.close()
        if inference:
            materialise(store, progress, keep=directory / "entailed", plan=path.stat().st_size >= PLAN_ENTAILMENT_BYTES)
        count = len(store)
        del store  # closes a store on disk before its directory goes
        yield ExactGraph(count, asserted, tuple(sorted((directory / "entailed").glob("*.nt"))))


def _spooled(quads, spool, chunk: int = 10_000) -> Iterator[ox.Quad]:
    """Yield the default graph's quads with each literal shielded (for the store), writing them as parsed to ``spool``."""
    written = []
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            continue
        written.append(quad.triple)
        if len(written) == chunk:
            ox.serialize(written, output=spool, format=ox.RdfFormat.N_TRIPLES)
            written = []
        yield ox.Quad(quad.subject, quad.predicate, _shield(quad.object))
    ox.serialize(written, output=spool, format=ox.RdfFormat.N_TRIPLES)


def exact_triples(path: Path | None = None, *, inference: bool = True) -> list[ox.Triple]:
    """Return the default graph of the RDF file at ``path`` (default: the build), entailment applied, with every
    literal exactly as the file wrote it (lexical form and datatype); each triple once. For a small graph: a large
    one is read from :func:`exact_graph` as it goes."""
    with exact_graph(path, inference=inference) as graph:
        return list(dict.fromkeys(graph.triples()))


def load_graph(path: Path | None = None, *, store_dir: Path | None = None, inference: bool = True):
    """Return the graph as an rdflib Graph backed by Oxigraph (through oxrdflib), entailment applied.

    ``path``: an RDF file (default: the build, built first if absent);
    ``store_dir``: keep the store on disk there (for large graphs);
    ``inference``: materialise the class and property hierarchy (default) or give the asserted triples only.
    The rdflib API works as usual, and ``graph.query`` runs on Oxigraph.
    """
    from oxrdflib import OxigraphStore
    from rdflib import Graph
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    from allkg.vocab import bind_prefixes

    store = open_store(path, store_dir=store_dir, inference=inference)
    # The default graph's identifier, so that rdflib's API and SPARQL both see the triples loaded above.
    graph = Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
    bind_prefixes(graph)
    return graph


def oxigraph_of(graph) -> ox.Store | None:
    """Return the Oxigraph store behind ``graph`` (an rdflib Graph or an Oxigraph store), or None."""
    if isinstance(graph, ox.Store):
        return graph
    store = getattr(graph, "store", None)
    if type(store).__name__ == "OxigraphStore":
        # oxrdflib keeps the pyoxigraph store in ``_inner``; querying it directly skips rdflib's term conversion.
        return store._inner
    return None


_default_store: ox.Store | None = None


def default_store() -> ox.Store:
    """Return the process-wide store of the build (loaded on first use, entailment applied)."""
    global _default_store
    if _default_store is None:
        from allkg import snapshot

        path = ensure_built()
        if _short_lived:
            _default_store = snapshot.load_disk_store(path)
            if _default_store is not None:
                return _default_store
        _default_store = snapshot.load_store(path)
        if _default_store is None:
            _default_store = open_store(path)
            snapshot.save_store(_default_store, path)
        if _short_lived:
            snapshot.save_disk_store(path)  # for the next command
    return _default_store


_short_lived = False


def for_a_short_command() -> None:
    """Say this process answers one command and exits (``allkg explore``, ``allkg check-regimen``): the build is
    then read from an on-disk snapshot opened read-only (10 ms) rather than loaded into memory (180 ms), where
    queries run about half as fast; worth it for a few queries, not for a long-lived process. Not for a process
    that forks with the store open (RocksDB handles must not cross a fork)."""
    global _short_lived
    _short_lived = True


def reset_default_store() -> None:
    """Forget the process-wide store, so the next query reloads the build (e.g. after a rebuild)."""
    global _default_store
    _default_store = None
