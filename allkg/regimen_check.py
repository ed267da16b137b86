"""Check a combination of drugs: interactions, shared adverse effects, boxed warnings, monitoring, genotype tests.

For research and education only: never for treating a patient. Like :mod:`allkg.explorer`, every item comes
from a statement of the graph through ``queries/explore/*.rq`` and names its source.

>>> check_regimen(["mercaptopurine", "methotrexate"], comedication=["allopurinol"])  # doctest: +SKIP
"""

from __future__ import annotations

from allkg.explore_profile import LIST_OPTIONS, ProfileError
from allkg.explorer import DISCLAIMER, Answer, _join, _nodes, _rows
from allkg.queries import name_index
from allkg.resolve import EntityError
from allkg.vocab import SEVERITY_LEVELS, SEVERITY_RANK


def check_regimen(drugs, graph=None, *, comedication=(), condition=()) -> dict:
    """Return the documented JSON dict for a combination of ``drugs`` (names), with co-medications and conditions."""
    if isinstance(drugs, str):
        drugs = [drugs]
    index = name_index(graph)
    resolved = {
        "drug": _resolve(index, "drug", drugs, "drug"),
        "comedication": _resolve(index, LIST_OPTIONS["comedication"][0], comedication, "comedication"),
        "condition": _resolve(index, LIST_OPTIONS["condition"][0], condition, "condition"),
    }
    if len(resolved["drug"]) < 1:
        raise ProfileError("name at least one drug")

    def rows(name, **bindings):
        return _rows(name, graph, **bindings)

    drug_iris = list(resolved["drug"])
    everyone = list(dict.fromkeys(drug_iris + list(resolved["comedication"])))
    labels = {row["entity"]: row["label"] for row in rows("labels", entity=_nodes(everyone))}
    interactions = []
    for row in rows("interactions", drug=_nodes(everyone), other=_nodes(everyone)):
        if row["drug"] not in drug_iris and row["other"] not in drug_iris:
            continue  # two co-medications: not this combination's business
        item = {"a": row["drug"], "b": row["other"], "via": row["agent"], "mechanism": row["mechanism"],
                "effect": _join(row["effect"], row["consequence"]) or None, "management": row["management"], "source": row["source"]}
        if item not in interactions:
            interactions.append(item)
    interactions.sort(key=lambda i: (labels.get(i["a"], i["a"]), labels.get(i["b"], i["b"]), i["source"]))
    answer = Answer({
        "drugs": [{"iri": iri, "label": labels.get(iri, iri)} for iri in everyone],
        "interactions": interactions,
        "shared_adverse_effects": _shared_effects(rows("adverse-effects", drug=_nodes(drug_iris)), labels),
        "boxed_warnings": _unique([
            {"drug": row["drug"], "effect": row["about"], "label": row["about_label"], "when": row["detail"], "source": row["source"]}
            for row in rows("boxed-warnings", drug=_nodes(drug_iris))
        ], key=("drug", "effect", "when")),
        "monitoring": _merged_monitoring(rows("monitoring", drug=_nodes(drug_iris))),
        "pharmacogenomic_tests": _unique([
            {"drug": row["drug"], "phenotype": row["phenotype"], "label": row["phenotype_label"], "gene": row["gene"],
             "gene_label": row["gene_label"], "recommendation": row["recommendation"], "source": row["source"]}
            for row in rows("genotype-tests", drug=_nodes(drug_iris))
        ], key=("drug", "phenotype", "recommendation")),
        "contraindications": _unique([
            {"drug": row["drug"], "condition": row["condition"], "label": row["about_label"], "note": row["detail"], "source": row["source"]}
            for row in rows("condition-cautions", drug=_nodes(drug_iris), condition=_nodes(resolved["condition"]))
            if row["kind"] == "contraindication"
        ], key=("drug", "condition")),
        "disclaimer": DISCLAIMER,
    })
    answer.labels = labels
    return answer


def _resolve(index, kind, names, option: str) -> list[str]:
    if isinstance(names, str):
        names = [names]
    iris = []
    for name in names:
        try:
            iri = index.resolve(kind, name)
        except EntityError as error:
            raise ProfileError(f"--{option.replace('_', '-')} {name!r}: {error}") from None
        if iri not in iris:
            iris.append(iri)
    return iris


def _shared_effects(rows: list[dict], labels: dict[str, str]) -> list[dict]:
    """Effects stated for two or more of the drugs, with the worst severity any statement gives."""
    effects: dict[str, dict] = {}
    for row in rows:
        entry = effects.setdefault(row["effect"], {"effect": row["effect"], "label": row["label"], "drugs": [], "level": 1, "sources": []})
        if row["drug"] not in entry["drugs"]:
            entry["drugs"].append(row["drug"])
        entry["level"] = max(entry["level"], SEVERITY_RANK.get(row["severity"] or "", 1))
        if row["source"] not in entry["sources"]:
            entry["sources"].append(row["source"])
    shared = [e for e in effects.values() if len(e["drugs"]) > 1]
    shared.sort(key=lambda e: (-e["level"], -len(e["drugs"]), e["label"].casefold()))
    return [
        {"effect": e["effect"], "label": e["label"], "drugs": sorted(e["drugs"], key=lambda d: labels.get(d, d)),
         "worst_severity": SEVERITY_LEVELS[e["level"]], "sources": sorted(e["sources"])}
        for e in shared
    ]


def _merged_monitoring(rows: list[dict]) -> list[dict]:
    """One entry per test and timing, listing every drug that calls for it."""
    merged: dict[tuple, dict] = {}
    for row in rows:
        entry = merged.setdefault((row["test"], row["timing"]), {"test": row["test"], "label": row["label"], "when": row["timing"],
                                                                  "drugs": [], "sources": []})
        for key, value in (("drugs", row["drug"]), ("sources", row["source"])):
            if value not in entry[key]:
                entry[key].append(value)
    return sorted(({**e, "drugs": sorted(e["drugs"]), "sources": sorted(e["sources"])} for e in merged.values()),
                  key=lambda e: (e["label"].casefold(), e["when"] or ""))


def _unique(items: list[dict], key: tuple[str, ...]) -> list[dict]:
    """Keep one item per key, with the first source in order (the same fact from several sources is listed once)."""
    kept: dict[tuple, dict] = {}
    for item in sorted(items, key=lambda i: (*(str(i[k] or "") for k in key), i["source"] or "")):
        kept.setdefault(tuple(item[k] for k in key), item)
    return list(kept.values())
