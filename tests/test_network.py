"""The graph as a network: statements folded into edges, name resolution, queries, exports, pages (no browser)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph

from allkg.network import (
    QueryError,
    export,
    kinds,
    neighbourhood,
    query_to_networkx,
    to_networkx,
)
from allkg.resolve import UnknownEntity, node_named
from allkg.views import embed_json, render

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MALICIOUS_LABEL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def network(graph):
    return to_networkx(graph)


def test_nodes_are_entities_not_bookkeeping(network):
    prefixes = {node.split("/")[0] for node in network}
    assert prefixes <= set(kinds()), f"unstyled node kinds: {prefixes - set(kinds())}"
    assert not prefixes & {"source", "statement", "frequency", "severity"}
    assert not [node for node in network if "://" in node or node.startswith("allkg:")]


@pytest.mark.parametrize("node", ["drug/imatinib", "target/bcr-abl1-protein", "finding/differentiation-syndrome"])
def test_nodes_carry_label_kind_style_and_sources(network, node):
    data = network.nodes[node]
    assert data["label"] and data["kind"] == node.split("/")[0]
    assert data["colour"].startswith("#") and data["shape"] and data["legend"]
    assert data["sources"], f"{node} has no sources"
    assert isinstance(data["identifiers"], list)


def test_every_direct_fact_between_entities_is_one_edge_with_provenance(graph, network):
    # A source's evidence level and a source kind's default level are bookkeeping, not facts between entities.
    direct = {
        (s, p, o)
        for s, p, o in graph
        if str(s).startswith("https://w3id.org/allkg/") and str(o).startswith("https://w3id.org/allkg/")
        and "/ontology#" in str(p) and "/source/" not in str(o) and "/statement/" not in str(s)
        and "/source/" not in str(s) and "/ontology#" not in str(s)
    }
    assert network.number_of_edges() == len(direct)
    for _, _, data in network.edges(data=True):
        assert data["sources"] and data["statements"], data


def test_qualifier_values_are_labels_on_the_edge(network):
    # The page states the TKIs' mild side effects of the class as a whole, so the edge starts at the class.
    edges = network.get_edge_data("drugclass/bcr-abl1-tkis", "finding/nausea")
    (data,) = edges.values()
    assert data["label"] == "has adverse effect"
    assert data["qualifiers"]["frequency"] == "common"
    assert data["qualifiers"]["severity"] == "mild"


def test_literal_facts_become_node_attributes(network):
    attributes = network.nodes["disease/ph-positive-all"]["attributes"]
    assert any(a["value"] == "0.25" and a["qualifiers"].get("approximate") == "true" for a in attributes)


@pytest.mark.parametrize(
    "name, expected",
    [("imatinib", "drug/imatinib"), ("IMATINIB", "drug/imatinib"), ("drug/imatinib", "drug/imatinib"),
     ("https://w3id.org/allkg/drug/imatinib", "drug/imatinib"), ("Gleevec", "drug/imatinib"), ("gleevec", "drug/imatinib"),
     ("product/gleevec", "product/gleevec"), ("drugbank:DB00619", "drug/imatinib"), ("pill", "doseform/solid-oral")],
)
def test_names_resolve_as_queries_resolve_them(network, name, expected):
    """One resolver for views and queries: a brand names its drug, whose neighbourhood holds the brand."""
    assert node_named(network, name) == expected


def test_unknown_names_get_suggestions(network):
    with pytest.raises(UnknownEntity, match="did you mean imatinib"):
        node_named(network, "imatinb")


def test_neighbourhood_grows_with_depth(network):
    one, two = neighbourhood(network, "drug/imatinib", 1), neighbourhood(network, "drug/imatinib", 2)
    assert "product/gleevec" in one and "target/bcr-abl1-protein" in one
    assert set(one) < set(two) <= set(network)


def test_construct_query_keeps_qualifiers_and_labels(graph):
    result = query_to_networkx(graph, (FIXTURES / "drug-targets.rq").read_text())
    assert result.number_of_edges() >= 5
    assert network_labels(result) >= {"imatinib", "BCR::ABL1 fusion protein"}
    assert all(data["sources"] for _, _, data in result.edges(data=True))


def test_select_query_iris_become_nodes(graph):
    result = query_to_networkx(graph, (FIXTURES / "drugs-with-brands.rq").read_text())
    assert {"product/gleevec", "drug/imatinib"} <= set(result)
    assert result.has_edge("product/gleevec", "drug/imatinib")


def test_bad_query_reports_its_position(graph):
    path = FIXTURES / "broken.rq"
    with pytest.raises(QueryError, match=r"broken\.rq(: line [56], column \d+|:[56]:\d+)"):
        query_to_networkx(graph, path.read_text(), origin=str(path))


def network_labels(network) -> set[str]:
    return {data["label"] for _, data in network.nodes(data=True)}


@pytest.mark.parametrize("suffix", [".graphml", ".json"])
def test_export_round_trips(network, tmp_path, suffix):
    path = export(network, tmp_path / f"allkg{suffix}")
    if suffix == ".graphml":
        back = nx.read_graphml(path, force_multigraph=True)
        assert json.loads(back.nodes["drug/imatinib"]["sources"]) == network.nodes["drug/imatinib"]["sources"]
    else:
        back = nx.node_link_graph(json.loads(path.read_text()), edges="links")
        assert back.nodes["drug/imatinib"]["label"] == "imatinib"
    assert (back.number_of_nodes(), back.number_of_edges()) == (network.number_of_nodes(), network.number_of_edges())


def test_embedded_data_cannot_close_the_script():
    text = embed_json({"label": "</script><script>alert(1)</script>", "also": "<!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["label"] == "</script><script>alert(1)</script>"


def test_malicious_label_is_only_data_in_the_page():
    page = render(to_networkx(Graph().parse(FIXTURES / "malicious-label.ttl")), title=MALICIOUS_LABEL).html
    assert MALICIOUS_LABEL not in page and "window.pwned=1</script>" not in page
    assert html.escape(MALICIOUS_LABEL) in page  # the <title> and heading, escaped


def test_page_is_self_contained(network):
    page = render(network).html
    markup = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", page, flags=re.S)  # what is left once inline code is out
    assert not re.search(r"\b(src|href)\s*=|<link\b|@import", markup), "the page refers to an outside resource"
    assert not [attributes for attributes in re.findall(r"<script\b([^>]*)>.*?</script>", page, flags=re.S) if "src" in attributes]
    assert "for research and education, not for treating patients" in markup.lower()


def test_notebook_representation_is_a_sandboxed_iframe(network):
    view = render(neighbourhood(network, "drug/imatinib", 1))
    fragment = view._repr_html_()
    assert fragment.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts' in fragment
    assert "<script>" not in fragment  # the page is escaped inside the attribute


def test_cli_view_and_export(build_result, tmp_path):
    from allkg.cli import main

    runner = CliRunner()
    out = tmp_path / "imatinib.html"
    result = runner.invoke(main, ["view", "Gleevec", "--depth", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out) and out.read_text().startswith("<!DOCTYPE html>")
    result = runner.invoke(main, ["view", "imatinb"])
    assert result.exit_code == 1 and "did you mean imatinib" in result.output
    result = runner.invoke(main, ["view", "--query-file", str(FIXTURES / "broken.rq")])
    assert result.exit_code == 1 and re.search(r"broken\.rq(: line [56], column \d+|:[56]:\d+)", result.output)
    result = runner.invoke(main, ["view", "--query", "no-such-query"])
    assert result.exit_code == 1 and "no query named" in result.output
    result = runner.invoke(main, ["export", "--format", "json", "--out", str(tmp_path / "allkg.json")])
    assert result.exit_code == 0 and "nodes" in result.output


def test_cli_view_of_a_named_query_with_a_parameter(build_result, tmp_path):
    """`allkg view --query NAME -p k=v` draws the entities of the named query's answer, parameters bound."""
    from click.testing import CliRunner

    from allkg.cli import main

    out = tmp_path / "menin.html"
    result = CliRunner().invoke(main, ["view", "--query", "drugs-by-target", "-p", "target=menin", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "revumenib" in page and "drug/imatinib" not in page
