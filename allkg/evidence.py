"""Tables on how strong the graph's evidence is, and on risk markers and MRD, for notebook 08.

Each function runs named queries (``queries/*.rq``) and shapes the answer with
pandas, so the notebook stays thin and the tables are tested like the rest. A
module of its own because :mod:`allkg.analysis` is at its size limit. Every
function takes ``graph`` (default: the build).
"""

from __future__ import annotations

import pandas as pd

from allkg.queries import run


def level_summary(graph=None) -> pd.DataFrame:
    """Return one row per evidence level, strongest first: facts, identifier mappings and sources resting on it,
    and each level's share of the facts (by their strongest evidence)."""
    table = run("evidence-level-summary", None, graph).to_dataframe()
    table["share_of_facts"] = (table["facts"] / table["facts"].sum()).round(3)
    return table.set_index("evidence_level")


def strongest_levels(graph=None) -> pd.DataFrame:
    """Return one row per curated fact (identifier mappings and class statements' per-drug copies left out) with
    its relation and its strongest evidence level."""
    rows = run("facts-by-evidence-level", {"level": None}, graph).to_dataframe()
    rows = rows[rows["stated_of_class"].isna()]
    best = rows.sort_values("evidence_rank").drop_duplicates("statement")
    return best[["statement", "subject_label", "predicate_label", "object_label", "evidence_level", "evidence_rank"]]


def levels_by_relation(graph=None) -> pd.DataFrame:
    """Return a relation-by-level table of fact counts (strongest level per fact), levels ordered strongest first."""
    best = strongest_levels(graph)
    order = best.drop_duplicates("evidence_level").sort_values("evidence_rank")["evidence_level"].tolist()
    table = pd.crosstab(best["predicate_label"], best["evidence_level"]).reindex(columns=order, fill_value=0)
    table["total"] = table.sum(axis=1)
    return table.sort_values("total", ascending=False)


def risk_markers(graph=None, **filters) -> pd.DataFrame:
    """Return the risk verdicts (named query ``risk-markers``); ``filters``: risk_group, population."""
    params = {"risk_group": None, **filters}
    columns = [
        "marker_label", "risk_group_label", "population_label", "hedge", "note", "evidence_level", "source",
        "mondo", "ncit", "oncotree", "hgnc", "ncbigene",
    ]
    return run("risk-markers", params, graph).to_dataframe()[columns]


def mrd_tests(graph=None) -> pd.DataFrame:
    """Return the MRD tests with their detection limits and the drugs used in the setting a result establishes."""
    return run("mrd-tests", {"test": None}, graph).to_dataframe().drop(columns=["test"])
