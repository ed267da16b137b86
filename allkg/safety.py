"""Tables of the safety layer for notebooks and reports: the interaction matrix, pharmacogenomics, reproduction.

Each function runs named queries (``queries/*.rq``) and reshapes their rows with pandas; nothing here states a
fact of its own. The action levels order management from "no statement" to "avoid", so a heat-map cell shows
the strictest advice any source gives for a drug and a co-medication.
"""

from __future__ import annotations

import pandas as pd

from allkg.analysis import drugs, query_each
from allkg.queries import run

# Management actions, from the mildest to the strictest; an action not listed counts as "monitor or adjust".
ACTION_LEVELS = ("no statement", "monitor or adjust", "separate, lower or change the dose", "avoid or use another drug")
ACTION_RANKS = {
    "monitor for toxicity": 1, "monitor drug levels or effect": 1, "monitor the ECG": 1, "adjust the dose": 1,
    "use effective contraception": 1, "separate the doses in time": 2, "reduce the dose": 2, "increase the dose": 2,
    "temporary interruption of the drug": 2, "avoid the combination": 3, "use an alternative": 3,
    "use not recommended": 3, "discontinue the drug": 3,
}
GENES = ("TPMT", "NUDT15", "G6PD")


def query_table(name: str, graph=None) -> pd.DataFrame:
    """Run a named query that takes no parameters and return its rows as a DataFrame."""
    return run(name, None, graph).to_dataframe()


def co_medication_interactions(graph=None) -> pd.DataFrame:
    """Return every (ALL drug, co-medication) pair an interaction statement links, with its action (query ``interaction-matrix``)."""
    return query_table("interaction-matrix", graph)


def interaction_matrix(pairs: pd.DataFrame, all_drugs=None) -> pd.DataFrame:
    """Return a drug-by-co-medication matrix of action levels (see ACTION_LEVELS) from :func:`co_medication_interactions`.

    Every drug of ``all_drugs`` (labels; default: the drugs that are not co-medications) gets a row, so a drug
    without statements shows as a row of zeros; columns are the co-medications some statement reaches.
    """
    levels = pairs["action_label"].map(lambda label: ACTION_RANKS.get(label, 1) if isinstance(label, str) else 1)
    table = pairs.assign(level=levels).pivot_table(index="drug_label", columns="comedication_label", values="level", aggfunc="max", fill_value=0)
    if all_drugs is not None:
        table = table.reindex(sorted(set(all_drugs) | set(table.index)), fill_value=0)
    columns = (table > 0).sum(axis=0).sort_values(ascending=False, kind="stable").index
    return table.loc[:, columns].astype(int).rename_axis(index="drug", columns="co-medication")


def all_drug_labels(graph=None) -> list[str]:
    """Return the labels of the drugs that are not co-medications (the ALL drugs of the graph)."""
    every = set(drugs(graph)["drug_label"])
    return sorted(every - set(drugs(graph, "concomitant medication")["drug_label"]))


def pharmacogenomic_table(graph=None, genes=GENES) -> pd.DataFrame:
    """Return the gene-phenotype recommendations and contraindications for each gene (query ``drugs-needing-genotype-test``)."""
    return query_each("drugs-needing-genotype-test", "gene", list(genes), graph)


def reproductive_table(graph=None) -> pd.DataFrame:
    """Return one row per drug and aspect of reproductive advice (fetal harm, contraception for each sex,
    pregnancy test, breastfeeding), the durations of all sources joined by " / " (query ``reproductive-risk``)."""
    rows = query_table("reproductive-risk", graph)
    rows = rows.assign(topic=rows["aspect"] + rows["population_label"].map(lambda p: f" ({p})" if isinstance(p, str) else ""))
    rows["advice"] = rows["duration"].where(rows["duration"].notna(), rows["hedge"].fillna("stated"))
    table = rows.pivot_table(index="drug_label", columns="topic", values="advice", aggfunc=lambda v: " / ".join(sorted(set(v))), fill_value="")
    return table.rename_axis(index="drug", columns="")
