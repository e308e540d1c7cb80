"""The whole catalogue as CPSV-AP 3.2 linked data, in Turtle and JSON-LD.

Every resource has the stable URI `{base_url}/catalogue/id/<kind>/<slug>` (kinds: service,
organisation, life-event, business-event, channel, cost, requirement, evidence,
evidence-type, legal-resource, sdg-procedure, ...). The export validates against SEMIC's
CPSV-AP 3.2.0 SHACL shapes: each node the shapes check the class of is typed and labelled in
the export itself. It reads a fixed number of queries, however large the catalogue.
"""

import json

from rdflib import Graph

from lifegate.catalogue.models import (
    Channel,
    EvidenceType,
    LegalResource,
    LifeEvent,
    PublicOrganisation,
    PublicService,
    SdgProcedure,
)
from lifegate.catalogue.rdf.builder import CatalogueGraph
from lifegate.catalogue.rdf.entities import (
    add_event,
    add_evidence,
    add_legal_resource,
    add_sdg_procedure,
)
from lifegate.catalogue.rdf.organisations import add_channel, add_organisation
from lifegate.catalogue.rdf.public_services import add_service
from lifegate.catalogue.rdf.vocab import JSONLD_CONTEXT

__all__ = ["JSONLD_CONTEXT", "catalogue_graph", "export_jsonld", "export_turtle"]

_SERVICE_RELATIONS = (
    "participants",
    "channels",
    "legal_resources",
    "life_events",
    "costs",
    "requirements__evidence_types",
    "sdg_procedures",
)


def catalogue_graph(base_url: str) -> Graph:
    """The whole catalogue as a CPSV-AP 3.2 graph with URIs under `base_url`."""
    rdf = CatalogueGraph(base_url)
    for organisation in PublicOrganisation.objects.all():
        add_organisation(rdf, organisation)
    for channel in Channel.objects.select_related("owner"):
        add_channel(rdf, channel)
    for resource in LegalResource.objects.all():
        add_legal_resource(rdf, resource)
    # Procedures before events: they carry the bilingual names of the SDG life events.
    for procedure in SdgProcedure.objects.all():
        add_sdg_procedure(rdf, procedure)
    for event in LifeEvent.objects.all():
        add_event(rdf, event)
    for evidence_type in EvidenceType.objects.select_related("issuer").prefetch_related(
        "requirements"
    ):
        add_evidence(rdf, evidence_type)
    services = PublicService.objects.select_related("competent_authority").prefetch_related(
        *_SERVICE_RELATIONS
    )
    for service in services:
        add_service(rdf, service)
    return rdf.graph


def export_turtle(base_url: str) -> str:
    """The catalogue as Turtle (`text/turtle`)."""
    return catalogue_graph(base_url).serialize(format="turtle")


def export_jsonld(base_url: str) -> str:
    """The catalogue as compacted JSON-LD (`application/ld+json`) with an inline context.
    Sets of values are sorted, so the same catalogue always gives the same bytes (and ETag)."""
    compacted = catalogue_graph(base_url).serialize(
        format="json-ld", context=JSONLD_CONTEXT, auto_compact=True
    )
    return json.dumps(_sorted(json.loads(compacted)), ensure_ascii=False, indent=2, sort_keys=True)


def _sorted(value: object, key: str = "") -> object:
    """`value` with every JSON array sorted, except ordered `@list`s."""
    if isinstance(value, dict):
        return {name: _sorted(item, name) for name, item in value.items()}
    if isinstance(value, list):
        items = [_sorted(item) for item in value]
        return (
            items
            if key == "@list"
            else sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        )
    return value
