"""Vocabulary in one place: the ontology's terms and the project's prefix map.

``ALLKG`` lists every term declared in ``ontology/allkg.ttl``; ``_fail = True``
turns a typo such as ``ALLKG.hasTarge`` into an AttributeError instead of a
silently wrong IRI. ``tests/test_ontology.py`` asserts that the two agree.
"""

from __future__ import annotations

import json
from functools import lru_cache

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

from allkg.resources import data_path

ONTOLOGY_DIR = data_path("ontology")
GRAPH_DIR = data_path("graph")
QUERIES_DIR = data_path("queries")
BASE_IRI = "https://w3id.org/allkg/"
ONTOLOGY_IRI = BASE_IRI + "ontology"


class ALLKG(DefinedNamespace):
    """Terms of the allkg ontology (classes UpperCamelCase, properties lowerCamelCase)."""

    _fail = True
    _NS = Namespace(BASE_IRI + "ontology#")

    # Classes
    AlkylatingAgent: URIRef
    Anthracycline: URIRef
    AntibodyDrugConjugate: URIRef
    Antimetabolite: URIRef
    AsparaginaseEnzyme: URIRef
    BcrAbl1TyrosineKinaseInhibitor: URIRef
    BispecificTCellEngager: URIRef
    BookChapter: URIRef
    CarTCellTherapy: URIRef
    Chemotherapy: URIRef
    ChromosomalTranslocation: URIRef
    ClinicalFinding: URIRef
    ClinicalGuideline: URIRef
    ConcomitantMedication: URIRef
    Corticosteroid: URIRef
    CytoreductiveAgent: URIRef
    Database: URIRef
    Disease: URIRef
    DoseForm: URIRef
    DosingSchedule: URIRef
    Drug: URIRef
    DrugLabel: URIRef
    DrugProduct: URIRef
    FolateAntagonist: URIRef
    Food: URIRef
    FrequencyCategory: URIRef
    FusionProtein: URIRef
    Gene: URIRef
    GeneAlteration: URIRef
    GeneFusion: URIRef
    GenePhenotype: URIRef
    GeneRearrangement: URIRef
    Immunotherapy: URIRef
    InteractingAgentClass: URIRef
    InteractionMechanism: URIRef
    InterleukinReceptorAntagonist: URIRef
    JournalArticle: URIRef
    KinaseInhibitor: URIRef
    ManagementAction: URIRef
    MechanismOfAction: URIRef
    MeninInhibitor: URIRef
    Metabolite: URIRef
    MolecularTarget: URIRef
    MonitoringTest: URIRef
    MonoclonalAntibody: URIRef
    NucleicAcid: URIRef
    PatientCondition: URIRef
    PointMutation: URIRef
    Population: URIRef
    Protein: URIRef
    ProteinInteraction: URIRef
    PurineAnalog: URIRef
    PyrimidineAnalog: URIRef
    RegulatoryDocument: URIRef
    RouteOfAdministration: URIRef
    SeverityCategory: URIRef
    Source: URIRef
    SourceSection: URIRef
    Specimen: URIRef
    SupportiveCareDrug: URIRef
    TargetedTherapy: URIRef
    TherapeuticGoal: URIRef
    TreatmentSetting: URIRef
    TyrosineKinaseInhibitor: URIRef
    VincaAlkaloid: URIRef
    WebPage: URIRef
    # Classes of the treatment layer: evidence levels (branch treatment-evidence)
    ChromosomeNumberChange: URIRef
    CopyNumberAlteration: URIRef
    DrugClass: URIRef
    DrugOrDrugClass: URIRef
    EvidenceLevel: URIRef
    GeneDeletion: URIRef
    RiskGroup: URIRef
    UseStatus: URIRef

    # Classes of the treatment layer: regimens and trials
    ClinicalTrial: URIRef
    Regimen: URIRef
    RegimenCourse: URIRef
    TreatmentPhase: URIRef
    TrialOutcome: URIRef

    # Properties
    accessDate: URIRef
    advisesAgainstBreastfeeding: URIRef
    approvalDate: URIRef
    actsOn: URIRef
    approximate: URIRef
    boxedWarning: URIRef
    citation: URIRef
    clinicalConsequence: URIRef
    confersResistanceTo: URIRef
    contraindicatedIn: URIRef
    contraindicationsListed: URIRef
    definedByAlteration: URIRef
    detectsAlteration: URIRef
    determinedByGene: URIRef
    doseDependent: URIRef
    dueTo: URIRef
    duration: URIRef
    encodes: URIRef
    exposureEffect: URIRef
    frequency: URIRef
    hasActiveIngredient: URIRef
    hasAdverseEffect: URIRef
    hasDoseForm: URIRef
    hasDoseModification: URIRef
    hasDrugInteraction: URIRef
    hasGoal: URIRef
    hasMechanism: URIRef
    hasParticipant: URIRef
    hasPharmacogenomicRecommendation: URIRef
    hasRecurrentAlteration: URIRef
    hasRoute: URIRef
    hasSchedule: URIRef
    hasSymptom: URIRef
    hasTarget: URIRef
    hedge: URIRef
    incidence: URIRef
    inContextOf: URIRef
    inPopulation: URIRef
    inSetting: URIRef
    interactionMechanism: URIRef
    interactsWith: URIRef
    involvesChromosome: URIRef
    involvesGene: URIRef
    literalQualifier: URIRef
    managedBy: URIRef
    management: URIRef
    managementAction: URIRef
    memberOfAgentClass: URIRef
    modification: URIRef
    modificationAction: URIRef
    monitorsFor: URIRef
    notation: URIRef
    note: URIRef
    pathophysiology: URIRef
    promotesGrowthOf: URIRef
    proportionOfParent: URIRef
    qualifier: URIRef
    recommendation: URIRef
    recommendationAction: URIRef
    regulator: URIRef
    remainsSensitiveTo: URIRef
    requiresContraception: URIRef
    requiresMonitoring: URIRef
    requiresPregnancyTest: URIRef
    resultsIn: URIRef
    severity: URIRef
    sourceSection: URIRef
    startingDose: URIRef
    subtypeOf: URIRef
    threshold: URIRef
    timing: URIRef
    toxicityGrade: URIRef
    treats: URIRef
    usesSpecimen: URIRef
    verification: URIRef
    # Properties of the treatment layer: evidence levels (branch treatment-evidence)
    assessesSetting: URIRef
    defaultEvidenceLevel: URIRef
    detectionLimit: URIRef
    evidenceLevel: URIRef
    evidenceRank: URIRef
    indicatesRiskGroup: URIRef
    memberOfClass: URIRef
    mrdThreshold: URIRef
    statedOfClass: URIRef
    useStatus: URIRef

    # Properties of the treatment layer: regimens, trials and their results
    arm: URIRef
    comparatorValue: URIRef
    confidenceInterval: URIRef
    course: URIRef
    days: URIRef
    definedBy: URIRef
    dose: URIRef
    doseUnit: URIRef
    evaluatesDrug: URIRef
    evaluatesRegimen: URIRef
    forPopulation: URIRef
    forSubtype: URIRef
    hasComponent: URIRef
    hasCourse: URIRef
    hasPrimaryEndpoint: URIRef
    hazardRatio: URIRef
    inPhase: URIRef
    pValue: URIRef
    phase: URIRef
    reportedOutcome: URIRef
    route: URIRef
    studiesPopulation: URIRef
    studiesSubtype: URIRef
    supportsIndication: URIRef
    timepoint: URIRef
    trialPhase: URIRef
    unit: URIRef
    value: URIRef


@lru_cache(maxsize=1)
def prefix_map() -> dict[str, str]:
    """Return the project's one prefix map (prefix -> IRI namespace), from ontology/prefixes.json."""
    return json.loads((ONTOLOGY_DIR / "prefixes.json").read_text(encoding="utf-8"))


def bind_prefixes(graph) -> None:
    """Bind every prefix of the project's map on an rdflib graph (replacing rdflib's defaults)."""
    for prefix, namespace in sorted(prefix_map().items()):
        graph.bind(prefix, namespace, override=True, replace=True)


def entity_iri(entity_id: str) -> URIRef:
    """Return the IRI of a curated entity id such as ``drug/imatinib``.

    >>> entity_iri("drug/imatinib")
    rdflib.term.URIRef('https://w3id.org/allkg/drug/imatinib')
    """
    return URIRef(BASE_IRI + entity_id)


def entity_id(iri: str) -> str | None:
    """Return the curated id of an IRI in the project's namespace, or None.

    >>> entity_id("https://w3id.org/allkg/drug/imatinib")
    'drug/imatinib'
    """
    iri = str(iri)
    if iri.startswith(BASE_IRI) and "#" not in iri[len(BASE_IRI):]:
        return iri[len(BASE_IRI):]
    return None


# Levels of the adverse-effect matrices: 0 = no statement, 1 = stated without the qualifier, then the
# qualifier's values from least to most. "serious" (a regulatory notion) and "severe" (grade 3 or worse)
# differ in meaning but not in rank, so they share a level. "less serious" (a label ranking an effect
# below the drug's main toxicity, without a grade) says no more than "mild" does, so it shares that level.
SEVERITY_LEVELS = ("no statement", "stated, severity not given", "mild or less serious", "serious or severe", "life-threatening", "can be fatal")
SEVERITY_RANK = {"mild": 2, "less serious": 2, "serious": 3, "severe": 3, "life-threatening": 4, "can be fatal": 5}
