"""Build the graph from the curated tables and write it out, deterministically and atomically.

Nothing is written unless reading, checking and validation all succeed, and
the outputs replace their predecessors together, in one rename (see
:func:`write_release`), so a failed or killed build leaves the previous
outputs exactly as they were.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph
from rdflib.namespace import DCTERMS, PROV

from allkg.curation import OntologyIndex, load_curation, load_kinds, load_ontology
from allkg.rdfbuild import build_graph
from allkg.resources import default_build_dir
from allkg.validate import ValidationError, validate_graph
from allkg.vocab import ALLKG, BASE_IRI, GRAPH_DIR, entity_id, prefix_map

# The safety layer's kinds of statement, counted apart in the summary (the relations that make them).
SAFETY_RELATIONS = {
    "drug interactions": ("hasDrugInteraction",),
    "agent-class memberships": ("memberOfAgentClass",),
    "pharmacogenomic recommendations": ("hasPharmacogenomicRecommendation",),
    "contraindications (or none listed)": ("contraindicatedIn", "contraindicationsListed"),
    "dose modifications": ("hasDoseModification",),
    "reproductive advice": ("requiresContraception", "advisesAgainstBreastfeeding", "requiresPregnancyTest"),
}
OUTPUT_NAMES = ("allkg.ttl", "allkg.nt", "allkg.jsonld")


def build_dir() -> Path:
    """Return the build directory: $ALLKG_BUILD_DIR if set, else build/ in the current directory."""
    return default_build_dir()


@dataclass
class BuildResult:
    """What a build produced, for the summary."""

    graph: Graph
    outputs: dict[str, Path]
    triples: int
    entities_by_kind: dict[str, int]
    statements: int
    statements_by_source: dict[str, int]
    sources: int
    statements_by_source_kind: dict[str, int]
    safety_statements: dict[str, int] = field(default_factory=dict)
    # Strongest evidence level of each statement (label -> count), strongest level first.
    statements_by_evidence_level: dict[str, int] = field(default_factory=dict)
    # The treatment layer at a glance: drugs, regimens, courses, trials and reported trial results.
    treatment: dict[str, int] = field(default_factory=dict)


def assemble(graph_dir: Path = GRAPH_DIR) -> Graph:
    """Read the tables and return the knowledge graph, validated; raise on any defect."""
    ontology = OntologyIndex(load_ontology())
    curation = load_curation(graph_dir, ontology)
    graph = build_graph(curation, ontology)
    report = validate_graph(graph)
    if not report.ok:
        raise ValidationError(report)
    return graph


def serialize(graph: Graph) -> dict[str, bytes]:
    """Serialize the graph to Turtle, N-Triples and JSON-LD, byte-identical for the same input."""
    ntriples = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
    turtle = graph.serialize(format="turtle")
    context = {prefix: iri for prefix, iri in prefix_map().items()}
    document = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    return {
        "allkg.ttl": turtle.encode("utf-8"),
        "allkg.nt": ("\n".join(ntriples) + "\n").encode("utf-8"),
        "allkg.jsonld": (json.dumps(_canonical_json(document), indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"),
    }


def _canonical_json(value):
    """Sort JSON-LD arrays, whose order rdflib leaves to hash order; RDF graphs are unordered anyway."""
    if isinstance(value, dict):
        return {key: _canonical_json(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_canonical_json(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def write_atomically(directory: Path, contents: dict[str, bytes]) -> dict[str, Path]:
    """Write each file to a temporary sibling, then rename it into place."""
    directory.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in contents.items():
            handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
            os.chmod(temporary, 0o644)  # mkstemp makes 0600 files; outputs are for everyone to read
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            staged.append((name, Path(temporary)))
        for name, temporary in staged:
            os.replace(temporary, directory / name)
    finally:
        for _, temporary in staged:
            temporary.unlink(missing_ok=True)
    return {name: directory / name for name in contents}


CURRENT_RELEASE = ".allkg-current"  # symlink to the release directory that holds the outputs in use
RELEASE_PREFIX = ".allkg-release-"


def write_release(directory: Path, contents: dict[str, bytes]) -> dict[str, Path]:
    """Replace the outputs in ``directory`` as one set: readers see all old or all new files, never a mix.

    The files go into a fresh release directory, and one rename of the ``.allkg-current`` symlink swaps the whole
    set; each output (``allkg.nt``...) is a fixed symlink through it. Releases and temporary files left by an
    interrupted build are removed by the next one. A lock on the directory keeps two builds from cleaning each
    other's work.
    """
    import fcntl

    directory.mkdir(parents=True, exist_ok=True)
    lock = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        release = Path(tempfile.mkdtemp(prefix=RELEASE_PREFIX, dir=directory))
        os.chmod(release, 0o755)  # mkdtemp makes 0700 directories; outputs are for everyone to read
        for name, data in contents.items():
            with open(release / name, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        _fsync_directory(release)
        _replace_with_symlink(directory / CURRENT_RELEASE, release.name)  # the one step that swaps every output
        for name in contents:  # made once; later builds find them in place and touch nothing here
            if not ((directory / name).is_symlink() and os.readlink(directory / name) == f"{CURRENT_RELEASE}/{name}"):
                _replace_with_symlink(directory / name, f"{CURRENT_RELEASE}/{name}")
        _fsync_directory(directory)
        remove_stale(directory, contents)
    finally:
        os.close(lock)  # closing releases the lock
    return {name: directory / name for name in contents}


def _replace_with_symlink(path: Path, target: str) -> None:
    staged = path.with_name(f".{path.name}.{os.getpid()}.link")
    staged.unlink(missing_ok=True)
    os.symlink(target, staged)
    os.replace(staged, path)


def _fsync_directory(directory: Path) -> None:
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def remove_stale(directory: Path, contents) -> None:
    """Remove releases other than the current one, and temporary files an interrupted build left behind."""
    import shutil

    current = os.readlink(directory / CURRENT_RELEASE) if (directory / CURRENT_RELEASE).is_symlink() else None
    for path in directory.iterdir():
        if path.name.startswith(RELEASE_PREFIX) and path.name != current:
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.endswith(".link") and path.name.startswith("."):
            path.unlink(missing_ok=True)
        elif any(path.name.startswith(f".{name}.") for name in contents):  # temporary files of earlier versions
            path.unlink(missing_ok=True)


def build(out_dir: Path | None = None, graph_dir: Path = GRAPH_DIR) -> BuildResult:
    """Build, validate and write the graph; return counts for the summary."""
    graph = assemble(graph_dir)
    outputs = write_release(out_dir or build_dir(), serialize(graph))
    return summarize(graph, outputs)


def summarize(graph: Graph, outputs: dict[str, Path] | None = None) -> BuildResult:
    """Count triples, entities per kind, statements per source and sources."""
    kinds = load_kinds()
    entities: Counter[str] = Counter()
    for subject in set(graph.subjects(RDFS.label)):
        curated = entity_id(subject)
        if curated and curated.split("/")[0] in kinds:
            entities[kinds[curated.split("/")[0]]["legend"]] += 1
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    by_source: Counter[str] = Counter(
        str(source).rsplit("/", 1)[-1] for statement in statements for source in graph.objects(statement, PROV.wasDerivedFrom)
    )
    sources = {s for s in graph.subjects(DCTERMS.title) if str(s).startswith(BASE_IRI + "source/")}
    by_kind: Counter[str] = Counter()
    for source in sources:
        kind = next((str(k).rsplit("#", 1)[-1] for k in graph.objects(source, RDF.type) if str(k).startswith(str(ALLKG._NS))), "Source")
        by_kind[kind] += by_source.get(str(source).rsplit("/", 1)[-1], 0)
    predicates = Counter(str(graph.value(statement, RDF.predicate)) for statement in statements)
    safety = {name: sum(predicates[str(ALLKG._NS[relation])] for relation in relations) for name, relations in SAFETY_RELATIONS.items()}
    return BuildResult(
        graph, outputs or {}, len(graph), dict(sorted(entities.items())), len(statements), dict(sorted(by_source.items())),
        len(sources), dict(sorted(by_kind.items())), safety, _count_strongest_levels(graph, statements),
        _count_treatment_layer(graph, statements),
    )


def _count_treatment_layer(graph: Graph, statements) -> dict[str, int]:
    """Count the drugs, regimens, courses and trials, and the trial results reported as statements."""
    counts = {
        name: len(set(graph.subjects(RDF.type, cls)))
        for name, cls in (("drugs", ALLKG.Drug), ("regimens", ALLKG.Regimen), ("courses", ALLKG.RegimenCourse), ("trials", ALLKG.ClinicalTrial))
    }
    counts["trial results"] = sum(1 for s in statements if graph.value(s, RDF.predicate) == ALLKG.reportedOutcome)
    # Risk markers: the alterations, subtypes and MRD settings a source assigns a risk group (branch treatment-evidence).
    counts["risk markers"] = len({graph.value(s, RDF.subject) for s in statements if graph.value(s, RDF.predicate) == ALLKG.indicatesRiskGroup})
    return counts


def _count_strongest_levels(graph: Graph, statements) -> dict[str, int]:
    """Count statements by their strongest evidence level; a statement with none counts as 'none'."""
    ranks = {level: int(rank) for level, rank in graph.subject_objects(ALLKG.evidenceRank)}
    counts: Counter = Counter()
    for statement in statements:
        levels = [level for level in graph.objects(statement, ALLKG.evidenceLevel) if level in ranks]
        counts[min(levels, key=ranks.get) if levels else None] += 1
    ordered = sorted(counts, key=lambda level: ranks.get(level, len(ranks) + 1))
    return {(str(graph.value(level, RDFS.label)) if level is not None else "none"): counts[level] for level in ordered}
