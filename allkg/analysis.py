"""Tables for exploring the graph: what the notebooks show, computed here so it is tested like the rest.

Two kinds of helper live here:

- *query tables* run named queries (``queries/*.rq``) and combine their results
  into pandas DataFrames: a named query run once per drug, adverse effects as a
  drug-by-effect matrix of severity or frequency, the drugs for an alteration
  with their mechanisms, targets and settings;
- *network tables* work on the networkx graph of :func:`allkg.to_networkx`:
  centrality of targets and effects, explanation paths from an alteration to a
  drug, and communities, each ready to draw with :func:`allkg.views.render`.

Every function takes ``graph`` (default: the build) or a ``network``, so tests
run them on the test build. Needs pandas (a test and notebook dependency).

>>> SEVERITY_LEVELS[severity_level("life-threatening")]
'life-threatening'
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path

import networkx as nx
import pandas as pd

from allkg.build import build_dir
from allkg.curation import load_ontology
from allkg.queries import run
from allkg.resolve import NameIndex, network_index
from allkg.results import shorten
from allkg.vocab import ALLKG, SEVERITY_LEVELS, SEVERITY_RANK

FREQUENCY_LEVELS = ("no statement", "stated, frequency not given", "common", "very common")
FREQUENCY_RANK = {"common": 2, "very common": 3}
MATRIX_KINDS = {"severity": (SEVERITY_LEVELS, SEVERITY_RANK), "frequency": (FREQUENCY_LEVELS, FREQUENCY_RANK)}

# Relations that explain why a drug acts on leukemia with an alteration. Adverse effects, routes, brands,
# monitoring and the like connect drugs too, but a path through a shared side effect explains nothing.
EXPLANATORY = {
    str(term)
    for term in (
        ALLKG.treats, ALLKG.hasTarget, ALLKG.hasMechanism, ALLKG.actsOn, ALLKG.encodes, ALLKG.resultsIn,
        ALLKG.definedByAlteration, ALLKG.hasRecurrentAlteration, ALLKG.subtypeOf, ALLKG.interactsWith,
        ALLKG.hasParticipant, ALLKG.involvesGene, ALLKG.promotesGrowthOf, ALLKG.confersResistanceTo,
        ALLKG.remainsSensitiveTo,
    )
}
# A palette for communities (matplotlib's tab10), colour-blind tolerant and readable with black labels.
COMMUNITY_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def output_path(name: str) -> Path:
    """Return ``build/notebooks/<name>`` (under $ALLKG_BUILD_DIR if set), creating the folder: notebooks write only there."""
    path = build_dir() / "notebooks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# ------------------------------------------------------------------------------------------ ontology


def ontology_classes(graph=None) -> pd.DataFrame:
    """Return one row per ontology class: CURIE, label, parent classes (labels, or CURIEs outside allkg), definition.

    With ``graph`` (e.g. :func:`allkg.load_graph`), a column ``entities`` counts its instances; with the
    default inferred graph that includes the instances of its subclasses.
    """
    from rdflib import OWL, RDF, RDFS, SKOS

    ontology = load_ontology()
    namespace = str(ALLKG._NS)

    def label(term) -> str:
        # a parent from another vocabulary (prov:Entity) is shown as a CURIE, to tell it from ours
        return str(ontology.value(term, RDFS.label) or shorten(str(term)))

    rows = []
    for term in sorted(set(ontology.subjects(RDF.type, OWL.Class)), key=str):
        if not str(term).startswith(namespace):
            continue  # classes of other vocabularies are only aligned to, not defined here
        row = {
            "class": "allkg:" + str(term)[len(namespace):],
            "label": label(term),
            "parents": " | ".join(sorted(label(parent) for parent in ontology.objects(term, RDFS.subClassOf) if not _is_blank(parent))),
            "definition": str(ontology.value(term, SKOS.definition) or ""),
        }
        if graph is not None:
            row["entities"] = len(set(graph.subjects(RDF.type, term)))
        rows.append(row)
    return pd.DataFrame(rows)


def _is_blank(term) -> bool:
    return type(term).__name__ == "BNode"


# -------------------------------------------------------------------------------------- query tables


def query_catalogue() -> pd.DataFrame:
    """Return the named query library as a table: name, title, parameters with their examples, columns."""
    from allkg.queries import list_queries

    rows = [
        {
            "name": named.name,
            "title": named.title,
            "example": ", ".join(f"{name}={value!r}" for name, value in named.example.items()),
            "columns": ", ".join(column.name for column in named.columns),
        }
        for named in list_queries()
    ]
    return pd.DataFrame(rows, columns=["name", "title", "example", "columns"])


def query_each(name: str, param: str, values, graph=None, **fixed) -> pd.DataFrame:
    """Run the named query ``name`` once for each of ``values`` (bound to ``param``) and stack the results.

    ``fixed``: further parameters, the same for every run. Values are names as a person writes them or CURIEs.
    """
    frames = [run(name, {param: value, **fixed}, graph).to_dataframe() for value in values]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        from allkg.queries import load_query

        return pd.DataFrame(columns=[column.name for column in load_query(name).columns])
    return pd.concat(frames, ignore_index=True)


def drugs(graph=None, drug_class: str = "drug") -> pd.DataFrame:
    """Return the drugs of a class (default: all drugs) as ``drug`` (CURIE) and ``drug_label``, sorted by label."""
    table = run("drugs-by-class", {"drug_class": drug_class}, graph).to_dataframe()
    return table[["drug", "drug_label"]].drop_duplicates().sort_values("drug_label", ignore_index=True)


def per_drug(name: str, graph=None, drug_class: str = "drug") -> pd.DataFrame:
    """Run a named query with a ``drug`` parameter for every drug of a class; add each drug's label."""
    listed = drugs(graph, drug_class)
    table = query_each(name, "drug", listed["drug"], graph)
    if "drug_label" not in table.columns:
        table.insert(1, "drug_label", table["drug"].map(dict(zip(listed["drug"], listed["drug_label"]))))
    return table


def adverse_effects(graph=None, drug_class: str = "drug") -> pd.DataFrame:
    """Return every adverse-effect statement of the drugs of a class (named query ``drug-adverse-effects``)."""
    return per_drug("drug-adverse-effects", graph, drug_class)


def severity_level(label) -> int:
    """Return the rank of a severity label in SEVERITY_LEVELS (1 when none is stated)."""
    return SEVERITY_RANK.get(label, 1) if isinstance(label, str) else 1


def adverse_effect_matrix(effects: pd.DataFrame, by: str = "severity", min_drugs: int = 2) -> pd.DataFrame:
    """Return an effect-by-drug matrix of levels (see SEVERITY_LEVELS / FREQUENCY_LEVELS) from :func:`adverse_effects`.

    A cell holds the highest level any source states for that drug and effect, 0 where no statement links
    them. Only effects of at least ``min_drugs`` drugs are kept; rows are sorted by how many drugs share an
    effect, columns by how many shared effects a drug has.
    """
    if by not in MATRIX_KINDS:
        raise ValueError(f"unknown matrix kind {by!r}; choose one of {', '.join(MATRIX_KINDS)}")
    _, ranks = MATRIX_KINDS[by]
    levels = effects[f"{by}_label"].map(lambda label: ranks.get(label, 1) if isinstance(label, str) else 1)
    table = effects.assign(level=levels).pivot_table(index="effect_label", columns="drug_label", values="level", aggfunc="max", fill_value=0)
    table = table[(table > 0).sum(axis=1) >= min_drugs]
    table = table.loc[:, (table > 0).any(axis=0)]
    rows = (table > 0).sum(axis=1).sort_values(ascending=False, kind="stable").index
    columns = (table > 0).sum(axis=0).sort_values(ascending=False, kind="stable").index
    return table.loc[rows, columns].astype(int).rename_axis(index="effect", columns="drug")


def shared_effects(effects: pd.DataFrame, min_drugs: int = 2) -> pd.DataFrame:
    """Return one row per adverse effect: how many drugs cause it, which, and the highest severity stated."""
    rows = []
    for effect, group in effects.groupby("effect_label"):
        names = sorted(set(group["drug_label"]))
        if len(names) >= min_drugs:
            worst = max(group["severity_label"].map(severity_level))
            rows.append({"effect": effect, "drugs": len(names), "worst_severity": SEVERITY_LEVELS[worst], "drug_labels": " | ".join(names)})
    table = pd.DataFrame(rows, columns=["effect", "drugs", "worst_severity", "drug_labels"])
    return table.sort_values(["drugs", "effect"], ascending=[False, True], ignore_index=True)


def effect_sets(effects: pd.DataFrame, drug_labels=None) -> dict[str, set[str]]:
    """Return each drug's set of adverse effects (optionally only the drugs in ``drug_labels``), for an UpSet plot."""
    sets = {drug: set(group["effect_label"]) for drug, group in effects.groupby("drug_label")}
    return {drug: sets.get(drug, set()) for drug in drug_labels} if drug_labels is not None else sets


def intersections(sets: dict[str, set]) -> pd.DataFrame:
    """Return the exclusive intersections of ``sets``: each combination of members and the items exactly they share.

    >>> intersections({"a": {1, 2}, "b": {2, 3}})[["members", "size"]].values.tolist()
    [[('a',), 1], [('a', 'b'), 1], [('b',), 1]]
    """
    holders: dict[object, tuple[str, ...]] = {}
    for item in set().union(*sets.values()) if sets else ():
        holders[item] = tuple(name for name in sets if item in sets[name])
    groups: dict[tuple[str, ...], list] = defaultdict(list)
    for item, members in holders.items():
        groups[members].append(item)
    rows = [{"members": members, "size": len(items), "items": " | ".join(sorted(map(str, items)))} for members, items in groups.items()]
    table = pd.DataFrame(rows, columns=["members", "size", "items"])
    return table.sort_values(["size", "members"], ascending=[False, True], ignore_index=True)


def alteration_therapies(alteration: str, graph=None) -> pd.DataFrame:
    """Return one row per drug for a gene alteration: how it is linked, its mechanisms, targets and settings.

    Combines the named queries ``drugs-for-alteration`` (the drugs and the link), ``drug-profile``
    (mechanisms, targets) and ``drugs-for-subtype`` (settings and populations stated for the subtype itself).
    """
    columns = ["drug", "drug_label", "via", "mechanisms", "targets", "settings"]
    links = run("drugs-for-alteration", {"alteration": alteration}, graph).to_dataframe()
    if links.empty:
        return pd.DataFrame(columns=columns)
    profile = query_each("drug-profile", "drug", links["drug"].unique(), graph)
    subtypes = links.loc[links["via"] == "treats subtype", "through"].unique()
    settings = query_each("drugs-for-subtype", "disease", subtypes, graph)
    settings = settings[(settings["scope"] == "this disease") & settings["setting_label"].notna()]

    def joined(values) -> str:
        return " | ".join(sorted({str(value) for value in values if isinstance(value, str)}))

    rows = []
    for drug, group in links.groupby("drug", sort=False):
        stated = profile[profile["drug"] == drug]
        in_setting = settings[settings["drug"] == drug]
        rows.append({
            "drug": drug,
            "drug_label": group["drug_label"].iloc[0],
            "via": joined(group["via"]),
            "mechanisms": joined(stated.loc[stated["property"] == "allkg:hasMechanism", "value_label"]),
            "targets": joined(stated.loc[stated["property"] == "allkg:hasTarget", "value_label"]),
            "settings": " | ".join(
                setting + (f" ({joined(group['population_label'])})" if group["population_label"].notna().any() else "")
                for setting, group in in_setting.groupby("setting_label")
            ),
        })
    return pd.DataFrame(rows, columns=columns).sort_values("drug_label", ignore_index=True)


# ------------------------------------------------------------------------------------ network tables


def simple_graph(network: nx.MultiDiGraph) -> nx.Graph:
    """Return the network as a simple undirected graph (one edge per linked pair), for centrality and communities."""
    simple = nx.Graph()
    simple.add_nodes_from(network.nodes(data=True))
    simple.add_edges_from((u, v) for u, v in network.edges() if u != v)
    return simple


def centrality_table(network: nx.MultiDiGraph, kinds=("target", "finding"), top: int | None = None) -> pd.DataFrame:
    """Return centrality of the nodes of ``kinds`` (id prefixes): neighbours, drugs linked, betweenness.

    ``drugs`` counts the distinct drugs directly linked (drugs that target the protein or cause the effect);
    betweenness is computed on the whole network (undirected, one edge per pair), so a node that bridges
    drug families ranks high. Sorted by betweenness, then drugs.
    """
    simple = simple_graph(network)
    betweenness = nx.betweenness_centrality(simple)
    rows = []
    for node, data in network.nodes(data=True):
        if data.get("kind") not in kinds:
            continue
        neighbours = set(simple[node])
        rows.append({
            "node": node,
            "label": data.get("label", node),
            "kind": data.get("legend", data.get("kind")),
            "neighbours": len(neighbours),
            "drugs": sum(1 for other in neighbours if network.nodes[other].get("kind") == "drug"),
            "betweenness": round(betweenness[node], 4),
        })
    table = pd.DataFrame(rows, columns=["node", "label", "kind", "neighbours", "drugs", "betweenness"])
    table = table.sort_values(["betweenness", "drugs", "node"], ascending=[False, False, True], ignore_index=True)
    return table.head(top) if top is not None else table


def explanatory_graph(network: nx.MultiDiGraph, predicates=EXPLANATORY) -> nx.Graph:
    """Return the simple undirected graph of the edges whose predicate (IRI) is in ``predicates``."""
    simple = nx.Graph()
    simple.add_edges_from((u, v) for u, v, data in network.edges(data=True) if data.get("predicate") in predicates and u != v)
    return simple


def explanation_paths(network: nx.MultiDiGraph, alteration: str, drug: str, max_steps: int = 4, limit: int = 10) -> pd.DataFrame:
    """Return the paths that explain how a drug reaches leukemia with an alteration, shortest first.

    Paths follow EXPLANATORY relations in either direction, with at most ``max_steps`` edges; each row gives
    the number of steps, the path as a sentence (each fact in its own direction, e.g. ``revumenib -has
    molecular target-> menin``), the node ids, and the sources of its facts. Names are resolved like
    :func:`allkg.view`'s (id, label, synonym, brand).
    """
    names: NameIndex = network_index(network)
    start, end = _node(network, names, "entity", alteration), _node(network, names, "drug", drug)
    simple = explanatory_graph(network)
    columns = ["steps", "explanation", "nodes", "sources"]
    if start not in simple or end not in simple:
        return pd.DataFrame(columns=columns)
    found = sorted(nx.all_simple_paths(simple, start, end, cutoff=max_steps), key=lambda path: (len(path), path))[:limit]
    rows = []
    for path in found:
        facts = [_fact(network, a, b) for a, b in pairwise(path)]
        text = network.nodes[path[0]]["label"]
        for (subject, label, _obj, _sources), node in zip(facts, path[1:]):
            name = network.nodes[node]["label"]
            text += f" -{label}-> {name}" if subject != node else f" <-{label}- {name}"
        # edges list documents (source/<id>) and their sections (source:<id>#<key>); the documents suffice here
        sources = sorted({source.split("/", 1)[1] for fact in facts for source in fact[3] if source.startswith("source/")})
        rows.append({"steps": len(path) - 1, "explanation": text, "nodes": tuple(path), "sources": " | ".join(sources)})
    return pd.DataFrame(rows, columns=columns)


def _node(network: nx.MultiDiGraph, names: NameIndex, kind: str, name: str) -> str:
    iri = names.resolve(kind, name)
    return next(node for node, data in network.nodes(data=True) if (data.get("iri") or node) == iri)


def _fact(network: nx.MultiDiGraph, a: str, b: str) -> tuple[str, str, str, list[str]]:
    """Return the explanatory fact linking ``a`` and ``b`` (forward first): subject, relation label, object, sources."""
    for subject, obj in ((a, b), (b, a)):
        edges = network.get_edge_data(subject, obj) or {}
        for key in sorted(edges):
            if edges[key].get("predicate") in EXPLANATORY:
                return subject, edges[key]["label"], obj, edges[key].get("sources", [])
    raise KeyError(f"no explanatory fact links {a} and {b}")


def paths_network(network: nx.MultiDiGraph, paths: pd.DataFrame) -> nx.MultiDiGraph:
    """Return the part of ``network`` that the paths of :func:`explanation_paths` walk: their nodes and facts."""
    keep = set()
    for path in paths["nodes"]:
        for a, b in pairwise(path):
            for subject, obj in ((a, b), (b, a)):
                for key, data in (network.get_edge_data(subject, obj) or {}).items():
                    if data.get("predicate") in EXPLANATORY:
                        keep.add((subject, obj, key))
    return network.edge_subgraph(keep).copy()


def communities(network: nx.MultiDiGraph, exclude_kinds=("product", "route", "schedule", "doseform")) -> pd.DataFrame:
    """Return a community per node (greedy modularity on the undirected network), largest community first.

    Brands, routes, schedules and dose forms are left out by default: they tie every oral drug to every other
    and blur the groups that pharmacology and shared harms make. Deterministic: the same graph gives the same
    communities.
    """
    simple = simple_graph(network)
    simple.remove_nodes_from([node for node, data in network.nodes(data=True) if data.get("kind") in exclude_kinds])
    found = nx.community.greedy_modularity_communities(simple)
    ordered = sorted(found, key=lambda members: (-len(members), min(members)))
    rows = [
        {"node": node, "label": network.nodes[node].get("label", node), "kind": network.nodes[node].get("kind", ""), "community": number}
        for number, members in enumerate(ordered)
        for node in sorted(members)
    ]
    return pd.DataFrame(rows, columns=["node", "label", "kind", "community"])


def community_summary(table: pd.DataFrame, drug_kinds=("drug",), examples: int = 6) -> pd.DataFrame:
    """Return one row per community: its size, its count per kind, and its drugs (or first members)."""
    rows = []
    for number, group in table.groupby("community"):
        members = group[group["kind"].isin(drug_kinds)]["label"].tolist() or group["label"].tolist()
        counts = Counter(group["kind"])
        rows.append({
            "community": number,
            "size": len(group),
            "kinds": ", ".join(f"{kind} {count}" for kind, count in counts.most_common()),
            "drugs or members": " | ".join(sorted(members)[:examples]) + (" | ..." if len(members) > examples else ""),
        })
    return pd.DataFrame(rows, columns=["community", "size", "kinds", "drugs or members"])


def community_network(network: nx.MultiDiGraph, table: pd.DataFrame) -> nx.MultiDiGraph:
    """Return the nodes of ``table`` with their facts, each node styled by its community (for a view's legend)."""
    styled = network.subgraph(table["node"]).copy()
    for node, number in zip(table["node"], table["community"]):
        styled.nodes[node].update(
            kind=f"community-{number}", legend=f"community {number}", colour=COMMUNITY_COLOURS[number % len(COMMUNITY_COLOURS)]
        )
    return styled
