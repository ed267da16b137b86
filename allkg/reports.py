"""Reports over the curated tables: identifier coverage (``allkg ids``) and the bibliography (``allkg sources``).

Both work on the checked :class:`~allkg.curation.Curation`, without building RDF,
so they are quick; the CLI only formats what these functions return.

>>> report = identifier_report(load_curation())  # doctest: +SKIP
>>> report.by_verification  # doctest: +SKIP
{'cited': 16, 'unverified': 2, 'verified': 94}
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

from allkg.curation import Curation
from allkg.xrefs import VERIFICATIONS

# Kinds of entity (id prefixes) that must carry at least one standard identifier.
IDENTIFIER_KINDS = ("drug", "gene", "disease", "finding")
BIBLIOGRAPHY_COLUMNS = ("id", "kind", "title", "publisher", "identifier", "revised", "accessed", "note")
# The notes (how a source was read, what was searched for a missing primary) are too long for a table.
BIBLIOGRAPHY_TABLE_COLUMNS = BIBLIOGRAPHY_COLUMNS[:-1]


@dataclass
class IdentifierReport:
    """How many identifiers there are and how well each is confirmed."""

    by_verification: dict[str, int]
    by_prefix: dict[str, dict[str, int]]
    by_kind: dict[str, dict[str, int]]
    missing: list[tuple[str, str]]

    @property
    def total(self) -> int:
        return sum(self.by_verification.values())

    def rows(self) -> list[dict[str, str | int]]:
        """Flatten to rows (group, key, verified, cited, unverified, total) for TSV output."""
        rows: list[dict[str, str | int]] = []
        for group, table in (("prefix", self.by_prefix), ("kind", self.by_kind)):
            for key, counts in table.items():
                rows.append({"group": group, "key": key, **{v: counts.get(v, 0) for v in VERIFICATIONS}, "total": sum(counts.values())})
        rows.append({"group": "all", "key": "all", **{v: self.by_verification.get(v, 0) for v in VERIFICATIONS}, "total": self.total})
        return rows


def identifier_report(curation: Curation) -> IdentifierReport:
    """Count identifiers by verification, per prefix and per entity kind; list entities lacking any."""
    by_verification: Counter[str] = Counter()
    by_prefix: dict[str, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for xref in curation.xrefs:
        by_verification[xref.verification] += 1
        by_prefix[xref.prefix][xref.verification] += 1
        by_kind[xref.entity.split("/")[0]][xref.verification] += 1
    with_identifier = {xref.entity for xref in curation.xrefs}
    missing = [
        (entity.id, entity.label)
        for entity in sorted(curation.entities.values(), key=lambda e: e.id)
        if entity.id.split("/")[0] in IDENTIFIER_KINDS and entity.id not in with_identifier
    ]
    return IdentifierReport(
        {v: by_verification.get(v, 0) for v in VERIFICATIONS},
        {prefix: dict(counts) for prefix, counts in sorted(by_prefix.items())},
        {kind: dict(counts) for kind, counts in sorted(by_kind.items())},
        missing,
    )


def bibliography(curation: Curation) -> list[dict[str, str]]:
    """Return one row per source: id, kind, title, publisher, best identifier, revised and accessed dates, note."""
    rows = []
    for source in sorted(curation.sources.values(), key=lambda s: s.id):
        fields = source.fields
        rows.append({
            "id": source.id,
            "kind": source.kind,
            "title": fields.get("title", ""),
            "publisher": fields.get("publisher", ""),
            "identifier": _best_identifier(fields),
            "revised": fields.get("date_revised", ""),
            "accessed": fields.get("date_accessed", ""),
            "note": fields.get("note", ""),
        })
    return rows


def _best_identifier(fields: dict[str, str]) -> str:
    """Prefer a persistent identifier (PMID, DOI, DailyMed set id) over a URL."""
    for column, label in (("pmid", "PMID:"), ("doi", "DOI:"), ("setid", "setid:")):
        if fields.get(column):
            return label + fields[column]
    return fields.get("url", "")


def to_tsv(rows: list[dict], columns) -> str:
    """Render rows as TSV with a header; tabs and newlines inside cells become spaces."""
    clean = lambda value: str(value).replace("\t", " ").replace("\n", " ")  # noqa: E731
    lines = ["\t".join(columns)]
    lines += ["\t".join(clean(row.get(column, "")) for column in columns) for row in rows]
    return "\n".join(lines) + "\n"


def report_json(report: IdentifierReport) -> str:
    """Render the identifier report as JSON (missing entities as {id, label} objects)."""
    data = asdict(report)
    data["missing"] = [{"id": entity, "label": label} for entity, label in report.missing]
    data["total"] = report.total
    return json.dumps(data, indent=1, ensure_ascii=False)
