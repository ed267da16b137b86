"""The therapy explorer on profiles of our own: each expectation names the curated row it rests on.

For research and education only. The rows cited are in graph/facts/ (file: subject, predicate, object, qualifiers).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from allkg.explore_profile import ProfileError
from allkg.explorer import explore
from allkg.regimen_check import check_regimen

KEYS = {"profile", "candidates", "excluded", "regimens", "disclaimer"}
CANDIDATE_KEYS = {"drug", "label", "rank", "evidence_level", "basis", "paths", "cautions", "monitoring"}
REASON_KINDS = {"resistance", "contraindication", "population", "setting", "no_target", "lineage"}
CAUTION_KINDS = {"interaction", "contraindication", "boxed_warning", "pharmacogenomic", "organ_impairment", "reproductive", "population"}

# (profile, drugs that must be candidates, {drug: reason kind it must be excluded for})
PROFILES = {
    # targeted_resistance.tsv: T315I remainsSensitiveTo ponatinib, confersResistanceTo imatinib/dasatinib/nilotinib/bosutinib;
    # targeted_indications.tsv: ponatinib treats Ph+ ALL, setting t315i-positive, adults (the mutation implies the setting).
    "ph-positive-relapsed-t315i-adult": (
        {"subtype": "Ph+ ALL", "mutation": ["T315I"], "setting": ["relapsed"], "age": 54},
        {"ponatinib"},
        {"imatinib": "resistance", "dasatinib": "resistance", "nilotinib": "resistance", "bosutinib": "resistance"},
    ),
    # targeted_indications.tsv: revumenib treats KMT2A-rearranged ALL, relapsed-refractory, children (FDA 2024-11-15);
    # the alteration defines that subtype (targeted_subtypes.tsv, definedByAlteration).
    "kmt2a-relapsed-child": (
        {"alteration": ["KMT2A rearrangement"], "setting": ["relapsed"], "age": 8},
        {"revumenib"},
        {"imatinib": "no_target", "nelarabine": "lineage"},
    ),
    # chemotherapy_indications.tsv: nelarabine treats T-ALL, relapsed-refractory (FDA 2005-10-28); CAR-Ts treat B-ALL only.
    "t-all-relapsed-adult": (
        {"subtype": "T-ALL", "setting": ["relapsed"], "age": 30},
        {"nelarabine"},
        {"brexucabtagene autoleucel": "lineage", "tisagenlecleucel": "lineage", "imatinib": "no_target"},
    ),
    # targeted_indications.tsv: inotuzumab treats B-ALL, relapsed-refractory, adults (FDA 2017-08-17) and binds CD22;
    # tisagenlecleucel treats R/R B-ALL in patients up to 25 years.
    "b-all-cd22-relapsed-adult": (
        {"subtype": "B-ALL", "marker": ["CD22"], "setting": ["relapsed"], "age": 30},
        {"inotuzumab ozogamicin", "brexucabtagene autoleucel"},
        {"tisagenlecleucel": "population", "ponatinib": "no_target"},
    ),
    # targeted_indications.tsv: tisagenlecleucel treats R/R B-ALL, patients up to 25 (FDA 2017-08-30).
    "b-all-relapsed-young-adult": (
        {"subtype": "B-ALL", "setting": ["relapsed"], "age": 20},
        {"tisagenlecleucel", "blinatumomab"},
        {"nelarabine": "lineage"},
    ),
    # targeted_indications.tsv: imatinib first-line Ph+ ALL children (2013-01-25); dasatinib first-line children (2018-12-21).
    "ph-positive-newly-diagnosed-child": (
        {"subtype": "Ph+ ALL", "setting": ["newly diagnosed"], "age": 10},
        {"imatinib", "dasatinib"},
        {"revumenib": "no_target"},
    ),
    # targeted_indications.tsv: ponatinib first-line Ph+ ALL adults (2024-03-19), imatinib first-line adults.
    "ph-positive-newly-diagnosed-adult": (
        {"subtype": "Ph+ ALL", "setting": ["newly diagnosed"], "age": 60},
        {"ponatinib", "imatinib"},
        {},
    ),
    # targeted_indications.tsv: blinatumomab treats B-ALL in MRD-positive remission, adults and children.
    "b-all-mrd-positive-adult": (
        {"subtype": "B-ALL", "setting": ["MRD-positive"], "age": 45},
        {"blinatumomab"},
        {"nelarabine": "lineage"},
    ),
    # targeted_indications.tsv: dasatinib treats Ph+ ALL after failure of another TKI, adults (2006-06-28);
    # a prior TKI implies that setting (queries/explore/implied-settings.tsv).
    "ph-positive-after-imatinib": (
        {"subtype": "Ph+ ALL", "prior_therapy": ["imatinib"], "setting": ["after failure of another TKI"], "age": 50},
        {"dasatinib", "ponatinib"},
        {},
    ),
    # chemotherapy_indications.tsv: mercaptopurine treats ALL in maintenance; targeted_indications.tsv: imatinib
    # treats Ph+ ALL in maintenance (the page).
    "ph-positive-maintenance": (
        {"subtype": "Ph+ ALL", "setting": ["maintenance"], "age": 40},
        {"mercaptopurine", "imatinib"},
        {"daunorubicin": "setting"},
    ),
    # supportive/chemotherapy indications: Erwinia asparaginase treats ALL after E. coli asparaginase hypersensitivity.
    "asparaginase-allergy": (
        {"subtype": "B-ALL", "setting": ["asparaginase hypersensitivity"], "age": 12},
        {"asparaginase Erwinia chrysanthemi (recombinant)"},
        {"daunorubicin": "setting"},
    ),
    # targeted_pharmacology.tsv: imatinib hasTarget BCR::ABL1 fusion protein, which BCR::ABL1 encodes (biology.tsv).
    "bcr-abl1-only": (
        {"alteration": ["BCR::ABL1"], "age": 35},
        {"imatinib", "dasatinib", "ponatinib"},
        {"revumenib": "no_target"},
    ),
    # The Philadelphia chromosome resultsIn BCR::ABL1 and defines Ph+ ALL (biology.tsv, targeted_subtypes.tsv).
    "philadelphia-chromosome": (
        {"alteration": ["Philadelphia chromosome"], "setting": ["newly diagnosed"], "age": 10},
        {"imatinib", "dasatinib"},
        {},
    ),
    # Resistance of E255K: targeted_resistance.tsv confers resistance to imatinib.
    "ph-positive-e255k": (
        {"subtype": "Ph+ ALL", "mutation": ["E255K"], "age": 50},
        {"ponatinib"},
        {"imatinib": "resistance"},
    ),
    # clofarabine treats R/R ALL in children (FDA 2004-12-28, chemotherapy_indications.tsv).
    "all-relapsed-child": (
        {"subtype": "acute lymphoblastic leukemia", "setting": ["relapsed"], "age": 9},
        {"clofarabine"},
        {},
    ),
    # the same use does not fit an adult: population; the page says blinatumomab treats ALL in adults
    # (indications.tsv); nelarabine's T-ALL use is for a subtype the profile does not establish.
    "all-relapsed-adult": (
        {"subtype": "acute lymphoblastic leukemia", "setting": ["relapsed"], "age": 40},
        {"blinatumomab"},
        {"clofarabine": "population", "nelarabine": "no_target"},
    ),
    # obe-cel treats R/R B-ALL in adults (FDA 2024-11-08).
    "b-all-cd19-relapsed-adult": (
        {"subtype": "B-ALL", "marker": ["CD19"], "setting": ["relapsed"], "age": 33},
        {"obecabtagene autoleucel", "blinatumomab"},
        {},
    ),
    # Ph-like ALL is a subtype of B-ALL (targeted_subtypes.tsv): B-ALL uses reach it; Ph+ uses do not.
    "ph-like-relapsed-adult": (
        {"subtype": "Ph-like ALL", "setting": ["relapsed"], "age": 28},
        {"inotuzumab ozogamicin"},
        {"imatinib": "no_target"},
    ),
    # targeted_indications.tsv: revumenib treats KMT2A-rearranged ALL, relapsed-refractory, adults (FDA 2024-11-15);
    # the translocation t(4;11) gives rise to KMT2A::AFF1 but the graph does not say it defines the subtype, so the
    # rearrangement itself is named.
    "kmt2a-relapsed-adult-with-mutation-of-another-gene": (
        {"alteration": ["KMT2A rearrangement"], "mutation": ["T315I"], "setting": ["relapsed"], "age": 40},
        {"revumenib"},
        {"ponatinib": "no_target"},
    ),
}

ERRORS = {
    "t-all-with-cd19": ({"subtype": "T-ALL", "marker": ["CD19"]}, "CD19"),  # CD19 drugs are stated for B-ALL only
    "two-lineages": ({"subtype": ["T-ALL", "B-ALL"]}, "neither as a kind of the other"),
    "adult-aged-four": ({"population": ["adults"], "age": 4}, "18 years and older"),
    "misspelt-drug": ({"prior_therapy": ["imatinb"]}, "did you mean imatinib"),
    "unknown-option": ({"stage": ["IV"]}, "unknown profile option"),
    "impossible-age": ({"age": 300}, "between 0 and 130"),
}


@pytest.fixture(scope="module")
def answers():
    return {name: explore(**profile) for name, (profile, _, _) in PROFILES.items()}


def _labels(items):
    return {item["label"] for item in items}


@pytest.mark.parametrize("name", PROFILES)
def test_expected_candidates(answers, name):
    _, candidates, _ = PROFILES[name]
    found = _labels(answers[name]["candidates"])
    assert candidates <= found, f"missing {candidates - found}"


@pytest.mark.parametrize("name", PROFILES)
def test_expected_exclusions(answers, name):
    _, _, exclusions = PROFILES[name]
    excluded = {item["label"]: {reason["kind"] for reason in item["reasons"]} for item in answers[name]["excluded"]}
    for drug, kind in exclusions.items():
        assert kind in excluded.get(drug, set()), f"{drug}: {excluded.get(drug)}"


@pytest.mark.parametrize("name", PROFILES)
def test_answer_properties(answers, name):
    answer = answers[name]
    assert set(answer) == KEYS and answer["disclaimer"]
    candidates = answer["candidates"]
    assert [c["rank"] for c in candidates] == list(range(1, len(candidates) + 1))  # ranks are a permutation
    assert not _labels(candidates) & _labels(answer["excluded"])  # never both
    for candidate in candidates:
        assert set(candidate) == CANDIDATE_KEYS
        assert candidate["paths"] and all(path[-1] == candidate["drug"] for path in candidate["paths"])
        assert candidate["basis"] and all(item["source"].startswith("https://w3id.org/allkg/source/") for item in candidate["basis"])
        for caution in candidate["cautions"]:
            assert caution["kind"] in CAUTION_KINDS and caution["source"]
        for item in candidate["monitoring"]:
            assert item["source"] and item["label"]
    for item in answer["excluded"]:
        assert item["reasons"] and all(reason["kind"] in REASON_KINDS for reason in item["reasons"])


def test_paths_go_through_targets():
    answer = explore(alteration=["BCR::ABL1"], age=35)
    imatinib = next(c for c in answer["candidates"] if c["label"] == "imatinib")
    assert [p[1].rsplit("/", 1)[-1] for p in imatinib["paths"] if len(p) == 3][0] == "bcr-abl1-protein"


def test_resistance_names_its_source():
    answer = explore(subtype="Ph+ ALL", mutation=["T315I"], age=54)
    imatinib = next(item for item in answer["excluded"] if item["label"] == "imatinib")
    assert any(r["kind"] == "resistance" and r["source"] for r in imatinib["reasons"])


def test_boxed_warnings_are_cautions():
    answer = explore(subtype="Ph+ ALL", mutation=["T315I"], setting=["relapsed"], age=54)
    ponatinib = next(c for c in answer["candidates"] if c["label"] == "ponatinib")
    assert any(c["kind"] == "boxed_warning" and "arterial" in c["text"] for c in ponatinib["cautions"])


@pytest.mark.parametrize("name", ERRORS)
def test_contradictions_and_unknown_names(name):
    profile, message = ERRORS[name]
    with pytest.raises(ProfileError, match=message):
        explore(**profile)


def test_check_regimen_shares_effects_and_warnings():
    answer = check_regimen(["vincristine", "pegaspargase", "daunorubicin"])
    assert set(answer) == {"drugs", "interactions", "shared_adverse_effects", "boxed_warnings", "monitoring",
                           "pharmacogenomic_tests", "contraindications", "disclaimer"}
    shared = {e["label"]: e for e in answer["shared_adverse_effects"]}
    # vincristine (pfizer-vincristine-pi) and pegaspargase (oncaspar-label) both list hepatic VOD; the label gives life-threatening.
    assert shared["hepatic veno-occlusive disease"]["worst_severity"] == "life-threatening"
    assert any(b["label"] == "heart muscle damage" for b in answer["boxed_warnings"])  # daunorubicin's boxed warning


def test_check_regimen_unknown_drug():
    with pytest.raises(ProfileError, match="did you mean"):
        check_regimen(["vincristin"])


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "allkg.cli", *args], capture_output=True, text=True, timeout=120)


def test_cli_json_has_exactly_the_documented_keys():
    done = _cli("explore", "--subtype", "Ph+ ALL", "--mutation", "T315I", "--setting", "relapsed", "--age", "54", "--format", "json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == KEYS and answer["candidates"][0]["label"] == "ponatinib"


def test_cli_error_is_one_line_without_traceback():
    done = _cli("explore", "--mutation", "T315")
    assert done.returncode == 1 and "Traceback" not in done.stderr and "T315" in done.stderr


def test_cli_html_is_offline(tmp_path):
    out = tmp_path / "answer.html"
    done = _cli("check-regimen", "vincristine", "daunorubicin", "--format", "html", "--out", str(out))
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "research and education only" in page and "<script src" not in page and "http://" not in page.split("<body>")[0]


def test_cli_explores_another_graph_kept_on_disk(build_result, tmp_path):
    """--graph with --store-dir: the first run loads the store and saves its names in it; the second only reopens."""
    args = ("explore", "--subtype", "Ph+ ALL", "--mutation", "T315I", "--format", "json",
            "--graph", str(build_result.outputs["allkg.nt"]), "--store-dir", str(tmp_path / "store"))
    first, second = _cli(*args), _cli(*args)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert json.loads(first.stdout)["candidates"][0]["label"] == "ponatinib"
    assert list((tmp_path / "store" / ".cache").glob("names.sqlite.*"))  # the second run read the names from here
    broken = _cli("check-regimen", "vincristine", "--graph", __file__)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr and "suffix" in broken.stderr


def test_a_condition_is_looked_up_among_conditions_not_every_label():
    """A source section titled "Pregnancy" once made --condition pregnancy ambiguous: conditions, phenotypes,
    findings, populations and diseases are what a condition can name; drugs, foods and classes a co-medication."""
    answer = explore(subtype="T-ALL", setting=["relapsed"], age=30, condition=["pregnancy"], comedication=["grapefruit"])
    assert [c["label"] for c in answer["profile"]["conditions"]] == ["pregnancy"]
    with pytest.raises(ProfileError, match="no drug, food or agentclass named"):
        explore(subtype="T-ALL", comedication=["pregnancy"])
