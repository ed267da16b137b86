"""The graph as KGX TSV (``nodes.tsv``, ``edges.tsv``), the exchange format of Biolink Model graphs.

Biolink categories and predicates come from the ontology's own alignments, never from a
table kept here: a class or property maps to the Biolink terms it has as ``skos:exactMatch``
or ``skos:closeMatch`` (the ontology keeps looser links as ``rdfs:seeAlso``, which are not
used), or else to those of its nearest ancestor that has one. What has none is exported as
``biolink:NamedThing`` or ``biolink:related_to``, keeps its own term in ``original_predicate``,
and is listed in :attr:`KgxExport.unmapped` (the release prints it).

Nodes are the curated entities (CURIEs of the project's prefix map). Edges are the sourced
statements whose object is an entity; each carries its statement IRI as ``id``, the
statement's qualifiers (``allkg_<name>`` columns), ``primary_knowledge_source``
(``infores:allkg``: the curated assertion is made here, from the documents named in
``publications`` and ``allkg_sources``), ``knowledge_level`` ``knowledge_assertion`` and
``agent_type`` ``manual_agent`` (the statements are curated by hand from the sources). Class
memberships (``rdf:type`` statements) become node categories, identifier mappings go to the
nodes' ``xref`` (and to SSSOM), and statements with literal objects stay in the RDF only.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from allkg.results import shorten
from allkg.vocab import ALLKG, entity_id

BIOLINK = "https://w3id.org/biolink/vocab/"
ALIGNMENTS = (SKOS.exactMatch, SKOS.closeMatch)
PRIMARY_KNOWLEDGE_SOURCE = "infores:allkg"
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "manual_agent"
NAMED_THING = "biolink:NamedThing"
RELATED_TO = "biolink:related_to"
LIST_DELIMITER = "|"
NODE_COLUMNS = ("id", "category", "name", "description", "synonym", "xref", "provided_by")
EDGE_COLUMNS = ("id", "subject", "predicate", "object", "original_predicate", "primary_knowledge_source", "publications",
                "knowledge_level", "agent_type", "allkg_sources")
NOT_NODES = ("statement/", "source/", "ontology")
PUBLICATION_PREFIXES = {"PMID": "PMID", "DOI": "doi"}  # dcterms:identifier prefix of a source -> Biolink publication CURIE prefix


@dataclass
class KgxExport:
    """The two tables, as text, and what had no Biolink alignment."""

    nodes: str
    edges: str
    node_count: int
    edge_count: int
    unmapped: list[str] = field(default_factory=list)  # CURIEs of ontology terms exported with the Biolink fallback

    def files(self) -> dict[str, bytes]:
        return {"nodes.tsv": self.nodes.encode("utf-8"), "edges.tsv": self.edges.encode("utf-8")}


class BiolinkAlignment:
    """Biolink terms of the ontology's classes and properties, inherited along subClassOf / subPropertyOf."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.unmapped: set[str] = set()

    def _aligned(self, term: URIRef, parent: URIRef) -> list[str]:
        seen, frontier = set(), [term]
        while frontier:  # breadth first: the nearest ancestor with an alignment wins
            found = sorted({shorten(str(match)) for node in frontier for alignment in ALIGNMENTS
                            for match in self.graph.objects(node, alignment) if str(match).startswith(BIOLINK)})
            if found:
                return found
            seen.update(frontier)
            frontier = [p for node in frontier for p in self.graph.objects(node, parent) if isinstance(p, URIRef) and p not in seen]
        return []

    def categories(self, classes) -> list[str]:
        categories = set()
        for cls in classes:
            found = [c for c in self._aligned(cls, RDFS.subClassOf) if c[len("biolink:")].isupper()]
            if not found and str(cls).startswith(str(ALLKG._NS)):
                self.unmapped.add(shorten(str(cls)))
            categories.update(found)
        return sorted(categories) or [NAMED_THING]

    def predicate(self, prop: URIRef) -> str:
        found = [p for p in self._aligned(prop, RDFS.subPropertyOf) if p[len("biolink:")].islower()]
        if not found:
            self.unmapped.add(shorten(str(prop)))
            return RELATED_TO
        return found[0]


def export_kgx(graph: Graph) -> KgxExport:
    """Return the graph as KGX TSV nodes and edges (deterministic: rows sorted, lists sorted)."""
    alignment = BiolinkAlignment(graph)
    statements = [s for s in graph.subjects(RDF.type, RDF.Statement)]
    object_properties = set(graph.subjects(RDF.type, OWL.ObjectProperty))
    classes_of: dict[URIRef, set[URIRef]] = defaultdict(set)
    xrefs: dict[URIRef, set[str]] = defaultdict(set)
    for statement in statements:
        subject, predicate, obj = (graph.value(statement, part) for part in (RDF.subject, RDF.predicate, RDF.object))
        if predicate == RDF.type:
            classes_of[subject].add(obj)
        elif predicate in ALIGNMENTS:
            notation = graph.value(obj, SKOS.notation)
            xrefs[subject].add(str(notation) if notation else str(obj))
    nodes = {}
    for iri in sorted(set(graph.subjects(RDFS.label))):
        curated = entity_id(iri)
        if not curated or curated.startswith(NOT_NODES):
            continue
        types = set(graph.objects(iri, RDF.type)) | classes_of[iri]
        nodes[iri] = {
            "id": shorten(str(iri)),
            "category": alignment.categories(sorted(types)),
            "name": str(graph.value(iri, RDFS.label)),
            "description": str(graph.value(iri, SKOS.definition) or ""),
            "synonym": sorted(str(label) for label in graph.objects(iri, SKOS.altLabel)),
            "xref": sorted(xrefs[iri]),
            "provided_by": [PRIMARY_KNOWLEDGE_SOURCE],
        }
    edges, qualifier_columns = [], set()
    for statement in sorted(statements):
        subject, predicate, obj = (graph.value(statement, part) for part in (RDF.subject, RDF.predicate, RDF.object))
        if predicate not in object_properties or subject not in nodes or obj not in nodes:
            continue
        sources = sorted(graph.objects(statement, PROV.wasDerivedFrom))
        edge = {
            "id": str(statement), "subject": nodes[subject]["id"], "predicate": alignment.predicate(predicate), "object": nodes[obj]["id"],
            "original_predicate": shorten(str(predicate)), "primary_knowledge_source": PRIMARY_KNOWLEDGE_SOURCE,
            "publications": sorted({p for source in sources for p in _publications(graph, source)}),
            "knowledge_level": KNOWLEDGE_LEVEL, "agent_type": AGENT_TYPE,
            "allkg_sources": sorted(shorten(str(s)) for s in [*sources, *graph.objects(statement, ALLKG.sourceSection)]),
        }
        for prop, value in graph.predicate_objects(statement):
            if prop.startswith(str(ALLKG._NS)) and prop != ALLKG.sourceSection:
                column = "allkg_" + prop[len(str(ALLKG._NS)):]
                qualifier_columns.add(column)
                edge.setdefault(column, []).append(str(value) if isinstance(value, Literal) else shorten(str(value)))
        edges.append(edge)
    return KgxExport(_tsv(NODE_COLUMNS, nodes.values()), _tsv(EDGE_COLUMNS + tuple(sorted(qualifier_columns)), edges),
                     len(nodes), len(edges), sorted(alignment.unmapped))


def _publications(graph: Graph, source: URIRef) -> list[str]:
    found = []
    for identifier in graph.objects(source, DCTERMS.identifier):
        prefix, _, local = str(identifier).partition(":")
        if prefix in PUBLICATION_PREFIXES and local:
            found.append(f"{PUBLICATION_PREFIXES[prefix]}:{local}")
    return found


def _tsv(columns, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column, "")) for column in columns])
    return buffer.getvalue()


def _cell(value) -> str:
    text = LIST_DELIMITER.join(sorted(value)) if isinstance(value, list) else str(value)
    return " ".join(text.split())  # no tab or newline may reach a TSV cell
