"""The notebooks' helpers (allkg.analysis, allkg.plots), on the real test build."""

from __future__ import annotations

import io
from itertools import pairwise

import pytest

pd = pytest.importorskip("pandas", reason="allkg.analysis needs pandas (a test dependency)")
pytest.importorskip("matplotlib", reason="allkg.plots needs matplotlib (a test dependency)")

from matplotlib.figure import Figure  # noqa: E402

from allkg import analysis, plots  # noqa: E402
from allkg.network import to_networkx  # noqa: E402
from allkg.queries import list_queries, run  # noqa: E402
from allkg.resolve import EntityError  # noqa: E402
from allkg.store import load_graph, open_store  # noqa: E402
from allkg.vocab import ALLKG  # noqa: E402


@pytest.fixture(scope="module")
def store(build_result):
    return open_store(build_result.outputs["allkg.nt"])


@pytest.fixture(scope="module")
def network(build_result):
    return to_networkx(build_result.graph)


@pytest.fixture(scope="module")
def effects(store):
    return analysis.adverse_effects(store)


def test_output_path_is_under_the_build_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("ALLKG_BUILD_DIR", str(tmp_path))
    path = analysis.output_path("page.html")
    assert path == tmp_path / "notebooks" / "page.html" and path.parent.is_dir()


# ------------------------------------------------------------------------------------------ ontology


def test_ontology_classes_are_labelled_and_parents_resolve(build_result):
    classes = analysis.ontology_classes(load_graph(build_result.outputs["allkg.nt"]))
    assert list(classes.columns) == ["class", "label", "parents", "definition", "entities"]
    assert classes["class"].is_unique and classes["label"].all() and classes["definition"].all()
    labels = set(classes["label"])
    for parents in classes["parents"]:
        for parent in filter(None, parents.split(" | ")):
            assert parent in labels or ":" in parent, f"parent {parent!r} is neither a class of ours nor a CURIE"
    drug = classes.set_index("class").loc["allkg:Drug"]
    # the store materialises the class hierarchy, so every curated drug is an allkg:Drug
    assert drug["entities"] >= build_result.entities_by_kind["drug"]


# -------------------------------------------------------------------------------------- query tables


def test_query_catalogue_lists_every_named_query():
    catalogue = analysis.query_catalogue()
    assert list(catalogue["name"]) == [named.name for named in list_queries()]


def test_query_each_stacks_one_run_per_value(store):
    stacked = analysis.query_each("drug-adverse-effects", "drug", ["imatinib", "revumenib"], store)
    singles = [len(run("drug-adverse-effects", {"drug": name}, store)) for name in ("imatinib", "revumenib")]
    assert len(stacked) == sum(singles) > 0
    assert set(stacked["drug"]) == {"drug:imatinib", "drug:revumenib"}


def test_query_each_without_values_gives_the_columns():
    empty = analysis.query_each("drug-adverse-effects", "drug", [])
    assert empty.empty and "effect_label" in empty.columns


def test_drugs_lists_every_drug_once(store, build_result):
    drugs = analysis.drugs(store)
    assert drugs["drug"].is_unique and len(drugs) == build_result.entities_by_kind["drug"]
    assert set(analysis.drugs(store, "tyrosine kinase inhibitor")["drug"]) < set(drugs["drug"])


def test_per_drug_adds_labels(effects):
    assert effects["drug_label"].notna().all()
    assert effects.groupby("drug")["drug_label"].nunique().max() == 1


def test_every_severity_and_frequency_of_the_graph_has_a_level(graph):
    from rdflib import RDF, RDFS

    for category, ranks in ((ALLKG.SeverityCategory, analysis.SEVERITY_RANK), (ALLKG.FrequencyCategory, analysis.FREQUENCY_RANK)):
        labels = {str(graph.value(term, RDFS.label)) for term in graph.subjects(RDF.type, category)}
        assert labels and labels <= set(ranks), f"give {sorted(labels - set(ranks))} a level in allkg.analysis"


@pytest.mark.parametrize("by", ["severity", "frequency"])
def test_adverse_effect_matrix_holds_the_highest_level_stated(effects, by):
    levels, ranks = analysis.MATRIX_KINDS[by]
    matrix = analysis.adverse_effect_matrix(effects, by=by, min_drugs=2)
    assert matrix.to_numpy().min() >= 0 and matrix.to_numpy().max() < len(levels)
    assert ((matrix > 0).sum(axis=1) >= 2).all()
    counts = (matrix > 0).sum(axis=1).tolist()
    assert counts == sorted(counts, reverse=True)
    for (effect, drug), group in effects.groupby(["effect_label", "drug_label"]):
        if effect in matrix.index:
            expected = max(ranks.get(label, 1) if isinstance(label, str) else 1 for label in group[f"{by}_label"])
            assert matrix.loc[effect, drug] == expected, (effect, drug)


def test_adverse_effect_matrix_refuses_an_unknown_kind(effects):
    with pytest.raises(ValueError, match="severity, frequency"):
        analysis.adverse_effect_matrix(effects, by="colour")


def test_shared_effects_count_distinct_drugs(effects):
    shared = analysis.shared_effects(effects, min_drugs=2)
    expected = effects.groupby("effect_label")["drug_label"].nunique()
    assert (shared["drugs"] >= 2).all()
    assert all(expected[effect] == count for effect, count in zip(shared["effect"], shared["drugs"]))
    assert shared["drugs"].tolist() == sorted(shared["drugs"], reverse=True)
    assert set(shared["worst_severity"]) <= set(analysis.SEVERITY_LEVELS)


def test_intersections_are_exclusive_and_cover_the_union():
    sets = {"a": {1, 2, 3, 4}, "b": {3, 4, 5}, "c": {4, 6}}
    table = analysis.intersections(sets)
    assert table["size"].sum() == len(set().union(*sets.values()))
    assert dict(zip(table["members"], table["items"])) == {("a",): "1 | 2", ("a", "b"): "3", ("a", "b", "c"): "4", ("b",): "5", ("c",): "6"}
    assert analysis.intersections({}).empty


def test_effect_sets_keep_drugs_without_statements(effects):
    sets = analysis.effect_sets(effects, ["imatinib", "no such drug"])
    assert sets["imatinib"] and sets["no such drug"] == set()


def test_alteration_therapies_have_one_row_per_linked_drug(store):
    table = analysis.alteration_therapies("BCR::ABL1 fusion", store)
    linked = set(run("drugs-for-alteration", {"alteration": "BCR::ABL1 fusion"}, store).column("drug_label"))
    assert set(table["drug_label"]) == linked and table["drug"].is_unique
    assert table["mechanisms"].all(), "every drug of the alteration has a mechanism"
    for via, targets in zip(table["via"], table["targets"]):
        if "targets encoded protein" in via:
            assert targets


def test_alteration_therapies_of_an_unknown_alteration_suggest_names(store):
    with pytest.raises(EntityError, match="BCR::ABL1"):
        analysis.alteration_therapies("BCR-ABL1 fusoin", store)


# ------------------------------------------------------------------------------------ network tables


def test_centrality_table_keeps_the_kinds_asked_for(network):
    table = analysis.centrality_table(network, kinds=("target",))
    assert set(table["node"]) == {node for node, kind in network.nodes(data="kind") if kind == "target"}
    assert (table["drugs"] <= table["neighbours"]).all()
    assert table["betweenness"].tolist() == sorted(table["betweenness"], reverse=True)
    assert len(analysis.centrality_table(network, kinds=("finding",), top=5)) == 5


@pytest.mark.parametrize(
    ("alteration", "drug"), [("KMT2A rearrangement", "revumenib"), ("Philadelphia chromosome", "dasatinib")]
)
def test_explanation_paths_walk_explanatory_facts_from_alteration_to_drug(network, alteration, drug):
    paths = analysis.explanation_paths(network, alteration, drug, max_steps=4)
    assert not paths.empty
    assert paths["steps"].tolist() == sorted(paths["steps"]) and paths["steps"].max() <= 4
    for nodes, steps, sources in zip(paths["nodes"], paths["steps"], paths["sources"]):
        assert network.nodes[nodes[0]]["label"] == alteration and network.nodes[nodes[-1]]["label"] == drug
        assert len(nodes) == steps + 1 and len(set(nodes)) == len(nodes)
        assert sources, "every fact of a path has a source"
        for a, b in pairwise(nodes):
            edges = [*(network.get_edge_data(a, b) or {}).values(), *(network.get_edge_data(b, a) or {}).values()]
            assert any(edge["predicate"] in analysis.EXPLANATORY for edge in edges)
    # the subtype the alteration defines, and which the drug treats, is the shortest explanation
    assert paths["steps"].iloc[0] == 2


def test_paths_network_holds_only_the_facts_walked(network):
    paths = analysis.explanation_paths(network, "KMT2A rearrangement", "revumenib")
    walked = analysis.paths_network(network, paths)
    assert set(walked) == {node for nodes in paths["nodes"] for node in nodes}
    assert all(data["predicate"] in analysis.EXPLANATORY for _, _, data in walked.edges(data=True))


def test_explanation_paths_of_an_unknown_name_suggest_names(network):
    with pytest.raises(EntityError, match="revumenib"):
        analysis.explanation_paths(network, "KMT2A rearrangement", "revumenb")


def test_communities_partition_the_network_deterministically(network):
    table = analysis.communities(network)
    excluded = {"product", "route", "schedule", "doseform"}
    assert table["node"].is_unique
    assert set(table["node"]) == {node for node, kind in network.nodes(data="kind") if kind not in excluded}
    sizes = table["community"].value_counts().sort_index().tolist()
    assert sizes == sorted(sizes, reverse=True)
    assert table.equals(analysis.communities(network))
    summary = analysis.community_summary(table)
    assert summary["size"].sum() == len(table)


def test_community_network_styles_nodes_by_community(network):
    from allkg.views import render

    table = analysis.communities(network)
    styled = analysis.community_network(network, table)
    assert {styled.nodes[node]["legend"] for node in styled} == {f"community {n}" for n in table["community"]}
    assert network.nodes[table["node"].iloc[0]]["kind"] != "community-0", "the original network is left as it was"
    view = render(styled, title="communities")
    assert view.nodes == len(table)


# ------------------------------------------------------------------------------------------------ plots


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def test_bar_chart_draws_the_largest_bars(effects):
    shared = analysis.shared_effects(effects)
    figure = plots.bar_chart(shared.set_index("effect")["drugs"], title="shared", top=5)
    assert isinstance(figure, Figure) and len(figure.axes[0].patches) == 5
    assert png_bytes(figure).startswith(b"\x89PNG")


def test_level_heatmap_has_a_legend_entry_per_level(effects):
    matrix = analysis.adverse_effect_matrix(effects)
    figure = plots.level_heatmap(matrix, analysis.SEVERITY_LEVELS, title="severity")
    assert [text.get_text() for text in figure.legends[0].get_texts()] == list(analysis.SEVERITY_LEVELS)
    assert png_bytes(figure).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="colours"):
        plots.level_heatmap(matrix, analysis.SEVERITY_LEVELS, colours=("#ffffff",))


def test_upset_draws_one_bar_per_intersection(effects):
    names = sorted(effects["drug_label"].unique())[:4]
    table = analysis.intersections(analysis.effect_sets(effects, names))
    figure = plots.upset(table, names, top=3)
    assert len(figure.axes[0].patches) == min(3, len(table))
    assert png_bytes(figure).startswith(b"\x89PNG")
