"""Resolve what a person types as a query parameter to the entity it names.

A drug, gene, disease or any other entity may be named by its label, a
synonym (skos:altLabel, skos:hiddenLabel), a brand (a product whose active
ingredient is the drug), its id (``drug/imatinib``), a CURIE (``drug:imatinib``,
or ``drugbank:DB00619`` once an exact match exists) or its IRI, ignoring case.
An unknown name raises :class:`UnknownEntity` with the closest names.

A parameter's kind is the id prefix of ``ontology/kinds.tsv`` (``drug``,
``gene``, ``alteration``, ...) or one of ``class``, ``property``, ``source``,
``entity`` (anything labelled) and the literal kinds ``string``, ``integer``,
``decimal``, ``boolean``, ``date``. Values are returned as pyoxigraph terms,
ready to bind: they never become query text.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass, field

import pyoxigraph as ox

from allkg.resources import data_path
from allkg.results import shorten

KINDS_FILE = data_path("ontology") / "kinds.tsv"
LOOKUP_DIR = data_path("queries") / "lookup"
BASE_IRI = "https://w3id.org/allkg/"
ALLKG = BASE_IRI + "ontology#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LITERAL_KINDS = {"string": None, "integer": "integer", "decimal": "decimal", "boolean": "boolean", "date": "date"}
# Lower rank wins when one name fits several entities of the kind asked for.
RANK = {"iri": 0, "xref": 0, "label": 1, "id": 2, "synonym": 3, "brand": 4}


class EntityError(ValueError):
    """A parameter value that names no entity, or several, of the kind asked for."""


def kind_name(kind) -> str:
    """A kind as a person reads it: "drug", or "drug, food or agentclass" for a tuple of kinds."""
    if isinstance(kind, str):
        return kind
    return ", ".join(kind[:-1]) + f" or {kind[-1]}" if len(kind) > 1 else kind[0]


class UnknownEntity(EntityError):
    def __init__(self, kind, name: str, suggestions: list[str]):
        self.kind, self.name, self.suggestions = kind, name, suggestions
        kind = kind_name(kind)
        hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no {kind} named {name!r}{hint}")


class AmbiguousEntity(EntityError):
    def __init__(self, kind, name: str, candidates: list[str]):
        self.kind, self.name, self.candidates = kind, name, candidates
        kind = kind_name(kind)
        super().__init__(f"{name!r} names more than one {kind}: {', '.join(candidates)}; use one of these ids")


def _load_kind_classes() -> dict[str, set[str]]:
    with KINDS_FILE.open(encoding="utf-8", newline="") as stream:
        kinds = {row["prefix"]: {ALLKG + row["root_class"]} for row in csv.DictReader(stream, delimiter="\t")}
    kinds["class"] = {OWL + "Class"}
    kinds["property"] = {OWL + "ObjectProperty", OWL + "DatatypeProperty", "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"}
    kinds["source"] = {ALLKG + "Source"}
    kinds["section"] = {ALLKG + "SourceSection"}
    return kinds


KIND_CLASSES = _load_kind_classes()
ENTITY_KINDS = tuple(sorted(KIND_CLASSES)) + ("entity",)
PARAM_KINDS = ENTITY_KINDS + tuple(LITERAL_KINDS)


def normalise(name: str) -> str:
    """Return the lookup key of a name: case-folded, whitespace collapsed."""
    return " ".join(str(name).split()).casefold()


@dataclass
class NameIndex:
    """Every name of every labelled entity, with the entity's classes."""

    names: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # key -> [(rank, entity IRI)]
    spelling: dict[str, str] = field(default_factory=dict)  # key -> the name as first written
    types: dict[str, set[str]] = field(default_factory=dict)  # entity IRI -> classes

    def add(self, name: str, how: str, entity: str) -> None:
        key = normalise(name)
        self.names.setdefault(key, []).append((RANK[how], entity))
        self.spelling.setdefault(key, str(name))

    # What resolving reads; StoredNameIndex answers the same from SQLite.
    def hits(self, key: str) -> list[tuple[int, str]]:
        return self.names.get(key, [])

    def classes(self, entity: str) -> set[str]:
        return self.types.get(entity, set())

    def keys_of_kind(self, kind) -> list[str]:
        return [key for key, hits in self.names.items() if any(self.of_kind(entity, kind) for _, entity in hits)]

    def written(self, key: str) -> str:
        return self.spelling[key]

    def of_kind(self, entity: str, kind) -> bool:
        """Whether ``entity`` is of ``kind``: a kind's name, or a tuple of names (any of them)."""
        if not isinstance(kind, str):
            return any(self.of_kind(entity, one) for one in kind)
        return kind == "entity" or bool(self.classes(entity) & KIND_CLASSES[kind])

    def resolve(self, kind, name: str) -> str:
        """Return the IRI of the one entity of ``kind`` that ``name`` names."""
        hits = [(rank, entity) for rank, entity in self.hits(normalise(name)) if self.of_kind(entity, kind)]
        if not hits:
            raise UnknownEntity(kind, name, self.suggest(kind, name))
        best = min(rank for rank, _ in hits)
        chosen = sorted({entity for rank, entity in hits if rank == best})
        if len(chosen) > 1:
            raise AmbiguousEntity(kind, name, [shorten(entity) for entity in chosen])
        return chosen[0]

    def suggest(self, kind, name: str, limit: int = 3) -> list[str]:
        """Return names of up to ``limit`` entities of ``kind`` spelled most like ``name``, one name per entity."""
        keys = [key for key in self.keys_of_kind(kind) if not key.startswith(("http://", "https://", "<"))]
        suggestions: dict[str, str] = {}  # entity -> the closest of its names
        for key in difflib.get_close_matches(normalise(name), keys, n=limit * 5, cutoff=0.6):
            for _, entity in self.hits(key):
                if self.of_kind(entity, kind):
                    suggestions.setdefault(entity, self.written(key))
        return list(dict.fromkeys(suggestions.values()))[:limit]


class StoredNameIndex(NameIndex):
    """A name index kept in SQLite (see :mod:`allkg.snapshot`): opened in a millisecond and read per name, so a
    new process over a large graph resolves its few names without loading every name first."""

    def __init__(self, path):
        super().__init__()
        self.path, self._connection, self._pid = path, None, None

    @property
    def connection(self):
        """A read-only connection of this process (SQLite connections must not cross a fork)."""
        import os
        import sqlite3

        if self._pid != os.getpid():
            self._connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._connection

    def hits(self, key: str) -> list[tuple[int, str]]:
        return self.connection.execute("SELECT rank, entity FROM names WHERE key = ? ORDER BY rowid", (key,)).fetchall()

    def classes(self, entity: str) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT class FROM types WHERE entity = ?", (entity,))}

    def keys_of_kind(self, kind) -> list[str]:
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        if "entity" in kinds:
            return [row[0] for row in self.connection.execute("SELECT key FROM names GROUP BY key ORDER BY MIN(rowid)")]
        classes = sorted(set().union(*(KIND_CLASSES[one] for one in kinds)))
        marks = ", ".join("?" * len(classes))
        return [row[0] for row in self.connection.execute(
            f"SELECT names.key FROM names JOIN types ON types.entity = names.entity WHERE types.class IN ({marks}) "
            "GROUP BY names.key ORDER BY MIN(names.rowid)", classes)]

    def written(self, key: str) -> str:
        return self.connection.execute("SELECT spelling FROM spellings WHERE key = ?", (key,)).fetchone()[0]


def build_index(run_lookup) -> NameIndex:
    """Build the index with ``run_lookup(query_text) -> QueryResult`` (so any backend can answer)."""
    index = NameIndex()
    names = run_lookup((LOOKUP_DIR / "entity-names.rq").read_text(encoding="utf-8"))
    for entity_term, name_term, how_term in names.terms:
        if not isinstance(entity_term, ox.NamedNode) and type(entity_term).__name__ != "URIRef":
            continue  # blank nodes cannot be bound from outside
        entity, how = _text(entity_term), _text(how_term)
        name = _text(name_term)
        if how == "xref":
            index.add(name, "xref", entity)
            index.add(shorten(name), "xref", entity)
        else:
            index.add(name, how, entity)
        if how == "label":
            _add_ids(index, entity)
    for entity_term, type_term in run_lookup((LOOKUP_DIR / "entity-types.rq").read_text(encoding="utf-8")).terms:
        index.types.setdefault(_text(entity_term), set()).add(_text(type_term))
    return index


def _add_ids(index: NameIndex, entity: str) -> None:
    index.add(entity, "iri", entity)
    index.add(f"<{entity}>", "iri", entity)
    curie = shorten(entity)
    if curie != entity:
        index.add(curie, "iri", entity)
    if entity.startswith(BASE_IRI):
        local = entity[len(BASE_IRI):]
        if "#" in local:  # an ontology term: allkg:TargetedTherapy, or just TargetedTherapy
            index.add(local.split("#", 1)[1], "id", entity)
        else:  # a curated entity: drug/imatinib, or just imatinib
            index.add(local, "iri", entity)
            index.add(local.rsplit("/", 1)[-1], "id", entity)


def _text(term) -> str:
    return term.value if hasattr(term, "value") and isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)


def literal_term(kind: str, value: str) -> ox.Literal:
    """Return a literal of a literal kind, checking that the value fits it."""
    datatype = LITERAL_KINDS[kind]
    if datatype is None:
        return ox.Literal(str(value))
    text = str(value).strip()
    checks = {
        "integer": lambda v: str(int(v)),
        "decimal": lambda v: str(__import__("decimal").Decimal(v)),
        "boolean": lambda v: {"true": "true", "false": "false", "yes": "true", "no": "false", "1": "true", "0": "false"}[v.lower()],
        "date": lambda v: __import__("datetime").date.fromisoformat(v).isoformat(),
    }
    try:
        text = checks[datatype](text)
    except (ValueError, KeyError, ArithmeticError):
        raise EntityError(f"{value!r} is not a valid {kind}") from None
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


# ------------------------------------------------------------------------------------- names in a drawn network

BRAND_PREDICATE = ALLKG + "hasActiveIngredient"


def network_index(network) -> NameIndex:
    """Build the index from a networkx graph of :func:`allkg.network.to_networkx` (views, pages, analysis).

    The names are the same as :func:`build_index` reads with SPARQL (labels, synonyms, brands, ids,
    identifiers), taken from the node attributes, so a view and a query agree on what a name means.
    """
    index = NameIndex()
    for node, data in network.nodes(data=True):
        iri = data.get("iri") or node
        if data.get("label"):
            index.add(data["label"], "label", iri)
        for synonym in (*data.get("synonyms", ()), *data.get("hidden_synonyms", ())):
            index.add(synonym, "synonym", iri)
        for identifier in data.get("identifiers", ()):
            if identifier.get("match") == "exact":
                index.add(identifier["iri"], "xref", iri)
                index.add(identifier["curie"], "xref", iri)
        _add_ids(index, iri)
        index.add(node, "iri", iri)
        index.types[iri] = KIND_CLASSES.get(data.get("kind", ""), set())
    for source, target, data in network.edges(data=True):
        if data.get("predicate") == BRAND_PREDICATE and network.nodes[source].get("label"):
            index.add(network.nodes[source]["label"], "brand", network.nodes[target].get("iri") or target)
    return index


def node_named(network, name: str, index: NameIndex | None = None) -> str:
    """Return the node of ``network`` that ``name`` names, as a view centres on it.

    A drug is tried first, so a brand (``Gleevec``) names its drug, whose neighbourhood holds the brand;
    then any entity. Raises :class:`UnknownEntity` (with suggestions) or :class:`AmbiguousEntity`.
    """
    index = index or network_index(network)
    by_iri = {data.get("iri") or node: node for node, data in network.nodes(data=True)}
    try:
        return by_iri[index.resolve("drug", name)]
    except UnknownEntity:
        return by_iri[index.resolve("entity", name)]
