"""The snapshots a new process starts from: the same graph and names as a fresh load, never half-written."""

from __future__ import annotations

import os
import shutil

import pyoxigraph as ox
import pytest

from allkg import snapshot
from allkg.queries import _build_names
from allkg.store import open_store


def _copy_build(build_result, tmp_path):
    """A build directory of our own, so that snapshots written here never touch the session's build."""
    source = build_result.outputs["allkg.nt"]
    target = tmp_path / "build" / "allkg.nt"
    target.parent.mkdir()
    shutil.copyfile(source, target)
    return target


@pytest.fixture(scope="module")
def fresh(build_result):
    """The build loaded as a new process loads it without a snapshot (once: loading costs a second)."""
    return open_store(build_result.outputs["allkg.nt"])


def _tiny_store():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/b"), ox.Literal("c")))
    return store


def _named(store):
    return {quad for quad in store if not any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object))}


def test_the_store_snapshot_holds_the_entailed_graph(build_result, fresh, tmp_path):
    path = _copy_build(build_result, tmp_path)
    assert snapshot.load_store(path) is None  # nothing saved yet
    snapshot.save_store(fresh, path)
    again = snapshot.load_store(path)
    assert len(again) == len(fresh)
    assert _named(again) == _named(fresh)


def test_the_name_snapshot_resolves_as_the_built_index(build_result, fresh, tmp_path):
    path = _copy_build(build_result, tmp_path)
    built = _build_names(fresh)
    snapshot.save_names(built, path)
    loaded = snapshot.load_names(path)
    for kind, name in [("drug", "Gleevec"), ("drug", "imatinib"), ("entity", "drug:imatinib"), ("gene", "ABL1"),
                       (("condition", "phenotype"), "pregnancy")]:
        assert loaded.resolve(kind, name) == built.resolve(kind, name)
    for entity in list(built.types)[:50]:
        assert loaded.classes(entity) == built.classes(entity)
    for kind, typo in [("drug", "imatinb"), ("entity", "vincristin"), (("drug", "food"), "grapefuit")]:
        assert loaded.suggest(kind, typo) == built.suggest(kind, typo)


def test_a_changed_build_misses_its_old_snapshot_and_the_old_one_goes(build_result, tmp_path):
    path = _copy_build(build_result, tmp_path)
    snapshot.save_store(_tiny_store(), path)
    old = list((path.parent / snapshot.CACHE_DIR_NAME).iterdir())
    with path.open("a", encoding="utf-8") as stream:  # a rebuild: another size and time
        stream.write("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    assert snapshot.load_store(path) is None
    snapshot.save_store(_tiny_store(), path)
    now = list((path.parent / snapshot.CACHE_DIR_NAME).iterdir())
    assert len(now) == 1 and now != old


def test_a_read_only_build_directory_goes_without_snapshots(build_result, tmp_path):
    path = _copy_build(build_result, tmp_path)
    os.chmod(path.parent, 0o555)
    try:
        snapshot.save_store(_tiny_store(), path)  # no error
        if os.geteuid() != 0:  # root writes anyway
            assert snapshot.load_store(path) is None
    finally:
        os.chmod(path.parent, 0o755)


def test_a_damaged_snapshot_is_ignored(build_result, tmp_path):
    path = _copy_build(build_result, tmp_path)
    snapshot.save_store(_tiny_store(), path)
    snapshot.save_names(_build_names(_tiny_store()), path)
    for file in (path.parent / snapshot.CACHE_DIR_NAME).iterdir():
        data = file.read_bytes()
        file.write_bytes(data[:len(data) // 2])  # cut short
    assert snapshot.load_store(path) is None
    assert snapshot.load_names(path) is None


def test_an_explorer_answer_does_not_depend_on_how_the_store_was_filled(build_result, fresh, tmp_path):
    """A store loaded from the snapshot returns rows in another order than a fresh one: the answer must not change."""
    from allkg.explorer import explore

    path = _copy_build(build_result, tmp_path)
    snapshot.save_store(fresh, path)
    profile = {"subtype": "Ph+ ALL", "mutation": ["T315I"], "setting": "relapsed", "age": 54, "comedication": ["posaconazole"]}
    assert explore(snapshot.load_store(path), **profile) == explore(fresh, **profile)


def test_the_read_only_disk_snapshot_holds_the_same_graph(build_result, fresh, tmp_path):
    """allkg explore opens the build read-only from disk: the same quads as a fresh load."""
    path = _copy_build(build_result, tmp_path)
    assert snapshot.load_disk_store(path) is None
    snapshot.save_disk_store(path)  # without the N-Quads snapshot there is nothing to build it from
    assert snapshot.load_disk_store(path) is None
    snapshot.save_store(fresh, path)
    snapshot.save_disk_store(path)
    on_disk = snapshot.load_disk_store(path)
    assert len(on_disk) == len(fresh) and _named(on_disk) == _named(fresh)
    with pytest.raises((OSError, RuntimeError)):  # read-only: nothing can change the snapshot
        on_disk.add(next(iter(_tiny_store())))
