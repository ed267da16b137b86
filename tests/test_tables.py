"""The curated tables are reviewed like code: sorted, unique, well-formed, and in our own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from allkg.curation import ENTITY_ID, load_curation
from allkg.tables import read_table
from allkg.vocab import GRAPH_DIR

ENTITY_TABLES = sorted((GRAPH_DIR / "entities").glob("*.tsv"))
FACT_TABLES = sorted((GRAPH_DIR / "facts").glob("*.tsv"))
ALL_TABLES = [*ENTITY_TABLES, *FACT_TABLES, GRAPH_DIR / "sources.tsv", GRAPH_DIR / "source_sections.tsv"]


def rows_of(path: Path):
    table, problems = read_table(path, (), allow_extra=True)
    assert not problems, problems
    return table


@pytest.mark.parametrize("path", ALL_TABLES, ids=lambda p: p.name)
def test_table_is_sorted_and_unique(path: Path):
    table = rows_of(path)
    keys = [tuple(row.values[c] for c in table.header) for row in table.rows]
    assert keys == sorted(keys), f"{path.name}: rows must be sorted (run: sort the data rows)"
    assert len(keys) == len(set(keys)), f"{path.name}: duplicate rows"


@pytest.mark.parametrize("path", ENTITY_TABLES, ids=lambda p: p.name)
def test_entity_ids_match_pattern(path: Path):
    for row in rows_of(path).rows:
        assert ENTITY_ID.match(row.values["id"]), f"{path.name}:{row.line}: bad id {row.values['id']!r}"
        assert row.values["label"], f"{path.name}:{row.line}: missing label"
        assert row.values.get("description"), f"{path.name}:{row.line}: every entity is described"


@pytest.mark.parametrize("path", FACT_TABLES, ids=lambda p: p.name)
def test_every_fact_names_a_source(path: Path):
    for row in rows_of(path).rows:
        assert row.values["source"], f"{path.name}:{row.line}: fact without a source"


def test_curation_loads_cleanly():
    curation = load_curation()
    assert len(curation.entities) > 50
    assert len(curation.facts) > 150


def test_tables_do_not_copy_the_page(source_page_text):
    """Facts carry over, wording does not: no run of ten words from the page appears in a tracked text file."""
    words = lambda text: re.findall(r"[a-z0-9]+", text.lower())  # noqa: E731
    page = words(source_page_text)
    n = 10
    grams = {" ".join(page[i:i + n]) for i in range(len(page) - n + 1)}
    root = GRAPH_DIR.parent
    paths = [p for folder in ("graph", "ontology", "queries", "allkg", "tests", "notebooks") for p in (root / folder).rglob("*")
             if p.is_file() and p.suffix in {".tsv", ".ttl", ".rq", ".py", ".md", ".ipynb", ".json"}]
    paths.append(root / "README.md")
    for path in paths:
        if not path.exists():
            continue
        tokens = words(path.read_text(encoding="utf-8", errors="ignore"))
        for i in range(len(tokens) - n + 1):
            assert " ".join(tokens[i:i + n]) not in grams, f"{path}: copies the page: {' '.join(tokens[i:i + n])!r}"
