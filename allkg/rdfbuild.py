"""Turn the checked curation into RDF, in the Wikidata statement style.

Each fact becomes two things:

- a direct ("truthy") triple, e.g. ``drug:imatinib allkg:hasTarget target:bcr-abl1-protein``,
  so that simple questions stay one triple pattern; and
- an ``rdf:Statement`` node that repeats subject, predicate and object and
  carries the qualifiers and ``prov:wasDerivedFrom`` (the document) plus
  ``allkg:sourceSection`` (the part of it).

Standard identifiers (``graph/xrefs``) are stated the same way: a direct
``skos:exactMatch`` or ``skos:closeMatch`` triple to the identifier's resolvable
IRI, and a statement node carrying ``allkg:verification``, any ``allkg:note`` and
``prov:wasDerivedFrom`` its source. The identifier IRI keeps its CURIE as
``skos:notation``. An ``unverified`` identifier whose row names no source is still
stated, flagged by its verification and note, and is the one kind of statement
allowed to lack a source (see ``queries/qc/statement-without-source-violation.rq``).

Every statement also carries ``allkg:evidenceLevel``: the level of its source
(from the source's kind, or its row in ``graph/sources.tsv``), or of its fact
row when that row names one. The level is not part of the statement's identity,
so one fact from a label and from a patient page stays one statement with two
sources and two levels; a query ranks them by ``allkg:evidenceRank``.

Statement IRIs are hashes of subject, predicate, object and qualifiers, so the
same fact from two sources is one statement with two derivations, and the
output is the same on every build. No blank nodes are made, for the same reason.
"""

from __future__ import annotations

import hashlib

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from allkg.curation import TYPE_PREDICATE, Curation, Fact, OntologyIndex, Source
from allkg.vocab import ALLKG, BASE_IRI, bind_prefixes, entity_iri
from allkg.xrefs import Xref

SCHEMA = Namespace("http://schema.org/")
MATCH_PREDICATES = {"exact": SKOS.exactMatch, "close": SKOS.closeMatch}
STATEMENT = Namespace(BASE_IRI + "statement/")
IDENTIFIER_LINKS = {
    "pmid": ("PMID:{}", "https://pubmed.ncbi.nlm.nih.gov/{}/"),
    "doi": ("DOI:{}", "https://doi.org/{}"),
    "setid": ("DailyMed:{}", "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={}"),
}


def source_iri(source_id: str) -> URIRef:
    """Return the IRI of a source in the bibliography."""
    return URIRef(f"{BASE_IRI}source/{source_id}")


def section_iri(source_id: str, section: str) -> URIRef:
    """Return the IRI of a named section of a source."""
    return URIRef(f"{BASE_IRI}source/{source_id}#{section}")


def statement_iri(fact: Fact) -> URIRef:
    """Return the content-addressed IRI of a fact's statement node."""
    key = "\x1f".join([fact.subject, fact.predicate, fact.object, *(f"{k}={v}" for k, v in fact.qualifiers)])
    return STATEMENT[hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]]


def xref_statement_iri(xref: Xref) -> URIRef:
    """Return the content-addressed IRI of an identifier mapping's statement node."""
    key = "\x1f".join([xref.entity, str(MATCH_PREDICATES[xref.match]), xref.iri])
    return STATEMENT[hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]]


def build_graph(curation: Curation, ontology: OntologyIndex) -> Graph:
    """Return the knowledge graph: ontology, sources, entities and facts with provenance."""
    graph = Graph()
    bind_prefixes(graph)
    for triple in ontology.graph:
        graph.add(triple)
    for source in curation.sources.values():
        _add_source(graph, source)
    for section in curation.sections.values():
        iri = section_iri(section.source, section.key)
        graph.add((iri, RDF.type, ALLKG.SourceSection))
        graph.add((iri, RDFS.label, Literal(section.label)))
        graph.add((iri, DCTERMS.isPartOf, source_iri(section.source)))
    for entity in curation.entities.values():
        iri = entity_iri(entity.id)
        graph.add((iri, RDF.type, ALLKG._NS[entity.kind]))
        graph.add((iri, RDFS.label, Literal(entity.label)))
        for synonym in entity.synonyms:
            graph.add((iri, SKOS.altLabel, Literal(synonym)))
        for synonym in entity.hidden_synonyms:
            graph.add((iri, SKOS.hiddenLabel, Literal(synonym)))
        if entity.description:
            graph.add((iri, SKOS.definition, Literal(entity.description)))
        if entity.source:
            graph.add((iri, DCTERMS.source, source_iri(entity.source)))
    for fact in curation.facts:
        _add_fact(graph, fact, ontology)
    for xref in curation.xrefs:
        source = curation.sources.get(xref.source)
        _add_xref(graph, xref, source.evidence_level if source else "")
    return graph


def _add_source(graph: Graph, source: Source) -> None:
    iri, fields = source_iri(source.id), source.fields
    graph.add((iri, RDF.type, ALLKG._NS[source.kind]))
    graph.add((iri, RDF.type, PROV.Entity))
    graph.add((iri, RDFS.label, Literal(fields["title"])))
    graph.add((iri, DCTERMS.title, Literal(fields["title"])))
    graph.add((iri, DCTERMS.publisher, Literal(fields["publisher"])))
    if fields.get("date_accessed"):
        graph.add((iri, ALLKG.accessDate, Literal(fields["date_accessed"], datatype=XSD.date)))
    if fields.get("date_revised"):
        graph.add((iri, DCTERMS.modified, Literal(fields["date_revised"], datatype=XSD.date)))
    if fields.get("citation"):
        graph.add((iri, ALLKG.citation, Literal(fields["citation"])))
    if fields.get("url"):
        graph.add((iri, SCHEMA.url, URIRef(fields["url"])))
    for column, (curie, link) in IDENTIFIER_LINKS.items():
        if fields.get(column):
            graph.add((iri, DCTERMS.identifier, Literal(curie.format(fields[column]))))
            graph.add((iri, RDFS.seeAlso, URIRef(link.format(fields[column]))))
    if fields.get("cited_by"):
        graph.add((source_iri(fields["cited_by"]), DCTERMS.references, iri))
    if fields.get("note"):
        graph.add((iri, RDFS.comment, Literal(fields["note"])))
    if source.evidence_level:
        graph.add((iri, ALLKG.evidenceLevel, entity_iri(source.evidence_level)))


def _object_term(predicate: str, value: str, ontology: OntologyIndex):
    if predicate == TYPE_PREDICATE:
        return ALLKG._NS[value]
    if predicate in ontology.object_properties:
        return entity_iri(value)
    datatype = ontology.ranges.get(predicate)
    if datatype in (XSD.boolean, XSD.decimal, XSD.date, XSD.integer):
        return Literal(value, datatype=datatype, normalize=False)  # as curated: rdflib would write "01"^^xsd:integer as "1"
    return Literal(value)


def _add_fact(graph: Graph, fact: Fact, ontology: OntologyIndex) -> None:
    subject = entity_iri(fact.subject)
    predicate = RDF.type if fact.predicate == TYPE_PREDICATE else ALLKG._NS[fact.predicate]
    obj = _object_term(fact.predicate, fact.object, ontology)
    graph.add((subject, predicate, obj))
    node = statement_iri(fact)
    graph.add((node, RDF.type, RDF.Statement))
    graph.add((node, RDF.subject, subject))
    graph.add((node, RDF.predicate, predicate))
    graph.add((node, RDF.object, obj))
    for prop, value in fact.qualifiers:
        graph.add((node, ALLKG._NS[prop], _object_term(prop, value, ontology)))
    graph.add((node, PROV.wasDerivedFrom, source_iri(fact.source)))
    graph.add((node, ALLKG.evidenceLevel, entity_iri(fact.evidence_level)))
    if fact.section:
        graph.add((node, ALLKG.sourceSection, section_iri(fact.source, fact.section)))


def _add_xref(graph: Graph, xref: Xref, evidence_level: str) -> None:
    subject, predicate, obj = entity_iri(xref.entity), MATCH_PREDICATES[xref.match], URIRef(xref.iri)
    graph.add((subject, predicate, obj))
    graph.add((obj, SKOS.notation, Literal(xref.curie)))
    node = xref_statement_iri(xref)
    graph.add((node, RDF.type, RDF.Statement))
    graph.add((node, RDF.subject, subject))
    graph.add((node, RDF.predicate, predicate))
    graph.add((node, RDF.object, obj))
    graph.add((node, ALLKG.verification, Literal(xref.verification)))
    if xref.note:
        graph.add((node, ALLKG.note, Literal(xref.note)))
    if xref.source:
        graph.add((node, PROV.wasDerivedFrom, source_iri(xref.source)))
    if evidence_level:
        graph.add((node, ALLKG.evidenceLevel, entity_iri(evidence_level)))
