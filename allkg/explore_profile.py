"""A patient profile for the explorer: the options as typed, resolved to entities, checked for contradictions.

Names resolve as query parameters do (labels, synonyms, brands, CURIEs, "did you mean"): one resolver,
:class:`allkg.resolve.NameIndex`. A resolved profile also knows what it implies (the subtypes its
alterations define, the settings its mutations or prior therapies name) and decides whether one stated
use of a drug fits it (:meth:`ResolvedProfile.use_failure`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field

import pyoxigraph as ox

from allkg.queries import QUERIES_DIR, QueryError
from allkg.resolve import EntityError, NameIndex
from allkg.results import shorten

EXPLORE_DIR = QUERIES_DIR / "explore"
BASE_IRI = "https://w3id.org/allkg/"
# What the explorer weighs when a profile names no subtype: the disease this graph is about.
DEFAULT_SCOPE = BASE_IRI + "disease/all"
# Each list option of the profile, the kind of entity it names (resolve.py's kinds), and its JSON key.
LIST_OPTIONS = {
    "subtype": ("disease", "subtypes"),
    "alteration": ("alteration", "alterations"),
    "mutation": ("alteration", "mutations"),
    "marker": ("target", "markers"),
    "setting": ("setting", "settings"),
    "prior_therapy": ("drug", "prior_therapies"),
    "comedication": (("drug", "food", "agentclass"), "comedications"),
    "condition": (("condition", "phenotype", "finding", "population", "disease"), "conditions"),
    "population": ("population", "populations"),
}


class ProfileError(QueryError):
    """A profile that names something unknown or contradicts itself."""


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


@dataclass(frozen=True)
class Profile:
    """The profile as a person gives it: names, as typed; an age in years."""

    names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    age: float | None = None

    @classmethod
    def from_options(cls, age=None, **options) -> Profile:
        unknown = sorted(set(options) - set(LIST_OPTIONS))
        if unknown:
            raise ProfileError(f"unknown profile option {unknown[0]!r}; the options: age, {', '.join(LIST_OPTIONS)}")
        if age is not None:
            try:
                age = float(age)
            except (TypeError, ValueError):
                raise ProfileError(f"age must be a number of years, not {age!r}") from None
            if not math.isfinite(age) or not 0 <= age <= 130:
                raise ProfileError(f"age must be between 0 and 130 years, not {age:g}")
        return cls({name: _as_tuple(value) for name, value in options.items() if _as_tuple(value)}, age)


@dataclass
class ResolvedProfile:
    """The profile's entities (option -> IRIs), their labels and what they imply."""

    entities: dict[str, list[str]]
    labels: dict[str, str]
    age: float | None
    scope: str
    implied_subtypes: list[str]
    implied_settings: list[str]
    scope_relation: dict[str, str]  # disease IRI -> "self", "broader" or "narrower" (to a profile subtype)
    population_ages: dict[str, tuple[float, float]]
    kin: set[tuple[str, str]] = field(default_factory=set)  # (subtype, disease) pairs where one is a kind of the other

    def iris(self, option: str) -> list[str]:
        return list(self.entities.get(option, []))

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or shorten(iri)

    def subtypes(self) -> list[str]:
        return list(dict.fromkeys(self.iris("subtype") + self.implied_subtypes))

    def features(self) -> list[str]:
        """The entities paths start from: subtypes (named or implied), alterations, mutations, markers."""
        return list(dict.fromkeys(self.subtypes() + self.iris("alteration") + self.iris("mutation") + self.iris("marker")))

    def related(self, relation: str) -> list[str]:
        return [disease for disease, how in self.scope_relation.items() if how == relation]

    def settings(self) -> set[str]:
        return set(self.iris("setting")) | set(self.implied_settings)

    def use_failure(self, use: dict) -> tuple[str, str] | None:
        """Return None if a stated use (a row of ``uses.rq``) fits the profile, else (reason kind, reason text)."""
        disease = use["disease"]
        if self.subtypes() and self.scope_relation.get(disease) not in ("self", "broader"):
            if use["defined_by"] and use["defined_by"] not in self.iris("alteration"):
                return "no_target", (f"stated for {self.label(disease)}, defined by {self.label(use['defined_by'])}, "
                                     "which the profile does not report")
            if self.scope_relation.get(disease) == "narrower":
                return "no_target", f"stated for {self.label(disease)}, a subtype the profile does not establish"
            return "lineage", f"stated for {self.label(disease)}, not the profile's subtype"
        if self.settings() and use["setting"] and use["setting"] not in self.settings():
            wanted = " or ".join(sorted(self.label(s) for s in self.iris("setting"))) or "the profile's setting"
            return "setting", f"stated for {self.label(use['setting'])}, not {wanted}"
        if use["population"] and not self.fits_population(use["population"]):
            return "population", f"stated for {self.label(use['population'])}, not for a patient aged {self.age:g}"
        return None

    def fits_population(self, population: str) -> bool:
        if self.age is None and not self.iris("population"):
            return True
        if population in self.iris("population"):
            return True
        if self.age is None:
            return False
        low, high = self.population_ages.get(population, (0.0, math.inf))
        return low <= self.age <= high

    def to_json(self) -> dict:
        def items(iris):
            return [{"iri": iri, "label": self.label(iri)} for iri in iris]

        profile = {key: items(self.iris(option)) for option, (_, key) in LIST_OPTIONS.items()}
        profile["age"] = int(self.age) if self.age is not None and self.age.is_integer() else self.age
        profile["implied_subtypes"] = items(self.implied_subtypes)
        profile["implied_settings"] = items(self.implied_settings)
        return profile


def read_table(name: str) -> list[dict[str, str]]:
    """Return the rows of ``queries/explore/NAME.tsv``."""
    with (EXPLORE_DIR / f"{name}.tsv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, delimiter="\t"))


def resolve_profile(profile: Profile, index: NameIndex, rows) -> ResolvedProfile:
    """Resolve every name of ``profile`` with ``index``; ``rows(query, **bindings)`` runs an explorer query."""
    entities: dict[str, list[str]] = {}
    for option, names in profile.names.items():
        kind = LIST_OPTIONS[option][0]
        for name in names:
            try:
                iri = index.resolve(kind, name)
            except EntityError as error:
                raise ProfileError(f"--{option.replace('_', '-')} {name!r}: {error}") from None
            if iri not in entities.setdefault(option, []):
                entities[option].append(iri)
    node = ox.NamedNode
    alterations = entities.get("alteration", []) + entities.get("mutation", [])
    implied = [row["subtype"] for row in rows("implied-subtypes", alteration=[node(a) for a in alterations])]
    implied = [s for s in dict.fromkeys(implied) if s not in entities.get("subtype", [])]
    subtypes = entities.get("subtype", []) + implied
    scope_relation: dict[str, str] = {}
    kin = set()
    for row in rows("scope", subtype=[node(s) for s in subtypes]):
        if row["relation"] != "self":
            kin.add((row["subtype"], row["related"]))
        if scope_relation.get(row["related"]) != "self":
            scope_relation[row["related"]] = row["relation"]
    broader = [d for d, how in scope_relation.items() if how == "broader"]
    scope = _scope(subtypes, broader, scope_relation)
    implied_settings = _implied_settings(entities, index)
    mentioned = [iri for iris in entities.values() for iri in iris] + implied + implied_settings + list(scope_relation) + [scope]
    labels, defined_by = {}, {}
    for row in rows("labels", entity=[node(iri) for iri in dict.fromkeys(mentioned)]):
        labels.setdefault(row["entity"], row["label"])
        if row["defined_by"]:
            defined_by[row["entity"]] = row["defined_by"]
    ages = {BASE_IRI + row["population"]: (float(row["min_age"] or 0), float(row["max_age"] or math.inf)) for row in read_table("population-ages")}
    resolved = ResolvedProfile(entities, labels, profile.age, scope, implied, implied_settings, scope_relation, ages, kin)
    _check_contradictions(resolved, defined_by)
    _check_markers(resolved, defined_by, rows)
    return resolved


def _scope(subtypes: list[str], broader: list[str], relation: dict[str, str]) -> str:
    """The broadest disease around the profile's subtypes (the graph's disease when none is named)."""
    if not subtypes:
        return DEFAULT_SCOPE
    return DEFAULT_SCOPE if DEFAULT_SCOPE in relation else (broader or subtypes)[-1]


def _implied_settings(entities: dict[str, list[str]], index: NameIndex) -> list[str]:
    """Settings named after something in the profile (a mutation; a prior therapy of a class)."""
    present = set(entities.get("alteration", []) + entities.get("mutation", []))
    for drug in entities.get("prior_therapy", []):
        present |= {BASE_IRI + "class/" + cls.rsplit("#", 1)[-1] for cls in index.classes(drug)}
    return [BASE_IRI + row["setting"] for row in read_table("implied-settings") if BASE_IRI + row["implied_by"] in present]


def _check_contradictions(profile: ResolvedProfile, defined_by: dict[str, str]) -> None:
    """Refuse a profile that contradicts itself: an age outside a named population, or two lineages."""
    for population in profile.iris("population"):
        low, high = profile.population_ages.get(population, (0.0, math.inf))
        if profile.age is not None and not low <= profile.age <= high:
            raise ProfileError(f"the profile says {profile.label(population)} but an age of {profile.age:g} years; "
                               f"the explorer reads {profile.label(population)} as {_range(low, high)}")
    lineages = {}
    for subtype in profile.iris("subtype"):
        # A lineage is a disease below the scope that no alteration defines (B-ALL, T-ALL), and the subtypes below it.
        lineages[subtype] = {subtype} - {profile.scope} if subtype not in defined_by else set()
    named = profile.iris("subtype")
    for i, first in enumerate(named):
        for second in named[i + 1:]:
            if lineages[first] and lineages[second] and not _related(first, second, profile):
                raise ProfileError(f"the profile names both {profile.label(first)} and {profile.label(second)}: "
                                   "the graph holds neither as a kind of the other")


def _check_markers(profile: ResolvedProfile, defined_by: dict[str, str], rows) -> None:
    """Refuse a marker whose drugs are all stated for diseases outside the profile's lineage (CD19 with T-ALL).

    Only a lineage subtype (one no alteration defines) is checked: KMT2A-rearranged ALL may be of either lineage.
    """
    lineage = [s for s in profile.iris("subtype") if s not in defined_by and s != profile.scope]
    if not lineage:
        return
    diseases: dict[str, set[str]] = {}
    for row in rows("marker-diseases", marker=[ox.NamedNode(m) for m in profile.iris("marker")]):
        if row["disease"] != profile.scope:
            diseases.setdefault(row["marker"], set()).add(row["disease"])
    for marker, stated in diseases.items():
        reached = {d for d in stated if any(_related(s, d, profile) or s == d for s in lineage)}
        if stated and not reached:
            raise ProfileError(
                f"the profile names the marker {profile.label(marker)} with {', '.join(profile.label(s) for s in lineage)}, "
                f"but the drugs that bind {profile.label(marker)} are stated only for other diseases: "
                f"{', '.join(sorted(d.rsplit('/', 1)[-1] for d in stated))}")


def _related(first: str, second: str, profile: ResolvedProfile) -> bool:
    return (first, second) in profile.kin or (second, first) in profile.kin


def _range(low: float, high: float) -> str:
    return f"{low:g} years and older" if high == math.inf else f"{low:g} to {high:g} years"
