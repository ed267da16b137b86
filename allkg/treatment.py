"""Tables of the treatment layer for the notebooks: regimens side by side, and trial results.

Both come from named queries (``regimen-drug-phase-matrix``, ``trials-overview``,
``trial-results``), reshaped with pandas so that notebook 07 stays thin. Needs
pandas (a test and notebook dependency).

>>> PHASE_ORDER.index("remission induction") < PHASE_ORDER.index("maintenance")
True
"""

from __future__ import annotations

import pandas as pd

from allkg.analysis import query_each
from allkg.queries import run

# The phases in the order a patient meets them; phases not listed sort after these, "phase not stated" last.
PHASE_ORDER = (
    "steroid pre-phase", "lymphodepletion", "remission induction", "alternating intensive courses", "consolidation",
    "interim maintenance", "delayed intensification", "late intensification", "maintenance", "salvage", "CNS prophylaxis",
    "phase not stated",
)
MEMBERSHIP_LEVELS = ("not a component", "a component")


def _phase_key(phase: str) -> int:
    return PHASE_ORDER.index(phase) if phase in PHASE_ORDER else len(PHASE_ORDER) - 1


def regimen_components(graph=None) -> pd.DataFrame:
    """Return one row per regimen, phase and drug (named query ``regimen-drug-phase-matrix``)."""
    return run("regimen-drug-phase-matrix", None, graph).to_dataframe()


def regimens_by_phase(components: pd.DataFrame) -> pd.DataFrame:
    """Return a regimen-by-phase table whose cells list the drugs given in that phase, phases in treatment order."""
    table = components.groupby(["regimen_label", "phase_label"])["drug_label"].agg(lambda drugs: ", ".join(sorted(set(drugs))))
    wide = table.unstack("phase_label").fillna("")
    return wide[sorted(wide.columns, key=_phase_key)].rename_axis(index="regimen", columns="phase")


def drug_regimen_matrix(components: pd.DataFrame, min_regimens: int = 1) -> pd.DataFrame:
    """Return a drug-by-regimen 0/1 matrix (1: the drug is a component), drugs in most regimens first."""
    matrix = pd.crosstab(components["drug_label"], components["regimen_label"]).clip(upper=1)
    matrix = matrix[matrix.sum(axis=1) >= min_regimens]
    order = matrix.sum(axis=1).sort_values(ascending=False, kind="stable").index
    return matrix.loc[order].rename_axis(index="drug", columns="regimen")


def trial_results(graph=None) -> pd.DataFrame:
    """Return every reported result of every trial, with the trial's name and phase (``trial-results`` per trial)."""
    trials = run("trials-overview", None, graph).to_dataframe()
    results = query_each("trial-results", "trial", trials["trial"], graph)
    names = trials.set_index("trial")[["trial_label", "trial_phase"]]
    return results.join(names, on="trial")


def percentage_results(results: pd.DataFrame, outcomes=None) -> pd.DataFrame:
    """Keep the results given in percent (optionally of some outcomes), one row per trial, outcome, arm and time point."""
    kept = results[results["unit"] == "percent"]
    if outcomes is not None:
        kept = kept[kept["outcome_label"].isin(list(outcomes))]
    columns = ["trial_label", "outcome_label", "arm", "timepoint", "value", "comparator_value"]
    kept = kept[columns].drop_duplicates().copy()
    kept["value"] = kept["value"].astype(float)
    kept["comparator_value"] = pd.to_numeric(kept["comparator_value"], errors="coerce")
    return kept.sort_values(["outcome_label", "trial_label", "timepoint"], ignore_index=True, na_position="first")
