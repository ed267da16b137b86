"""The build is deterministic, atomic, validated, and reports clear errors for bad input."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from allkg.build import CURRENT_RELEASE, OUTPUT_NAMES, build
from allkg.cli import main
from allkg.tables import CurationError
from allkg.vocab import GRAPH_DIR


def test_outputs_written(build_result):
    for name in OUTPUT_NAMES:
        assert build_result.outputs[name].stat().st_size > 1000


def test_build_is_deterministic(build_result, tmp_path):
    again = build(tmp_path)
    for name in OUTPUT_NAMES:
        assert again.outputs[name].read_bytes() == build_result.outputs[name].read_bytes(), name


def test_summary_counts(build_result):
    assert build_result.statements >= 170
    assert build_result.entities_by_kind["drug"] >= 10
    assert "acs-targeted-therapy-all" in build_result.statements_by_source
    assert build_result.safety_statements["drug interactions"] > 0
    assert build_result.safety_statements["reproductive advice"] > 0


def test_summary_counts_the_treatment_layer(build_result):
    """The issue's minimums: 45 drugs, ten regimens, twenty trials, each trial result a sourced statement."""
    counts = build_result.treatment
    assert counts["drugs"] >= 45 and counts["regimens"] >= 10 and counts["trials"] >= 20
    assert counts["trial results"] >= counts["trials"]


@pytest.fixture
def graph_copy(tmp_path) -> Path:
    target = tmp_path / "graph"
    shutil.copytree(GRAPH_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def problems_of(graph_dir: Path, out_dir: Path) -> str:
    with pytest.raises(CurationError) as raised:
        build(out_dir, graph_dir)
    return str(raised.value)


def test_malformed_row_names_file_line_column(graph_copy, tmp_path):
    path = graph_copy / "entities" / "drugs.tsv"
    edit(path, "drug/bosutinib\tDrug\tbosutinib\t", "drug/bosutinib\tDrug\t")
    message = problems_of(graph_copy, tmp_path / "out")
    assert "drugs.tsv:3:" in message and "expected 8 tab-separated fields, found 7" in message


def test_unknown_reference_suggests_the_closest(graph_copy, tmp_path):
    edit(graph_copy / "facts" / "pharmacology.tsv", "drug/bosutinib\tbosutinib\thasMechanism", "drug/bosutinb\tbosutinib\thasMechanism")
    message = problems_of(graph_copy, tmp_path / "out")
    assert "pharmacology.tsv:3:1: unknown entity 'drug/bosutinb' (did you mean 'drug/bosutinib'" in message


def test_duplicate_identifier_is_reported(graph_copy, tmp_path):
    path = graph_copy / "entities" / "drugs.tsv"
    path.write_text(path.read_text() + "drug/imatinib\tDrug\timatinib again\t\t\tcopy\t\t\n")
    message = problems_of(graph_copy, tmp_path / "out")
    assert "duplicate id 'drug/imatinib'" in message and "drugs.tsv:12:1" in message


def test_fact_without_source_is_reported(graph_copy, tmp_path):
    path = graph_copy / "facts" / "monitoring.tsv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace("\tacs-targeted-therapy-all\tkmt2a", "\t\t")
    path.write_text("\n".join(lines) + "\n")
    message = problems_of(graph_copy, tmp_path / "out")
    assert "monitoring.tsv:2:7: every fact needs a source" in message


def test_label_mismatch_is_reported(graph_copy, tmp_path):
    edit(graph_copy / "facts" / "products.tsv", "product/bosulif\tBosulif", "product/bosulif\tBosutinib brand")
    assert "does not match 'product/bosulif'" in problems_of(graph_copy, tmp_path / "out")


def test_failed_build_leaves_outputs_untouched(graph_copy, tmp_path):
    out = tmp_path / "out"
    build(out, graph_copy)
    before = {name: (out / name).read_bytes() for name in OUTPUT_NAMES}
    edit(graph_copy / "facts" / "products.tsv", "hasActiveIngredient", "hasActiveIngredent")
    message = problems_of(graph_copy, out)
    assert "unknown predicate 'hasActiveIngredent' (did you mean 'hasActiveIngredient'" in message
    assert {name: (out / name).read_bytes() for name in OUTPUT_NAMES} == before
    release = os.readlink(out / CURRENT_RELEASE)
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_NAMES, CURRENT_RELEASE, release]), "no temporary files left behind"


def test_cli_build_reports_error_and_exit_code(graph_copy, tmp_path):
    edit(graph_copy / "facts" / "products.tsv", "hasActiveIngredient", "hasActiveIngredent")
    result = CliRunner().invoke(main, ["build", "--graph-dir", str(graph_copy), "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "unknown predicate" in result.output


def test_cli_validate_file(build_result, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(build_result.outputs["allkg.ttl"])])
    assert ok.exit_code == 0, ok.output
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix allkg: <https://w3id.org/allkg/ontology#> .\n"
        "<https://w3id.org/allkg/product/x> a allkg:DrugProduct ; <http://www.w3.org/2000/01/rdf-schema#label> \"X\" .\n"
    )
    bad = runner.invoke(main, ["validate", str(broken)])
    assert bad.exit_code == 1
    assert "active ingredient" in bad.output
