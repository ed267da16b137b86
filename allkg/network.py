"""Turn the RDF graph into a networkx MultiDiGraph of the things it is about, and export it.

The picture a reader wants shows drugs, targets and effects, not bookkeeping, so:

- each direct ("truthy") triple between two entities becomes one edge, and the
  ``rdf:Statement`` nodes behind it are folded into that edge: their qualifiers
  (with the *labels* of qualifier values such as ``severity/mild``), sources and
  source sections become edge attributes;
- ``rdf:type`` becomes the node's ``classes``; labels, synonyms, definitions,
  ``skos:exactMatch``/``closeMatch`` identifiers and ``dcterms:source`` become node
  attributes; literal-valued facts become node ``attributes``;
- ontology terms, sources, source sections and statements never become nodes, and
  value-set entities (frequency, severity, ...) only appear as qualifier values,
  so they do not clutter the picture either.

Node keys are curated ids (``drug/imatinib``), or a CURIE or the full IRI for
things outside the project. Styling (kind, legend, colour, shape) comes from
``ontology/kinds.tsv``. List and dict attributes are JSON-encoded for GraphML,
which only holds scalars.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
... @prefix allkg: <https://w3id.org/allkg/ontology#> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... <https://w3id.org/allkg/drug/x> rdfs:label "x" ; allkg:hasTarget <https://w3id.org/allkg/target/y> .
... <https://w3id.org/allkg/target/y> rdfs:label "y" .
... ''', format="turtle")
>>> network = to_networkx(g)
>>> sorted(network.nodes), network.nodes["drug/x"]["legend"]
(['drug/x', 'target/y'], 'drug')
>>> [(s, o, data["label"]) for s, o, data in network.edges(data=True)]
[('drug/x', 'target/y', 'hasTarget')]
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import networkx as nx
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SH

from allkg.build import write_atomically
from allkg.curation import load_kinds
from allkg.vocab import ALLKG, BASE_IRI, entity_id, prefix_map

OTHER_KIND = {"prefix": "other", "root_class": "", "legend": "other", "colour": "#9e9e9e", "shape": "ellipse"}
SOURCE_NAMESPACE = BASE_IRI + "source/"
STATEMENT_NAMESPACE = BASE_IRI + "statement/"
ONTOLOGY_NAMESPACE = str(ALLKG._NS)
SCHEMA_URL = URIRef("http://schema.org/url")

# Predicates whose objects describe the node itself rather than link it to another thing.
NODE_ANNOTATIONS = {
    RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel,
    SKOS.definition, SKOS.exactMatch, SKOS.closeMatch, DCTERMS.source, DCTERMS.identifier,
}
MATCH_PREDICATES = {SKOS.exactMatch: "exact", SKOS.closeMatch: "close"}
STATEMENT_PARTS = {RDF.type, RDF.subject, RDF.predicate, RDF.object, PROV.wasDerivedFrom, ALLKG.sourceSection}
SCHEMA_TYPES = {
    OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology, RDFS.Class,
    RDF.Property, RDF.Statement, SH.NodeShape, SH.PropertyShape, PROV.Entity, ALLKG.SourceSection,
}


@lru_cache(maxsize=1)
def kinds() -> dict[str, dict[str, str]]:
    """Return the drawing style of each entity kind (id prefix), from ``ontology/kinds.tsv``."""
    return load_kinds()


def kind_of(node_id: str) -> dict[str, str]:
    """Return the kinds.tsv row for a node id such as ``drug/imatinib`` (``other`` if unknown)."""
    return kinds().get(node_id.split("/", 1)[0], OTHER_KIND) if "/" in node_id and "://" not in node_id else OTHER_KIND


@lru_cache(maxsize=1)
def _converter():
    import curies

    return curies.Converter.from_prefix_map(prefix_map())


def node_key(term) -> str:
    """Return the networkx key of an RDF term: curated id, else CURIE, else the IRI itself."""
    text = str(term)
    if isinstance(term, BNode):
        return f"_:{text}"
    return entity_id(text) or _converter().compress(text) or text


def _is_bookkeeping(term, graph: Graph) -> bool:
    """Tell whether a term is schema, provenance or statement machinery rather than a thing."""
    if isinstance(term, Literal):
        return True
    text = str(term)
    if text.startswith((ONTOLOGY_NAMESPACE, SOURCE_NAMESPACE, STATEMENT_NAMESPACE)):
        return True
    if not text.startswith(BASE_IRI) and any(graph.subjects(None, term)) and _is_identifier(term, graph):
        return True  # an external identifier: shown in the node's identifiers, not as a node of its own
    return any(t in SCHEMA_TYPES for t in graph.objects(term, RDF.type))


def _is_identifier(term, graph: Graph) -> bool:
    return any(graph.subjects(SKOS.exactMatch, term)) or any(graph.subjects(SKOS.closeMatch, term))


def _label(graph: Graph, term) -> str:
    if isinstance(term, Literal):
        return str(term)
    label = graph.value(term, RDFS.label) or graph.value(term, SKOS.prefLabel)
    if label is not None:
        return str(label)
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or text


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """Return the graph's entities and direct facts as a MultiDiGraph, with statements folded into edges.

    Node attributes: ``iri``, ``label``, ``kind`` (id prefix), ``legend``, ``colour``, ``shape``,
    ``classes``, ``synonyms``, ``hidden_synonyms``, ``description``, ``identifiers`` (dicts with
    ``curie``, ``iri``, ``match``), ``sources`` (source ids), ``attributes`` (literal facts).
    Edge attributes: ``predicate`` (IRI), ``label``, ``qualifiers`` (label -> values), ``sources``,
    ``sections`` and ``statements`` (one dict per statement, for facts stated more than once).
    Graph attribute ``sources``: source id -> label, url and citation, to resolve edge sources.
    """
    labels: dict = {}

    def label(term) -> str:
        if term not in labels:
            labels[term] = _label(graph, term)
        return labels[term]

    bookkeeping: dict = {}

    def is_thing(term) -> bool:
        if term not in bookkeeping:
            bookkeeping[term] = _is_bookkeeping(term, graph)
        return not bookkeeping[term]

    statements = _statements_by_triple(graph, label)
    network = nx.MultiDiGraph()
    network.graph["sources"] = _sources(graph)
    for subject, predicate, obj in graph:
        if predicate in NODE_ANNOTATIONS or isinstance(subject, Literal) or not is_thing(subject):
            continue
        folded = statements.get((subject, predicate, obj), [])
        if isinstance(obj, Literal):
            _add_node(network, graph, subject, label)
            network.nodes[node_key(subject)]["attributes"].append(
                {"label": label(predicate), "value": str(obj), **_merge(folded)}
            )
        elif is_thing(obj):
            source, target = _add_node(network, graph, subject, label), _add_node(network, graph, obj, label)
            network.add_edge(source, target, key=label(predicate), predicate=str(predicate), label=label(predicate), **_merge(folded))
            for node in (source, target):
                network.nodes[node]["sources"].update(s for st in folded for s in st["sources"])
    for _, data in network.nodes(data=True):
        data["sources"] = sorted(data["sources"])
    return network


def _add_node(network: nx.MultiDiGraph, graph: Graph, term, label) -> str:
    key = node_key(term)
    if key in network:
        return key
    kind = kind_of(key)
    identifiers = [
        {"curie": _converter().compress(str(iri)) or str(iri), "iri": str(iri), "match": match}
        for predicate, match in MATCH_PREDICATES.items()
        for iri in sorted(graph.objects(term, predicate))
    ]
    network.add_node(
        key,
        iri=str(term),
        label=label(term),
        kind=kind["prefix"],
        legend=kind["legend"],
        colour=kind["colour"],
        shape=kind["shape"],
        classes=sorted({label(c) for c in graph.objects(term, RDF.type)}),
        synonyms=sorted(str(s) for s in graph.objects(term, SKOS.altLabel)),
        hidden_synonyms=sorted(str(s) for s in graph.objects(term, SKOS.hiddenLabel)),
        description=str(graph.value(term, SKOS.definition) or graph.value(term, RDFS.comment) or ""),
        identifiers=identifiers,
        sources={node_key(s) for s in graph.objects(term, DCTERMS.source)},
        attributes=[],
    )
    return key


def _statements_by_triple(graph: Graph, label) -> dict[tuple, list[dict]]:
    """Index statement nodes by the direct triple they describe, each as qualifiers + provenance."""
    index: dict[tuple, list[dict]] = defaultdict(list)
    for statement in graph.subjects(RDF.type, RDF.Statement):
        triple = (graph.value(statement, RDF.subject), graph.value(statement, RDF.predicate), graph.value(statement, RDF.object))
        qualifiers: dict[str, list[str]] = defaultdict(list)
        for predicate, value in graph.predicate_objects(statement):
            if predicate not in STATEMENT_PARTS:
                qualifiers[label(predicate)].append(label(value))
        index[triple].append(
            {
                "qualifiers": {name: "; ".join(sorted(values)) for name, values in sorted(qualifiers.items())},
                "sources": sorted(node_key(s) for s in graph.objects(statement, PROV.wasDerivedFrom)),
                "sections": sorted(label(s) for s in graph.objects(statement, ALLKG.sourceSection)),
            }
        )
    for folded in index.values():
        folded.sort(key=lambda st: json.dumps(st, sort_keys=True))
    return index


def _merge(folded: list[dict]) -> dict:
    """Flatten a triple's statements into one edge's qualifiers, sources and sections (kept per statement too)."""
    qualifiers: dict[str, set[str]] = defaultdict(set)
    for statement in folded:
        for name, value in statement["qualifiers"].items():
            qualifiers[name].add(value)
    return {
        "qualifiers": {name: " | ".join(sorted(values)) for name, values in sorted(qualifiers.items())},
        "sources": sorted({s for st in folded for s in st["sources"]}),
        "sections": sorted({s for st in folded for s in st["sections"]}),
        "statements": folded,
    }


def _sources(graph: Graph) -> dict[str, dict[str, str]]:
    sources = {}
    for source in set(graph.subjects(DCTERMS.title, None)) | set(graph.objects(None, PROV.wasDerivedFrom)):
        url = graph.value(source, SCHEMA_URL) or graph.value(source, RDFS.seeAlso)
        sources[node_key(source)] = {
            "label": _label(graph, source),
            "url": str(url or (source if str(source).startswith("http") and not str(source).startswith(BASE_IRI) else "")),
            "citation": str(graph.value(source, ALLKG.citation) or ""),
        }
    return dict(sorted(sources.items()))


def for_graphml(network: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return a copy whose list and dict attributes are JSON strings, as GraphML holds only scalars."""

    def scalar(value):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, (list, dict, set, tuple)) else value

    copy = nx.MultiDiGraph()
    copy.graph.update({key: scalar(value) for key, value in network.graph.items()})
    copy.add_nodes_from((node, {k: scalar(v) for k, v in data.items()}) for node, data in network.nodes(data=True))
    copy.add_edges_from(
        (s, o, key, {k: scalar(v) for k, v in data.items()}) for s, o, key, data in network.edges(keys=True, data=True)
    )
    return copy


def export_bytes(network: nx.MultiDiGraph, format: str) -> bytes:
    """Serialize the network as ``graphml`` or node-link ``json``."""
    if format == "graphml":
        return "\n".join(nx.generate_graphml(for_graphml(network), prettyprint=True)).encode("utf-8") + b"\n"
    if format == "json":
        document = nx.node_link_data(network, edges="links")
        return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    raise ValueError(f"unknown export format {format!r} (choose graphml or json)")


def export(network: nx.MultiDiGraph, path: Path, format: str | None = None) -> Path:
    """Write the network to ``path`` atomically, in ``format`` or the one its suffix names."""
    path = Path(path)
    format = format or {".graphml": "graphml", ".json": "json"}.get(path.suffix.lower())
    if format is None:
        raise ValueError(f"{path}: cannot tell the format from the suffix; pass graphml or json")
    return write_atomically(path.parent, {path.name: export_bytes(network, format)})[path.name]


def neighbourhood(network: nx.MultiDiGraph, node: str, depth: int = 1) -> nx.MultiDiGraph:
    """Return the subgraph of nodes within ``depth`` steps of ``node``, whatever the edge direction."""
    # not nx.ego_graph(undirected=True): it deep-copies the whole graph to make it undirected, every call
    near = nx.single_source_shortest_path_length(network.to_undirected(as_view=True), node, cutoff=depth)
    return network.subgraph(near).copy()


class QueryError(ValueError):
    """A SPARQL query that does not parse (with its line and column) or gives nothing to draw."""


# What the picture needs to know about each term a query result mentions.
DESCRIPTIVE = NODE_ANNOTATIONS | {DCTERMS.title, SCHEMA_URL, ALLKG.citation}


def query_to_networkx(graph: Graph, query: str, origin: str = "query") -> nx.MultiDiGraph:
    """Run a CONSTRUCT or SELECT query on ``graph`` and return what it names as a network.

    CONSTRUCT: the constructed triples, described (labels, classes, statements with their
    qualifiers and sources) from ``graph``. SELECT: every IRI in the results becomes a node,
    with the facts between them. Parameters are never pasted into query text; bind them in
    the query file with VALUES.
    """
    from allkg import readonly, sandbox
    from allkg.queries import DEFAULT_TIMEOUT_S, valid_text

    try:
        valid_text(query, origin)
    except ValueError as error:
        raise QueryError(str(error)) from None
    refused = readonly.refusal(query)
    if refused is not None and refused.kind != "unchecked":
        raise QueryError(f"{origin}: read-only: {refused.message}")
    try:  # in a process that cannot open a connection (so a parser gap cannot fetch a SERVICE), killed when late
        kind, found = sandbox.run_isolated(_answer_to_draw, graph, query, origin, timeout=DEFAULT_TIMEOUT_S, strict=refused is not None)
    except sandbox.TimeLimit:
        raise QueryError(f"{origin}: the query ran past the time limit of {DEFAULT_TIMEOUT_S:g} s and was stopped") from None
    except (sandbox.IsolationError, OSError) as error:
        raise QueryError(f"{origin}: {readonly.SERVICE_MESSAGE if isinstance(error, PermissionError) else error}") from None
    if kind == "CONSTRUCT":
        constructed = Graph()
        for triple in found:
            constructed.add(triple)
        return to_networkx(_described(graph, constructed))
    if kind == "SELECT":
        return iris_to_networkx(graph, found)
    raise QueryError(f"{origin}: an {kind} query gives no graph to draw; use CONSTRUCT or SELECT")


def _answer_to_draw(graph: Graph, query: str, origin: str) -> tuple[str, object]:
    """Run ``query`` and return its kind with what a drawing needs: the triples, or the IRIs of a SELECT."""
    try:
        result = graph.query(query)
        if result.type == "CONSTRUCT":
            return "CONSTRUCT", list(result.graph)
        if result.type == "SELECT":
            return "SELECT", {term for row in result for term in row if isinstance(term, URIRef)}
        return result.type, None
    except SyntaxError as error:  # Oxigraph's parser (Oxigraph-backed graphs): locate it as the query library does
        from allkg.queries import _syntax_error

        raise QueryError(str(_syntax_error(str(error), query, origin))) from None
    except Exception as error:  # noqa: BLE001 - pyparsing's ParseException, or rdflib's evaluation errors
        if isinstance(error, OSError):
            raise
        position = f"line {error.lineno}, column {error.col}: " if hasattr(error, "lineno") else ""
        raise QueryError(f"{origin}: {position}{getattr(error, 'msg', error)}") from None


def iris_to_networkx(graph: Graph, iris) -> nx.MultiDiGraph:
    """Return the entities named by ``iris`` (e.g. a SELECT result's IRIs) with the facts between them."""
    full = to_networkx(graph)
    keys = {node_key(URIRef(str(iri))): URIRef(str(iri)) for iri in iris}
    network = full.subgraph(key for key in keys if key in full).copy()
    for key, iri in sorted(keys.items()):
        if key not in network and not _is_bookkeeping(iri, graph):  # e.g. a value-set entity: still what was asked for
            _add_node(network, graph, iri, lambda term: _label(graph, term))
            network.nodes[key]["sources"] = sorted(network.nodes[key]["sources"])
    return network


def _described(graph: Graph, constructed: Graph) -> Graph:
    """Return the constructed triples plus, from ``graph``, what describes their terms and statements."""
    described = Graph()
    for prefix, namespace in graph.namespaces():
        described.bind(prefix, namespace, override=True)
    terms = set()
    for triple in constructed:
        described.add(triple)
        terms.update(triple)
        for statement in graph.subjects(RDF.subject, triple[0]):
            if (statement, RDF.predicate, triple[1]) in graph and (statement, RDF.object, triple[2]) in graph:
                for part in graph.predicate_objects(statement):
                    described.add((statement, *part))
                    terms.update(part)
    for term in terms:
        for predicate, value in graph.predicate_objects(term):
            if predicate in DESCRIPTIVE:
                described.add((term, predicate, value))
                if predicate == RDF.type:
                    for label in graph.objects(value, RDFS.label):
                        described.add((value, RDFS.label, label))
    return described
