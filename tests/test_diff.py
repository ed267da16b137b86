"""allkg diff reports exactly the changes made to the tables: built twice, from graph/ and from an edited copy.

The edits only take away or weaken (a row removed, a qualifier dropped, a verification lowered, a
spelling changed), so the copy never states a fact the sources do not; additions are tested by
reading the same diff the other way round.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from allkg.build import build
from allkg.cli import main
from allkg.diff import diff
from allkg.vocab import GRAPH_DIR

# Two evidence changes: the identifier's verification, and revumenib's route, whose strongest evidence level rises
# when the patient page is no longer among its sources.
EXPECTED = {"fact_removed": 1, "qualifiers_changed": 1, "resourced": 1, "evidence_changed": 2, "identifier_removed": 1, "entity_renamed": 1}
REVERSED = {"fact_added": 1, "qualifiers_changed": 1, "resourced": 1, "evidence_changed": 2, "identifier_added": 1, "entity_renamed": 1}


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture text {old!r} is not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def edited_build(tmp_path_factory):
    graph = tmp_path_factory.mktemp("edited") / "graph"
    shutil.copytree(GRAPH_DIR, graph)
    facts, xrefs = graph / "facts", graph / "xrefs" / "page.tsv"
    # fact removed: the TKIs' fatigue, stated of the class by one row only
    _edit(facts / "adverse_effects.tsv", "drugclass/bcr-abl1-tkis\tBCR::ABL1 TKIs as a group\thasAdverseEffect\tfinding/fatigue\tfatigue\t"
          "frequency/common\tseverity/mild\t\ttrue\tgenerally mild; can worsen at doses above the usual\t\tacs-targeted-therapy-all\tph-positive\n", "")
    # qualifier dropped: the TKIs' diarrhoea loses its severity
    _edit(facts / "adverse_effects.tsv", "finding/diarrhea\tdiarrhea\tfrequency/common\tseverity/mild\t", "finding/diarrhea\tdiarrhea\tfrequency/common\t\t")
    # re-sourced: revumenib's oral route keeps its FDA source and loses the page
    _edit(facts / "administration.tsv", "drug/revumenib\trevumenib\thasRoute\troute/oral\toral\t\tacs-targeted-therapy-all\tkmt2a\n", "")
    # evidence level: one identifier goes from verified to cited; another is removed
    _edit(xrefs, "drug/imatinib\timatinib\tCHEBI:45783\texact\tverified\t", "drug/imatinib\timatinib\tCHEBI:45783\texact\tcited\t")
    _edit(xrefs, "drug/imatinib\timatinib\tNCIT:C62035\texact\tcited\tmoalmanac-db-therapies\tMOAlmanac therapy tx:ncit:C62035 'Imatinib'; "
          "not checked against an NCIt release\n", "")
    # renamed: anemia spelt the British way, in every table that names it
    for path in graph.rglob("*.tsv"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("finding/anemia\tClinicalFinding\tanemia\t", "finding/anemia\tClinicalFinding\tanaemia\t")
                        .replace("finding/anemia\tanemia\t", "finding/anemia\tanaemia\t"), encoding="utf-8")
    out = graph.parent / "build"
    build(out, graph)
    return out


def test_diff_reports_exactly_the_edited_rows(build_result, edited_build):
    result = diff(build_result.outputs["allkg.nt"].parent, edited_build)
    assert {kind: count for kind, count in result.counts.items() if count} == EXPECTED, result.to_markdown()
    by_kind = {change.kind: change for change in result.changes}
    assert by_kind["fact_removed"].object.endswith("finding/fatigue")
    assert by_kind["qualifiers_changed"].old["qualifiers"]["allkg:severity"] == "severity:mild"
    assert "allkg:severity" not in by_kind["qualifiers_changed"].new["qualifiers"]
    assert "source:acs-targeted-therapy-all" in by_kind["resourced"].old["sources"]
    assert "source:acs-targeted-therapy-all" not in by_kind["resourced"].new["sources"]
    assert any(change.new["evidence"].get("allkg:verification") == "cited" for change in result.changes if change.kind == "evidence_changed")
    assert by_kind["identifier_removed"].object.endswith("C62035")
    assert by_kind["entity_renamed"].new == {"label": "anaemia"}


def test_diff_read_backwards_reports_additions(build_result, edited_build):
    result = diff(edited_build, build_result.outputs["allkg.nt"].parent)
    assert {kind: count for kind, count in result.counts.items() if count} == REVERSED


def test_diff_command_writes_markdown_and_json(build_result, edited_build, tmp_path):
    runner = CliRunner()
    done = runner.invoke(main, ["diff", str(build_result.outputs["allkg.nt"].parent), str(edited_build),
                                "--markdown", str(tmp_path / "CHANGES.md"), "--json", str(tmp_path / "changes.json")])
    assert done.exit_code == 0, done.output
    document = json.loads((tmp_path / "changes.json").read_text(encoding="utf-8"))
    assert {kind: count for kind, count in document["counts"].items() if count} == EXPECTED
    markdown = (tmp_path / "CHANGES.md").read_text(encoding="utf-8")
    assert "| Facts removed | 1 |" in markdown and "fatigue" in markdown and "“anemia” → “anaemia”" in markdown
    assert "Facts removed" in done.output  # the Markdown is printed too


def test_diff_of_a_build_with_itself_is_empty(build_result):
    folder = build_result.outputs["allkg.nt"].parent
    result = diff(folder, folder)
    assert result.changes == [] and "No statement changed." in result.to_markdown()


def test_diff_of_a_missing_build_is_a_clear_error(tmp_path):
    done = CliRunner().invoke(main, ["diff", str(tmp_path), str(tmp_path)])
    assert done.exit_code == 1 and "holds no allkg.nt" in done.output and "Traceback" not in done.output
