"""allkg release: every file present and checksummed, KGX valid for kgx, SSSOM valid for sssom-py, the description complete.

kgx and sssom-py are test extras. kgx fetches the Biolink Model from GitHub by default; here it is
pointed at the copy the ``biolink-model`` package ships, so the test runs offline.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from importlib.resources import files

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID

from allkg.cli import main
from allkg.describe import SPDX
from allkg.vocab import prefix_map

EXPECTED_FILES = {"allkg.ttl", "allkg.nt", "allkg.nt.gz", "allkg.jsonld", "context.jsonld", "nodes.tsv", "edges.tsv",
                  "mappings.sssom.tsv", "void.ttl", "dataset.jsonld", "CHANGELOG.md", "changes.json", "SHA256SUMS"}
DROPPED_STATEMENT_OBJECT = "<https://w3id.org/allkg/finding/fatigue>"


@pytest.fixture(scope="module")
def previous(build_result, tmp_path_factory):
    """A previous 'release': the build without the TKI class's fatigue (its truthy triple and its statement nodes)."""
    lines = build_result.outputs["allkg.nt"].read_text(encoding="utf-8").splitlines()
    subject, predicate = "<https://w3id.org/allkg/drugclass/bcr-abl1-tkis>", "<https://w3id.org/allkg/ontology#hasAdverseEffect>"
    nodes = {line.split()[0] for line in lines if line.endswith(f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> {DROPPED_STATEMENT_OBJECT} .")}
    nodes = {node for node in nodes if f"{node} <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> {subject} ." in lines}
    assert len(nodes) == 1
    kept = [line for line in lines if line.split()[0] not in nodes and line != f"{subject} {predicate} {DROPPED_STATEMENT_OBJECT} ."]
    folder = tmp_path_factory.mktemp("previous")
    (folder / "allkg.nt").write_text("\n".join(kept) + "\n", encoding="utf-8")
    (folder / "CHANGELOG.md").write_text("# Changelog of the allkg data\n\n## 0.0.9 (2026-01-01)\n\nAn earlier entry.\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def release(previous, tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "0.1.0"
    done = CliRunner().invoke(main, ["release", "--out", str(out), "--previous", str(previous), "--date", "2026-12-02",
                                     "--sparql-endpoint", "http://127.0.0.1:8000/sparql"])
    assert done.exit_code == 0, done.output
    assert "allkg 0.1.0: release written to" in done.output and "Not aligned to Biolink" in done.output
    assert "the previous release is also version 0.1.0 but differs" in done.output  # the test's previous is 0.1.0 too
    return out


def test_release_holds_every_file_and_the_checksums_match(release):
    assert {path.name for path in release.iterdir()} == EXPECTED_FILES
    sums = dict(reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == EXPECTED_FILES - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name
    assert gzip.decompress((release / "allkg.nt.gz").read_bytes()) == (release / "allkg.nt").read_bytes()


def test_changelog_entry_comes_from_the_diff_and_keeps_the_history(release):
    changelog = (release / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog of the allkg data\n\n## 0.1.0 (2026-12-02), changes since")
    assert "| Facts added | 1 |" in changelog and "fatigue" in changelog
    assert changelog.rstrip().endswith("An earlier entry.")
    counts = json.loads((release / "changes.json").read_text(encoding="utf-8"))["counts"]
    assert {kind: count for kind, count in counts.items() if count} == {"fact_added": 1}


def test_description_follows_the_hcls_profile(release):
    void = Graph().parse(release / "void.ttl")
    version = URIRef("https://w3id.org/allkg/dataset/0.1.0")
    assert void.value(version, DCTERMS.isVersionOf) == URIRef("https://w3id.org/allkg/dataset")
    assert str(void.value(version, URIRef("http://purl.org/pav/version"))) == "0.1.0"
    assert void.value(version, DCTERMS.issued) == Literal("2026-12-02", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    assert void.value(version, DCTERMS.license) and void.value(version, DCTERMS.creator)
    assert void.value(version, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:8000/sparql")
    triples = len(Graph().parse(release / "allkg.nt", format="nt"))
    assert void.value(version, VOID.triples).toPython() == triples
    assert void.value(version, VOID.entities).toPython() > 200
    assert len(set(void.objects(version, VOID.classPartition))) > 10 and len(set(void.objects(version, VOID.propertyPartition))) > 20
    distributions = set(void.objects(version, DCAT.distribution))
    assert {str(d).rsplit("/", 1)[1] for d in distributions} == EXPECTED_FILES - {"void.ttl", "dataset.jsonld", "SHA256SUMS", "CHANGELOG.md",
                                                                                    "changes.json"}
    for distribution in distributions:
        name = str(distribution).rsplit("/", 1)[1]
        data = (release / name).read_bytes()
        assert void.value(distribution, DCAT.byteSize).toPython() == len(data), name
        checksum = void.value(distribution, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest(), name
    dataset = json.loads((release / "dataset.jsonld").read_text(encoding="utf-8"))
    assert dataset["@type"] == "Dataset" and dataset["version"] == "0.1.0" and len(dataset["distribution"]) == len(distributions)


def test_context_names_the_prefixes_and_the_ontology_terms(release):
    context = json.loads((release / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert prefix_map().items() <= context.items()
    assert context["hasAdverseEffect"] == {"@id": "allkg:hasAdverseEffect", "@type": "@id"} and context["Drug"] == "allkg:Drug"


def test_kgx_export_is_valid_for_kgx(release):
    pytest.importorskip("kgx", reason="kgx is a test extra: pip install -e '.[test]'")
    import bmt

    # kgx builds a Biolink toolkit at import time from GitHub; point it at the copy shipped in biolink-model, offline.
    schema = str(files("biolink_model") / "schema" / "biolink_model.yaml")
    bmt.Toolkit.__init__.__defaults__ = (schema, {"predicate mappings": []})
    import kgx.config
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    biolink_prefixes = json.loads((files("biolink_model") / "prefixmaps" / "biolink_model_prefix_map.json").read_text(encoding="utf-8"))
    # The node ids use allkg's own prefixes; the release declares them in context.jsonld, so the validator is told them too.
    kgx.config.jsonld_context_map["biolink"] = {**biolink_prefixes, **prefix_map()}
    validator = Validator()
    transformer = Transformer(stream=True)
    transformer.transform({"filename": [str(release / "nodes.tsv"), str(release / "edges.tsv")], "format": "tsv"},
                          output_args={"format": "null"}, inspector=validator)
    assert validator.get_errors() == {} or not validator.get_errors().get("ERROR"), json.dumps(validator.get_errors(), indent=1)[:4000]
    assert transformer.store.graph is not None
    edges = (release / "edges.tsv").read_text(encoding="utf-8").splitlines()
    header = edges[0].split("\t")
    for column in ("id", "primary_knowledge_source", "publications", "knowledge_level", "agent_type", "original_predicate"):
        assert column in header
    rows = [dict(zip(header, line.split("\t"))) for line in edges[1:]]
    assert all(row["id"].startswith("https://w3id.org/allkg/statement/") for row in rows)
    assert any(row["publications"].startswith("PMID:") for row in rows) and any("doi:" in row["publications"] for row in rows)
    assert {row["predicate"] for row in rows} >= {"biolink:treats", "biolink:has_adverse_event"}


def test_sssom_export_is_valid_for_sssom_py(release):
    pytest.importorskip("sssom", reason="sssom is a test extra: pip install -e '.[test]'")
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    mapping_set = parse_sssom_table(release / "mappings.sssom.tsv")
    validate(mapping_set, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness,
                           SchemaValidationType.StrictCurieFormat], fail_on_error=True)
    frame = mapping_set.df
    assert len(frame) > 300 and set(frame["predicate_id"]) <= {"skos:exactMatch", "skos:closeMatch"}
    assert set(frame["mapping_justification"]) == {"semapv:ManualMappingCuration"}
    assert set(frame["confidence"]) <= {0.95, 0.8, 0.5}
    imatinib = frame[(frame["subject_id"] == "drug:imatinib") & (frame["object_id"] == "drugbank:DB00619")]
    assert len(imatinib) == 1 and imatinib.iloc[0]["confidence"] == 0.95


def test_a_bad_date_is_a_clear_error(tmp_path):
    done = CliRunner().invoke(main, ["release", "--out", str(tmp_path / "r"), "--date", "02/12/2026"])
    assert done.exit_code == 1 and "expected a date as YYYY-MM-DD" in done.output and not (tmp_path / "r").exists()


def test_citation_names_the_data_version():
    from pathlib import Path

    from allkg.build import assemble
    from allkg.describe import data_version

    citation = Path(__file__).resolve().parent.parent / "CITATION.cff"
    if not citation.exists():
        pytest.skip("CITATION.cff is in the repository, not in the wheel")
    version = data_version(assemble())
    text = citation.read_text(encoding="utf-8")
    assert f'version: "{version}"' in text and f"dataset/{version}" in text, "raise CITATION.cff with owl:versionInfo"
