"""From a patient profile to candidate therapies, with paths, evidence, reasons against, cautions and monitoring.

For research and education only: never for treating a patient.

The reasoning lives in ``queries/explore/*.rq``; this module resolves the profile's names with the one
name resolver (:mod:`allkg.resolve`), binds the resolved entities to those queries and composes their rows.
It holds no medical fact: which drug treats what, which mutation defeats which drug, what interacts,
all come from statements of the graph, and every item of an answer points to them. Two small tables in
``queries/explore/`` say how the explorer reads a profile: the ages it takes a population's name to
cover, and which profile entities imply a treatment setting (the T315I-positive setting is named after
the mutation).

>>> answer = explore(subtype="Ph+ ALL", mutation=["T315I"], setting="relapsed", age=54)  # doctest: +SKIP
>>> [c["label"] for c in answer["candidates"]]  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from allkg.explore_profile import Profile, ProfileError, ResolvedProfile, resolve_profile
from allkg.queries import QUERIES_DIR, execute, name_index, parse_query_file
from allkg.resolve import EntityError
from allkg.results import shorten

EXPLORE_DIR = QUERIES_DIR / "explore"
DISCLAIMER = (
    "allkg is for research and education only. It is not medical advice and must not be used to choose, "
    "start, change or stop any patient's treatment."
)
USE_FAILURES = ("lineage", "no_target", "setting", "population")  # in the order a use is checked


def explore(graph=None, **options) -> dict:
    """Answer a profile (see :class:`allkg.explore_profile.Profile` for the options) as the documented JSON dict.

    Raise :class:`ProfileError` for a name that resolves to nothing (with "did you mean") or a profile that
    contradicts itself.
    """
    profile = Profile.from_options(**options)
    resolved = resolve_profile(profile, name_index(graph), lambda name, **b: _rows(name, graph, **b))
    return Explorer(resolved, graph).answer()


# Oxigraph may join a long VALUES list with the patterns it meets by comparing every pair: 5,615 drugs against
# the 11,246 use statements of the million-triple synthetic graph took 6.7 s, and 100 drugs 10 ms. So the longest
# list is bound a chunk at a time; the explorer's queries have no aggregate, ORDER BY or LIMIT, so their answer is
# the union of the chunks' answers.
VALUES_CHUNK = 200


def _rows(name: str, graph, **bindings) -> list[dict]:
    """Run ``queries/explore/NAME.rq`` with ``bindings`` (lists bind several values) and return its rows as dicts."""
    lists = {key: value for key, value in bindings.items() if isinstance(value, (list, tuple))}
    if any(not value for value in lists.values()):
        return []  # an empty list of values can match nothing
    query = _query(name)
    longest = max(lists, key=lambda key: len(lists[key]), default=None)
    if longest is None or len(lists[longest]) <= VALUES_CHUNK:
        chunks = [bindings]
    else:
        values = lists[longest]
        chunks = [{**bindings, longest: values[i:i + VALUES_CHUNK]} for i in range(0, len(values), VALUES_CHUNK)]
    rows: dict[tuple, None] = {}  # in order, without the repeats a DISTINCT query would not have given
    for chunk in chunks:
        result = execute(query.text, chunk, graph, source=f"queries/explore/{name}.rq")
        columns = result.columns
        rows.update(dict.fromkeys(tuple(None if term is None else term.value for term in row) for row in result.terms))
    return [dict(zip(columns, row)) for row in rows]


_QUERIES: dict[str, object] = {}


def _query(name: str):
    if name not in _QUERIES:
        _QUERIES[name] = parse_query_file(EXPLORE_DIR / f"{name}.rq")
    return _QUERIES[name]


def _nodes(iris) -> list[ox.NamedNode]:
    return [ox.NamedNode(iri) for iri in sorted(set(iris))]


class Answer(dict):
    """The documented JSON dict; ``.labels`` maps every IRI it names to a label, for writing it out."""

    labels: dict[str, str] = {}


@dataclass
class Verdict:
    """What the explorer found about one drug."""

    drug: str
    label: str
    fitting_uses: list[dict] = field(default_factory=list)
    failed_uses: list[dict] = field(default_factory=list)
    reasons: list[dict] = field(default_factory=list)
    paths: list[list[str]] = field(default_factory=list)
    path_statements: list[str] = field(default_factory=list)
    path_specificity: dict[tuple, int] = field(default_factory=dict)
    specificity: int = 0


class Explorer:
    """Compose the explorer's queries for one resolved profile."""

    def __init__(self, profile: ResolvedProfile, graph=None):
        self.profile, self.graph = profile, graph
        self.labels: dict[str, str] = {}

    def rows(self, name: str, **bindings) -> list[dict]:
        return _rows(name, self.graph, **bindings)

    # -------------------------------------------------------------------------------------------- verdicts

    def answer(self) -> dict:
        profile = self.profile
        considered = self.rows("considered", root=ox.NamedNode(profile.scope))
        self.labels.update({row["drug"]: row["label"] for row in considered})
        verdicts = {row["drug"]: Verdict(row["drug"], row["label"]) for row in considered}
        self._add_paths(verdicts)
        self._weigh_uses(verdicts)
        self._add_resistance(verdicts)
        self._add_contraindications(verdicts)
        candidates = [v for v in verdicts.values() if v.fitting_uses and not v.reasons]
        excluded = [v for v in verdicts.values() if not (v.fitting_uses and not v.reasons)]
        provenance = self._provenance({s for v in candidates for s in v.path_statements}
                                      | {u["statement"] for v in candidates for u in v.fitting_uses}
                                      | {u["statement"] for v in excluded if not v.reasons for u in v.failed_uses})
        ranked = sorted(candidates, key=lambda v: (self._best_rank(v, provenance), -v.specificity, v.label.casefold()))
        cautions = self._cautions([v.drug for v in ranked])
        monitoring = self._monitoring([v.drug for v in ranked])
        on_paths = {iri for v in ranked for path in v.paths for iri in path} - set(self.labels) - set(profile.labels)
        for row in self.rows("labels", entity=_nodes(on_paths)):
            self.labels.setdefault(row["entity"], row["label"])
        answer = Answer({
            "profile": profile.to_json(),
            "candidates": [
                {
                    "drug": v.drug,
                    "label": v.label,
                    "rank": rank,
                    "evidence_level": self._evidence_label(v, provenance),
                    "basis": self._basis(v, provenance),
                    "paths": v.paths,
                    "cautions": cautions.get(v.drug, []),
                    "monitoring": monitoring.get(v.drug, []),
                }
                for rank, v in enumerate(ranked, 1)
            ],
            "excluded": [
                {"drug": v.drug, "label": v.label, "reasons": v.reasons or self._no_fit_reasons(v, provenance)}
                for v in sorted(excluded, key=lambda v: v.label.casefold())
            ],
            "regimens": self._regimens([v.drug for v in ranked]),
            "disclaimer": DISCLAIMER,
        })
        answer.labels = {**profile.labels, **self.labels}
        return answer

    def _add_paths(self, verdicts: dict[str, Verdict]) -> None:
        features = self.profile.features()
        for row in self.rows("paths", feature=_nodes(features)):
            verdict = verdicts.get(row["drug"])
            if verdict is None:
                continue  # a drug for another disease (e.g. a TKI's CML indication): outside the profile's scope
            path = [row["feature"], *(row[v] for v in ("via1", "via2") if row[v]), row["drug"]]
            if path not in verdict.paths:
                verdict.paths.append(path)
                verdict.path_specificity[tuple(path)] = int(row["specificity"])
            if row["statement"] not in verdict.path_statements:  # every statement of the edge, not the first found
                verdict.path_statements.append(row["statement"])
            verdict.specificity = max(verdict.specificity, int(row["specificity"]))
        for verdict in verdicts.values():  # the most specific path first; among equals, the shortest
            verdict.paths.sort(key=lambda p: (-verdict.path_specificity[tuple(p)], len(p), p))

    def _weigh_uses(self, verdicts: dict[str, Verdict]) -> None:
        """Sort each drug's uses into those that fit the profile and, for the rest, the first check each fails."""
        profile = self.profile
        uses = sorted(self.rows("uses", drug=_nodes(verdicts)), key=lambda row: row["statement"])  # a stable order
        named = {row[key] for row in uses for key in ("disease", "defined_by", "setting", "population") if row[key]}
        for row in self.rows("labels", entity=_nodes(named - set(profile.labels))):
            profile.labels.setdefault(row["entity"], row["label"])
        for row in uses:
            verdict = verdicts[row["drug"]]
            failure = profile.use_failure(row)
            if failure is None:
                verdict.fitting_uses.append(row)
            else:
                row["failure"] = failure
                verdict.failed_uses.append(row)

    def _no_fit_reasons(self, verdict: Verdict, provenance: dict[str, list[dict]]) -> list[dict]:
        """The reasons a drug with no fitting use was dropped: the failure of the uses that got furthest."""
        failed = verdict.failed_uses
        if not failed:
            return [{"kind": "setting", "text": "no stated use of this drug fits the profile", "source": None}]
        furthest = max(USE_FAILURES.index(row["failure"][0]) for row in failed)
        reasons, seen = [], set()
        for row in failed:
            kind, text = row["failure"]
            if USE_FAILURES.index(kind) == furthest and text not in seen:
                seen.add(text)
                sources = sorted(r["source"] for r in provenance.get(row["statement"], []))
                reasons.append({"kind": kind, "text": text, "source": sources[0] if sources else None})
        return reasons

    def _add_resistance(self, verdicts: dict[str, Verdict]) -> None:
        for row in self.rows("resistance", mutation=_nodes(self.profile.iris("mutation"))):
            verdict = verdicts.get(row["drug"])
            if verdict is None:
                continue
            if row["effect"] == "resistance":
                text = f"{self.profile.label(row['mutation'])} makes {verdict.label} ineffective"
                if not any(r["text"] == text for r in verdict.reasons):
                    verdict.reasons.append({"kind": "resistance", "text": text, "source": row["source"]})

    def _add_contraindications(self, verdicts: dict[str, Verdict]) -> None:
        conditions = self.profile.iris("condition")
        for row in self.rows("condition-cautions", drug=_nodes(verdicts), condition=_nodes(conditions)):
            verdict = verdicts.get(row["drug"])
            if row["kind"] == "contraindication" and verdict is not None:
                text = f"must not be used with {row['about_label'] or shorten(row['about'])}"
                if row["detail"]:
                    text += f" ({row['detail']})"
                if not any(r["text"] == text for r in verdict.reasons):
                    verdict.reasons.append({"kind": "contraindication", "text": text, "source": row["source"]})

    # ---------------------------------------------------------------------------------- evidence and basis

    def _provenance(self, statements: set[str]) -> dict[str, list[dict]]:
        provenance: dict[str, list[dict]] = {}
        for row in self.rows("provenance", statement=_nodes(statements)):
            provenance.setdefault(row["statement"], []).append(row)
        return provenance

    def _statements(self, verdict: Verdict) -> list[str]:
        return list(dict.fromkeys([*verdict.path_statements, *(u["statement"] for u in verdict.fitting_uses)]))

    def _best_rank(self, verdict: Verdict, provenance) -> int:
        ranks = [int(row["evidence_rank"]) for s in self._statements(verdict) for row in provenance.get(s, []) if row["evidence_rank"]]
        return min(ranks, default=99)

    def _evidence_label(self, verdict: Verdict, provenance) -> str:
        best = self._best_rank(verdict, provenance)
        for statement in self._statements(verdict):
            for row in provenance.get(statement, []):
                if row["evidence_rank"] and int(row["evidence_rank"]) == best:
                    return row["evidence_label"] or shorten(row["evidence"])
        return "not recorded"

    def _basis(self, verdict: Verdict, provenance) -> list[dict]:
        """The statements the candidacy rests on, with their sources: the strongest evidence first (then by
        source, so that the order never depends on how the store returned the rows)."""
        basis = {}
        for statement in self._statements(verdict):
            for row in provenance.get(statement, []):
                item = {"statement": statement, "source": row["source"], "section": row["section"] or ""}
                rank = int(row["evidence_rank"]) if row["evidence_rank"] else 99
                key = (rank, item["source"], item["section"], statement)
                basis[key] = item
        return [basis[key] for key in sorted(basis)]

    # ---------------------------------------------------------------------------------- cautions and more

    def _cautions(self, drugs: list[str]) -> dict[str, list[dict]]:
        cautions: dict[str, list[dict]] = {}

        def add(drug, item):
            """Keep one caution per content: the same warning from several sources is listed once."""
            same = [c for c in cautions.setdefault(drug, []) if {**c, "source": None} == {**item, "source": None}]
            if not same:
                cautions[drug].append(item)
            elif (item["source"] or "") < (same[0]["source"] or ""):
                same[0]["source"] = item["source"]

        chosen = set(drugs)
        others = sorted(chosen | set(self.profile.iris("comedication")))
        for row in self.rows("interactions", drug=_nodes(others), other=_nodes(others)):
            for drug, other in ((row["drug"], row["other"]), (row["other"], row["drug"])):
                if drug in chosen:
                    add(drug, {
                        "kind": "interaction",
                        "text": _join(f"{self._label(row['drug'])} with {row['agent_label'] or shorten(row['agent'])}",
                                      row["mechanism"], row["effect"], row["consequence"]),
                        "with": other,
                        "management": row["management"],
                        "source": row["source"],
                    })
        for row in self.rows("boxed-warnings", drug=_nodes(drugs)):
            add(row["drug"], {"kind": "boxed_warning", "text": _join(f"boxed warning: {row['about_label']}", row["detail"]),
                              "with": None, "management": None, "source": row["source"]})
        conditions = self.profile.iris("condition")
        for row in self.rows("condition-cautions", drug=_nodes(drugs), condition=_nodes(conditions)):
            if row["kind"] == "contraindication":
                continue  # a contraindication excludes the drug: see _add_contraindications
            about = row["about_label"] or shorten(row["about"])
            text = f"can itself cause {about}, which the profile already has" if row["kind"] == "population" else about
            if row["relation"] and row["kind"] == "reproductive":
                text = f"{row['relation']}: {about}"
            add(row["drug"], {"kind": row["kind"], "text": _join(text, row["detail"]),
                              "with": row["condition"], "management": row["management"], "source": row["source"]})
        for items in cautions.values():
            items.sort(key=lambda c: (CAUTION_ORDER.index(c["kind"]), c["text"], c["source"] or ""))
        return cautions

    def _monitoring(self, drugs: list[str]) -> dict[str, list[dict]]:
        monitoring: dict[str, list[dict]] = {}
        for row in self.rows("monitoring", drug=_nodes(drugs)):
            item = {"test": row["test"], "label": row["label"], "when": row["timing"], "source": row["source"]}
            if item not in monitoring.setdefault(row["drug"], []):
                monitoring[row["drug"]].append(item)
        for items in monitoring.values():
            items.sort(key=lambda m: (m["label"].casefold(), m["when"] or "", m["source"]))
        return monitoring

    def _regimens(self, drugs: list[str]) -> list[dict]:
        regimens: dict[str, dict] = {}
        subtypes = set(self.profile.related("self")) | set(self.profile.related("broader"))
        rows = self.rows("regimens", drug=_nodes(drugs))
        unfit = {row["regimen"] for row in rows if row["population"] and not self.profile.fits_population(row["population"])}
        fit = {row["regimen"] for row in rows if row["population"] and self.profile.fits_population(row["population"])}
        for row in rows:
            if row["subtype"] and subtypes and row["subtype"] not in subtypes:
                continue  # a regimen for another subtype
            if row["regimen"] in unfit - fit:
                continue  # a regimen for another population (every population it names excludes the profile's age)
            entry = regimens.setdefault(row["regimen"], {"regimen": row["regimen"], "label": row["label"],
                                                         "evidence_level": "not recorded", "trials": [], "_rank": 99})
            if row["evidence_rank"] and int(row["evidence_rank"]) < entry["_rank"]:
                entry["_rank"], entry["evidence_level"] = int(row["evidence_rank"]), row["evidence_label"] or shorten(row["evidence"])
            if row["trial"] and row["trial"] not in entry["trials"]:
                entry["trials"].append(row["trial"])
        ordered = sorted(regimens.values(), key=lambda r: (r["_rank"], r["label"].casefold()))
        return [{key: value for key, value in entry.items() if key != "_rank"} | {"trials": sorted(entry["trials"])} for entry in ordered]

    def _label(self, iri: str) -> str:
        return self.labels.get(iri) or self.profile.label(iri)


CAUTION_ORDER = ("boxed_warning", "contraindication", "interaction", "pharmacogenomic", "organ_impairment", "reproductive", "population")


def _join(*parts) -> str:
    return "; ".join(part for part in parts if part)


__all__ = ["DISCLAIMER", "EntityError", "ProfileError", "explore"]
