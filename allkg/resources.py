"""Where the package finds its data: the ontology, the curated tables and the named queries.

The repository keeps one copy of each, in the top-level ``ontology/``, ``graph/``
and ``queries/``. The package reaches them as package data, ``allkg/data/<name>``:
in the checkout these are symlinks to the top-level folders (so an editable
install reads, and a curator edits, the very same files), and building a wheel
copies the files they point to into the wheel. Every stage asks this module,
through :mod:`importlib.resources`, so the same code works from a checkout, an
editable install and a wheel installed anywhere, and nothing computes a path
from ``__file__`` upward.

This module imports nothing heavy: ``allkg query`` and the resolver use it at start-up.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

DATA_FOLDERS = ("ontology", "graph", "queries")


@cache
def data_path(name: str) -> Path:
    """Return a real directory holding the package's ``name`` folder (one of :data:`DATA_FOLDERS`).

    >>> (data_path("ontology") / "allkg.ttl").is_file()
    True
    """
    if name not in DATA_FOLDERS:
        raise ValueError(f"no data folder {name!r}; the package carries {', '.join(DATA_FOLDERS)}")
    folder = files("allkg") / "data" / name
    if isinstance(folder, Path):
        if not folder.is_dir():
            raise FileNotFoundError(f"the allkg package has no data folder {name!r} ({folder}); reinstall it")
        # Resolved, so that messages name the file a curator edits (graph/drugs.tsv), not its symlinked alias.
        return folder.resolve()
    return _extracted(folder, name)  # a zipped install: copy the folder out once, for code that needs real paths


def default_build_dir() -> Path:
    """Return where builds go: $ALLKG_BUILD_DIR if set, else ``build/`` in the current directory."""
    return Path(os.environ.get("ALLKG_BUILD_DIR") or Path.cwd() / "build")


def _extracted(folder: Traversable, name: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix=f"allkg-{name}-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    _copy_tree(folder, root)
    return root


def _copy_tree(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            (target / entry.name).mkdir()
            _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())
