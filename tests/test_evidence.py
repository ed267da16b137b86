"""Every statement carries an evidence level: from its source's kind, its bibliography row, or its fact row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, URIRef
from rdflib.namespace import PROV

from allkg.build import build
from allkg.curation import load_curation
from allkg.rdfbuild import source_iri, statement_iri
from allkg.tables import CurationError
from allkg.vocab import ALLKG, GRAPH_DIR, QUERIES_DIR, entity_iri

LEVEL = "https://w3id.org/allkg/evidence/"


@pytest.fixture
def graph_copy(tmp_path) -> Path:
    target = tmp_path / "graph"
    shutil.copytree(GRAPH_DIR, target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_scale_has_ten_ranked_levels(graph):
    ranks = {str(level): int(rank) for level, rank in graph.subject_objects(ALLKG.evidenceRank)}
    assert sorted(ranks.values()) == list(range(1, 11))
    assert ranks[LEVEL + "regulatory-label"] == 1
    assert ranks[LEVEL + "reference-database"] == 10
    for level in ranks:
        assert (URIRef(level), RDF.type, ALLKG.EvidenceLevel) in graph


def test_every_sourced_statement_has_a_ranked_level(graph):
    ranked = set(graph.subjects(ALLKG.evidenceRank, None))
    for statement in graph.subjects(RDF.type, RDF.Statement):
        if graph.value(statement, PROV.wasDerivedFrom) is None:
            continue  # an unverified identifier without a source: the one allowed exception
        levels = set(graph.objects(statement, ALLKG.evidenceLevel))
        assert levels and levels <= ranked, statement


def test_source_kind_defaults_and_row_overrides(graph):
    def level_of(source_id: str) -> str:
        return str(graph.value(source_iri(source_id), ALLKG.evidenceLevel)).removeprefix(LEVEL)

    assert level_of("acs-targeted-therapy-all") == "patient-education"  # WebPage default
    assert level_of("openfda-bosutinib-label") == "regulatory-label"  # DrugLabel default
    assert level_of("livertox-cytarabine") == "expert-review"  # BookChapter default
    assert level_of("hpo-2026-09-01") == "reference-database"  # Database default
    assert level_of("ahfs-revumenib-monograph") == "expert-review"  # a WebPage overridden in sources.tsv
    assert level_of("bloodadv-ph-like-kinase-targeting") == "preclinical"  # a JournalArticle must be given


def test_every_journal_article_names_its_level():
    curation = load_curation()
    articles = [s for s in curation.sources.values() if s.kind == "JournalArticle"]
    assert articles
    for source in articles:
        assert source.row.get("evidence_level"), f"{source.row.file}:{source.row.line}: {source.id} has no evidence_level"


def test_journal_article_without_level_is_an_error(graph_copy, tmp_path):
    path = graph_copy / "sources.tsv"
    line = next(row for row in path.read_text().splitlines() if row.startswith("pubmed-17189410\t"))
    replace_in(path, line, line.rsplit("\t", 1)[0] + "\t")
    with pytest.raises(CurationError) as raised:
        build(tmp_path / "out", graph_copy)
    message = str(raised.value)
    assert "a JournalArticle has no default evidence level" in message
    assert "sources.tsv:" in message and ":14:" in message


def test_unknown_level_suggests_the_closest(graph_copy, tmp_path):
    replace_in(graph_copy / "sources.tsv", "\tevidence/preclinical\n", "\tevidence/preclinic\n")
    with pytest.raises(CurationError) as raised:
        build(tmp_path / "out", graph_copy)
    assert "did you mean 'evidence/preclinical'" in str(raised.value)


def test_fact_row_overrides_its_source(graph_copy, tmp_path):
    path = graph_copy / "facts" / "indications.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0] + "\tevidence_level"
    rows = [line + "\t" for line in lines[1:]]
    rows[0] = rows[0] + "evidence/expert-review"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    curation = load_curation(graph_copy)
    fact = next(f for f in curation.facts if f.row.line == 2 and Path(f.row.file).name == "indications.tsv")
    assert fact.evidence_level == "evidence/expert-review"
    result = build(tmp_path / "out", graph_copy)
    levels = set(result.graph.objects(statement_iri(fact), ALLKG.evidenceLevel))
    assert entity_iri("evidence/expert-review") in levels


def test_qc_query_reports_a_statement_without_level(build_result):
    store = pyoxigraph.Store()
    store.load(path=str(build_result.outputs["allkg.nt"]), format=pyoxigraph.RdfFormat.N_TRIPLES)
    query = (QUERIES_DIR / "qc" / "statement-without-evidence-level-violation.rq").read_text(encoding="utf-8")
    assert list(store.query(query)) == []
    level = pyoxigraph.NamedNode(str(ALLKG.evidenceLevel))
    victim = next(
        quad for quad in store.quads_for_pattern(None, level, None)
        if str(quad.subject.value).startswith("https://w3id.org/allkg/statement/")
        and len(list(store.quads_for_pattern(quad.subject, level, None))) == 1
    )
    store.remove(victim)
    assert [row["statement"] for row in store.query(query)] == [victim.subject]


def test_summary_counts_statements_by_strongest_level(build_result):
    counts = build_result.statements_by_evidence_level
    assert sum(counts.values()) == build_result.statements
    assert list(counts)[0] == "regulatory label or approval"
    assert counts.get("none", 0) <= 1  # only the one unverified identifier without a source
