"""``allkg release``: a versioned, citable release in the formats the field loads.

One folder, written whole or not at all (every file is staged, then renamed into place):

==================  =====================================================================
``allkg.ttl``       the graph, Turtle (the same bytes as ``allkg build``)
``allkg.nt``        N-Triples, sorted; ``allkg.nt.gz`` the same, gzipped (reproducibly)
``allkg.jsonld``    JSON-LD, compacted with ``context.jsonld``
``context.jsonld``  the prefix map and the ontology's terms as a JSON-LD context
``nodes.tsv``       KGX nodes, Biolink categories (see :mod:`allkg.kgx`)
``edges.tsv``       KGX edges, Biolink predicates, statement IRI and provenance per edge
``mappings.sssom.tsv`` identifier mappings, SSSOM (see :mod:`allkg.sssom`)
``void.ttl``        the dataset description, VoID + DCAT, HCLS profile (:mod:`allkg.describe`)
``dataset.jsonld``  the same as Bioschemas ``Dataset``
``CHANGELOG.md``    this release's changes (``allkg diff`` against ``--previous``), then the earlier entries
``changes.json``    the same changes as JSON, when there is a previous release
``SHA256SUMS``      checksums of every other file (``sha256sum -c SHA256SUMS``)
==================  =====================================================================
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, Graph

from allkg.build import assemble, serialize, write_atomically
from allkg.describe import SUMMARY_IRI, bioschemas_dataset, data_version, describe, void_graph
from allkg.diff import Snapshot, diff, load_snapshot, snapshot_of
from allkg.kgx import export_kgx
from allkg.sssom import export_sssom
from allkg.vocab import ALLKG, GRAPH_DIR, prefix_map

CHANGELOG_TITLE = "# Changelog of the allkg data\n"


class ReleaseError(ValueError):
    """A release that cannot be made as asked (a bad date, an unreadable previous release)."""


@dataclass
class ReleaseResult:
    directory: Path
    version: str
    sizes: dict[str, int]
    unmapped: list[str]
    kgx_nodes: int
    kgx_edges: int
    mappings: int
    warnings: list[str] = field(default_factory=list)


def make_release(out_dir: Path, previous: Path | None = None, graph_dir: Path | None = None, issued: str | None = None,
                 sparql_endpoint: str | None = None) -> ReleaseResult:
    """Build the graph, export every format, describe and checksum them, and write the release folder."""
    issued = _checked_date(issued)
    earlier = load_snapshot(previous) if previous else None  # read first: a bad --previous stops before any work
    graph = assemble(graph_dir or GRAPH_DIR)
    version = data_version(graph)
    files = serialize(graph)
    files["allkg.nt.gz"] = gzip.compress(files["allkg.nt"], compresslevel=9, mtime=0)
    files["context.jsonld"] = _json(context_document(graph))
    kgx = export_kgx(graph)
    files.update(kgx.files())
    mappings = export_sssom(graph, version, f"{SUMMARY_IRI}/{version}/mappings.sssom.tsv")
    files["mappings.sssom.tsv"] = mappings.text.encode("utf-8")
    warnings = []
    current = snapshot_of(files["allkg.nt"], Path(out_dir))
    current.version = version
    changelog, changes = _changelog(earlier, current, previous, version, issued)
    if earlier is not None and earlier.version == version and changes and changes["changes"]:
        warnings.append(f"the previous release is also version {version} but differs; raise owl:versionInfo in ontology/allkg.ttl")
    files["CHANGELOG.md"] = changelog.encode("utf-8")
    if changes is not None:
        files["changes.json"] = _json(changes)
    description = describe(graph, {name: data for name, data in files.items() if name not in ("CHANGELOG.md", "changes.json")},
                           version, issued, sparql_endpoint)
    files["void.ttl"] = void_graph(description).serialize(format="turtle").encode("utf-8")
    files["dataset.jsonld"] = _json(bioschemas_dataset(description))
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())).encode("ascii")
    write_atomically(Path(out_dir), files)
    return ReleaseResult(Path(out_dir), version, {name: len(data) for name, data in sorted(files.items())}, kgx.unmapped,
                         kgx.node_count, kgx.edge_count, mappings.mappings, warnings)


def context_document(graph: Graph) -> dict:
    """Return a JSON-LD context: the project's prefixes, and each ontology term by its local name (object properties as ``@id``)."""
    context: dict = dict(sorted(prefix_map().items()))
    namespace = str(ALLKG._NS)
    object_properties = set(graph.subjects(RDF.type, OWL.ObjectProperty))
    for term in sorted(_ontology_terms(graph)):
        name = str(term)[len(namespace):]
        if name and name not in context:
            context[name] = {"@id": f"allkg:{name}", "@type": "@id"} if term in object_properties else f"allkg:{name}"
    return {"@context": context}


def _ontology_terms(graph: Graph) -> set:
    namespace = str(ALLKG._NS)
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
    return {term for kind in kinds for term in graph.subjects(RDF.type, kind) if str(term).startswith(namespace)}


def _changelog(earlier: Snapshot | None, current: Snapshot, previous: Path | None, version: str, issued: str) -> tuple[str, dict | None]:
    heading = f"{version} ({issued})"
    if earlier is None:
        statements = sum(len(items) for items in current.statements.values())
        entry = f"## {heading}\n\nFirst release: {statements} statements about {len(current.entity_labels)} entities.\n"
        return f"{CHANGELOG_TITLE}\n{entry}", None
    result = diff(earlier, current)
    entry = result.to_markdown(f"{heading}, changes since {earlier.version or previous}")
    older = (Path(previous) / "CHANGELOG.md") if Path(previous).is_dir() else None
    history = older.read_text(encoding="utf-8").removeprefix(CHANGELOG_TITLE).lstrip("\n") if older and older.is_file() else ""
    return f"{CHANGELOG_TITLE}\n{entry}" + (f"\n{history}" if history else ""), result.to_json()


def _checked_date(issued: str | None) -> str:
    if issued is None:
        return dt.date.today().isoformat()
    try:
        return dt.date.fromisoformat(issued).isoformat()
    except ValueError:
        raise ReleaseError(f"--date {issued!r}: expected a date as YYYY-MM-DD") from None


def _json(document) -> bytes:
    return (json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
