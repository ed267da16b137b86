"""Pages of long answers: ``--limit``/``--offset`` and ``limit=``/``offset=``, cut from the answer in its own order."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import allkg
from allkg import guarded, queries
from allkg.cli import main

LONG = "drugs-by-route"  # its example answers with 16 rows, ORDER BY ?item_kind ?item_label


@pytest.fixture(scope="module")
def whole(build_result):
    return queries.run(LONG)


def invoke(*args: str):
    return CliRunner().invoke(main, ["query", *args], catch_exceptions=False)


def test_pages_are_slices_of_the_ordered_answer(whole):
    assert len(whole) > 12
    first = queries.run(LONG, limit=5)
    assert first.terms == whole.terms[:5] and first.offset == 0 and first.more
    middle = queries.run(LONG, limit=5, offset=5)
    assert middle.terms == whole.terms[5:10] and middle.more
    rest = queries.run(LONG, offset=10)
    assert rest.terms == whole.terms[10:] and not rest.more
    last = queries.run(LONG, limit=5, offset=len(whole) - 2)
    assert last.terms == whole.terms[-2:] and not last.more
    assert queries.run(LONG, limit=5, offset=len(whole)).terms == []
    assert queries.run(LONG, limit=0).terms == [] and queries.run(LONG, limit=0).more
    assert whole.offset is None and not whole.more  # a whole answer is not a page


def test_the_answers_order_is_kept(whole):
    kinds_and_labels = [(row.item_kind, row.item_label) for row in queries.run(LONG, limit=7, offset=3)]
    assert kinds_and_labels == sorted(kinds_and_labels)


def test_a_limit_in_the_query_caps_the_page(build_result, tmp_path):
    path = tmp_path / "five.rq"
    path.write_text("SELECT ?drug ?label WHERE { ?drug a allkg:Drug ; rdfs:label ?label } ORDER BY DESC(?label) LIMIT 5 OFFSET 1\n")
    named = queries.parse_query_file(path)
    five = guarded.run(named)
    assert len(five) == 5
    page = guarded.run(named, limit=3, offset=3)
    assert page.terms == five.terms[3:5] and not page.more


def test_the_python_api_pages(whole):
    page = allkg.query(LONG, limit=4, offset=2)
    assert page.terms == whole.terms[2:6] and page.more and "rows 3-6 of a longer answer" in repr(page)


@pytest.mark.parametrize("limit, offset", [(-1, 0), (2, -5), ("10", 0), (True, 0), (2.5, 0)])
def test_bad_pages_are_refused_clearly(build_result, limit, offset):
    with pytest.raises(queries.QueryError, match="must be a whole number, 0 or more"):
        allkg.query(LONG, limit=limit, offset=offset)


def test_an_ask_query_has_no_page(build_result, tmp_path):
    path = tmp_path / "ask.rq"
    path.write_text("ASK { ?drug a allkg:Drug }\n")
    result = invoke("--query-file", str(path), "--limit", "3")
    assert result.exit_code == 1 and "an ASK query answers yes or no" in result.output


def test_cli_says_which_rows_and_how_to_go_on(whole):
    table = invoke(LONG, "--limit", "4", "--offset", "4", "-f", "table")
    assert table.exit_code == 0 and "rows 5-8 of a longer answer; use --offset 8 for the next page" in table.output
    markdown = invoke(LONG, "--limit", "4", "-f", "md").stdout.splitlines()
    assert len([line for line in markdown if line.startswith("| ")]) == 5  # the header and four rows
    assert markdown[-1] == "rows 1-4 of a longer answer; use --offset 4 for the next page"
    end = invoke(LONG, "--offset", str(len(whole) - 1), "-f", "md")
    assert f"rows {len(whole)}-{len(whole)}, the end of the answer" in end.output


def test_cli_json_page_is_sparql_json_with_the_note_on_stderr(whole):
    result = invoke(LONG, "--limit", "3", "--offset", "1", "-f", "json")
    document = json.loads(result.stdout)  # the note is not in it: programs read standard output
    assert [row["item"]["value"] for row in document["results"]["bindings"]] == [str(row[1].value) for row in whole.terms[1:4]]
    assert "use --offset 4 for the next page" in result.stderr


@pytest.mark.parametrize("args, message", [(["--limit", "-1"], "-1 is not in the range x>=0"), (["--offset", "many"], "'many' is not a valid integer")])
def test_cli_refuses_bad_values(args, message):
    result = CliRunner().invoke(main, ["query", LONG, *args])
    assert result.exit_code == 2 and message in result.output


def test_no_named_query_has_a_parameter_the_api_keeps_for_itself(build_result):
    reserved = {"graph", "endpoint", "timeout", "limit", "offset"}  # keyword arguments of allkg.query
    assert not [(query.name, param.name) for query in queries.list_queries() for param in query.params if param.name in reserved]
