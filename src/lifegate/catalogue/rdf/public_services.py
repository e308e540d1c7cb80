"""Public services with their requirements, costs, participations and output in CPSV-AP terms.
Everything read here comes prefetched (see `catalogue_graph`)."""

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS, XSD

from lifegate.catalogue.models import Cost, PublicOrganisation, PublicService, Requirement
from lifegate.catalogue.rdf.builder import CatalogueGraph, texts
from lifegate.catalogue.rdf.entities import (
    event_uri,
    evidence_type_uri,
    evidence_uri,
    legal_resource_uri,
    procedure_life_event,
)
from lifegate.catalogue.rdf.organisations import channel_uri, organisation_uri
from lifegate.catalogue.rdf.vocab import (
    CATALOGUE_LANGUAGES,
    CPSV,
    CV,
    EU_AUTHORITY,
    PARTICIPANT_ROLE,
)


def add_service(rdf: CatalogueGraph, service: PublicService) -> URIRef:
    """A `cpsv:PublicService` and the nodes only it owns (requirements, costs, output,
    participations)."""
    node = rdf.identified(rdf.uri("service", service.slug), service.slug, CPSV.PublicService)
    _add_texts(rdf, node, service)
    rdf.add(node, CV.hasCompetentAuthority, organisation_uri(rdf, service.competent_authority))
    for participant in service.participants.all():
        rdf.add(node, CV.hasParticipation, _add_participation(rdf, service, participant))
    _add_groupings(rdf, node, service)
    channels = service.channels.all()
    rdf.link_all(node, CV.hasChannel, (channel_uri(rdf, channel) for channel in channels))
    laws = service.legal_resources.all()
    rdf.link_all(node, CV.hasLegalResource, (legal_resource_uri(rdf, law) for law in laws))
    for cost in service.costs.all():
        rdf.add(node, CV.hasCost, _add_cost(rdf, service, cost))
    for requirement in service.requirements.all():
        _add_requirement(rdf, node, requirement)
    _add_output(rdf, node, service)
    return node


def _add_texts(rdf: CatalogueGraph, node: URIRef, service: PublicService) -> None:
    """Title, description, keywords, languages, web page and processing time."""
    names = texts(service, "name")
    rdf.text(node, DCTERMS.title, names, fallback=service.slug)
    description = texts(service, "description") or names
    rdf.text(node, DCTERMS.description, description, fallback=service.slug)
    _add_keywords(rdf, node, service)
    rdf.link_all(node, DCTERMS.language, _languages(rdf))
    if service.online_url:
        rdf.add(node, FOAF.page, URIRef(service.online_url))
    _add_processing_time(rdf, node, service.processing_time)


def _add_keywords(rdf: CatalogueGraph, node: URIRef, service: PublicService) -> None:
    """`dcat:keyword` per language; the catalogue stores them comma-separated."""
    for language, line in texts(service, "keywords").items():
        words = {word.strip() for word in line.split(",") if word.strip()}
        for word in sorted(words):
            rdf.add(node, DCAT.keyword, Literal(word, lang=language))


def _languages(rdf: CatalogueGraph) -> list[URIRef]:
    """The languages every catalogue text is in, as typed `dct:LinguisticSystem` concepts."""
    return [
        rdf.concept(URIRef(f"{EU_AUTHORITY}/language/{code}"), labels, DCTERMS.LinguisticSystem)
        for code, labels in CATALOGUE_LANGUAGES.items()
    ]


def _add_processing_time(rdf: CatalogueGraph, node: URIRef, duration: str) -> None:
    """`cv:processingTime` as `xsd:duration`. rdflib rewrites ISO 8601 weeks (P8W), which
    xsd:duration lacks, into days (P56D); a value it cannot read is left out, not exported
    ill-typed."""
    if not duration.strip():
        return
    literal = Literal(duration.strip(), datatype=XSD.duration)
    if not literal.ill_typed:
        rdf.add(node, CV.processingTime, literal)


def _add_participation(
    rdf: CatalogueGraph, service: PublicService, participant: PublicOrganisation
) -> URIRef:
    """A `cv:Participation` of another organisation in a service, in the participant role."""
    node = rdf.identified(
        rdf.uri("service", service.slug, "participation", participant.slug),
        f"{service.slug}/{participant.slug}",
        CV.Participation,
    )
    service_names, participant_names = texts(service, "name"), texts(participant, "name")
    descriptions = {
        "nl": f"{participant_names.get('nl', participant.slug)} werkt mee aan de dienst "
        f"“{service_names.get('nl', service.slug)}”.",
        "en": f"{participant_names.get('en', participant.slug)} takes part in the service "
        f"“{service_names.get('en', service.slug)}”.",
    }
    rdf.text(node, DCTERMS.description, descriptions)
    rdf.add(node, CV.role, rdf.code("participation-role", "participant", PARTICIPANT_ROLE))
    agent = organisation_uri(rdf, participant)
    rdf.add(node, CV.hasParticipant, agent)
    rdf.add(agent, CV.participates, node)
    return node


def _add_groupings(rdf: CatalogueGraph, node: URIRef, service: PublicService) -> None:
    """Life and business events grouping the service (both directions), and the SDG Annex II
    procedures it offers, which also give its thematic area."""
    for event in service.life_events.all():
        rdf.add(node, CV.isGroupedBy, event_uri(rdf, event))
        rdf.add(event_uri(rdf, event), CV.hasRelatedService, node)
    for procedure in service.sdg_procedures.all():
        rdf.add(node, CV.isClassifiedBy, rdf.uri("sdg-procedure", procedure.slug))
        rdf.add(node, CV.thematicArea, procedure_life_event(rdf, procedure))


def _add_cost(rdf: CatalogueGraph, service: PublicService, cost: Cost) -> URIRef:
    """A `cv:Cost`, defined by the service's competent authority; the currency is the EU
    currency authority-table concept."""
    node = rdf.identified(rdf.uri("cost", cost.slug), cost.slug, CV.Cost)
    rdf.add(node, CV.hasValue, Literal(float(cost.value), datatype=XSD.double))
    code = (cost.currency or "EUR").strip().upper()
    labels = {"nl": "euro", "en": "euro"} if code == "EUR" else {"en": code}
    currency = rdf.concept(URIRef(f"{EU_AUTHORITY}/currency/{code}"), labels)
    rdf.add(currency, SKOS.notation, Literal(code))
    rdf.add(node, CV.currency, currency)
    rdf.add(node, CV.isDefinedBy, organisation_uri(rdf, service.competent_authority))
    rdf.text(node, DCTERMS.description, texts(cost, "description"))
    return node


def _add_requirement(rdf: CatalogueGraph, service_node: URIRef, requirement: Requirement) -> None:
    """A `cv:Requirement` held by the service, supported by evidence; the evidence and its type
    become the service's input and input type."""
    node = rdf.identified(
        rdf.uri("requirement", requirement.slug), requirement.slug, CV.Requirement
    )
    rdf.text(node, DCTERMS.title, texts(requirement, "name"), fallback=requirement.slug)
    rdf.text(node, DCTERMS.description, texts(requirement, "description"))
    rdf.add(service_node, CV.holdsRequirement, node)
    for evidence_type in requirement.evidence_types.all():
        rdf.add(node, CV.hasSupportingEvidence, evidence_uri(rdf, evidence_type))
        rdf.add(service_node, CPSV.hasInput, evidence_uri(rdf, evidence_type))
        rdf.add(service_node, CV.hasInputType, evidence_type_uri(rdf, evidence_type))


def _add_output(rdf: CatalogueGraph, node: URIRef, service: PublicService) -> None:
    """The `cv:Output` the service produces (e.g. a birth certificate), when described."""
    names = texts(service, "output")
    if not names:
        return
    output = rdf.identified(
        rdf.uri("service", service.slug, "output"), f"{service.slug}/output", CV.Output
    )
    rdf.text(output, DCTERMS.title, names)
    rdf.add(node, CPSV.produces, output)
