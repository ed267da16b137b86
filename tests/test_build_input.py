"""Bad build input gets one clear, located error and loses nothing; outputs are replaced as one set.

Each test edits a copy of ``graph/`` the way a person or a tool might break it
(a malformed identifier, bytes that are not UTF-8, a byte order mark, a lone CR,
a NUL, an oversized table) and checks the message names file:line:column with no
follow-on errors. The output swap is checked by killing a real writer process at
every rename it makes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from allkg.build import CURRENT_RELEASE, OUTPUT_NAMES, build, write_release
from allkg.curation import load_curation
from allkg.tables import MAX_TABLE_BYTES, CurationError
from allkg.vocab import GRAPH_DIR


@pytest.fixture
def graph_copy(tmp_path) -> Path:
    target = tmp_path / "graph"
    shutil.copytree(GRAPH_DIR, target)
    return target


def problems(graph_dir: Path) -> list:
    with pytest.raises(CurationError) as raised:
        load_curation(graph_dir)
    return raised.value.problems


def shown(found) -> list[str]:
    """The problems as printed, with paths from ``graph/`` on (the copy lives in a temporary directory)."""
    return ["graph/" + str(problem).split("/graph/", 1)[1] for problem in found]


def first_row_with(path: Path, column: str) -> tuple[int, int, str]:
    """Return (line, column number, value) of the first row whose ``column`` is filled."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    index = header.index(column)
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) == len(header) and cells[index]:
            return number, index + 1, cells[index]
    raise AssertionError(f"no {column} in {path}")


def replace_cell(path: Path, line: int, column: int, value: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[line - 1].split("\t")
    cells[column - 1] = value
    lines[line - 1] = "\t".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("column, bad, expected", [
    ("url", "www.fda.gov/label", "is not an http(s) address"),
    ("url", "https://example.org/a page", "is not an http(s) address"),
    ("url", "https://", "is not an http(s) address"),
    ("pmid", "PMID:19828704", "is not a PubMed id: digits only"),
    ("pmid", "1982870x", "is not a PubMed id"),
    ("doi", "https://doi.org/10.1007/s00228-013-1623-4", "is not a DOI"),
    ("doi", "10.10/x", "is not a DOI"),
    ("doi", "10.1007/a b", "is not a DOI"),
    ("setid", "21E8E8E6-3F85-4FDD-8452-C9D14D2EF69A", "is not a DailyMed set id"),
    ("setid", "21e8e8e6-3f85-4fdd-8452", "is not a DailyMed set id"),
])
def test_a_malformed_identifier_is_located_and_explained(graph_copy, column, bad, expected):
    path = graph_copy / "sources.tsv"
    line, number, _ = first_row_with(path, column)
    replace_cell(path, line, number, bad)
    found = shown(problems(graph_copy))
    assert len(found) == 1 and found[0].startswith(f"graph/sources.tsv:{line}:{number}: {column} {bad!r} {expected}"), found


def test_the_curated_identifiers_all_have_their_shapes():
    load_curation(GRAPH_DIR)  # raises on any malformed url, pmid, doi or setid


def test_invalid_utf8_is_reported_once_at_its_line_and_column(graph_copy):
    path = graph_copy / "entities" / "drugs.tsv"
    lines = path.read_bytes().split(b"\n")
    cells = lines[2].split(b"\t")
    cells[2] = cells[2][:3] + b"\xe9" + cells[2][3:]  # Latin-1 e-acute in the label of line 3
    lines[2] = b"\t".join(cells)
    path.write_bytes(b"\n".join(lines))
    found = shown(problems(graph_copy))
    assert len(found) == 1, found
    assert found[0].startswith("graph/entities/drugs.tsv:3:3: not UTF-8: byte 0xE9")


def test_a_byte_order_mark_is_accepted(graph_copy):
    path = graph_copy / "sources.tsv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    marked, plain = load_curation(graph_copy).sources, load_curation(GRAPH_DIR).sources
    assert {key: source.fields for key, source in marked.items()} == {key: source.fields for key, source in plain.items()}


def test_a_lone_cr_is_reported_at_its_line_and_later_lines_keep_their_numbers(graph_copy):
    path = graph_copy / "entities" / "drugs.tsv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace("\t", "\tsplit\rhere", 1)  # line 3, after the first tab: in column 2
    lines[5] = lines[5] + "\textra"  # line 6: one field too many
    path.write_text("\n".join(lines), encoding="utf-8", newline="")
    assert [(p.line, p.column) for p in problems(graph_copy)] == [(3, 2)]
    lines[2] = lines[2].replace("split\rhere", "")
    path.write_text("\n".join(lines), encoding="utf-8", newline="")
    in_table = [(p.line, p.message.split(",")[0]) for p in problems(graph_copy) if p.file.endswith("drugs.tsv")]
    assert in_table == [(6, "expected 8 tab-separated fields")]


def test_crlf_line_endings_are_accepted(graph_copy):
    path = graph_copy / "sources.tsv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert load_curation(graph_copy).sources


def test_a_nul_byte_is_refused_at_its_position_and_never_written(graph_copy, tmp_path):
    path = graph_copy / "entities" / "drugs.tsv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace("\t", "\t\x00", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    assert shown(problems(graph_copy)) == ["graph/entities/drugs.tsv:4:2: the control character U+0000; remove it"]
    with pytest.raises(CurationError):
        build(tmp_path / "out", graph_copy)
    assert not (tmp_path / "out").exists()


def test_a_huge_table_is_refused_before_it_is_read(graph_copy):
    with open(graph_copy / "facts" / "huge.tsv", "wb") as stream:
        stream.truncate(50 * 10**6)  # sparse: the size is what matters, and reading it would take long
    assert shown(problems(graph_copy)) == [f"graph/facts/huge.tsv:1:1: 50.0 MB is more than a curated table may hold "
                                       f"({MAX_TABLE_BYTES // 10**6} MB): split it into several tables, or load bulk data another way"]


# ------------------------------------------------------------------------------------------ output swap

KILLED_WRITER = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from allkg.build import write_release

    calls, kill_at = 0, int(sys.argv[2])
    real_replace, real_rename = os.replace, os.rename

    def dying(*args, **kwargs):  # the process dies at one rename, as under kill -9: no cleanup runs
        global calls
        calls += 1
        if calls == kill_at:
            os._exit(9)
        return real_replace(*args, **kwargs)

    os.replace = os.rename = dying
    write_release(Path(sys.argv[1]), {name: f"new {name}".encode() for name in sys.argv[3:]})
""")


@pytest.mark.parametrize("kill_at", [1, 2, 3, 4])
def test_a_build_killed_at_any_rename_leaves_all_old_or_all_new_outputs(tmp_path, kill_at):
    out = tmp_path / "out"
    write_release(out, {name: f"old {name}".encode() for name in OUTPUT_NAMES})
    script = tmp_path / "writer.py"
    script.write_text(KILLED_WRITER, encoding="utf-8")
    subprocess.run([sys.executable, str(script), str(out), str(kill_at), *OUTPUT_NAMES], check=False)
    generations = {(out / name).read_text().split()[0] for name in OUTPUT_NAMES}
    assert len(generations) == 1, f"a mixed set after a kill at rename {kill_at}: {generations}"
    write_release(out, {name: f"next {name}".encode() for name in OUTPUT_NAMES})
    assert {(out / name).read_text() for name in OUTPUT_NAMES} == {f"next {name}" for name in OUTPUT_NAMES}
    left = sorted(path.name for path in out.iterdir() if path.name not in OUTPUT_NAMES)
    assert left == [CURRENT_RELEASE, os.readlink(out / CURRENT_RELEASE)], "stale releases and temporary files are cleaned"


def test_stale_temporary_files_of_an_older_build_are_cleaned(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in OUTPUT_NAMES:  # what the old writer (a temporary file per output) left behind when killed
        (out / name).write_text("old")
        (out / f".{name}.x1y2z3").write_text("half")
    write_release(out, {name: b"new" for name in OUTPUT_NAMES})
    assert sorted(path.name for path in out.iterdir() if path.name.startswith(f".{OUTPUT_NAMES[0]}")) == []
    assert all((out / name).read_text() == "new" for name in OUTPUT_NAMES)
