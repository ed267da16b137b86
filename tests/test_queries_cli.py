"""``allkg query``: listing, running by name or file, parameters, the output formats and clear errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from allkg.cli import main


@pytest.fixture(scope="module")
def invoke(build_result):
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["query", *args], catch_exceptions=False)

    return run


def test_list(invoke):
    result = invoke("--list", "--format", "tsv")
    assert result.exit_code == 0
    names = [line.split("\t")[0] for line in result.output.splitlines()]
    assert "drug-adverse-effects" in names and len(names) >= 25
    assert "drug-adverse-effects" in invoke("--list", "--format", "table").output


def test_runs_the_example_without_parameters(invoke):
    result = invoke("drug-adverse-effects")
    assert result.exit_code == 0 and "differentiation syndrome" in result.output


def test_json_is_sparql_results_json(invoke):
    result = invoke("drug-adverse-effects", "--param", "drug=Revuforj", "--format", "json")
    document = json.loads(result.output)
    assert document["head"]["vars"][:2] == ["drug", "effect"]
    rows = document["results"]["bindings"]
    assert {"type": "uri", "value": "https://w3id.org/allkg/drug/revumenib"} == rows[0]["drug"]
    assert {row["effect_label"]["value"] for row in rows} >= {"differentiation syndrome", "nausea"}


def test_csv_is_sparql_results_csv(invoke):
    result = invoke("drugs-by-class", "-p", "drug_class=TKI", "-f", "csv")
    assert b"\r\n" in result.stdout_bytes  # RFC 4180 line ends, as the SPARQL CSV format asks
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {row["drug"] for row in rows} >= {"https://w3id.org/allkg/drug/imatinib"}


@pytest.mark.parametrize("output_format", ["tsv", "md", "table"])
def test_human_formats_use_curies(invoke, output_format):
    result = invoke("brands-of-drug", "-p", "drug=imatinib", "-f", output_format)
    assert result.exit_code == 0
    assert "Imkeldi" in result.output and "Gleevec" in result.output
    if output_format != "table":  # a table may wrap long cells at the terminal's width
        assert "product:imkeldi" in result.output


def test_markdown_table_shape(invoke):
    lines = invoke("brands-of-drug", "-f", "md").output.splitlines()
    assert lines[0].startswith("| drug | product") and lines[1].startswith("|---|")


def test_show_prints_the_query(invoke):
    assert "# title: Adverse effects of a drug" in invoke("drug-adverse-effects", "--show").output


def test_file_query(invoke, tmp_path):
    path = tmp_path / "menin.rq"
    path.write_text("SELECT ?drug WHERE { ?drug a allkg:MeninInhibitor }\n")
    assert "drug:revumenib" in invoke("--query-file", str(path), "-f", "tsv").output


@pytest.mark.parametrize(
    "args, message",
    [
        (["drug-profil"], "did you mean drug-profile"),
        (["drug-profile", "-p", "dug=imatinib"], "its parameters: drug"),
        (["drug-profile", "-p", "drug=imatinb"], "did you mean imatinib"),
        (["drug-profile", "-p", 'drug=imatinib" } ; DROP ALL ; #'], "no drug named"),
    ],
)
def test_errors_are_clear(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code == 1 and message in result.output


def test_syntax_error_in_a_file(invoke, tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("SELECT ?x WHERE {\n  ?x ?y\n}\n")
    result = invoke("--query-file", str(path))
    assert result.exit_code == 1 and f"{path}:3:1: SPARQL syntax error" in result.output


def test_cli_formats_match_the_results_module():
    from allkg.cli import QUERY_FORMATS
    from allkg.results import FORMATS

    assert QUERY_FORMATS == FORMATS


def test_old_option_spellings_still_work_with_a_warning(invoke, tmp_path):
    path = tmp_path / "menin.rq"
    path.write_text("SELECT ?drug WHERE { ?drug a allkg:MeninInhibitor }\n")
    result = invoke("--file", str(path), "-f", "tsv")
    assert result.exit_code == 0 and "drug:revumenib" in result.output and "--file is deprecated; use --query-file" in result.output


def test_repeated_and_ignored_parameters_are_warned_about(invoke):
    result = invoke("drug-adverse-effects", "-p", "drug=imatinib", "-p", "drug=nilotinib", "-f", "tsv")
    assert result.exit_code == 0 and "-p drug is given more than once; using the last value, 'nilotinib'" in result.output
    result = invoke("--list", "drug-profile", "-f", "tsv")
    assert "are ignored" in result.output


def test_query_list_shows_whole_names_in_80_columns():
    from click.testing import CliRunner

    from allkg.cli import main
    from allkg.queries import list_queries

    result = CliRunner(env={"COLUMNS": "80"}).invoke(main, ["query", "--list", "--format", "table"])
    assert result.exit_code == 0 and max(len(line) for line in result.output.splitlines()) <= 80
    for query in list_queries():
        assert query.name in result.output


def test_validate_says_when_a_file_has_no_allkg_entity(tmp_path):
    from click.testing import CliRunner

    from allkg.cli import main

    path = tmp_path / "other.ttl"
    path.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and "none about an allkg entity" in result.output


def test_short_reprs_for_views_and_results(build_result):
    import allkg
    from allkg.network import to_networkx
    from allkg.views import render

    result = allkg.query("drug-adverse-effects", drug="imatinib")
    assert repr(result).startswith("<QueryResult") and len(repr(result)) < 200 and "<table" in result._repr_html_()
    view = render(to_networkx(allkg.load_graph(inference=False)).subgraph(["drug/imatinib"]).copy(), title="one")
    assert repr(view).startswith("<View 'one': 1 nodes") and len(repr(view)) < 200
