"""The identifier mappings of ``graph/xrefs/*.tsv`` as an SSSOM mapping set (TSV with a YAML header).

Every mapping was written into the tables by a curator from a cited database or mapping set,
so its justification is ``semapv:ManualMappingCuration`` and its ``mapping_source`` is that
source. The confidence says how far the row was checked (``allkg:verification``):

- ``verified`` (agrees with an independent second table, or read in the authority itself): 0.95
- ``cited`` (as the cited source gives it, not cross-checked): 0.8
- ``unverified`` (kept with a note saying why it is doubtful): 0.5

These are the project's own scale, not measured error rates; ``docs/releasing.md`` says so.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from rdflib import RDF, RDFS, SKOS, Graph
from rdflib.namespace import PROV

from allkg.results import shorten
from allkg.vocab import ALLKG, prefix_map

JUSTIFICATION = "semapv:ManualMappingCuration"
CONFIDENCE = {"verified": 0.95, "cited": 0.8, "unverified": 0.5}
MATCH_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch)
COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification", "confidence", "mapping_source", "comment")
EXTRA_PREFIXES = {"semapv": "https://w3id.org/semapv/vocab/"}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


@dataclass
class MappingSet:
    text: str
    mappings: int


def export_sssom(graph: Graph, version: str, mapping_set_id: str) -> MappingSet:
    """Return the mapping set as SSSOM TSV text, rows sorted, with the header naming every prefix it uses."""
    rows = []
    for statement in graph.subjects(RDF.type, RDF.Statement):
        predicate = graph.value(statement, RDF.predicate)
        if predicate not in MATCH_PREDICATES:
            continue
        subject, obj = graph.value(statement, RDF.subject), graph.value(statement, RDF.object)
        verification = str(graph.value(statement, ALLKG.verification) or "unverified")
        source = graph.value(statement, PROV.wasDerivedFrom)
        rows.append({
            "subject_id": shorten(str(subject)),
            "subject_label": str(graph.value(subject, RDFS.label) or ""),
            "predicate_id": shorten(str(predicate)),
            "object_id": str(graph.value(obj, SKOS.notation) or shorten(str(obj))),
            "mapping_justification": JUSTIFICATION,
            "confidence": str(CONFIDENCE.get(verification, CONFIDENCE["unverified"])),
            "mapping_source": shorten(str(source)) if source else "",
            "comment": "; ".join(filter(None, [verification, " ".join(str(graph.value(statement, ALLKG.note) or "").split())])),
        })
    rows.sort(key=lambda row: (row["subject_id"], row["object_id"], row["predicate_id"]))
    used = {cell.split(":", 1)[0] for row in rows for column in ("subject_id", "predicate_id", "object_id", "mapping_justification",
                                                                 "mapping_source") for cell in [row[column]] if ":" in cell}
    known = {**prefix_map(), **EXTRA_PREFIXES}
    missing = sorted(used - known.keys())
    if missing:
        raise ValueError(f"SSSOM export: prefixes without a namespace in ontology/prefixes.json: {', '.join(missing)}")
    quoted = json.dumps  # a JSON string is a YAML string: safe for IRIs that end in ':'
    header = [
        f"mapping_set_id: {quoted(mapping_set_id)}",
        f"mapping_set_version: {quoted(version)}",
        f"mapping_set_title: {quoted('allkg identifier mappings (ALL therapy knowledge graph)')}",
        f"license: {quoted(LICENSE)}",
        "curie_map:",
        *(f"  {quoted(prefix)}: {quoted(known[prefix])}" for prefix in sorted(used)),
    ]
    buffer = io.StringIO()
    buffer.write("".join(f"#{line}\n" for line in header))
    writer = csv.DictWriter(buffer, COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return MappingSet(buffer.getvalue(), len(rows))
