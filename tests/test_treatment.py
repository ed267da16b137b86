"""The treatment layer: regimens, courses and trials are complete enough to answer from, and the notebook tables work."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Literal
from rdflib.namespace import DCTERMS, PROV

from allkg import plots, treatment
from allkg.rdfbuild import SCHEMA
from allkg.vocab import ALLKG, entity_iri

pd = pytest.importorskip("pandas", reason="the notebook tables need pandas (test extras)")


@pytest.fixture(scope="module")
def store(build_result):
    """The build with its entailments (a JournalArticle is a Source), as the notebooks query it."""
    from allkg.store import open_store

    return open_store(build_result.outputs["allkg.nt"])


def test_every_regimen_names_its_trial_population_and_subtype(graph):
    for regimen in graph.subjects(RDF.type, ALLKG.Regimen):
        assert graph.value(regimen, ALLKG.definedBy) is not None, f"{regimen}: no defining trial"
        assert graph.value(regimen, ALLKG.forPopulation) is not None, f"{regimen}: no population"
        assert graph.value(regimen, ALLKG.forSubtype) is not None, f"{regimen}: no subtype"


def test_hyper_cvad_course_a_as_the_table_gives_it(graph):
    """Course A: cyclophosphamide 300 mg/m2 every 12 hours for 6 doses on days 1-3, intravenously."""
    rows = [
        s for s in graph.subjects(RDF.subject, entity_iri("course/hyper-cvad-a"))
        if graph.value(s, RDF.object) == entity_iri("drug/cyclophosphamide")
    ]
    assert len(rows) == 1
    statement = rows[0]
    assert graph.value(statement, ALLKG.dose) == Literal("300") and graph.value(statement, ALLKG.doseUnit) == Literal("mg/m2")
    assert graph.value(statement, ALLKG.route) == entity_iri("route/intravenous")
    assert "days 1-3" in str(graph.value(statement, ALLKG.days))


def test_trial_results_cite_a_findable_report(graph):
    """Every result comes from a source with a PMID, a DOI or an address, so a reader can check the number."""
    for statement in graph.subjects(RDF.predicate, ALLKG.reportedOutcome):
        sources = [s for s in graph.objects(statement, PROV.wasDerivedFrom) if (s, DCTERMS.title, None) in graph]
        assert sources, f"{statement}: no source"
        assert any(graph.value(s, DCTERMS.identifier) or graph.value(s, RDFS.seeAlso) or graph.value(s, SCHEMA.url) for s in sources)


def test_results_with_a_hazard_ratio_name_a_comparison(graph):
    for statement in graph.subjects(ALLKG.hazardRatio, None):
        assert graph.value(statement, ALLKG.arm) is not None, f"{statement}: a hazard ratio needs the arm it is for"


def test_regimen_tables(store):
    components = treatment.regimen_components(store)
    assert {"hyper-CVAD", "dasatinib and blinatumomab", "POMP maintenance"} <= set(components["regimen_label"])
    wide = treatment.regimens_by_phase(components)
    phases = list(wide.columns)
    assert phases.index("remission induction") < phases.index("maintenance")
    assert "thioguanine" in wide.loc["CCG-1991 standard-risk childhood regimen", "delayed intensification"]
    matrix = treatment.drug_regimen_matrix(components)
    assert set(matrix.to_numpy().ravel()) <= {0, 1}
    assert matrix.loc["methotrexate"].sum() >= matrix.loc["nelarabine"].sum()  # most regimens first


def test_trial_result_tables_and_figure(store):
    results = treatment.trial_results(store)
    assert results["trial"].nunique() >= 20
    survival = treatment.percentage_results(results, ["overall survival"])
    e1910 = survival[(survival["trial_label"] == "E1910") & (survival["timepoint"] == "3 years")].iloc[0]
    assert (e1910["value"], e1910["comparator_value"]) == (85.0, 68.0)
    figure = plots.result_dots(survival, title="overall survival")
    assert len(figure.axes[0].get_yticklabels()) == len(survival)
