"""Shared fixtures: the real graph, built once per test session into a temporary directory."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
SOURCE_PAGE = SHARED / "source-documents" / "acs-targeted-therapy-for-all.txt"
REFERENCE_DIR = SHARED / "reference"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def build_result(tmp_path_factory):
    """Build the graph once, into a session temporary directory, and return the BuildResult."""
    from allkg.build import build

    out = tmp_path_factory.mktemp("build")
    os.environ["ALLKG_BUILD_DIR"] = str(out)
    return build(out)


@pytest.fixture(scope="session")
def graph(build_result):
    """The built knowledge graph as an rdflib Graph."""
    return build_result.graph


@pytest.fixture(scope="session")
def oxigraph_store(build_result):
    """The built graph in an in-memory Oxigraph store, for fast SPARQL in tests."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(path=str(build_result.outputs["allkg.nt"]), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


@pytest.fixture(scope="session")
def source_page_text():
    """The source page's text; tests that need it skip where ../shared is absent."""
    if not SOURCE_PAGE.exists():
        pytest.skip(f"source page not available at {SOURCE_PAGE} (../shared is only present in development and CI)")
    return SOURCE_PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} is not installed (scripts/test.sh installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def network(graph):
    from allkg.network import to_networkx

    return to_networkx(graph)
