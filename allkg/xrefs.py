"""Read and check the standard identifiers of curated entities (``graph/xrefs/*.tsv``).

Each row maps one curated entity to one identifier of a standard resource::

    entity  entity_label  curie  match  verification  source  note
    drug/imatinib  imatinib  CHEBI:45783  exact  verified  drugbank-5-1-8-demokritos  ...

- ``curie`` is ``PREFIX:local``; the prefix must be a standard identifier prefix
  (``ontology/identifier-patterns.tsv``, expanded through ``ontology/prefixes.json``
  with a :class:`curies.Converter`) and the local id must match its pattern.
- ``match`` is ``exact`` or ``close`` (``skos:exactMatch`` / ``skos:closeMatch``).
- ``verification`` says how the identifier was checked: ``verified`` (confirmed
  by a reference table, named in ``source``), ``cited`` (``source`` states it) or
  ``unverified`` (could not be confirmed; ``note`` says why, ``source`` may be empty).

This is a sub-stage of :mod:`allkg.curation`: it imports only the table reader
and the vocabulary, and reports problems in the same file:line:column form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import curies

from allkg.tables import CurationError, Problem, Row, read_table, suggest
from allkg.vocab import ONTOLOGY_DIR, prefix_map

XREF_COLUMNS = ("entity", "entity_label", "curie", "match", "verification", "source", "note")
MATCHES = ("close", "exact")
VERIFICATIONS = ("cited", "unverified", "verified")
PATTERN_COLUMNS = ("prefix", "name", "pattern", "example")


@dataclass(frozen=True)
class IdentifierPrefix:
    """A standard identifier prefix: its name, local-id pattern and an example."""

    prefix: str
    name: str
    pattern: re.Pattern
    example: str


@dataclass(frozen=True)
class Xref:
    """One checked mapping from a curated entity to a standard identifier."""

    entity: str
    curie: str
    prefix: str
    local_id: str
    iri: str
    match: str
    verification: str
    source: str
    note: str
    row: Row


@lru_cache(maxsize=4)
def identifier_prefixes(ontology_dir: Path = ONTOLOGY_DIR) -> dict[str, IdentifierPrefix]:
    """Read ``identifier-patterns.tsv``: the prefixes usable in xref tables and their patterns."""
    table, problems = read_table(ontology_dir / "identifier-patterns.tsv", PATTERN_COLUMNS)
    known = prefix_map()
    prefixes: dict[str, IdentifierPrefix] = {}
    for row in table.rows:
        prefix = row.get("prefix")
        if prefix not in known:
            problems.append(row.problem("prefix", f"prefix {prefix!r} is not in ontology/prefixes.json{suggest(prefix, known)}"))
            continue
        try:
            pattern = re.compile(row.get("pattern"))
        except re.error as error:
            problems.append(row.problem("pattern", f"invalid regular expression: {error}"))
            continue
        prefixes[prefix] = IdentifierPrefix(prefix, row.get("name"), pattern, row.get("example"))
    if problems:
        raise CurationError(problems)
    return prefixes


@lru_cache(maxsize=4)
def identifier_converter(ontology_dir: Path = ONTOLOGY_DIR) -> curies.Converter:
    """Return a Converter for the standard identifier prefixes only, with their patterns.

    >>> identifier_converter().expand("MONDO:0004967")
    'http://purl.obolibrary.org/obo/MONDO_0004967'
    """
    namespaces = prefix_map()
    records = [
        curies.Record(prefix=p.prefix, uri_prefix=namespaces[p.prefix], pattern=p.pattern.pattern)
        for p in identifier_prefixes(ontology_dir).values()
    ]
    return curies.Converter(records)


def parse_curie(curie: str, ontology_dir: Path = ONTOLOGY_DIR) -> tuple[str, str, str | None]:
    """Split a CURIE and validate it; return (prefix, local id, error message or None).

    >>> parse_curie("drugbank:DB00619")
    ('drugbank', 'DB00619', None)
    >>> parse_curie("chebi:45783")[2]
    "unknown identifier prefix 'chebi' (did you mean 'CHEBI'?)"
    >>> parse_curie("umls:0023449")[2]
    "local id '0023449' does not match the umls pattern ^C\\\\d{7}$ (e.g. umls:C0023449)"
    """
    prefixes = identifier_prefixes(ontology_dir)
    prefix, colon, local_id = curie.partition(":")
    if not colon or not prefix or not local_id:
        return prefix, local_id, f"{curie!r} is not a CURIE (PREFIX:local id)"
    if prefix not in prefixes:
        return prefix, local_id, f"unknown identifier prefix {prefix!r}{_suggest_prefix(prefix, prefixes)}"
    spec = prefixes[prefix]
    if not spec.pattern.fullmatch(local_id):
        return prefix, local_id, (
            f"local id {local_id!r} does not match the {prefix} pattern {spec.pattern.pattern} (e.g. {prefix}:{spec.example})"
        )
    return prefix, local_id, None


def _suggest_prefix(prefix: str, prefixes) -> str:
    """Suggest a known prefix: ignoring case (chebi -> CHEBI), then by stem (chembl -> chembl.compound), then by similarity."""
    same = [p for p in prefixes if p.lower() == prefix.lower()] or [p for p in prefixes if p.split(".")[0] == prefix.lower()]
    if same:
        return f" (did you mean {same[0]!r}?)"
    by_lower = {p.lower(): p for p in prefixes}
    hint = suggest(prefix.lower(), by_lower)
    for lower, original in by_lower.items():
        hint = hint.replace(repr(lower), repr(original))
    return hint


def read_xrefs(xref_dir: Path, entities: dict, sources: dict, ontology_dir: Path = ONTOLOGY_DIR) -> tuple[tuple[Xref, ...], list[Problem]]:
    """Read every ``*.tsv`` in ``xref_dir`` and check each row; return the xrefs and the problems.

    ``entities`` maps curated ids to objects with a ``label``; ``sources`` holds the
    bibliography's ids. A missing directory means no identifiers yet.
    """
    problems: list[Problem] = []
    xrefs: list[Xref] = []
    first_row: dict[tuple[str, str], Row] = {}
    exact_owner: dict[str, tuple[str, Row]] = {}
    converter = identifier_converter(ontology_dir)
    for path in sorted(xref_dir.glob("*.tsv")) if xref_dir.is_dir() else ():
        table, more = read_table(path, XREF_COLUMNS)
        problems += more
        for row in table.rows:
            xref, more = _check_row(row, entities, sources, converter, ontology_dir)
            problems += more
            if xref is None:
                continue
            key = (xref.entity, xref.curie)
            if key in first_row:
                first = first_row[key]
                problems.append(row.problem("curie", f"duplicate identifier {xref.curie} of {xref.entity!r}; first given at {first.file}:{first.line}"))
                continue
            first_row[key] = row
            if xref.match == "exact":
                owner = exact_owner.setdefault(xref.curie, (xref.entity, row))
                if owner[0] != xref.entity:
                    problems.append(row.problem(
                        "curie",
                        f"{xref.curie} is already the exact match of {owner[0]!r} ({owner[1].file}:{owner[1].line}); "
                        "two entities cannot both equal one concept (use match 'close' if they only overlap)",
                    ))
                    continue
            xrefs.append(xref)
    return tuple(xrefs), problems


def _check_row(row: Row, entities: dict, sources: dict, converter: curies.Converter, ontology_dir: Path) -> tuple[Xref | None, list[Problem]]:
    problems: list[Problem] = []
    entity, label = row.get("entity"), row.get("entity_label")
    if entity not in entities:
        problems.append(row.problem("entity", f"unknown entity {entity!r}{suggest(entity, entities)}"))
    elif label != entities[entity].label:
        problems.append(row.problem("entity_label", f"label {label!r} does not match {entity!r} ({entities[entity].label!r})"))
    curie = row.get("curie")
    prefix, local_id, error = parse_curie(curie, ontology_dir)
    if error:
        problems.append(row.problem("curie", error))
    match, verification = row.get("match"), row.get("verification")
    if match not in MATCHES:
        problems.append(row.problem("match", f"match must be {' or '.join(MATCHES)}, not {match!r}{suggest(match, MATCHES)}"))
    if verification not in VERIFICATIONS:
        problems.append(row.problem(
            "verification", f"verification must be one of {', '.join(VERIFICATIONS)}, not {verification!r}{suggest(verification, VERIFICATIONS)}"
        ))
    source, note = row.get("source"), row.get("note")
    if source and source not in sources:
        problems.append(row.problem("source", f"unknown source {source!r}{suggest(source, sources)}"))
    elif not source and verification in ("verified", "cited"):
        problems.append(row.problem("source", f"a {verification} identifier names the source that confirms it"))
    if verification == "unverified" and not note:
        problems.append(row.problem("note", "an unverified identifier needs a note saying why it could not be confirmed"))
    if problems:
        return None, problems
    iri = converter.expand(curie, strict=True)
    return Xref(entity, curie, prefix, local_id, iri, match, verification, source, note, row), []
