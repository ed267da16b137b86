"""Turn the curated tables into a checked, typed model of entities, facts and sources.

Layout of ``graph/`` (every table is TSV, one row per entity or fact):

- ``entities/*.tsv``: ``id kind label [synonyms hidden_synonyms description source section]``
- ``facts/*.tsv``: ``subject subject_label predicate object object_label [qualifiers...] source section``
- ``sources.tsv``: the bibliography; ``source_sections.tsv``: named parts of sources.
- ``xrefs/*.tsv``: standard identifiers of entities (read and checked by :mod:`allkg.xrefs`).

Labels sit beside identifiers so a diff reads as English; they must match the
entity's label, which catches a row pointing at the wrong entity. Qualifier
columns are named after the ontology's qualifier properties in snake_case
(``dose_dependent`` is ``allkg:doseDependent``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef

from allkg.tables import CurationError, Problem, Row, read_lines, read_table, suggest
from allkg.vocab import ALLKG, GRAPH_DIR, ONTOLOGY_DIR
from allkg.xrefs import Xref, read_xrefs

ENTITY_ID = re.compile(r"^[a-z]+/[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LIST_SEPARATOR = " | "
# Characters an IRI may not hold (RFC 3987), besides spaces: each identifier becomes part of a link.
IRI_SAFE = r"[^\s<>\"{}|\\^`]+"
# What the bibliography's identifier columns must look like: (pattern, what a person should write).
IDENTIFIER_SHAPES = {
    "url": (re.compile(rf"^https?://{IRI_SAFE}$"), "an http(s) address without spaces, e.g. https://www.fda.gov/..."),
    "pmid": (re.compile(r"^[1-9][0-9]{0,8}$"), "a PubMed id: digits only, e.g. 31475728 (no 'PMID:')"),
    "doi": (re.compile(rf"^10\.[0-9]{{4,9}}/{IRI_SAFE}$"), "a DOI such as 10.1056/NEJMoa1609783 (no https://doi.org/ in front)"),
    "setid": (re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
              "a DailyMed set id: a lower-case UUID of 8-4-4-4-12 hexadecimal digits"),
}

ENTITY_COLUMNS = ("id", "kind", "label")
ENTITY_OPTIONAL = ("synonyms", "hidden_synonyms", "description", "source", "section")
FACT_COLUMNS = ("subject", "subject_label", "predicate", "object", "object_label", "source", "section")
SOURCE_COLUMNS = ("id", "kind", "title", "publisher")
SOURCE_OPTIONAL = (
    "date_accessed", "citation", "url", "pmid", "doi", "setid", "date_revised", "cited_by", "note", "evidence_level",
)
# A fact row may override its source's evidence level (e.g. one trial result quoted in a review).
FACT_OPTIONAL = ("evidence_level",)
EVIDENCE_PREFIX = "evidence/"
SECTION_COLUMNS = ("source", "section", "label")
TYPE_PREDICATE = "type"


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    label: str
    synonyms: tuple[str, ...]
    hidden_synonyms: tuple[str, ...]
    description: str
    source: str
    section: str
    row: Row


@dataclass(frozen=True)
class Fact:
    subject: str
    predicate: str
    object: str
    qualifiers: tuple[tuple[str, str], ...]
    source: str
    section: str
    row: Row
    evidence_level: str = ""


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    fields: dict[str, str]
    row: Row
    evidence_level: str = ""


@dataclass(frozen=True)
class Section:
    source: str
    key: str
    label: str


@dataclass(frozen=True)
class Curation:
    """Everything curated in ``graph/``, checked for internal consistency."""

    entities: dict[str, Entity]
    facts: tuple[Fact, ...]
    sources: dict[str, Source]
    sections: dict[tuple[str, str], Section]
    xrefs: tuple[Xref, ...] = ()


class OntologyIndex:
    """What the curation checks need to know about the ontology."""

    def __init__(self, graph: Graph):
        self.graph = graph
        ns = str(ALLKG._NS)
        local = lambda term: str(term)[len(ns):]  # noqa: E731
        self.classes = {local(c) for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(ns)}
        self.object_properties = {
            local(p) for p in graph.subjects(RDF.type, OWL.ObjectProperty) if str(p).startswith(ns)
        }
        self.datatype_properties = {
            local(p) for p in graph.subjects(RDF.type, OWL.DatatypeProperty) if str(p).startswith(ns)
        }
        self.ranges = {local(p): r for p, r in graph.subject_objects(RDFS.range) if str(p).startswith(ns)}
        self.qualifier_columns = {
            snake_case(local(p)): local(p)
            for parent in (ALLKG.qualifier, ALLKG.literalQualifier)
            for p in graph.subjects(RDFS.subPropertyOf, parent)
        }
        self.labels = {local(s): str(o) for s, o in graph.subject_objects(RDFS.label) if str(s).startswith(ns)}
        base = ns[: -len("ontology#")]
        self.evidence_ranks = {str(s)[len(base):]: int(o) for s, o in graph.subject_objects(ALLKG.evidenceRank)}
        self.default_evidence = {
            local(kind): str(level)[len(base):] for kind, level in graph.subject_objects(ALLKG.defaultEvidenceLevel)
        }

    def default_evidence_level(self, kind: str) -> str:
        """Return the evidence level a source of ``kind`` has by default (inherited from a parent kind), or ''."""
        seen, todo = set(), [ALLKG._NS[kind]]
        while todo:
            current = todo.pop()
            name = str(current)[len(str(ALLKG._NS)):]
            if name in self.default_evidence:
                return self.default_evidence[name]
            seen.add(current)
            todo.extend(o for o in self.graph.objects(current, RDFS.subClassOf) if o not in seen)
        return ""

    def is_subclass(self, child: str, parent: str) -> bool:
        """Tell whether ontology class ``child`` equals or descends from ``parent``."""
        seen, todo = set(), [ALLKG._NS[child]]
        while todo:
            current = todo.pop()
            if current == ALLKG._NS[parent]:
                return True
            seen.add(current)
            todo.extend(o for o in self.graph.objects(current, RDFS.subClassOf) if o not in seen)
        return False

    @cached_property
    def fact_predicates(self) -> set[str]:
        """Predicates usable in fact tables: direct relations, not qualifiers or bookkeeping."""
        bookkeeping = {
            "accessDate", "citation", "verification", "sourceSection", "qualifier", "literalQualifier",
            "evidenceLevel", "evidenceRank", "defaultEvidenceLevel", "statedOfClass",
        }
        return (self.object_properties | self.datatype_properties) - set(self.qualifier_columns.values()) - bookkeeping


def snake_case(name: str) -> str:
    """Convert a lowerCamelCase property name to the snake_case of its table column.

    >>> snake_case("doseDependent")
    'dose_dependent'
    """
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def load_ontology(ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    """Parse every ontology Turtle file (the SHACL shapes excepted) into one graph."""
    graph = Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    return graph


def load_kinds(ontology_dir: Path = ONTOLOGY_DIR) -> dict[str, dict[str, str]]:
    """Read ``ontology/kinds.tsv``: for each id prefix its root class and its drawing style."""
    table, problems = read_table(ontology_dir / "kinds.tsv", ("prefix", "root_class", "legend", "colour", "shape"))
    if problems:
        raise CurationError(problems)
    return {row.get("prefix"): row.values for row in table.rows}


def split_list(cell: str) -> tuple[str, ...]:
    """Split a multi-valued cell (values joined by ' | ')."""
    return tuple(v.strip() for v in cell.split("|") if v.strip()) if cell else ()


def load_curation(graph_dir: Path = GRAPH_DIR, ontology: OntologyIndex | None = None) -> Curation:
    """Read and cross-check every curated table; raise CurationError listing all problems."""
    problems = [problem for path in sorted(graph_dir.rglob("*.tsv")) for problem in read_lines(path)[1]]
    if problems:  # bad bytes first and alone: checking the rows they garble would only add follow-on errors
        raise CurationError(problems)
    ontology = ontology or OntologyIndex(load_ontology())
    kinds = load_kinds()

    sources, more = _read_sources(graph_dir / "sources.tsv", ontology)
    problems += more
    sections, more = _read_sections(graph_dir / "source_sections.tsv", sources)
    problems += more
    entities, more = _read_entities(sorted((graph_dir / "entities").glob("*.tsv")), ontology, kinds)
    problems += more
    for entity in entities.values():
        problems += _check_source(entity.row, entity.source, entity.section, sources, sections, required=False)
    problems += _check_evidence_scale(entities, ontology)
    sources, more = _assign_evidence_levels(sources, entities, ontology)
    problems += more
    xrefs, more = read_xrefs(graph_dir / "xrefs", entities, sources)
    problems += more
    facts: list[Fact] = []
    seen: dict[tuple, Row] = {}
    for path in sorted((graph_dir / "facts").glob("*.tsv")):
        table, more = read_table(path, FACT_COLUMNS, (*ontology.qualifier_columns, *FACT_OPTIONAL), allow_extra=False)
        problems += more
        for row in table.rows:
            fact, more = _check_fact(row, entities, ontology, sources, sections)
            problems += more
            if fact is None:
                continue
            key = (fact.subject, fact.predicate, fact.object, fact.qualifiers, fact.source, fact.section)
            if key in seen:
                problems.append(row.problem("subject", f"duplicate fact; first stated at {seen[key].file}:{seen[key].line}"))
                continue
            seen[key] = row
            facts.append(fact)
    if problems:
        raise CurationError(problems)
    return Curation(entities, tuple(facts), sources, sections, xrefs)


def _read_sources(path: Path, ontology: OntologyIndex) -> tuple[dict[str, Source], list[Problem]]:
    table, problems = read_table(path, SOURCE_COLUMNS, SOURCE_OPTIONAL)
    sources: dict[str, Source] = {}
    for row in table.rows:
        source_id, kind = row.get("id"), row.get("kind")
        if not SOURCE_ID.match(source_id):
            problems.append(row.problem("id", f"source id {source_id!r} must be lower-kebab-case"))
        if source_id in sources:
            problems.append(row.problem("id", f"duplicate source id {source_id!r}"))
        if kind not in ontology.classes or not ontology.is_subclass(kind, "Source"):
            options = [c for c in ontology.classes if ontology.is_subclass(c, "Source")]
            problems.append(row.problem("kind", f"unknown source kind {kind!r}{suggest(kind, options)}"))
        if not row.get("title"):
            problems.append(row.problem("title", "a source needs a title"))
        if not any(row.get(c) for c in ("url", "pmid", "doi", "setid", "citation")):
            problems.append(row.problem("id", "a source needs a url, pmid, doi, setid or citation"))
        for column in ("date_accessed", "date_revised"):
            if row.get(column):
                problems += _check_date(row, column)
        for column, (shape, expected) in IDENTIFIER_SHAPES.items():
            value = row.get(column)
            if value and not (shape.match(value) and (column != "url" or urlsplit(value).hostname)):
                problems.append(row.problem(column, f"{column} {value!r} is not {expected}"))
        sources[source_id] = Source(source_id, kind, dict(row.values), row)
    for source in sources.values():
        cited_by = source.row.get("cited_by")
        if cited_by and cited_by not in sources:
            problems.append(source.row.problem("cited_by", f"unknown source {cited_by!r}{suggest(cited_by, sources)}"))
    return sources, problems


def _read_sections(path: Path, sources: dict[str, Source]) -> tuple[dict[tuple[str, str], Section], list[Problem]]:
    table, problems = read_table(path, SECTION_COLUMNS)
    sections: dict[tuple[str, str], Section] = {}
    for row in table.rows:
        key = (row.get("source"), row.get("section"))
        if key[0] not in sources:
            problems.append(row.problem("source", f"unknown source {key[0]!r}{suggest(key[0], sources)}"))
        if not SOURCE_ID.match(key[1]):
            problems.append(row.problem("section", f"section key {key[1]!r} must be lower-kebab-case"))
        if key in sections:
            problems.append(row.problem("section", f"duplicate section {key[1]!r} of {key[0]!r}"))
        sections[key] = Section(key[0], key[1], row.get("label"))
    return sections, problems


def _read_entities(paths, ontology: OntologyIndex, kinds) -> tuple[dict[str, Entity], list[Problem]]:
    problems: list[Problem] = []
    entities: dict[str, Entity] = {}
    for path in paths:
        table, more = read_table(path, ENTITY_COLUMNS, ENTITY_OPTIONAL)
        problems += more
        for row in table.rows:
            entity_id, kind = row.get("id"), row.get("kind")
            if not ENTITY_ID.match(entity_id):
                problems.append(row.problem("id", f"id {entity_id!r} must look like kind/lower-kebab-name"))
                continue
            prefix = entity_id.split("/")[0]
            if prefix not in kinds:
                problems.append(row.problem("id", f"unknown id prefix {prefix!r}{suggest(prefix, kinds)}"))
                continue
            root = kinds[prefix]["root_class"]
            if kind not in ontology.classes:
                problems.append(row.problem("kind", f"unknown class {kind!r}{suggest(kind, ontology.classes)}"))
            elif not ontology.is_subclass(kind, root):
                problems.append(row.problem("kind", f"{entity_id!r} is a {prefix}, so its kind must be {root} or a subclass, not {kind!r}"))
            if not row.get("label"):
                problems.append(row.problem("label", "every entity needs a label"))
            if entity_id in entities:
                first = entities[entity_id].row
                problems.append(row.problem("id", f"duplicate id {entity_id!r}; first defined at {first.file}:{first.line}"))
                continue
            entities[entity_id] = Entity(
                entity_id, kind, row.get("label"), split_list(row.get("synonyms")),
                split_list(row.get("hidden_synonyms")), row.get("description"),
                row.get("source"), row.get("section"), row,
            )
    return entities, problems


def _check_source(row: Row, source: str, section: str, sources, sections, required: bool) -> list[Problem]:
    if not source:
        return [row.problem("source", "every fact needs a source")] if required else []
    if source not in sources:
        return [row.problem("source", f"unknown source {source!r}{suggest(source, sources)}")]
    if section and (source, section) not in sections:
        known = [key for (src, key) in sections if src == source]
        return [row.problem("section", f"unknown section {section!r} of source {source!r}{suggest(section, known)}")]
    return []


def _check_fact(row: Row, entities, ontology: OntologyIndex, sources, sections) -> tuple[Fact | None, list[Problem]]:
    problems = _check_source(row, row.get("source"), row.get("section"), sources, sections, required=True)
    subject, predicate, obj = row.get("subject"), row.get("predicate"), row.get("object")
    problems += _check_reference(row, "subject", entities)
    if predicate == TYPE_PREDICATE:
        if obj not in ontology.classes:
            problems.append(row.problem("object", f"unknown class {obj!r}{suggest(obj, ontology.classes)}"))
        elif row.get("object_label") != ontology.labels.get(obj):
            problems.append(row.problem("object_label", f"label {row.get('object_label')!r} does not match {obj!r} ({ontology.labels.get(obj)!r})"))
    elif predicate in ontology.object_properties and predicate in ontology.fact_predicates:
        problems += _check_reference(row, "object", entities)
    elif predicate in ontology.datatype_properties and predicate in ontology.fact_predicates:
        problems += _check_literal(row, "object", ontology.ranges.get(predicate))
        if row.get("object_label"):
            problems.append(row.problem("object_label", "a literal object has no label; leave the cell empty"))
    else:
        options = sorted(ontology.fact_predicates | {TYPE_PREDICATE})
        problems.append(row.problem("predicate", f"unknown predicate {predicate!r}{suggest(predicate, options)}"))
    qualifiers = []
    for column, prop in sorted(ontology.qualifier_columns.items()):
        value = row.get(column)
        if not value:
            continue
        if prop in ontology.object_properties:
            if value not in entities:
                problems.append(row.problem(column, f"unknown entity {value!r}{suggest(value, entities)}"))
        else:
            problems += _check_literal(row, column, ontology.ranges.get(prop))
        qualifiers.append((prop, value))
    level = row.get("evidence_level")
    if level:
        problems += _check_evidence_level(row, "evidence_level", entities)
    if problems:
        return None, problems
    level = level or sources[row.get("source")].evidence_level
    return Fact(subject, predicate, obj, tuple(qualifiers), row.get("source"), row.get("section"), row, level), []


def _check_evidence_level(row: Row, column: str, entities: dict[str, Entity]) -> list[Problem]:
    value = row.get(column)
    levels = [e for e in entities if e.startswith(EVIDENCE_PREFIX)]
    if value not in levels:
        return [row.problem(column, f"unknown evidence level {value!r}{suggest(value, levels)}")]
    return []


def _check_evidence_scale(entities: dict[str, Entity], ontology: OntologyIndex) -> list[Problem]:
    """Every curated evidence level needs a rank in the ontology, and every ranked level a row."""
    problems = []
    for entity in entities.values():
        if entity.kind == "EvidenceLevel" and entity.id not in ontology.evidence_ranks:
            problems.append(entity.row.problem("id", f"evidence level {entity.id!r} has no allkg:evidenceRank in ontology/allkg.ttl"))
    for level in sorted(set(ontology.evidence_ranks) | set(ontology.default_evidence.values())):
        if level not in entities:
            problems.append(Problem("ontology/allkg.ttl", 1, 1, f"evidence level {level!r} is ranked or used as a default but has no row in graph/entities"))
    return problems


def _assign_evidence_levels(sources, entities, ontology: OntologyIndex) -> tuple[dict[str, Source], list[Problem]]:
    """Give every source its evidence level: its own ``evidence_level`` cell, else its kind's default."""
    problems: list[Problem] = []
    assigned: dict[str, Source] = {}
    for source_id, source in sources.items():
        level = source.row.get("evidence_level")
        if level:
            problems += _check_evidence_level(source.row, "evidence_level", entities)
        else:
            level = ontology.default_evidence_level(source.kind) if source.kind in ontology.classes else ""
            if not level and source.kind in ontology.classes:
                problems.append(source.row.problem(
                    "evidence_level",
                    f"a {source.kind} has no default evidence level: name one (a trial report: randomized-trial or "
                    "single-arm-trial; a review: expert-review)",
                ))
        assigned[source_id] = Source(source.id, source.kind, source.fields, source.row, level)
    return assigned, problems


def _check_reference(row: Row, column: str, entities: dict[str, Entity]) -> list[Problem]:
    value = row.get(column)
    if value not in entities:
        return [row.problem(column, f"unknown entity {value!r}{suggest(value, entities)}")]
    label = row.get(f"{column}_label")
    if label != entities[value].label:
        return [row.problem(f"{column}_label", f"label {label!r} does not match {value!r} ({entities[value].label!r})")]
    return []


def _check_literal(row: Row, column: str, datatype: URIRef | None) -> list[Problem]:
    value = row.get(column)
    if not value:
        return [row.problem(column, "empty value")]
    if datatype == XSD.boolean and value not in ("true", "false"):
        return [row.problem(column, f"expected true or false, found {value!r}")]
    if datatype == XSD.decimal:
        try:
            Decimal(value)
        except InvalidOperation:
            return [row.problem(column, f"expected a decimal number, found {value!r}")]
    if datatype == XSD.date:
        return _check_date(row, column)
    return []


def _check_date(row: Row, column: str) -> list[Problem]:
    try:
        dt.date.fromisoformat(row.get(column))
    except ValueError:
        return [row.problem(column, f"expected a date as YYYY-MM-DD, found {row.get(column)!r}")]
    return []


def load_sections(ontology_dir: Path = ONTOLOGY_DIR) -> dict[tuple[str, str], dict[str, str]]:
    """Read ``ontology/sections.tsv``: for each (predicate local name, direction) its section, order and sort."""
    table, problems = read_table(ontology_dir / "sections.tsv", ("predicate", "direction", "order", "section", "sort"))
    if problems:
        raise CurationError(problems)
    return {(row.get("predicate"), row.get("direction")): row.values for row in table.rows}
