"""The dataset description: VoID + DCAT after the HCLS dataset profile, and the same as Bioschemas ``Dataset`` JSON-LD.

The HCLS profile describes a dataset at three levels, each an IRI of its own:

- summary (``https://w3id.org/allkg/dataset``): what the dataset is, whatever its version;
- version (``.../dataset/0.2.0``): version, issue date, creators, licence, statistics, the
  SPARQL endpoint when one serves it;
- distribution (``.../dataset/0.2.0/allkg.ttl``, one per file): format, byte size, SHA-256,
  download address.

The data version is defined once, as ``owl:versionInfo`` of the ontology (with its
``owl:versionIRI``); :func:`data_version` reads it from there. ``docs/releasing.md``
explains the levels and how to cite a release.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, VOID

from allkg.vocab import BASE_IRI, ONTOLOGY_IRI, bind_prefixes, entity_id

PAV = Namespace("http://purl.org/pav/")
DCTYPES = Namespace("http://purl.org/dc/dcmitype/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SUMMARY_IRI = BASE_IRI + "dataset"
RELEASES_URL = BASE_IRI + "releases/"
TITLE = "allkg: the acute lymphoblastic leukemia therapy knowledge graph"
DESCRIPTION = ("Drugs used in acute lymphoblastic leukemia, their targets and mechanisms, the gene alterations and subtypes they "
               "address, their adverse effects, monitoring and management, every fact with its source. For research and "
               "education only; not for treating patients.")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CREATOR = "the allkg authors"
HOMEPAGE = BASE_IRI
KEYWORDS = ("acute lymphoblastic leukemia", "knowledge graph", "drug", "adverse effect", "targeted therapy", "provenance")
# File name suffix -> (media type, format IRI for dct:format)
FORMATS = {
    ".ttl": ("text/turtle", "http://www.w3.org/ns/formats/Turtle"),
    ".nt": ("application/n-triples", "http://www.w3.org/ns/formats/N-Triples"),
    ".nt.gz": ("application/gzip", "http://www.w3.org/ns/formats/N-Triples"),
    ".jsonld": ("application/ld+json", "http://www.w3.org/ns/formats/JSON-LD"),
    ".sssom.tsv": ("text/tab-separated-values", "https://w3id.org/sssom/"),
    ".tsv": ("text/tab-separated-values", "https://github.com/biolink/kgx/blob/master/specification/kgx-format.md"),
}


class VersionError(ValueError):
    """The ontology's version is missing or its version IRI does not match it."""


def data_version(graph: Graph) -> str:
    """Return the data version, ``owl:versionInfo`` of the ontology, checked against its ``owl:versionIRI``."""
    ontology = URIRef(ONTOLOGY_IRI)
    version, version_iri = graph.value(ontology, OWL.versionInfo), graph.value(ontology, OWL.versionIRI)
    if version is None:
        raise VersionError(f"ontology/allkg.ttl: <{ONTOLOGY_IRI}> has no owl:versionInfo")
    if str(version_iri) != f"{ONTOLOGY_IRI}/{version}":
        raise VersionError(f"ontology/allkg.ttl: owl:versionIRI is <{version_iri}>, expected <{ONTOLOGY_IRI}/{version}> for version {version}")
    return str(version)


@dataclass
class Distribution:
    name: str
    size: int
    sha256: str

    @property
    def media_type(self) -> str:
        return _format(self.name)[0]


@dataclass
class Description:
    """What the description states, gathered once from the graph and the release's files."""

    version: str
    issued: str
    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]  # class IRI -> instances
    properties: dict[str, int]  # property IRI -> triples
    distributions: list[Distribution] = field(default_factory=list)
    sparql_endpoint: str | None = None

    @property
    def version_iri(self) -> str:
        return f"{SUMMARY_IRI}/{self.version}"


def describe(graph: Graph, files: dict[str, bytes], version: str, issued: str, sparql_endpoint: str | None = None) -> Description:
    """Count what the HCLS profile asks for and checksum each file."""
    classes = Counter(str(o) for o in graph.objects(None, RDF.type) if isinstance(o, URIRef))
    properties = Counter(str(p) for p in graph.predicates())
    entities = {s for s in graph.subjects() if isinstance(s, URIRef) and entity_id(s) and not entity_id(s).startswith(("statement/", "ontology"))}
    return Description(
        version, issued, len(graph), len(entities), len(set(graph.subjects())), len(set(graph.objects())),
        dict(sorted(classes.items())), dict(sorted(properties.items())),
        [Distribution(name, len(data), hashlib.sha256(data).hexdigest()) for name, data in sorted(files.items())], sparql_endpoint,
    )


def void_graph(description: Description) -> Graph:
    """Return the HCLS description (summary, version and distribution levels) as an rdflib Graph."""
    graph = Graph()
    bind_prefixes(graph)
    for prefix, namespace in (("void", VOID), ("dcat", DCAT), ("pav", PAV), ("dctypes", DCTYPES), ("spdx", SPDX), ("foaf", FOAF)):
        graph.bind(prefix, namespace)
    summary, version = URIRef(SUMMARY_IRI), URIRef(description.version_iri)
    date = Literal(description.issued, datatype=XSD.date)
    graph.add((summary, RDF.type, DCTYPES.Dataset))
    for node in (summary, version):
        graph.add((node, DCTERMS.title, Literal(TITLE, lang="en")))
        graph.add((node, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
        graph.add((node, DCTERMS.publisher, Literal(CREATOR)))
        graph.add((node, FOAF.page, URIRef(HOMEPAGE)))
    graph.add((version, RDF.type, DCTYPES.Dataset))
    graph.add((version, RDF.type, VOID.Dataset))
    graph.add((version, DCTERMS.isVersionOf, summary))
    graph.add((version, PAV.version, Literal(description.version)))
    graph.add((version, OWL.versionInfo, Literal(description.version)))
    graph.add((version, DCTERMS.issued, date))
    graph.add((version, DCTERMS.creator, Literal(CREATOR)))
    graph.add((version, DCTERMS.license, URIRef(LICENSE)))
    graph.add((version, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI + "/" + description.version)))
    graph.add((version, VOID.uriSpace, Literal(BASE_IRI)))
    for keyword in KEYWORDS:
        graph.add((version, DCAT.keyword, Literal(keyword, lang="en")))
    if description.sparql_endpoint:
        graph.add((version, VOID.sparqlEndpoint, URIRef(description.sparql_endpoint)))
    _statistics(graph, version, description)
    for item in description.distributions:
        node = URIRef(f"{description.version_iri}/{item.name}")
        media_type, format_iri = _format(item.name)
        graph.add((version, DCAT.distribution, node))
        graph.add((node, RDF.type, DCAT.Distribution))
        graph.add((node, RDF.type, DCTYPES.Dataset))
        graph.add((node, DCTERMS.title, Literal(f"{TITLE}, {description.version}, {item.name}", lang="en")))
        graph.add((node, DCTERMS.issued, date))
        graph.add((node, DCTERMS.license, URIRef(LICENSE)))
        graph.add((node, PAV.version, Literal(description.version)))
        graph.add((node, DCTERMS.format, URIRef(format_iri)))
        graph.add((node, DCAT.mediaType, Literal(media_type)))
        graph.add((node, DCAT.byteSize, Literal(item.size, datatype=XSD.nonNegativeInteger)))
        graph.add((node, DCAT.downloadURL, URIRef(f"{RELEASES_URL}{description.version}/{item.name}")))
        checksum = URIRef(f"{node}#sha256")  # an IRI, not a blank node: the description stays identical build to build
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(item.sha256, datatype=XSD.hexBinary)))
        if item.name.endswith((".ttl", ".nt", ".nt.gz", ".jsonld")) and item.name != "context.jsonld":
            graph.add((version, VOID.dataDump, node))
    return graph


def _statistics(graph: Graph, version: URIRef, description: Description) -> None:
    integer = lambda value: Literal(value, datatype=XSD.integer)  # noqa: E731
    graph.add((version, VOID.triples, integer(description.triples)))
    graph.add((version, VOID.entities, integer(description.entities)))
    graph.add((version, VOID.distinctSubjects, integer(description.distinct_subjects)))
    graph.add((version, VOID.distinctObjects, integer(description.distinct_objects)))
    graph.add((version, VOID.classes, integer(len(description.classes))))
    graph.add((version, VOID.properties, integer(len(description.properties))))
    for number, (cls, count) in enumerate(description.classes.items()):
        partition = URIRef(f"{description.version_iri}#class-{number}")
        graph.add((version, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, integer(count)))
    for number, (prop, count) in enumerate(description.properties.items()):
        partition = URIRef(f"{description.version_iri}#property-{number}")
        graph.add((version, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(prop)))
        graph.add((partition, VOID.triples, integer(count)))


def bioschemas_dataset(description: Description) -> dict:
    """Return the release as a Bioschemas ``Dataset`` (schema.org JSON-LD), for a page's ``<script type="application/ld+json">``."""
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": description.version_iri,
        "http://purl.org/dc/terms/conformsTo": {"@id": "https://bioschemas.org/profiles/Dataset/1.0-RELEASE", "@type": "CreativeWork"},
        "name": TITLE,
        "description": DESCRIPTION,
        "identifier": description.version_iri,
        "url": HOMEPAGE,
        "version": description.version,
        "datePublished": description.issued,
        "license": LICENSE,
        "creator": {"@type": "Organization", "name": CREATOR},
        "keywords": list(KEYWORDS),
        "isPartOf": {"@id": SUMMARY_IRI},
        "distribution": [
            {"@type": "DataDownload", "name": item.name, "encodingFormat": item.media_type, "contentSize": f"{item.size} B",
             "contentUrl": f"{RELEASES_URL}{description.version}/{item.name}", "sha256": item.sha256}
            for item in description.distributions
        ],
    }


def _format(name: str) -> tuple[str, str]:
    return next((value for suffix, value in FORMATS.items() if name.endswith(suffix)), ("application/octet-stream", ""))


def dataset_script(graph: Graph, issued: str | None = None) -> str:
    """Return the Bioschemas ``Dataset`` of ``graph`` as the text of a ``<script type="application/ld+json">`` element.

    For pages that describe the graph (no files, so no distributions); ``</`` is escaped so the text cannot end the script.
    """
    import datetime as dt
    import json

    description = describe(graph, {}, data_version(graph), issued or dt.date.today().isoformat())
    return json.dumps(bioschemas_dataset(description), indent=1, ensure_ascii=False).replace("</", "<\\/")
