"""Snapshots of the build's entailed graph and of its name index, so that a new process starts fast.

A command such as ``allkg explore`` spends most of its time before the first query: loading the build,
running the entailment rules on it and indexing every name. Both results depend only on the build file and
the rules, so the first process writes them beside the build (``build/.cache/``) and later ones read them:
an N-Quads file of the entailed graph, and an SQLite file of the name index (read name by name).

Each snapshot's name carries a hash of what it was made from (the build file's path, size and modification
time, the entailment rules, the name-lookup queries and this format), so a rebuilt graph or changed rules
simply miss the old snapshots; stale ones are deleted when a new one is written. Snapshots are written to a
temporary file and renamed, so a reader never sees half of one; a build directory that cannot be written to
just goes without them. Only the default build is snapshotted: a file a user loads is never written beside. A store kept on disk
(``store_dir``) needs no graph snapshot, but its name index is saved inside the store's directory.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pyoxigraph as ox

FORMAT_VERSION = "2"  # change when what a snapshot holds changes, so old ones are never read
CACHE_DIR_NAME = ".cache"


def _key(path: Path, inference: bool) -> str:
    from allkg.resolve import LOOKUP_DIR
    from allkg.store import _stamp, hash_text

    lookups = "".join(p.read_text(encoding="utf-8") for p in sorted(LOOKUP_DIR.glob("*.rq")))
    return hash_text(json.dumps([FORMAT_VERSION, _stamp(path, inference), hash_text(lookups)], sort_keys=True))


def _file(path: Path, inference: bool, kind: str) -> Path:
    return path.parent / CACHE_DIR_NAME / f"{path.stem}.{kind}.{_key(path, inference)}"


def _write(target: Path, write) -> None:
    """Write ``target`` whole through ``write(temporary_path)``, dropping older snapshots of its kind; never raise."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".writing-")
        os.close(descriptor)
        try:
            write(Path(temporary))
            os.chmod(temporary, 0o644)  # mkstemp made it private; a snapshot is as readable as the build beside it
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)
        stem = target.name.rsplit(".", 1)[0]
        for old in target.parent.glob(f"{stem}.*"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only build directory: the next process builds again, as if there were no snapshots


def load_store(path: Path, inference: bool = True) -> ox.Store | None:
    """Return an in-memory store filled from the snapshot of ``path``, or None when there is none."""
    snapshot = _file(path, inference, "entailed.nq")
    if not snapshot.exists():
        return None
    store = ox.Store()
    try:
        store.bulk_load(path=str(snapshot), format=ox.RdfFormat.N_QUADS)
    except (OSError, SyntaxError):
        return None  # unreadable: the caller loads the build as if there were no snapshot
    return store


def save_store(store: ox.Store, path: Path, inference: bool = True) -> None:
    _write(_file(path, inference, "entailed.nq"), lambda out: store.dump(output=str(out), format=ox.RdfFormat.N_QUADS))


NAMES_SCHEMA = """
CREATE TABLE names (key TEXT NOT NULL, rank INTEGER NOT NULL, entity TEXT NOT NULL);
CREATE TABLE spellings (key TEXT PRIMARY KEY, spelling TEXT NOT NULL);
CREATE TABLE types (entity TEXT NOT NULL, class TEXT NOT NULL);
CREATE INDEX names_by_key ON names (key);
CREATE INDEX types_by_entity ON types (entity);
"""


def _names_file(path: Path | None, store_dir: Path | None, inference: bool) -> Path:
    """Where the name index goes: beside the build, or inside an on-disk store (keyed on what it was loaded from)."""
    if store_dir is None:
        return _file(path, inference, "names.sqlite")
    from allkg.resolve import LOOKUP_DIR
    from allkg.store import STORE_STAMP, hash_text

    lookups = "".join(p.read_text(encoding="utf-8") for p in sorted(LOOKUP_DIR.glob("*.rq")))
    stamp = (store_dir / STORE_STAMP).read_text(encoding="utf-8")
    return store_dir / CACHE_DIR_NAME / f"names.sqlite.{hash_text(FORMAT_VERSION + stamp + lookups)}"


def load_disk_store(path: Path, inference: bool = True) -> ox.Store | None:
    """Open the on-disk snapshot of ``path`` read-only (many processes may at once), or return None."""
    directory = _file(path, inference, "entailed.store")
    if not directory.is_dir():
        return None
    try:
        return ox.Store.read_only(str(directory))
    except OSError:
        return None


def save_disk_store(path: Path, inference: bool = True) -> None:
    """Write the on-disk snapshot of ``path`` from its N-Quads snapshot, whole: built in a temporary directory,
    then renamed (a second process writing at the same time loses the rename and drops its copy); never raise."""
    import shutil

    source = _file(path, inference, "entailed.nq")
    target = _file(path, inference, "entailed.store")
    if target.exists() or not source.exists():
        return
    temporary = None
    try:
        temporary = Path(tempfile.mkdtemp(dir=target.parent, prefix=".writing-"))
        store = ox.Store(str(temporary))
        store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store  # closes RocksDB before the directory moves
        os.rename(temporary, target)
        temporary = None
        stem = target.name.rsplit(".", 1)[0]
        for old in target.parent.glob(f"{stem}.*"):
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass  # a read-only build directory, or another process won the rename
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def load_names(path: Path | None, inference: bool = True, store_dir: Path | None = None):
    """Return the name index saved for the build at ``path`` (or for the on-disk store in ``store_dir``), or None.

    The index stays in SQLite, read name by name: a large graph's names are never all loaded."""
    import sqlite3

    from allkg.resolve import StoredNameIndex

    try:
        file = _names_file(path, store_dir, inference)
        if not file.exists():
            return None
        index = StoredNameIndex(file)
        for table in ("names", "spellings", "types"):  # a damaged file fails here, not at the first name
            index.connection.execute(f"SELECT * FROM {table} LIMIT 1").fetchall()
        return index
    except (OSError, sqlite3.Error):
        return None  # absent or damaged: the caller builds the index


def save_names(index, path: Path | None, inference: bool = True, store_dir: Path | None = None) -> None:
    import sqlite3

    def write(out: Path) -> None:
        out.unlink(missing_ok=True)
        connection = sqlite3.connect(out)
        try:
            connection.executescript(NAMES_SCHEMA)
            connection.executemany("INSERT INTO names VALUES (?, ?, ?)",
                                   ((key, rank, entity) for key, hits in index.names.items() for rank, entity in hits))
            connection.executemany("INSERT INTO spellings VALUES (?, ?)", index.spelling.items())
            connection.executemany("INSERT INTO types VALUES (?, ?)",
                                   ((entity, cls) for entity, classes in index.types.items() for cls in sorted(classes)))
            connection.commit()
        finally:
            connection.close()

    try:
        target = _names_file(path, store_dir, inference)
    except OSError:
        return
    _write(target, write)
