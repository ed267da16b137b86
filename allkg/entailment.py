"""Entailment: the rules of ``queries/entailment/*.rq`` applied to a store until nothing new follows.

Each rule is a SPARQL CONSTRUCT of the triples it adds *that the store lacks*; its answer is streamed to a
temporary N-Triples file and bulk-loaded, so a large store on disk never holds the graph twice in memory.

The rules run in the order of their file names, which is the order their dependencies ask for (a rule after the
rules whose triples it reads: checked by a test, and computed anew for a large store), and after the first pass
only the rules that can still find something run again. A rule's answer can only grow when a triple that one of its (positive) body patterns
matches is added, so each time a rule adds triples, the rules whose body a triple of its head could match are
marked to run again; when no rule is marked, the store is closed under the rules. Which patterns can meet is
read from the parsed rules (rdflib's SPARQL algebra), with each variable narrowed to the values the store
allows it where another pattern of the rule binds it through a small set of triples (e.g. the properties with
a super-property, the subjects of ``rdfs:subPropertyOf``). Planning costs rdflib's import (about half a
second), so a small store simply re-runs every rule until a pass adds nothing (``plan=False``); both give the same
triples (``tests/test_entailment.py``).

This module imports pyoxigraph only; rdflib is imported when a large store's rounds are planned.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from allkg.resources import data_path

ENTAILMENT_DIR = data_path("queries") / "entailment"
MAX_ENTAILMENT_ROUNDS = 10
# A variable is narrowed to the values of at most this many triples (read one by one through Python, some 10 us
# each); past that it stands for any value.
NARROW_LIMIT = 1_000
ANY = None  # a pattern position that may hold any term


def entailment_rules() -> list[tuple[str, str]]:
    """Return the entailment rules as (name, SPARQL CONSTRUCT text), in the order they are applied."""
    return [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(ENTAILMENT_DIR.glob("*.rq"))]


# A triple pattern of a rule: each position an ox term, a variable name (str), or ANY (e.g. inside a property path).
@dataclass(frozen=True)
class Rule:
    """A rule's name and text with its patterns: ``body`` the positive patterns of WHERE, ``head`` the template."""

    name: str
    text: str
    body: tuple[tuple, ...]
    head: tuple[tuple, ...]


@lru_cache(maxsize=32)
def parse_rule(name: str, text: str) -> Rule:
    """Read a rule's patterns from its parsed query (patterns under NOT EXISTS or MINUS can only remove answers)."""
    from rdflib.plugins.sparql import prepareQuery

    algebra = prepareQuery(text).algebra
    body: list[tuple] = []
    _collect_patterns(algebra["p"], body)
    head = tuple(tuple(_position(term) for term in triple) for triple in algebra["template"])
    return Rule(name, text, tuple(body), head)


_NEGATIVE = {"Builtin_NOTEXISTS"}


def _collect_patterns(node, patterns: list[tuple]) -> None:
    from rdflib.paths import Path as PropertyPath
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name in _NEGATIVE:
            return
        if node.name == "Minus":
            _collect_patterns(node.get("p1"), patterns)
            return
        if node.name in ("BGP", "TriplesBlock"):
            for subject, predicate, obj in node["triples"]:
                if isinstance(predicate, PropertyPath):  # the path's nodes are unknown: each of its IRIs, anywhere
                    patterns.extend((ANY, iri, ANY) for iri in _path_iris(predicate))
                else:
                    patterns.append((_position(subject), _position(predicate), _position(obj)))
            return
        for key, value in node.items():
            if key != "_vars":
                _collect_patterns(value, patterns)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _collect_patterns(item, patterns)


def _path_iris(path) -> list:
    """The IRIs a property path walks along; ANY for a negated path (it walks along any other)."""
    from rdflib import URIRef
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

    if isinstance(path, URIRef):
        return [ox.NamedNode(str(path))]
    if isinstance(path, (SequencePath, AlternativePath)):
        return [iri for part in path.args for iri in _path_iris(part)]
    if isinstance(path, MulPath):
        return _path_iris(path.path)
    if isinstance(path, InvPath):
        return _path_iris(path.arg)
    if isinstance(path, NegatedPath):
        return [ANY]
    raise ValueError(f"unexpected property path {path!r}")


def _position(term):
    from rdflib import BNode, Literal, URIRef, Variable

    if isinstance(term, Variable):
        return str(term)
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    if isinstance(term, BNode):  # a blank node in a template is a new node each time: it may be anything
        return ANY
    raise ValueError(f"unexpected term {term!r} in an entailment rule")


def _values(term, own: tuple, rule: Rule, store: ox.Store, cache: dict):
    """The values a position of pattern ``own`` of ``rule`` may take: a constant, ANY, or a set for a variable.

    A variable's values are those a *body* pattern with a constant predicate binds it to (intersected over such
    patterns), read from the store as it is now; a pattern does not narrow its own variables. This is sound for
    deciding whether a triple just added may feed the rule: every match of the rule lies in the store now.
    ``cache`` holds the lookups while the store is unchanged.
    """
    if not isinstance(term, str):
        return term
    values = ANY
    for pattern in rule.body:
        if pattern is own or not isinstance(pattern[1], ox.NamedNode) or term not in (pattern[0], pattern[2]):
            continue
        key = (pattern, term)
        if key not in cache:
            cache[key] = _lookup(store, pattern, 0 if pattern[0] == term else 2)
        found = cache[key]
        if found is not ANY:
            values = found if values is ANY else values & found
    return values


def _lookup(store: ox.Store, pattern: tuple, position: int):
    """The terms at ``position`` of the store's triples matching ``pattern`` (variables free), or ANY if too many."""
    subject, predicate, obj = (term if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else None
                               for term in pattern)
    if isinstance(subject, ox.Literal):
        return frozenset()
    quads = list(islice(store.quads_for_pattern(subject, predicate, obj, ox.DefaultGraph()), NARROW_LIMIT + 1))
    if len(quads) > NARROW_LIMIT:
        return ANY
    return frozenset(quad.subject if position == 0 else quad.object for quad in quads)


def _may_meet(head: tuple, source: Rule, body: tuple, target: Rule, store: ox.Store, cache: dict) -> bool:
    """Whether a triple may match both ``head`` (of ``source``) and ``body`` (of ``target``): every position agrees,
    ANY agreeing with anything. Variables are looked up only where the other side is not ANY, predicate first."""
    for position in (1, 2, 0):
        one = _values(head[position], head, source, store, cache.setdefault(source.name, {}))
        if one is ANY:
            continue
        other = _values(body[position], body, target, store, cache.setdefault(target.name, {}))
        if other is ANY:
            continue
        if not _as_set(one) & _as_set(other):
            return False
    return True


def _as_set(values) -> frozenset:
    return values if isinstance(values, frozenset) else frozenset((values,))


def feeds(source: Rule, target: Rule, store: ox.Store, cache: dict, *, by_predicate: bool = False) -> bool:
    """Whether a triple ``source`` adds may match a body pattern of ``target``, given the store as it is.

    ``cache``: a dict kept while the store is unchanged. ``by_predicate``: count only the meetings where both
    predicates are known (for ordering: a pattern with any predicate meets everything and says nothing about
    which rule should come first).
    """
    for head in source.head:
        for body in target.body:
            if by_predicate and (_values(head[1], head, source, store, cache.setdefault(source.name, {})) is ANY
                                 or _values(body[1], body, target, store, cache.setdefault(target.name, {})) is ANY):
                continue
            if _may_meet(head, source, body, target, store, cache):
                return True
    return False


def dependency_order(rules: list[Rule], store: ox.Store) -> list[Rule]:
    """Order the rules so that a rule comes after the rules that feed it (by predicate), file order breaking ties
    and cycles: then one pass reaches the fixpoint wherever the dependencies allow."""
    cache: dict = {}
    feeders = {rule.name: {other.name for other in rules if other is not rule and feeds(other, rule, store, cache, by_predicate=True)}
               for rule in rules}
    ordered: list[Rule] = []
    remaining = list(rules)
    while remaining:
        placed = {rule.name for rule in ordered}
        ready = [rule for rule in remaining if feeders[rule.name] <= placed]
        chosen = (ready or remaining)[0]  # no rule ready: a cycle, broken at the first in file order
        ordered.append(chosen)
        remaining.remove(chosen)
    return ordered


def materialise(store: ox.Store, progress=None, *, plan: bool = False, keep: Path | None = None) -> int:
    """Apply the entailment rules to ``store`` until none can add anything; return the number of triples added.

    ``progress(message)`` hears about each round. ``plan``: after the first pass, re-run only the rules that can
    still fire and order the rules by their dependencies (for a large store), rather than re-run every rule while
    a pass adds something. ``keep``: a directory where each rule's added triples stay, as
    ``<round>-<rule>.nt`` (the empty ones removed), rather than be deleted (a push sends them as they are).
    """
    rules = [parse_rule(name, text) for name, text in entailment_rules()] if plan else \
        [Rule(name, text, (), ()) for name, text in entailment_rules()]
    if plan:
        rules = dependency_order(rules, store)
    pending = {rule.name for rule in rules}
    added = 0
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="allkg-entailment-") as directory:
        for round_number in range(1, MAX_ENTAILMENT_ROUNDS + 1):
            if not pending:
                break
            new_in_round = 0
            for rule in rules:
                if rule.name not in pending:
                    continue
                pending.discard(rule.name)
                start = time.perf_counter()
                path = keep / f"{round_number:02d}-{rule.name}.nt" if keep is not None else Path(directory) / f"{rule.name}.nt"
                count = _apply(store, rule, path)
                if count:
                    new_in_round += count
                    cache: dict = {}  # the store has changed
                    pending |= {other.name for other in rules
                                if other.name not in pending and (not plan or feeds(rule, other, store, cache))}
                if progress:
                    progress(f"entailment round {round_number}: {rule.name} added {count:,} triples in {time.perf_counter() - start:.1f} s")
            added += new_in_round
    return added


def _apply(store: ox.Store, rule: Rule, path: Path) -> int:
    """Load what ``rule`` adds to the store, through the N-Triples file ``path``; return how many triples that was
    (CONSTRUCT may repeat a triple: an upper bound, and 0 means nothing new; an empty file is removed)."""
    ox.serialize(store.query(rule.text), output=str(path), format=ox.RdfFormat.N_TRIPLES)
    count = _count_lines(path)
    if not count:
        path.unlink(missing_ok=True)
    if count:
        # the store's own serialisation of terms it holds: lenient skips re-validating every IRI
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return count


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            count += chunk.count(b"\n")
    return count
