"""Vocabulary constants and IRI bases of rarekg.

Terms keep their RDF spelling (``RK.PatientOrganization``).  Namespaces are closed: a term that is
not declared here raises ``AttributeError`` instead of silently minting a new IRI.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

BASE = "https://w3id.org/rarekg/"
ID_BASE = BASE + "id/"
GRAPH_BASE = BASE + "graph/"
VOCAB = BASE + "vocab#"
CONCEPT_BASE = BASE + "vocab/"


class ClosedNamespace:
    """A namespace whose terms are fixed; unknown terms raise ``AttributeError``."""

    def __init__(self, base: str, terms: str) -> None:
        self._base = base
        self._terms = frozenset(terms.split())

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_") or name not in self._terms:
            raise AttributeError(f"{name!r} is not a term of <{self._base}>")
        node = NamedNode(self._base + name)
        setattr(self, name, node)  # later look-ups find it without coming here (loaders' hot loops)
        return node

    def __getitem__(self, name: str) -> NamedNode:
        return self.__getattr__(name)

    def __contains__(self, name: object) -> bool:
        return name in self._terms

    @property
    def base(self) -> str:
        return self._base

    @property
    def terms(self) -> frozenset[str]:
        return self._terms


RK = ClosedNamespace(
    VOCAB,
    """
    RareDisease RareDiseaseList ListEntry PatientOrganization Organization Foundation Company
    RegulatoryAuthority GovernmentBody ResearchOrganization Hospital Drug RegulatoryStatus
    ReimbursementStatus ClinicalTrial Policy Programme SourceDocument SurveyObservation Evidence
    RegistrationStatusScheme ActivityTypeScheme FundingSourceScheme DecisionTypeScheme
    OrganizationTypeScheme ObservationCategoryScheme OrphaMappingScheme
    listedIn hasListEntry inList entryNumber entryOf printedName listSize orphaCode
    servesDisease servesDiseaseText organizationType registrationStatus activityType
    fundingSourceType
    memberOf partnerOf supportedBy hostedBy registeredWith launchedBy issuedBy location
    appliesToDisease appliesToDiseaseText
    hasRegulatoryStatus statusType forIndication indicationText decidedBy basedOnPolicy ofDrug
    approvalYear establishesList documentNumber jurisdiction
    inn brandName
    trialId conditionText interventionText country enrollment studyType
    evidenceQuote hasEvidence aboutProperty statedValue
    surveyItem denominator observationCategory measure qualifier asOf
    sourceRecord
    registrationDate DiseaseSearch SearchOutcomeScheme searchedFor searchQuery searchedCollection
    searchOutcome rejectedCandidate
    Mapping PrevalenceEstimate Membership NetworkRoleScheme
    hasPhenotype hasMapping mappingRelation terminology validationStatus
    hasPrevalence prevalenceClass prevalenceType prevalenceQualification geography sourceCitation
    exclusivityEnd publishedStatus testsDrug collaborator trialSite
    ReimbursementCategoryScheme reimbursementCategory reimbursementClass listNumber
    paymentStandard orphanMedicine
    DiseaseLink candidateIndication linkMethod matchedText matchedName confidence
    Gene GeneAssociation PhenotypeAnnotation associatedGene hasGeneAssociation gene
    associationType hgncId hasPhenotypeAnnotation phenotype frequency inheritance ageOfOnset
    disorderType codeStatus replacedBy
    CoverageCount coverageOf coverageMeasure listedCount withCount withoutCount
    DiseaseCoverage coverageEntry organizationCount chinaApprovedDrugCount fdaOrphanDrugCount
    trialCount reimbursedDrugCount euAuthorisedDrugCount
    """,
)

SCHEMA = ClosedNamespace(
    "http://schema.org/",
    """
    MedicalCondition NGO Organization Drug MedicalTrial Legislation ListItem CreativeWork
    DrugLegalStatus DrugCost Dataset ItemList ScholarlyArticle NewsArticle WebPage
    GovernmentOrganization
    Hospital Corporation Project OrganizationRole
    name alternateName description foundingDate url location identifier sponsor phase status
    healthCondition datePublished dateCreated publisher creator author inLanguage
    legislationIdentifier
    legislationDate legislationPassedBy legislationJurisdiction applicableLocation position item
    keywords target memberOf funder activeIngredient startDate roleName
    validFrom validThrough
    sha256 contentSize encodingFormat
    """,
)

_W3 = "http://www.w3.org/"
RDF = ClosedNamespace(_W3 + "1999/02/22-rdf-syntax-ns#", "type subject predicate object Statement")
RDFS = ClosedNamespace(_W3 + "2000/01/rdf-schema#", "label comment seeAlso Class subClassOf")
XSD = ClosedNamespace(
    _W3 + "2001/XMLSchema#", "string integer decimal date gYear gYearMonth dateTime anyURI boolean"
)
SKOS = ClosedNamespace(
    _W3 + "2004/02/skos/core#",
    """
    Concept ConceptScheme Collection prefLabel altLabel definition inScheme member notation
    exactMatch closeMatch broadMatch narrowMatch relatedMatch broader narrower
    """,
)
PROV = ClosedNamespace(
    _W3 + "ns/prov#",
    "Entity Activity wasDerivedFrom generatedAtTime wasAttributedTo endedAtTime generated",
)
DCT = ClosedNamespace(
    "http://purl.org/dc/terms/",
    "title created modified issued date source license publisher creator description identifier "
    "isReplacedBy rights",
)
# Provenance, Authoring and Versioning: where and when a copy of a source was retrieved.
PAV = ClosedNamespace("http://purl.org/pav/", "retrievedOn retrievedFrom version")
ORG = ClosedNamespace(
    _W3 + "ns/org#",
    "Organization FormalOrganization memberOf Membership member organization role hasMembership "
    "Role",
)
QB = ClosedNamespace(_W3 + "ns/qb#", "Observation DataSet dataSet")
SDMX_MEASURE = ClosedNamespace("http://purl.org/linked-data/sdmx/2009/measure#", "obsValue")
VOID = ClosedNamespace(
    "http://rdfs.org/ns/void#",
    """
    Dataset triples entities distinctSubjects classes properties subset sparqlEndpoint
    classPartition propertyPartition class property vocabulary dataDump
    """,
)
SH = ClosedNamespace(
    _W3 + "ns/shacl#",
    "SPARQLExecutable SPARQLSelectExecutable SPARQLAskExecutable select ask prefixes",
)

ORPHA_BASE = "http://www.orpha.net/ORDO/Orphanet_"
OMIM_BASE = "https://omim.org/entry/"
HPO_BASE = "http://purl.obolibrary.org/obo/HP_"
MONDO_BASE = "http://purl.obolibrary.org/obo/MONDO_"

PREFIXES: dict[str, str] = {
    "rk": VOCAB,
    "rkid": ID_BASE,
    "schema": "http://schema.org/",
    "skos": SKOS.base,
    "prov": PROV.base,
    "dct": DCT.base,
    "pav": PAV.base,
    "org": ORG.base,
    "qb": QB.base,
    "sdmx-measure": SDMX_MEASURE.base,
    "void": VOID.base,
    "sh": SH.base,
    "rdf": RDF.base,
    "rdfs": RDFS.base,
    "xsd": XSD.base,
    "ordo": "http://www.orpha.net/ORDO/",
}

# Prefixes every query may use without declaring them (as the Wikidata Query Service does): the
# namespaces above plus the common vocabularies and the code systems of the graph.
QUERY_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "owl": "http://www.w3.org/2002/07/owl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "mondo": "http://purl.obolibrary.org/obo/MONDO_",
    "hp": "http://purl.obolibrary.org/obo/HP_",
    "obo": "http://purl.obolibrary.org/obo/",
    "omim": "https://omim.org/entry/",
}
