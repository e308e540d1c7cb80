"""Life and business events, evidence, legal resources and SDG procedures in CPSV-AP terms."""

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from lifegate.catalogue.models import EvidenceType, LegalResource, LifeEvent, SdgProcedure
from lifegate.catalogue.rdf.builder import CatalogueGraph, slug_for, texts
from lifegate.catalogue.rdf.organisations import organisation_uri
from lifegate.catalogue.rdf.vocab import CV, ELI, Labels


def event_uri(rdf: CatalogueGraph, event: LifeEvent) -> URIRef:
    """The URI of a life event (`life-event/<slug>`) or business event (`business-event/<slug>`)."""
    kind = "business-event" if event.kind == LifeEvent.Kind.BUSINESS else "life-event"
    return rdf.uri(kind, event.slug)


def add_event(rdf: CatalogueGraph, event: LifeEvent) -> URIRef:
    """A `cv:LifeEvent` or `cv:BusinessEvent`, also typed `cv:Event`, the class services are
    grouped by in the shapes."""
    specific = CV.BusinessEvent if event.kind == LifeEvent.Kind.BUSINESS else CV.LifeEvent
    node = rdf.identified(event_uri(rdf, event), event.slug, specific, CV.Event)
    rdf.text(node, DCTERMS.title, texts(event, "name"), fallback=event.slug)
    rdf.text(node, DCTERMS.description, texts(event, "description"))
    if event.sdg_life_event.strip():
        rdf.add(node, DCTERMS.type, sdg_life_event(rdf, {"en": event.sdg_life_event.strip()}))
    return node


def sdg_life_event(rdf: CatalogueGraph, labels: Labels) -> URIRef:
    """The concept for a Single Digital Gateway life event ("Birth", "Moving", ...), keyed by
    its English name so events and Annex II procedures share it."""
    key = slug_for(labels.get("en") or labels.get("nl") or "unknown")
    return rdf.concept(rdf.uri("sdg-life-event", key), labels, scheme="sdg-life-event")


def add_sdg_procedure(rdf: CatalogueGraph, procedure: SdgProcedure) -> URIRef:
    """An SDG Annex II procedure as a concept services are classified by."""
    node = rdf.uri("sdg-procedure", procedure.slug)
    rdf.concept(node, texts(procedure, "name") or {"en": procedure.slug}, scheme="sdg-procedure")
    if procedure.oots_code.strip():
        rdf.add(node, SKOS.notation, Literal(procedure.oots_code.strip()))
    rdf.text(node, SKOS.scopeNote, texts(procedure, "output"))
    rdf.add(node, SKOS.broader, procedure_life_event(rdf, procedure))
    return node


def procedure_life_event(rdf: CatalogueGraph, procedure: SdgProcedure) -> URIRef:
    """The SDG life event an Annex II procedure is listed under."""
    return sdg_life_event(rdf, texts(procedure, "life_event") or {"en": "unknown"})


def legal_resource_uri(rdf: CatalogueGraph, resource: LegalResource) -> URIRef:
    """The URI of a legal resource."""
    return rdf.uri("legal-resource", resource.slug)


def add_legal_resource(rdf: CatalogueGraph, resource: LegalResource) -> URIRef:
    """An `eli:LegalResource`; the official text (ELI or wetten.overheid.nl) is `rdfs:seeAlso`."""
    node = rdf.identified(legal_resource_uri(rdf, resource), resource.slug, ELI.LegalResource)
    rdf.text(node, DCTERMS.title, texts(resource, "name"), fallback=resource.slug)
    if resource.uri:
        rdf.add(node, RDFS.seeAlso, URIRef(resource.uri))
    return node


def evidence_uri(rdf: CatalogueGraph, evidence_type: EvidenceType) -> URIRef:
    """The URI of the `cv:Evidence` described by an evidence type row."""
    return rdf.uri("evidence", evidence_type.slug)


def evidence_type_uri(rdf: CatalogueGraph, evidence_type: EvidenceType) -> URIRef:
    """The URI of the `cv:EvidenceType` of an evidence type row."""
    return rdf.uri("evidence-type", evidence_type.slug)


def add_evidence(rdf: CatalogueGraph, evidence_type: EvidenceType) -> URIRef:
    """A row becomes two nodes: the `cv:Evidence` a person brings, conforming to a
    `cv:EvidenceType` that services name as their input type. Requirements come prefetched."""
    kind = rdf.identified(
        evidence_type_uri(rdf, evidence_type), evidence_type.slug, CV.EvidenceType
    )
    names = texts(evidence_type, "name")
    rdf.text(kind, DCTERMS.title, names)
    node = rdf.identified(evidence_uri(rdf, evidence_type), evidence_type.slug, CV.Evidence)
    rdf.text(node, DCTERMS.title, names, fallback=evidence_type.slug)
    rdf.text(node, DCTERMS.description, texts(evidence_type, "description"))
    rdf.add(node, DCTERMS.conformsTo, kind)
    if evidence_type.issuer is not None:
        rdf.add(node, DCTERMS.publisher, organisation_uri(rdf, evidence_type.issuer))
    for requirement in evidence_type.requirements.all():
        rdf.add(node, CV.supportsRequirement, rdf.uri("requirement", requirement.slug))
    return node
