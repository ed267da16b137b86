"""The HTML views in a real Chromium: they load offline, count right, search, filter, and never run labels.

Every request that is not for the page's own file is aborted and recorded; the
tests assert there were none. Screenshots go to build/screenshots/ for people to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from allkg.cli import main
from allkg.network import neighbourhood, query_to_networkx
from allkg.resolve import node_named

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"


class LoadedPage:
    """A view opened in Chromium, with what it logged and what it tried to fetch."""

    def __init__(self, browser, path: Path):
        self.errors: list[str] = []
        self.outside_requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)  # not wait_for_function: CSP bars its eval

    def _route(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.outside_requests.append(route.request.url)
            route.abort()

    def visible_nodes(self) -> int:
        return self.page.evaluate("window.allkgView.nodes.get({filter: n => !n.hidden && !n.heading}).length")

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    def assert_clean(self) -> None:
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.outside_requests == [], f"the page reached outside: {self.outside_requests}"
        assert self.dialogs == [], f"the page opened dialogs: {self.dialogs}"


def write_view(tmp_path: Path, name: str, *arguments: str) -> Path:
    out = tmp_path / f"{name}.html"
    result = CliRunner().invoke(main, ["view", *arguments, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def expected_counts(graph, network) -> dict[str, int]:
    return {
        "whole-graph": network.number_of_nodes(),
        "imatinib-depth-2": neighbourhood(network, node_named(network, "imatinib"), 2).number_of_nodes(),
        "query-drug-targets": query_to_networkx(graph, (FIXTURES / "drug-targets.rq").read_text()).number_of_nodes(),
        "query-brands": query_to_networkx(graph, (FIXTURES / "drugs-with-brands.rq").read_text()).number_of_nodes(),
        "malicious-label": 2,
    }


VIEWS = {
    "whole-graph": (),
    "imatinib-depth-2": ("imatinib", "--depth", "2"),
    "query-drug-targets": ("--query-file", str(FIXTURES / "drug-targets.rq")),
    "query-brands": ("--query-file", str(FIXTURES / "drugs-with-brands.rq")),
    "malicious-label": ("--graph", str(FIXTURES / "malicious-label.ttl")),
}


@pytest.mark.parametrize("name", VIEWS)
def test_view_loads_offline_with_all_its_nodes(browser, build_result, graph, network, tmp_path, name):
    loaded = LoadedPage(browser, write_view(tmp_path, name, *VIEWS[name]))
    loaded.screenshot(name)
    assert loaded.visible_nodes() == expected_counts(graph, network)[name]
    assert "not for treating patients" in loaded.page.inner_text("body")
    assert loaded.page.evaluate("typeof window.network.getPositions") == "function"
    loaded.assert_clean()


def test_search_focuses_the_node_by_synonym(browser, build_result, tmp_path):
    loaded = LoadedPage(browser, write_view(tmp_path, "search"))
    loaded.page.fill("#search", "liquid to swallow")  # a synonym of "oral solution"
    loaded.page.press("#search", "Enter")
    selected = loaded.page.evaluate("window.network.getSelectedNodes().map(id => window.allkgView.nodes.get(id).label)")
    assert selected == ["oral solution"]
    assert loaded.page.inner_text("#details h2") == "oral solution"
    loaded.screenshot("search-oral-solution")
    loaded.assert_clean()


def test_side_panel_shows_sources_and_qualifiers(browser, build_result, tmp_path):
    # The page's common TKI side effects are stated once, on the class, so its node carries them.
    loaded = LoadedPage(browser, write_view(tmp_path, "tki-class", "drugclass/bcr-abl1-tkis"))
    panel = loaded.page.inner_text("#details")
    assert panel.startswith("BCR::ABL1 TKIs as a group") and "has adverse effect" in panel and "frequency: common" in panel
    assert loaded.page.locator("#details a[href^='https://']").count() > 0  # sources as links
    loaded.assert_clean()


def test_filter_hides_a_kind(browser, build_result, network, tmp_path):
    loaded = LoadedPage(browser, write_view(tmp_path, "filter"))
    findings = sum(1 for _, data in network.nodes(data=True) if data["kind"] == "finding")
    before = loaded.visible_nodes()
    loaded.page.get_by_label("adverse effect or symptom").uncheck()
    assert loaded.visible_nodes() == before - findings
    loaded.screenshot("filter-without-findings")
    loaded.page.get_by_label("adverse effect or symptom").check()
    assert loaded.visible_nodes() == before
    loaded.assert_clean()


def test_malicious_label_is_shown_not_run(browser, tmp_path):
    loaded = LoadedPage(browser, write_view(tmp_path, "malicious", "--graph", str(FIXTURES / "malicious-label.ttl")))
    loaded.page.fill("#search", "<img")
    loaded.page.press("#search", "Enter")
    assert loaded.page.inner_text("#details h2") == "<img src=x onerror=alert(1)>"
    assert loaded.page.locator("#details img, #results img, #details b").count() == 0
    assert loaded.page.locator("#details a[href^='javascript']").count() == 0
    loaded.page.hover("#details")
    assert loaded.page.evaluate("window.pwned") is None
    loaded.screenshot("malicious-label")
    loaded.assert_clean()


def test_large_view_draws_edges_first_then_hands_them_all_to_vis_network(browser, tmp_path):
    """Above 1,500 nodes the first frame draws edges itself; vis-network gets them, and node labels, right after."""
    import networkx as nx

    from allkg.views import render

    skeleton = nx.barabasi_albert_graph(1600, 2, seed=3)
    network = nx.MultiDiGraph()
    for u, v in skeleton.edges():
        network.add_edge(f"drug/d{u}", f"target/t{v}", label="has target",
                         statements=[{"qualifiers": {"note": f"n{u}"}, "sources": [], "sections": []}])
    path = render(network, title="large").save(tmp_path / "large.html")
    loaded = LoadedPage(browser, path)
    loaded.screenshot("large-first-frame")
    # polled from here: the page's CSP forbids the eval that wait_for_function's own polling needs
    for _ in range(600):
        if loaded.page.evaluate("window.allkgEdgesLoaded !== undefined"):
            break
        loaded.page.wait_for_timeout(100)
    assert loaded.page.evaluate("window.allkgView.edges.length") == network.number_of_edges()
    assert loaded.page.evaluate("window.allkgView.nodes.get(0).label") == "drug/d0"
    loaded.page.evaluate("window.allkgView.focusNode(0)")
    labels = loaded.page.evaluate("window.network.getSelectedEdges().map(id => window.allkgView.edges.get(id).label)")
    assert labels and set(labels) == {"has target"}  # large pages label the selected node's edges only
    assert "has target" in loaded.page.inner_text("#details")
    loaded.screenshot("large-loaded")
    loaded.assert_clean()
