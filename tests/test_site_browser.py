"""The static site and the neighbourhood views in a real Chromium: legible, complete, offline, accessible.

- every drug's neighbourhood view: no two node boxes (shape and label) overlap at the initial zoom, and
  every box is inside the canvas; the whole graph fits its canvas;
- every internal link and asset of the site resolves; pages make no request outside the site and log no error;
- axe-core finds no serious or critical accessibility violation on an entity page, the index and a view.

Screenshots go to build/screenshots/ for people to look at.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from test_views_browser import SCREENSHOTS

from allkg.network import to_networkx
from allkg.site import build_site, page_path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MEASURE = "\n".join(line for line in (Path(__file__).resolve().parent / "fixtures" / "measure_boxes.js").read_text(encoding="utf-8").splitlines()
                    if not line.startswith("//"))
AXE = PROJECT_ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def site(graph, tmp_path_factory):
    """The whole site, written once."""
    out = tmp_path_factory.mktemp("site") / "site"
    summary = build_site(out, to_networkx(graph))
    return out, summary


class SitePage:
    """A page of the site opened in Chromium, recording console errors and any request leaving the site."""

    def __init__(self, browser, path: Path, root: Path, viewport=(1400, 900), bypass_csp=False):
        self.errors, self.outside = [], []
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, bypass_csp=bypass_csp)
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        prefix = root.resolve().as_uri()
        self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(prefix) else
                        (self.outside.append(route.request.url), route.abort()))
        self.page.goto(path.resolve().as_uri())

    def wait_for_view(self) -> None:
        self.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)

    def screenshot(self, name: str, full_page: bool = False) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    def close(self) -> None:
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.outside == [], f"requests outside the site: {self.outside}"
        self.page.close()


def test_every_drug_view_has_no_overlapping_labels_and_fits(browser, site, network):
    out, _ = site
    drugs = sorted(node for node in network if node.startswith("drug/"))
    assert drugs
    page = SitePage(browser, out / "index.html", out)
    problems = {}
    for drug in drugs:
        page.page.goto((out / "views" / page_path(drug)).resolve().as_uri())
        page.wait_for_view()
        counts = page.page.evaluate(MEASURE)
        assert counts["nodes"] > len(set(network.successors(drug)) | set(network.predecessors(drug)))  # with section headings
        if counts["overlaps"] or counts["outside"]:
            problems[drug] = counts
        if drug in ("drug/imatinib", "drug/nilotinib", "drug/blinatumomab"):
            page.screenshot(f"view-{drug.split('/')[1]}")
    page.close()
    assert problems == {}, f"views with overlapping or cut-off labels: {problems}"


def test_whole_graph_fits_its_canvas(browser, site):
    out, _ = site
    page = SitePage(browser, out / "views" / "graph.html", out)
    page.wait_for_view()
    counts = page.page.evaluate(MEASURE)
    page.screenshot("whole-graph-site")
    assert counts["outside"] == 0, counts
    labelled = page.page.evaluate("window.allkgLabelled")
    assert labelled > 10  # hubs are labelled at first sight, the rest as one zooms in
    page.close()


def test_search_highlights_the_found_nodes_neighbourhood(browser, site):
    out, _ = site
    page = SitePage(browser, out / "views" / "graph.html", out)
    page.wait_for_view()
    page.page.fill("#search", "Gleevec")
    page.page.press("#search", "Enter")
    faded = page.page.evaluate("window.allkgView.nodes.get({filter: n => n.opacity !== undefined && n.opacity < 1}).length")
    bright = page.page.evaluate("window.allkgView.nodes.get({filter: n => n.opacity === 1}).length")
    assert faded > 100 and 2 <= bright < 10
    page.screenshot("whole-graph-search")
    page.close()


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.targets.append(attrs[name])


def test_site_has_no_broken_internal_link(site):
    out, summary = site
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == summary["pages"] > 100
    parsed = {}
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        parsed[page.resolve()] = parser
    broken = []
    for page, parser in parsed.items():
        for target in parser.targets:
            parts = urlsplit(target)
            if parts.scheme in ("http", "https"):
                continue
            assert not parts.scheme and not target.startswith("/"), f"{page}: {target} is not a relative link"
            resolved = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not resolved.is_file():
                broken.append(f"{page.relative_to(out.resolve())}: {target}")
            elif parts.fragment and resolved in parsed and parts.fragment not in parsed[resolved].ids:
                broken.append(f"{page.relative_to(out.resolve())}: {target} (no such anchor)")
    assert broken == []


def test_entity_pages_are_small_and_every_fact_has_a_reference(site, network):
    out, _ = site
    sizes = {path.name: path.stat().st_size for path in (out / "drug").glob("*.html")}
    assert max(sizes.values()) < 200_000
    page = (out / "drug" / "imatinib.html").read_text(encoding="utf-8")
    for heading in ("Indications", "Adverse effects", "Molecular targets", "Products", "References", "not for treating patients"):
        assert heading in page
    rows = re.findall(r"<tr(?: class=\"boxed\")?><td data-sort", page)
    refs = re.findall(r"<tr(?: class=\"boxed\")?><td data-sort.*?</tr>", page, re.S)
    assert rows and all('class="ref"' in row for row in refs)
    assert "<script>" not in page and "style=" not in page  # scripts and styles are files of the site


def test_site_pages_load_offline_without_errors_and_search_works(browser, site):
    out, _ = site
    index = SitePage(browser, out / "index.html", out)
    index.page.fill("#search", "gleevec")
    assert "Gleevec" in index.page.inner_text("#search-results")
    index.screenshot("site-index", full_page=True)
    index.close()
    for path, name in ((out / "drug" / "imatinib.html", "site-imatinib"), (out / "finding" / "nausea.html", "site-nausea"),
                       (out / "queries" / "drugs-for-alteration.html", "site-query"),
                       (next((out / "source").glob("*.html")), "site-source")):
        page = SitePage(browser, path, out)
        assert "not for treating patients" in page.page.inner_text("body")
        if page.page.locator("iframe.view").count():
            page.page.locator("iframe.view").scroll_into_view_if_needed()
            page.page.frame_locator("iframe.view").locator("body[data-ready=true]").wait_for(state="attached", timeout=60_000)
        page.screenshot(name, full_page=True)
        page.close()


def test_adverse_effect_table_sorts(browser, site):
    out, _ = site
    page = SitePage(browser, out / "drug" / "vincristine.html", out)
    table = page.page.locator("section", has=page.page.locator("h2", has_text="Adverse effects")).locator("table")
    first = table.locator("tbody tr td").first.inner_text()
    table.locator("th button").first.click()
    table.locator("th button").first.click()
    assert table.locator("tbody tr td").first.inner_text() != first or table.locator("tbody tr").count() == 1
    page.close()


@pytest.mark.parametrize("path", ["index.html", "drug/imatinib.html", "views/drug/imatinib.html"])
def test_no_serious_accessibility_violation(browser, site, path):
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (scripts/test.sh installs it from npm into .cache/npm)")
    out, _ = site
    page = SitePage(browser, out / path, out, bypass_csp=True)  # to inject axe-core
    page.page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.page.evaluate("() => axe.run(document, {resultTypes: ['violations'], preload: false})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)
    page.close()


def test_malicious_labels_are_text_on_every_page(browser, tmp_path):
    """Labels that try to run script are escaped on the pages and never run in the browser."""
    from rdflib import Graph

    graph = Graph().parse(Path(__file__).resolve().parent / "fixtures" / "malicious-label.ttl")
    out = tmp_path / "site"
    build_site(out, to_networkx(graph), graph)
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<img src=x" not in text and "<script>window.pwned" not in text and 'href="javascript:' not in text, page
    loaded = SitePage(browser, out / "drug" / "evil.html", out)
    loaded.page.on("dialog", lambda dialog: (loaded.errors.append("dialog: " + dialog.message), dialog.dismiss()))
    assert "<img src=x onerror=alert(1)>" in loaded.page.inner_text("h1")
    assert loaded.page.evaluate("window.pwned === undefined")
    loaded.close()
