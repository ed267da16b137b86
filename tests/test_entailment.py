"""Planned entailment rounds (large stores) give exactly the triples of plain rounds, and the rule files are in
the order their dependencies ask for."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from allkg.entailment import dependency_order, entailment_rules, materialise, parse_rule

BENCH_DIR = Path(__file__).resolve().parent.parent / "bench"


def triples(store: ox.Store) -> set[ox.Triple]:
    return {ox.Triple(quad.subject, quad.predicate, quad.object) for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def loaded(path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return store


@pytest.fixture(scope="module")
def synthetic(build_result, tmp_path_factory):
    """A small synthetic graph of allkg's shape (bench/synthetic.py): the real graph plus 60 synthetic drugs."""
    sys.path.insert(0, str(BENCH_DIR))
    from synthetic import write_synthetic

    path = tmp_path_factory.mktemp("synthetic") / "synthetic.nt"
    write_synthetic(build_result.outputs["allkg.nt"], path, triples=40_000)
    return path


@pytest.mark.parametrize("graph_name", ["real", "synthetic"])
def test_planned_rounds_add_exactly_what_plain_rounds_add(build_result, synthetic, graph_name):
    path = build_result.outputs["allkg.nt"] if graph_name == "real" else synthetic
    plain, planned = loaded(path), loaded(path)
    asserted = len(plain)
    materialise(plain, plan=False)
    messages: list[str] = []
    materialise(planned, messages.append, plan=True)
    assert triples(planned) == triples(plain)
    assert len(plain) > asserted + 7_000
    second_round = [message for message in messages if message.startswith("entailment round 2")]
    assert second_round and not any("6-subproperty-assertions" in message for message in second_round), \
        "the costly rule is not re-run: nothing it reads was added after it ran"


def test_rules_applied_in_reverse_reach_the_same_closure(build_result, monkeypatch):
    """The fixpoint does not depend on the order (which only saves rounds)."""
    from allkg import entailment

    path = build_result.outputs["allkg.nt"]
    forward = loaded(path)
    materialise(forward)
    rules = entailment_rules()
    monkeypatch.setattr(entailment, "entailment_rules", lambda: rules[::-1])
    backward = loaded(path)
    materialise(backward)
    assert triples(backward) == triples(forward)


def test_rule_files_are_in_dependency_order(build_result):
    """Each rule comes after the rules whose triples it reads (by predicate, on the real graph's ontology)."""
    rules = [parse_rule(name, text) for name, text in entailment_rules()]
    ordered = dependency_order(rules, loaded(build_result.outputs["allkg.nt"]))
    assert [rule.name for rule in ordered] == [rule.name for rule in rules]


def test_rule_patterns_come_from_the_parsed_query():
    rule = parse_rule(*next(rule for rule in entailment_rules() if rule[0].endswith("class-statements")))
    predicates = {pattern[1].value for pattern in rule.body if isinstance(pattern[1], ox.NamedNode)}
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" in predicates, "FILTER EXISTS is a positive pattern"
    assert all(pattern[0] != "copy" for pattern in rule.body), "FILTER NOT EXISTS is not"
    closure = parse_rule(*entailment_rules()[0])
    assert closure.body and all(pattern[0] is None and pattern[2] is None for pattern in closure.body), "a path's ends are unknown"
