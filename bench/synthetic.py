"""Write a synthetic graph of the same shape as allkg, scaled to about a million triples (for benchmarks only).

The real build comes first, unchanged, so every named query's example still
resolves; then come synthetic drugs ("synthetic drug 00042"), each with the
real graph's kinds of facts: classes, targets, a mechanism, indications with
settings, adverse effects with frequency and severity, monitoring, a brand,
route and schedule, all as direct triples plus rdf:Statement nodes with
provenance, as ``allkg build`` writes them. Some synthetic drugs share real
findings and real classes, so that queries about real entities have more to
do at scale. The output is N-Triples; nothing here is a medical fact.

Two shapes: ``within`` (the default) makes every synthetic drug an ALL drug (its diseases are subtypes of
ALL, and it also treats a real ALL subtype), so the explorer's answers grow with the graph; ``beside`` puts
the synthetic drugs under a synthetic disease of their own, as a large graph loaded next to allkg would be
(they still share real findings and classes), so an answer about ALL should cost what it costs on allkg.

    python bench/synthetic.py --triples 1000000 --out build/bench/synthetic.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's allkg, not an installed one

BASE = "https://w3id.org/allkg/"
ONT = BASE + "ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DRUG_CLASSES = ["BcrAbl1TyrosineKinaseInhibitor", "MeninInhibitor", "KinaseInhibitor", "Immunotherapy", "MonoclonalAntibody",
                "BispecificTCellEngager", "AntibodyDrugConjugate", "Chemotherapy", "Corticosteroid", "TargetedTherapy"]
REAL_FINDINGS = ["anemia", "bleeding", "diarrhea", "fatigue", "nausea", "rash", "vomiting", "differentiation-syndrome", "cardiac-arrhythmia"]
REAL_DISEASES = ["all", "ph-positive-all", "kmt2a-rearranged-all"]
SETTINGS = ["after-failure-of-another-tki", "maintenance", "relapsed-refractory", "with-chemotherapy"]
TRIPLES_PER_DRUG = 174  # measured on the output of _drug(); used to size the run


def iri(path: str) -> str:
    return f"<{path if path.startswith('http') else BASE + path}>"


def literal(text: str, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + (f"^^<{XSD}{datatype}>" if datatype else "")


class Writer:
    def __init__(self, stream):
        self.stream, self.count, self.statements = stream, 0, 0

    def triple(self, s: str, p: str, o: str) -> None:
        self.stream.write(f"{s} <{p}> {o} .\n")
        self.count += 1

    def fact(self, s: str, p: str, o: str, source: str, qualifiers: dict[str, str] | None = None) -> None:
        """A direct triple and its statement node, as allkg.rdfbuild writes them."""
        self.triple(s, p, o)
        self.statements += 1
        node = iri(f"statement/syn-{self.statements:08d}")
        self.triple(node, RDF + "type", f"<{RDF}Statement>")
        self.triple(node, RDF + "subject", s)
        self.triple(node, RDF + "predicate", f"<{p}>")
        self.triple(node, RDF + "object", o)
        for prop, value in (qualifiers or {}).items():
            self.triple(node, ONT + prop, value)
        self.triple(node, PROV + "wasDerivedFrom", iri(f"source/{source}"))
        self.triple(node, ONT + "sourceSection", iri(f"source/{source}#effects"))

    def entity(self, path: str, kind: str, label: str, source: str) -> str:
        node = iri(path)
        self.triple(node, RDF + "type", f"<{ONT}{kind}>")
        self.triple(node, RDFS + "label", literal(label))
        self.triple(node, SKOS + "definition", literal(f"Synthetic {kind} for benchmarks."))
        self.triple(node, DCTERMS + "source", iri(f"source/{source}"))
        return node


SHAPES = ("within", "beside")


def write_synthetic(real_graph: Path, out: Path, triples: int = 1_000_000, seed: int = 0, shape: str = "within") -> int:
    """Write the real graph plus synthetic drugs until about ``triples`` triples; return the count written."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    rng = random.Random(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as stream:
        writer = Writer(stream)
        for line in real_graph.read_text(encoding="utf-8").splitlines():
            if line.strip():
                stream.write(line + "\n")
                writer.count += 1
        drugs = max(1, (triples - writer.count) // TRIPLES_PER_DRUG)
        pools = _pools(writer, drugs, shape)
        for number in range(drugs):
            _drug(writer, number, pools, rng, shape)
        return writer.count


def _pools(writer: Writer, drugs: int, shape: str = "within") -> dict[str, list[str]]:
    """Shared entities the synthetic drugs point to: sources, findings, targets, mechanisms, subtypes, tests."""
    sizes = {"source": max(10, drugs // 10), "finding": max(50, drugs // 3), "target": max(20, drugs // 5),
             "mechanism": max(10, drugs // 20), "disease": max(10, drugs // 50), "test": max(5, drugs // 100)}
    kinds = {"finding": "ClinicalFinding", "target": "Protein", "mechanism": "MechanismOfAction", "disease": "Disease", "test": "MonitoringTest"}
    pools: dict[str, list[str]] = {}
    for n in range(sizes["source"]):
        node = iri(f"source/syn-{n:05d}")
        writer.triple(node, RDF + "type", f"<{ONT}DrugLabel>")
        writer.triple(node, RDFS + "label", literal(f"Synthetic label {n:05d}"))
        writer.triple(node, DCTERMS + "title", literal(f"Synthetic label {n:05d}"))
        writer.triple(node, DCTERMS + "publisher", literal("Benchmark"))
        writer.triple(iri(f"source/syn-{n:05d}#effects"), RDFS + "label", literal("Adverse reactions"))
        writer.triple(iri(f"source/syn-{n:05d}#effects"), DCTERMS + "isPartOf", node)
    pools["source"] = [f"syn-{n:05d}" for n in range(sizes["source"])]
    for prefix, kind in kinds.items():
        pools[prefix] = [writer.entity(f"{prefix}/syn-{n:06d}", kind, f"synthetic {prefix} {n:06d}", "syn-00000") for n in range(sizes[prefix])]
    root = iri("disease/all")
    if shape == "beside":
        root = writer.entity("disease/syn-root", "Disease", "synthetic disease root", "syn-00000")
    for node in pools["disease"]:
        writer.fact(node, ONT + "subtypeOf", root, "syn-00000")
    for n, node in enumerate(pools["test"]):
        writer.fact(node, ONT + "monitorsFor", pools["finding"][n * 7 % len(pools["finding"])], "syn-00000")
    return pools


def _drug(writer: Writer, number: int, pools: dict[str, list[str]], rng: random.Random, shape: str = "within") -> None:
    source = rng.choice(pools["source"])
    drug = writer.entity(f"drug/syn-{number:06d}", "Drug", f"synthetic drug {number:06d}", source)
    writer.triple(drug, SKOS + "altLabel", literal(f"SYN-{number:06d}"))
    writer.fact(drug, RDF + "type", f"<{ONT}{rng.choice(DRUG_CLASSES)}>", source)
    for target in rng.sample(pools["target"], 2):
        writer.fact(drug, ONT + "hasTarget", target, source)
    writer.fact(drug, ONT + "hasMechanism", rng.choice(pools["mechanism"]), source)
    real_disease = iri(f"disease/{rng.choice(REAL_DISEASES)}")  # drawn in both shapes: the same drugs either way
    diseases = [rng.choice(pools["disease"])] + ([real_disease] if shape == "within" else [])
    for disease in diseases:
        writer.fact(drug, ONT + "treats", disease, source, {"inSetting": iri(f"setting/{rng.choice(SETTINGS)}"), "inPopulation": iri("population/adults")})
    effects = rng.sample(pools["finding"], 9) + [iri(f"finding/{rng.choice(REAL_FINDINGS)}")]
    for effect in effects:
        qualifiers = {"frequency": iri("frequency/common"), "severity": iri(f"severity/{rng.choice(['mild', 'serious', 'life-threatening'])}")}
        if rng.random() < 0.02:
            qualifiers["boxedWarning"] = literal("true", "boolean")
        writer.fact(drug, ONT + "hasAdverseEffect", effect, source, qualifiers)
    writer.fact(drug, ONT + "requiresMonitoring", rng.choice(pools["test"]), source, {"timing": literal("during treatment")})
    writer.fact(drug, ONT + "hasRoute", iri("route/oral"), source)
    writer.fact(drug, ONT + "hasSchedule", iri(f"schedule/{rng.choice(['once-or-more-daily', 'twice-daily'])}"), source)
    product = writer.entity(f"product/syn-{number:06d}", "DrugProduct", f"Synbrand{number:06d}", source)
    writer.fact(product, ONT + "hasActiveIngredient", drug, source)


def main() -> None:
    from allkg.store import ensure_built

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("build/bench/synthetic.nt"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shape", choices=SHAPES, default="within")
    args = parser.parse_args()
    count = write_synthetic(ensure_built(), args.out, args.triples, args.seed, args.shape)
    print(f"wrote {count} triples to {args.out}")


if __name__ == "__main__":
    main()
