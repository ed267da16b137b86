"""Standard identifiers are well-formed, confirmed where a reference table covers them, and never contradict one.

Reference tables live in ../shared/reference (see its README); tests that need
them skip with a reason where that folder is absent. Every xref row is checked:

- its CURIE matches its prefix's pattern (always);
- a ``verified`` row is confirmed by the reference table of its source dataset:
  the CURIE sits in a record of that dataset that concerns the entity (a record
  whose name matches the entity's label or a synonym, or that shares another of
  the entity's exact identifiers). A ``close`` row needs only that the dataset
  knows the CURIE: closeness is a curation judgement, which its note explains;
- an ``exact`` row never contradicts a record about the entity (the record has
  other identifiers of the same prefix, and not this one) unless its note says why;
- a CURIE the reference README calls suspect is never marked verified without a note.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from allkg.cli import main
from allkg.curation import load_curation
from allkg.reports import bibliography, identifier_report
from allkg.tables import CurationError, read_table
from allkg.vocab import GRAPH_DIR, ONTOLOGY_DIR, QUERIES_DIR
from allkg.xrefs import XREF_COLUMNS, identifier_converter, identifier_prefixes, parse_curie

# ../shared from the project root; a git worktree one level deeper finds it at ../../shared.
_SHARED_CANDIDATES = [Path(os.environ["ALLKG_SHARED_DIR"])] if os.environ.get("ALLKG_SHARED_DIR") else []
_SHARED_CANDIDATES += [GRAPH_DIR.parent.parent / "shared", GRAPH_DIR.parent.parent.parent / "shared"]
REFERENCE_DIR = next((c / "reference" for c in _SHARED_CANDIDATES if (c / "reference").is_dir()), _SHARED_CANDIDATES[0] / "reference")
XREF_TABLES = sorted((GRAPH_DIR / "xrefs").glob("*.tsv"))
XREF_ROWS = [row for path in XREF_TABLES for row in read_table(path, XREF_COLUMNS)[0].rows]
# The reference README's own warnings: values that one table gives but that are suspect.
SUSPECT = {"pubchem.compound:18230": "DrugBank 5.1.8's PubChem value for tisagenlecleucel is suspect"}


def row_id(row) -> str:
    return f"{Path(row.file).name}:{row.line}:{row.values['curie']}"


@pytest.mark.parametrize("row", XREF_ROWS, ids=row_id)
def test_curie_matches_its_pattern(row):
    prefix, local_id, error = parse_curie(row.values["curie"])
    assert error is None, f"{row.file}:{row.line}: {error}"
    assert identifier_converter().expand(row.values["curie"]), row.values["curie"]


@pytest.mark.parametrize("prefix", sorted(identifier_prefixes()), ids=str)
def test_pattern_examples_match(prefix):
    spec = identifier_prefixes()[prefix]
    assert spec.pattern.fullmatch(spec.example), f"{prefix}: example {spec.example!r} does not match {spec.pattern.pattern}"


@pytest.mark.parametrize("path", XREF_TABLES, ids=lambda p: p.name)
def test_xref_table_is_sorted_and_unique(path):
    table, problems = read_table(path, XREF_COLUMNS)
    assert not problems, problems
    keys = [tuple(row.values[c] for c in table.header) for row in table.rows]
    assert keys == sorted(keys), f"{path.name}: rows must be sorted"
    assert len({(k[0], k[2]) for k in keys}) == len(keys), f"{path.name}: one row per entity and identifier"


# ---------------------------------------------------------------------------
# The reference tables, as records: a set of CURIEs known to denote one thing, with its names.


@dataclass
class Record:
    dataset: str
    curies: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)


def normalise(name: str) -> str:
    """Compare names loosely: case, British spellings (oedema, anaemia) and word order do not matter."""
    words = re.findall(r"[a-z0-9]+", name.lower().replace("oe", "e").replace("ae", "e"))
    return " ".join(sorted(words))


def _tsv(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _obo_terms(name: str) -> list[dict[str, list[str]]]:
    terms, current = [], None
    for line in (REFERENCE_DIR / name).read_text(encoding="utf-8").splitlines():
        if line == "[Term]":
            current = defaultdict(list)
            terms.append(current)
        elif current is not None and ": " in line:
            key, value = line.split(": ", 1)
            current[key].append(value)
    return terms


def load_reference_records() -> list[Record]:
    records: list[Record] = []
    # DrugBank 5.1.8 (Demokritos): one record per drug.
    for row in _tsv("demokritos_drug_mappings_ALL.tsv"):
        record = Record("drugbank-5-1-8-demokritos", {f"drugbank:{row['drugbankId']}"}, {normalise(row["name"])})
        for column, prefix in (("pubchem_cid", "pubchem.compound"), ("chembl_id", "chembl.compound"), ("chebi_id", "CHEBI")):
            if row[column] != "null":
                record.curies.add(f"{prefix}:{row[column]}")
        if row["UMLS_cuis"] != "null":
            record.curies |= {f"umls:{cui}" for cui in row["UMLS_cuis"].split(",")}
        records.append(record)
    # DrugBank 4.2: drugs with their UniChem and PubChem mappings.
    drugs42 = {row["drugbank_id"]: Record("drugbank-4-2", {f"drugbank:{row['drugbank_id']}"}, {normalise(row["name"])})
               for row in _tsv("drugbank42_drugs_ALL.tsv")}
    for name, column, prefix in (("chebi", "chebi_id", "CHEBI"), ("chembl", "chembl_id", "chembl.compound"), ("fdasrs", "fdasrs_id", "unii")):
        for row in _tsv(f"drugbank42_unichem_{name}_ALL.tsv"):
            drugs42.setdefault(row["drugbank_id"], Record("drugbank-4-2", {f"drugbank:{row['drugbank_id']}"})).curies.add(f"{prefix}:{row[column]}")
    for row in _tsv("drugbank42_pubchem_inchi_ALL.tsv"):
        drugs42[row["drugbank_id"]].curies.add(f"pubchem.compound:{row['pubchem_cid']}")
    records += drugs42.values()
    # Hetionet v1.0 nodes.
    for row in _tsv("hetionet_v1_nodes_ALL_subset.tsv"):
        kind, _, local = row["id"].partition("::")
        prefix = {"Compound": "drugbank", "Gene": "ncbigene", "Side Effect": "umls", "Disease": None}.get(kind)
        if prefix:
            records.append(Record("hetionet-1-0", {f"{prefix}:{local}"}, {normalise(row["name"])}))
        elif kind == "Disease":
            records.append(Record("hetionet-1-0", {local}, {normalise(row["name"])}))
    # SIDER 4.1 side-effect terms (UMLS concepts of MedDRA terms).
    for row in _tsv("sider41_side_effect_terms_ALL.tsv"):
        records.append(Record("sider-4-1", {f"umls:{row['umls_cui_from_meddra']}"}, {normalise(row["side_effect_name"])}))
    # OncoTree.
    for row in _tsv("oncotree_2025_10_03_lymphoblastic_subset.tsv"):
        record = Record("oncotree-2025-10-03", {f"oncotree:{row['code']}"}, {normalise(row["name"])})
        if row["externalReferences.NCI"]:
            record.curies.add(f"NCIT:{row['externalReferences.NCI']}")
        if row["externalReferences.UMLS"]:
            record.curies.add(f"umls:{row['externalReferences.UMLS']}")
        records.append(record)
    # Mondo: one record per Mondo class with every mapping, plus the HGNC and HPO imports.
    mondo: dict[str, Record] = {}
    spelling = {"NCIT": "NCIT", "DOID": "DOID", "UMLS": "umls", "HP": "HP", "MedDRA": "meddra", "HGNC": "hgnc", "ONCOTREE": "oncotree"}
    for path in sorted((REFERENCE_DIR / "mondo_sssom_ALL_subset").glob("*.sssom.tsv")):
        for row in _tsv(f"mondo_sssom_ALL_subset/{path.name}"):
            record = mondo.setdefault(row["subject_id"], Record("mondo-2026-08-04", {row["subject_id"]}))
            record.names.add(normalise(row["subject_label"]))
            prefix, _, local = row["object_id"].partition(":")
            if prefix in spelling:
                record.curies.add(f"{spelling[prefix]}:{local}")
    records += mondo.values()
    for term in _obo_terms("mondo_imports_hgnc_import_ALLgenes_subset.obo"):
        records.append(Record("mondo-2026-08-04", {"hgnc:" + term["id"][0].rsplit("/", 1)[-1]}, {normalise(term["name"][0])}))
    for term in _obo_terms("mondo_imports_hp_import_sideeffect_subset.obo"):
        record = Record("mondo-2026-08-04", {term["id"][0]}, {normalise(term["name"][0])})
        record.names |= {normalise(s.split('"')[1]) for s in term.get("synonym", []) if " EXACT" in s}
        for xref in term.get("xref", []):
            prefix, _, local = xref.split(" ")[0].partition(":")
            if prefix.upper() in ("UMLS", "MEDDRA"):
                record.curies.add(f"{prefix.lower()}:{local}")
        records.append(record)
    return records


@pytest.fixture(scope="module")
def reference():
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference tables not available at {REFERENCE_DIR} (../shared is only present in development and CI)")
    return load_reference_records()


@pytest.fixture(scope="module")
def curation():
    return load_curation()


def records_about(entity_id: str, curation, reference: list[Record]) -> list[Record]:
    """Records that concern an entity: named like it, or sharing one of its confirmed exact identifiers."""
    entity = curation.entities[entity_id]
    names = {normalise(n) for n in (entity.label, *entity.synonyms, *entity.hidden_synonyms)}
    exact = {x.curie for x in curation.xrefs if x.entity == entity_id and x.match == "exact"}
    about = [r for r in reference if r.names & names]
    confirmed = set().union(*(r.curies for r in about)) & exact if about else set()
    while True:  # follow shared exact identifiers, starting only from name matches
        more = [r for r in reference if r not in about and r.curies & confirmed]
        if not more:
            return about
        about += more
        confirmed |= set().union(*(r.curies for r in more)) & exact


@pytest.mark.parametrize("row", [r for r in XREF_ROWS if r.values["verification"] == "verified"], ids=row_id)
def test_verified_identifier_is_confirmed_by_its_table(row, curation, reference):
    curie, source, entity = row.values["curie"], row.values["source"], row.values["entity"]
    in_dataset = [r for r in reference if r.dataset == source and curie in r.curies]
    assert in_dataset, f"{row.file}:{row.line}: {curie} is marked verified by {source}, but that table does not contain it"
    if row.values["match"] == "exact":
        about = records_about(entity, curation, reference)
        assert any(r in about for r in in_dataset), (
            f"{row.file}:{row.line}: {source} has {curie}, but not in a record about {entity} (by name or by another exact identifier)"
        )


@pytest.mark.parametrize("row", [r for r in XREF_ROWS if r.values["match"] == "exact"], ids=row_id)
def test_exact_identifier_does_not_contradict_a_table(row, curation, reference):
    curie, entity = row.values["curie"], row.values["entity"]
    prefix = curie.split(":")[0]
    for record in records_about(entity, curation, reference):
        same_prefix = {c for c in record.curies if c.split(":")[0] == prefix}
        if same_prefix and curie not in same_prefix:
            assert row.values["note"], (
                f"{row.file}:{row.line}: {record.dataset} gives {sorted(same_prefix)} for {entity}, not {curie}; "
                "write the reason in the note"
            )


@pytest.mark.parametrize("row", [r for r in XREF_ROWS if r.values["curie"] in SUSPECT], ids=row_id)
def test_suspect_values_are_not_silently_verified(row):
    assert row.values["verification"] != "verified" or row.values["note"], SUSPECT[row.values["curie"]]


def test_every_drug_gene_disease_and_finding_has_an_identifier(curation):
    assert identifier_report(curation).missing == []


def test_gap_query_finds_an_entity_without_identifier(oxigraph_store):
    """The QC query that guards the rule above catches a finding stripped of its identifiers."""
    from pyoxigraph import NamedNode, Store

    query = (QUERIES_DIR / "qc" / "entity-without-identifier-violation.rq").read_text(encoding="utf-8")
    assert list(oxigraph_store.query(query)) == []
    stripped = Store()
    stripped.bulk_extend(oxigraph_store.quads_for_pattern(None, None, None))
    entity = NamedNode("https://w3id.org/allkg/finding/capillary-leak-syndrome")
    for match in ("exactMatch", "closeMatch"):
        predicate = NamedNode(f"http://www.w3.org/2004/02/skos/core#{match}")
        for quad in list(stripped.quads_for_pattern(entity, predicate, None)):
            stripped.remove(quad)
    found = {solution["entity"].value for solution in stripped.query(query)}
    assert found == {entity.value}


# ---------------------------------------------------------------------------
# The RDF: every xref is a statement with a verification, a source (unless flagged unverified) and the CURIE.


def test_xrefs_are_sourced_statements(graph, curation):
    from rdflib import RDF, SKOS, Literal, URIRef
    from rdflib.namespace import PROV

    from allkg.rdfbuild import xref_statement_iri
    from allkg.vocab import ALLKG

    for xref in curation.xrefs:
        node = xref_statement_iri(xref)
        assert (node, RDF.type, RDF.Statement) in graph
        assert (node, RDF.object, URIRef(xref.iri)) in graph
        assert (node, ALLKG.verification, Literal(xref.verification)) in graph
        assert (URIRef(xref.iri), SKOS.notation, Literal(xref.curie)) in graph
        if xref.source:
            assert (node, PROV.wasDerivedFrom, URIRef(f"https://w3id.org/allkg/source/{xref.source}")) in graph


def test_alteration_notations_are_stated(graph):
    from rdflib import Literal, URIRef

    from allkg.vocab import ALLKG

    notation = graph.value(URIRef("https://w3id.org/allkg/alteration/philadelphia-chromosome"), ALLKG.notation)
    assert notation == Literal("t(9;22)(q34.1;q11.2)")


# ---------------------------------------------------------------------------
# Bad input: each defect is reported at file:line:column, with a suggestion where one helps.


@pytest.fixture
def graph_copy(tmp_path) -> Path:
    target = tmp_path / "graph"
    shutil.copytree(GRAPH_DIR, target)
    return target


BAD_ROWS = {
    "unknown entity": ("drug/imatinb\timatinib\tdrugbank:DB00619\texact\tverified\tdrugbank-4-2\t", 1, "unknown entity 'drug/imatinb' (did you mean 'drug/imatinib'"),
    "label mismatch": ("drug/imatinib\tImatinib\tdrugbank:DB00619\texact\tverified\tdrugbank-4-2\t", 2, "does not match 'drug/imatinib'"),
    "unknown prefix": ("drug/imatinib\timatinib\tchebi:45783\texact\tverified\tdrugbank-4-2\t", 3, "unknown identifier prefix 'chebi' (did you mean 'CHEBI'?)"),
    "bad local id": ("drug/imatinib\timatinib\tdrugbank:00619\texact\tverified\tdrugbank-4-2\t", 3, "does not match the drugbank pattern"),
    "bad match": ("drug/imatinib\timatinib\tdrugbank:DB00619\texcat\tverified\tdrugbank-4-2\t", 4, "match must be close or exact, not 'excat' (did you mean 'exact'?)"),
    "bad verification": ("drug/imatinib\timatinib\tdrugbank:DB00619\texact\tverifed\tdrugbank-4-2\t", 5, "did you mean 'verified'"),
    "unknown source": ("drug/imatinib\timatinib\tdrugbank:DB00619\texact\tverified\tdrugbank-42\t", 6, "unknown source 'drugbank-42' (did you mean 'drugbank-4-2'"),
    "verified without source": ("drug/imatinib\timatinib\tdrugbank:DB00619\texact\tverified\t\t", 6, "names the source that confirms it"),
    "unverified without note": ("drug/imatinib\timatinib\tdrugbank:DB00619\texact\tunverified\t\t", 7, "needs a note"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS), ids=str)
def test_bad_xref_row_is_located(case, graph_copy):
    line, column, message = BAD_ROWS[case]
    path = graph_copy / "xrefs" / "zz-bad.tsv"
    path.write_text("\t".join(XREF_COLUMNS) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(CurationError) as raised:
        load_curation(graph_copy)
    problems = [p for p in raised.value.problems if p.file.endswith("zz-bad.tsv")]
    assert any(p.line == 2 and p.column == column and message in p.message for p in problems), problems


def test_duplicate_and_conflicting_rows_are_reported(graph_copy):
    path = graph_copy / "xrefs" / "zz-bad.tsv"
    header = "\t".join(XREF_COLUMNS)
    path.write_text(
        f"{header}\n"
        "drug/imatinib\timatinib\tdrugbank:DB00619\texact\tverified\tdrugbank-4-2\t\n"
        "drug/nilotinib\tnilotinib\tdrugbank:DB00619\texact\tverified\tdrugbank-4-2\t\n",
        encoding="utf-8",
    )
    with pytest.raises(CurationError) as raised:
        load_curation(graph_copy)
    messages = [str(p) for p in raised.value.problems]
    assert any("zz-bad.tsv:2:3: duplicate identifier drugbank:DB00619" in m for m in messages), messages
    assert any("zz-bad.tsv:3:3: drugbank:DB00619 is already the exact match of 'drug/imatinib'" in m for m in messages), messages


def test_every_pattern_prefix_is_in_the_prefix_map():
    import json

    prefixes = json.loads((ONTOLOGY_DIR / "prefixes.json").read_text(encoding="utf-8"))
    assert set(identifier_prefixes()) <= set(prefixes)


# ---------------------------------------------------------------------------
# The CLI commands.


def test_ids_command_reports_counts(curation):
    report = identifier_report(curation)
    result = CliRunner().invoke(main, ["ids"])
    assert result.exit_code == 0, result.output
    assert f"{report.total} identifiers" in result.output
    tsv = CliRunner().invoke(main, ["ids", "--format", "tsv"])
    assert tsv.exit_code == 0 and tsv.output.startswith("group\tkey\tcited\tunverified\tverified\ttotal\n")
    assert f"all\tall\t{report.by_verification['cited']}\t" in tsv.output


def test_ids_command_json(curation):
    import json

    result = CliRunner().invoke(main, ["ids", "--format", "json"])
    data = json.loads(result.output)
    assert data["total"] == identifier_report(curation).total
    assert data["missing"] == []


@pytest.mark.parametrize("output_format", ["table", "tsv", "json"])
def test_sources_command(output_format, curation):
    result = CliRunner().invoke(main, ["sources", "--format", output_format])
    assert result.exit_code == 0, result.output
    for source_id in ("drugbank-4-2", "mondo-2026-08-04", "hetionet-1-0"):
        assert source_id in result.output
    if output_format == "tsv":
        assert len(result.output.strip().splitlines()) == len(bibliography(curation)) + 1
        assert result.output.splitlines()[0].endswith("\taccessed\tnote")
        assert "Third-party copy" in result.output  # notes flag secondary sources


def test_reference_dataset_sources_exist(curation):
    for source_id in ("drugbank-4-2", "drugbank-5-1-8-demokritos", "sider-4-1", "mondo-2026-08-04", "oncotree-2025-10-03", "hetionet-1-0"):
        assert curation.sources[source_id].kind == "Database"
