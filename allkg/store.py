"""The query store: the built graph in Oxigraph, with the class and property hierarchy materialised.

Entailment is decided here, once, for every query: at load time the rules in
``queries/entailment/*.ru`` (a small OWL 2 RL subset: scm-sco, scm-spo,
prp-spo1, prp-symp, prp-trp, cax-sco) are applied until nothing new follows.
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
from pathlib import Path

import pyoxigraph as ox

from allkg.resources import data_path, default_build_dir

ENTAILMENT_DIR = data_path("queries") / "entailment"
STORE_STAMP = "allkg-store.json"
MAX_ENTAILMENT_ROUNDS = 10


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


def entailment_rules() -> list[tuple[str, str]]:
    """Return the entailment rules as (name, SPARQL Update text), in the order they are applied."""
    return [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(ENTAILMENT_DIR.glob("*.ru"))]


def materialise(store: ox.Store) -> int:
    """Apply the entailment rules to ``store`` until nothing new follows; return the number of triples added."""
    rules = entailment_rules()
    before = start = len(store)
    for _ in range(MAX_ENTAILMENT_ROUNDS):
        for _, text in rules:
            store.update(text)
        after = len(store)
        if after == before:
            break
        before = after
    return len(store) - start


def _guess_format(path: Path) -> ox.RdfFormat:
    suffix = path.suffix.lower()
    formats = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD}
    if suffix not in formats:
        raise ValueError(f"{path}: cannot tell the RDF format from the suffix {suffix!r} (use .nt, .ttl, .nq or .jsonld)")
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
        _fill(store, path, inference)
        return store
    store_dir = Path(store_dir)
    stamp_file = store_dir / STORE_STAMP
    wanted = _stamp(path, inference)
    store = ox.Store(str(store_dir))
    current = json.loads(stamp_file.read_text(encoding="utf-8")) if stamp_file.exists() else None
    if current != wanted:
        # Entailment runs in memory and the result is bulk-loaded: SPARQL updates on RocksDB are far slower.
        memory = ox.Store()
        _fill(memory, path, inference)
        store.clear()
        store.bulk_load(memory.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
        del memory
        store.flush()
        stamp_file.write_text(json.dumps(wanted, indent=1) + "\n", encoding="utf-8")
    return store


def _fill(store: ox.Store, path: Path, inference: bool) -> None:
    store.bulk_load(path=str(path), format=_guess_format(path))
    if inference:
        materialise(store)


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
        _default_store = open_store()
    return _default_store


def reset_default_store() -> None:
    """Forget the process-wide store, so the next query reloads the build (e.g. after a rebuild)."""
    global _default_store
    _default_store = None
