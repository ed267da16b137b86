"""What changed between two builds or releases, statement by statement.

A fact is its statement node: subject, predicate, object, its qualifiers, its sources
(``prov:wasDerivedFrom`` and ``allkg:sourceSection``) and its evidence level
(``allkg:verification`` for identifiers). Statements are matched on their triple, not on
their IRI, because the IRI is a hash that changes with any qualifier. For one triple:

- present on one side only: a fact (or an identifier, for ``skos:exactMatch``/``closeMatch``)
  added or removed;
- on both sides with the same qualifiers: *re-sourced* if its sources differ, *evidence level
  changed* if its verification differs;
- on both sides with other qualifiers: *qualifiers changed* (left-over statements of the triple
  count as added or removed).

Curated entities (IRIs under https://w3id.org/allkg/ with a label) are compared by label:
added, removed, renamed. The result is a :class:`Diff`, written as Markdown (the changelog a
reviewer or a user reads) and as JSON with the same counts.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from allkg.results import shorten

BASE_IRI = "https://w3id.org/allkg/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
ONTOLOGY_IRI = BASE_IRI + "ontology"
SOURCE_PROPERTIES = {PROV_DERIVED, BASE_IRI + "ontology#sourceSection"}
EVIDENCE_PROPERTIES = {BASE_IRI + "ontology#verification", BASE_IRI + "ontology#evidenceLevel"}
STATEMENT_FRAME = {RDF + "type", RDF + "subject", RDF + "predicate", RDF + "object"}
IDENTIFIER_PREDICATES = {SKOS + "exactMatch", SKOS + "closeMatch"}
NOT_ENTITIES = (BASE_IRI + "statement/", BASE_IRI + "source/", BASE_IRI + "ontology")
# In the order a reader wants them: what the graph says first, then how it says it, then names.
KINDS = {
    "fact_added": "Facts added",
    "fact_removed": "Facts removed",
    "qualifiers_changed": "Qualifiers changed",
    "resourced": "Re-sourced",
    "evidence_changed": "Evidence level changed",
    "identifier_added": "Identifiers added",
    "identifier_removed": "Identifiers removed",
    "entity_added": "Entities added",
    "entity_removed": "Entities removed",
    "entity_renamed": "Entities renamed",
}


@dataclass(frozen=True)
class Statement:
    """One statement node, reduced to what a change can touch."""

    iri: str
    triple: tuple[str, str, str]
    qualifiers: frozenset[tuple[str, str]]
    sources: frozenset[str]
    evidence: frozenset[tuple[str, str]]


@dataclass
class Snapshot:
    """The parts of one build that the diff compares."""

    path: Path
    version: str | None
    statements: dict[tuple[str, str, str], list[Statement]]
    labels: dict[str, str]  # every labelled IRI -> its label (entities, properties, classes)
    entity_labels: dict[str, str]  # curated entities only


@dataclass
class Change:
    kind: str
    subject: str
    predicate: str = ""
    object: str = ""
    statement: str = ""
    old: dict = field(default_factory=dict)
    new: dict = field(default_factory=dict)


@dataclass
class Diff:
    old: Snapshot
    new: Snapshot
    changes: list[Change]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for change in self.changes:
            counts[change.kind] += 1
        return counts

    def to_json(self) -> dict:
        """Return the diff as a JSON-ready dict: both sides, counts per kind, and every change."""
        side = lambda snapshot: {"path": str(snapshot.path), "version": snapshot.version,  # noqa: E731
                                 "statements": sum(len(s) for s in snapshot.statements.values())}
        return {"old": side(self.old), "new": side(self.new), "counts": self.counts,
                "changes": [{key: value for key, value in vars(change).items() if value not in ("", {})} for change in self.changes]}

    def to_markdown(self, title: str | None = None) -> str:
        """Return the diff as a changelog entry: a counts table, then one section per kind of change."""
        versions = f"{self.old.version or self.old.path} → {self.new.version or self.new.path}"
        lines = [f"## {title or versions}", ""]
        if not self.changes:
            return "\n".join([*lines, "No statement changed.", ""])
        lines += ["| change | count |", "|---|---:|"]
        lines += [f"| {KINDS[kind]} | {count} |" for kind, count in self.counts.items() if count]
        for kind, heading in KINDS.items():
            entries = [change for change in self.changes if change.kind == kind]
            if entries:
                lines += ["", f"### {heading} ({len(entries)})", ""]
                lines += [f"- {self._describe(change)}" for change in entries]
        return "\n".join(lines) + "\n"

    def _describe(self, change: Change) -> str:
        name = lambda iri: _name(iri, self.new.labels, self.old.labels)  # noqa: E731
        if change.kind.startswith("entity_"):
            if change.kind == "entity_renamed":
                return f"`{shorten(change.subject)}`: “{change.old['label']}” → “{change.new['label']}”"
            return f"`{shorten(change.subject)}` “{(change.new or change.old)['label']}”"
        text = f"{name(change.subject)} *{_predicate_name(change.predicate, self.new.labels, self.old.labels)}* {name(change.object)}"
        if change.kind == "qualifiers_changed":
            return f"{text}: {_changed_keys(change.old['qualifiers'], change.new['qualifiers'])}"
        if change.kind == "resourced":
            return f"{text}: sources {_show(change.old['sources'])} → {_show(change.new['sources'])}"
        if change.kind == "evidence_changed":
            return f"{text}: {_show(change.old['evidence'])} → {_show(change.new['evidence'])}"
        detail = (change.new or change.old)
        extra = "; ".join(filter(None, [_show(detail.get("qualifiers", {})), "sources " + _show(detail.get("sources", []))]))
        return f"{text} ({extra})"


def load_snapshot(path: Path) -> Snapshot:
    """Read a build or release directory (its ``allkg.nt`` or ``allkg.nt.gz``), or an N-Triples file."""
    path = Path(path)
    if path.is_dir():
        candidates = [path / "allkg.nt", path / "allkg.nt.gz"]
        found = next((candidate for candidate in candidates if candidate.is_file()), None)
        if found is None:
            raise FileNotFoundError(f"{path} holds no allkg.nt or allkg.nt.gz; give a build or release directory")
        path = found
    if not path.is_file():
        raise FileNotFoundError(f"no build at {path}")
    return snapshot_of(gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes(), path)


def snapshot_of(data: bytes, path: Path) -> Snapshot:
    """Read N-Triples bytes (``path`` names where they come from, for the report)."""
    by_subject: dict[str, list[tuple[str, ox.Term]]] = defaultdict(list)
    for triple in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
        by_subject[_key(triple.subject)].append((triple.predicate.value, triple.object))
    return _snapshot(path, by_subject)


def diff(old: Snapshot | Path, new: Snapshot | Path) -> Diff:
    """Compare two builds (snapshots or paths) and return every change, grouped by kind, in a stable order."""
    old = old if isinstance(old, Snapshot) else load_snapshot(old)
    new = new if isinstance(new, Snapshot) else load_snapshot(new)
    changes: list[Change] = []
    for triple in sorted(old.statements.keys() | new.statements.keys()):
        changes += _compare_triple(triple, old.statements.get(triple, []), new.statements.get(triple, []))
    for iri in sorted(old.entity_labels.keys() | new.entity_labels.keys()):
        before, after = old.entity_labels.get(iri), new.entity_labels.get(iri)
        if before is None:
            changes.append(Change("entity_added", iri, new={"label": after}))
        elif after is None:
            changes.append(Change("entity_removed", iri, old={"label": before}))
        elif before != after:
            changes.append(Change("entity_renamed", iri, old={"label": before}, new={"label": after}))
    order = list(KINDS)
    changes.sort(key=lambda change: order.index(change.kind))  # stable: within a kind, triple order stays
    return Diff(old, new, changes)


def _compare_triple(triple, before: list[Statement], after: list[Statement]) -> list[Change]:
    identifier = triple[1] in IDENTIFIER_PREDICATES
    added, removed = ("identifier_added", "identifier_removed") if identifier else ("fact_added", "fact_removed")
    old_by_qualifiers = {statement.qualifiers: statement for statement in before}
    new_by_qualifiers = {statement.qualifiers: statement for statement in after}
    changes = []
    for qualifiers in sorted(old_by_qualifiers.keys() & new_by_qualifiers.keys(), key=sorted):
        was, now = old_by_qualifiers[qualifiers], new_by_qualifiers[qualifiers]
        if was.sources != now.sources:
            changes.append(_change("resourced", triple, now, was, now))
        if was.evidence != now.evidence:
            changes.append(_change("evidence_changed", triple, now, was, now))
    gone = [old_by_qualifiers[q] for q in sorted(old_by_qualifiers.keys() - new_by_qualifiers.keys(), key=sorted)]
    came = [new_by_qualifiers[q] for q in sorted(new_by_qualifiers.keys() - old_by_qualifiers.keys(), key=sorted)]
    for was, now in zip(gone, came):
        changes.append(_change("qualifiers_changed", triple, now, was, now))
    changes += [_change(removed, triple, was, was, None) for was in gone[len(came):]]
    changes += [_change(added, triple, now, None, now) for now in came[len(gone):]]
    return changes


def _change(kind: str, triple, statement: Statement, was: Statement | None, now: Statement | None) -> Change:
    return Change(kind, *triple, statement=statement.iri, old=_details(was), new=_details(now))


def _details(statement: Statement | None) -> dict:
    if statement is None:
        return {}
    details = {"statement": statement.iri, "qualifiers": _pairs(statement.qualifiers), "sources": sorted(statement.sources)}
    if statement.evidence:
        details["evidence"] = _pairs(statement.evidence)
    return details


def _pairs(pairs) -> dict[str, str | list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for prop, value in sorted(pairs):
        grouped[shorten(prop)].append(shorten(value))
    return {prop: values[0] if len(values) == 1 else values for prop, values in grouped.items()}


def _snapshot(path: Path, by_subject: dict[str, list[tuple[str, ox.Term]]]) -> Snapshot:
    statements: dict[tuple[str, str, str], list[Statement]] = defaultdict(list)
    labels: dict[str, str] = {}
    version = None
    for subject, pairs in by_subject.items():
        values = defaultdict(list)
        for predicate, obj in pairs:
            values[predicate].append(obj)
        if RDFS_LABEL in values:
            labels[subject] = min(term.value for term in values[RDFS_LABEL])
        if subject == ONTOLOGY_IRI and OWL_VERSION_INFO in values:
            version = values[OWL_VERSION_INFO][0].value
        if not any(obj == ox.NamedNode(RDF + "Statement") for obj in values.get(RDF + "type", [])):
            continue
        triple = tuple(_key(values[RDF + part][0]) for part in ("subject", "predicate", "object"))
        rest = [(predicate, _key(obj)) for predicate, obj in pairs if predicate not in STATEMENT_FRAME]
        statements[triple].append(Statement(
            subject, triple,
            qualifiers=frozenset(pair for pair in rest if pair[0] not in SOURCE_PROPERTIES | EVIDENCE_PROPERTIES),
            sources=frozenset(shorten(value) for prop, value in rest if prop in SOURCE_PROPERTIES),
            evidence=frozenset(pair for pair in rest if pair[0] in EVIDENCE_PROPERTIES),
        ))
    entity_labels = {iri: label for iri, label in labels.items() if iri.startswith(BASE_IRI) and not iri.startswith(NOT_ENTITIES)}
    return Snapshot(path, version, dict(statements), labels, entity_labels)


def _key(term) -> str:
    """Return a term as text: IRIs as they are, literals as their lexical value (a qualifier reads as written)."""
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def _name(iri: str, *label_maps: dict[str, str]) -> str:
    label = next((labels[iri] for labels in label_maps if iri in labels), None)
    short = shorten(iri)
    if short == iri and not iri.startswith(("http://", "https://")):
        return f"“{iri}”"  # a literal object, such as a proportion or a notation
    return f"{label} (`{short}`)" if label and label != short else f"`{short}`"


def _predicate_name(iri: str, *label_maps: dict[str, str]) -> str:
    return next((labels[iri] for labels in label_maps if iri in labels), shorten(iri))


def _show(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key} = {_show_value(item)}" for key, item in value.items()) or "none"
    return ", ".join(value) or "none"


def _changed_keys(before: dict, after: dict) -> str:
    """Show only what differs: ``allkg:severity severity:mild → none``."""
    return "; ".join(f"{key} {_show_value(before[key]) if key in before else 'none'} → {_show_value(after[key]) if key in after else 'none'}"
                     for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key))


def _show_value(value) -> str:
    values = value if isinstance(value, list) else [value]
    return " | ".join(shorten(item) for item in values)


def write_diff(result: Diff, markdown_path: Path | None = None, json_path: Path | None = None, title: str | None = None) -> dict[str, Path]:
    """Write the diff as Markdown and/or JSON, each file replaced whole."""
    from allkg.build import write_atomically

    written = {}
    for path, text in ((markdown_path, result.to_markdown(title) if markdown_path else ""),
                       (json_path, json.dumps(result.to_json(), indent=1, ensure_ascii=False) + "\n" if json_path else "")):
        if path is not None:
            written.update(write_atomically(Path(path).parent, {Path(path).name: text.encode("utf-8")}))
    return written
