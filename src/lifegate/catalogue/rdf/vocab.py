"""Namespaces, code-list labels and the JSON-LD context of the CPSV-AP 3.2 export.

The labels below describe code-list concepts minted by lifegate (channel types, organisation
kinds, ...). They are data in the export, not interface text, so they live here in both
languages instead of in the gettext catalogues.
"""

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, RDF, RDFS, SKOS, TIME, XSD

CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU_AUTHORITY = "http://publications.europa.eu/resource/authority"

PREFIXES: dict[str, str] = {
    "cpsv": str(CPSV),
    "cv": str(CV),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "eli": str(ELI),
    "foaf": str(FOAF),
    "locn": str(LOCN),
    "org": str(ORG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "time": str(TIME),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}

Labels = dict[str, str]  # language code -> text

# Concept schemes minted under {base}/catalogue/id/<scheme>, with their titles.
SCHEMES: dict[str, Labels] = {
    "channel-type": {"nl": "Soorten kanalen", "en": "Channel types"},
    "organisation-kind": {
        "nl": "Soorten overheidsorganisaties",
        "en": "Kinds of public organisation",
    },
    "participation-role": {"nl": "Rollen bij een dienst", "en": "Roles in a service"},
    "sdg-life-event": {
        "nl": "Levensgebeurtenissen van de Single Digital Gateway",
        "en": "Single Digital Gateway life events",
    },
    "sdg-procedure": {
        "nl": "Procedures uit bijlage II van de SDG-verordening",
        "en": "Procedures of the Single Digital Gateway Regulation, Annex II",
    },
}

CHANNEL_TYPES: dict[str, Labels] = {
    "website": {"nl": "website", "en": "website"},
    "phone": {"nl": "telefoon", "en": "phone"},
    "counter": {"nl": "balie", "en": "counter"},
    "email": {"nl": "e-mail", "en": "e-mail"},
    "chat": {"nl": "chat", "en": "chat"},
    "app": {"nl": "app", "en": "app"},
    "mail": {"nl": "post", "en": "post"},
}

ORGANISATION_KINDS: dict[str, Labels] = {
    "municipality": {"nl": "gemeente", "en": "municipality"},
    "national-agency": {"nl": "landelijke uitvoeringsorganisatie", "en": "national agency"},
    "independent-body": {
        "nl": "zelfstandig bestuursorgaan",
        "en": "independent administrative body",
    },
    "private-public-task": {
        "nl": "private organisatie met een publieke taak",
        "en": "private organisation with a public task",
    },
}

PARTICIPANT_ROLE: Labels = {"nl": "deelnemer", "en": "participant"}

# Every text in the catalogue exists in these languages (EU language authority table codes).
CATALOGUE_LANGUAGES: dict[str, Labels] = {
    "NLD": {"nl": "Nederlands", "en": "Dutch"},
    "ENG": {"nl": "Engels", "en": "English"},
}

NETHERLANDS = f"{EU_AUTHORITY}/country/NLD"
NETHERLANDS_NAMES = {"nederland", "the netherlands", "netherlands"}


def bind_prefixes(graph: Graph) -> None:
    """Give the graph the usual CPSV-AP prefixes, so Turtle reads `dct:title`, not `ns1:title`."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)


def _ref(curie: str) -> dict[str, str]:
    return {"@id": curie, "@type": "@id"}


def _lang(curie: str) -> dict[str, str]:
    return {"@id": curie, "@container": "@language"}


_CLASSES = {
    "PublicService": "cpsv:PublicService",
    "PublicOrganisation": "cv:PublicOrganisation",
    "Organization": "org:Organization",
    "Agent": "foaf:Agent",
    "Event": "cv:Event",
    "LifeEvent": "cv:LifeEvent",
    "BusinessEvent": "cv:BusinessEvent",
    "Evidence": "cv:Evidence",
    "EvidenceType": "cv:EvidenceType",
    "Requirement": "cv:Requirement",
    "Channel": "cv:Channel",
    "Cost": "cv:Cost",
    "Output": "cv:Output",
    "Participation": "cv:Participation",
    "LegalResource": "eli:LegalResource",
    "Concept": "skos:Concept",
    "ConceptScheme": "skos:ConceptScheme",
    "Location": "dct:Location",
    "LinguisticSystem": "dct:LinguisticSystem",
    "TemporalEntity": "time:TemporalEntity",
    "Address": "locn:Address",
}

_LINKS = {
    "hasCompetentAuthority": "cv:hasCompetentAuthority",
    "hasParticipation": "cv:hasParticipation",
    "hasParticipant": "cv:hasParticipant",
    "participates": "cv:participates",
    "role": "cv:role",
    "isGroupedBy": "cv:isGroupedBy",
    "hasRelatedService": "cv:hasRelatedService",
    "hasChannel": "cv:hasChannel",
    "hasCost": "cv:hasCost",
    "hasLegalResource": "cv:hasLegalResource",
    "holdsRequirement": "cv:holdsRequirement",
    "hasSupportingEvidence": "cv:hasSupportingEvidence",
    "supportsRequirement": "cv:supportsRequirement",
    "hasInputType": "cv:hasInputType",
    "hasInput": "cpsv:hasInput",
    "produces": "cpsv:produces",
    "isClassifiedBy": "cv:isClassifiedBy",
    "thematicArea": "cv:thematicArea",
    "currency": "cv:currency",
    "isDefinedBy": "cv:isDefinedBy",
    "ownedBy": "cv:ownedBy",
    "openingHours": "cv:openingHours",
    "isConformantTo": "dct:conformsTo",
    "publisher": "dct:publisher",
    "language": "dct:language",
    "spatial": "dct:spatial",
    "classification": "org:classification",
    "homepage": "foaf:homepage",
    "page": "foaf:page",
    "seeAlso": "rdfs:seeAlso",
    "inScheme": "skos:inScheme",
    "broader": "skos:broader",
    "dct:type": "dct:type",
    "address": "locn:address",
    "hasURL": "vcard:hasURL",
    "hasTelephone": "vcard:hasTelephone",
    "hasEmail": "vcard:hasEmail",
}

_TEXTS = {
    "title": "dct:title",
    "description": "dct:description",
    "prefLabel": "skos:prefLabel",
    "keyword": "dcat:keyword",
    "fullAddress": "locn:fullAddress",
    "scopeNote": "skos:scopeNote",
}

# Modelled on SEMIC's cpsv-ap.jsonld, but with one term per property instead of one per
# class and property, and language maps for the bilingual texts.
JSONLD_CONTEXT: dict[str, object] = {
    **PREFIXES,
    **_CLASSES,
    **{term: _ref(curie) for term, curie in _LINKS.items()},
    **{term: _lang(curie) for term, curie in _TEXTS.items()},
    "identifier": "dct:identifier",
    "notation": "skos:notation",
    "processingTime": {"@id": "cv:processingTime", "@type": "xsd:duration"},
    "hasValue": {"@id": "cv:hasValue", "@type": "xsd:double"},
}
