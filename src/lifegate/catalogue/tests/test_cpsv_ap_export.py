"""The CPSV-AP 3.2 export: what a consumer of the linked data finds, that it validates against
SEMIC's SHACL shapes, and that it is served in Turtle and JSON-LD."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SH, SKOS

from lifegate.catalogue.loader import load_catalogue
from lifegate.catalogue.models import (
    Channel,
    Cost,
    EvidenceType,
    LegalResource,
    LifeEvent,
    ProcessingActivity,
    PublicOrganisation,
    PublicService,
    Requirement,
    SdgProcedure,
)
from lifegate.catalogue.rdf import catalogue_graph, export_jsonld, export_turtle
from lifegate.catalogue.rdf.vocab import CPSV, CV, ELI

BASE = "https://lifegate.example"
ID = f"{BASE}/catalogue/id"
# Not rdflib's XSD namespace object: pytest's collection probes module attributes and rdflib
# warns about each unknown name it is asked for.
XSD_DURATION = URIRef("http://www.w3.org/2001/XMLSchema#duration")
XSD_DOUBLE = URIRef("http://www.w3.org/2001/XMLSchema#double")
SHAPES = (
    Path(settings.BASE_DIR).parent / "shared" / "reference" / "cpsv-ap-3.2.0" / "cpsv-ap-SHACL.ttl"
)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def _organisations() -> tuple[PublicOrganisation, PublicOrganisation]:
    utrecht = PublicOrganisation.objects.create(
        slug="gemeente-utrecht",
        oin="00000001002220647000",
        kind="municipality",
        name_nl="Gemeente Utrecht",
        name_en="Municipality of Utrecht",
        description_nl="De gemeente.",
        description_en="The municipality.",
        homepage="https://www.utrecht.nl",
        spatial_nl="Utrecht",
        spatial_en="Utrecht",
    )
    svb = PublicOrganisation.objects.create(
        slug="svb",
        oin="00000001002220647001",
        kind="national-agency",
        name_nl="Sociale Verzekeringsbank",
        name_en="Social Insurance Bank",
    )
    return utrecht, svb


def _channels(owner: PublicOrganisation) -> list[Channel]:
    website = Channel.objects.create(
        slug="utrecht-website",
        owner=owner,
        kind="website",
        name_nl="Website",
        name_en="Website",
        address="https://www.utrecht.nl/geboorte",
    )
    counter = Channel.objects.create(
        slug="utrecht-stadskantoor",
        owner=owner,
        kind="counter",
        name_nl="Stadskantoor",
        name_en="City office",
        address="Stadsplateau 1, Utrecht",
        hours_nl="maandag tot vrijdag 9-17 uur",
        hours_en="Monday to Friday 9am-5pm",
    )
    phone = Channel.objects.create(
        slug="utrecht-14030",
        owner=owner,
        kind="phone",
        name_nl="Telefoon",
        name_en="Phone",
        address="14 030",
    )
    return [website, counter, phone]


def _service(
    slug: str,
    authority: PublicOrganisation,
    participant: PublicOrganisation,
    channels: list[Channel],
) -> PublicService:
    law = LegalResource.objects.create(
        slug=f"{slug}-law",
        uri="https://wetten.overheid.nl/BWBR0002656/",
        name_nl="BW Boek 1",
        name_en="Civil Code 1",
    )
    activity = ProcessingActivity.objects.create(
        slug=f"{slug}-processing",
        controller=authority,
        name_nl="Registratie",
        name_en="Registration",
        purpose_nl="Doel",
        purpose_en="Purpose",
        legal_basis_nl="Wettelijke plicht",
        legal_basis_en="Legal obligation",
        data_categories=["name"],
    )
    activity.legal_resources.add(law)
    service = PublicService.objects.create(
        slug=slug,
        competent_authority=authority,
        name_nl="Geboorte aangeven",
        name_en="Register a birth",
        description_nl="Geef de geboorte van uw kind aan.",
        description_en="Register the birth of your child.",
        audience_nl="Ouders",
        audience_en="Parents",
        how_to_nl="Online",
        how_to_en="Online",
        output_nl="Geboorteakte",
        output_en="Birth certificate",
        processing_time="P3D",
        keywords_nl="geboorte, aangifte",
        keywords_en="birth, registration",
        online_url="https://www.utrecht.nl/geboorte",
        processing_activity=activity,
    )
    service.participants.add(participant)
    service.channels.add(*channels)
    service.legal_resources.add(law)
    evidence = EvidenceType.objects.create(
        slug=f"{slug}-identity-document",
        name_nl="Identiteitsbewijs",
        name_en="Identity document",
        description_nl="Paspoort of identiteitskaart.",
        description_en="Passport or identity card.",
        issuer=participant,
    )
    requirement = Requirement.objects.create(
        slug=f"{slug}-identity", service=service, name_nl="Identiteit", name_en="Identity"
    )
    requirement.evidence_types.add(evidence)
    Cost.objects.create(
        slug=f"{slug}-fee",
        service=service,
        value=Decimal("12.50"),
        description_nl="Leges",
        description_en="Fee",
    )
    return service


@pytest.fixture
def catalogue(db: None) -> PublicService:
    """One of each catalogue model, both kinds of events, every relation filled."""
    utrecht, svb = _organisations()
    service = _service("register-birth", utrecht, svb, _channels(utrecht))
    birth = LifeEvent.objects.create(
        slug="birth",
        kind="life",
        name_nl="Geboorte",
        name_en="Birth",
        description_nl="Er is een kind geboren.",
        description_en="A child is born.",
        sdg_life_event="Birth",
    )
    employer = LifeEvent.objects.create(
        slug="first-employee",
        kind="business",
        name_nl="Eerste werknemer",
        name_en="First employee",
        description_nl="U neemt iemand in dienst.",
        description_en="You hire someone.",
    )
    service.life_events.add(birth, through_defaults={"position": 1})
    service.life_events.add(employer, through_defaults={"position": 2})
    procedure = SdgProcedure.objects.create(
        slug="proof-of-birth-registration",
        life_event_nl="Geboorte",
        life_event_en="Birth",
        name_nl="Bewijs van geboorteregistratie aanvragen",
        name_en="Requesting proof of registration of birth",
        output_nl="Geboorteakte",
        output_en="Birth certificate",
        oots_code="R1",
    )
    procedure.services.add(service)
    return service


def _validate(graph: Graph, shapes: Graph) -> tuple[bool, int, str]:
    """Whether `graph` conforms, its number of violations, and pyshacl's report."""
    conforms, results, text = validate(graph, shacl_graph=shapes, inference="none")
    assert isinstance(results, Graph)
    violations = len(set(results.subjects(SH.resultSeverity, SH.Violation)))
    return bool(conforms), violations, str(text)


def test_it_exports_the_public_service_with_its_authority_events_and_bilingual_texts(catalogue):
    graph = catalogue_graph(BASE + "/")
    service = URIRef(f"{ID}/service/register-birth")
    assert (service, RDF.type, CPSV.PublicService) in graph
    assert (service, DCTERMS.identifier, Literal("register-birth")) in graph
    assert (service, DCTERMS.title, Literal("Geboorte aangeven", lang="nl")) in graph
    assert (service, DCTERMS.title, Literal("Register a birth", lang="en")) in graph
    assert (
        service,
        CV.hasCompetentAuthority,
        URIRef(f"{ID}/organisation/gemeente-utrecht"),
    ) in graph
    assert (service, CV.isGroupedBy, URIRef(f"{ID}/life-event/birth")) in graph
    assert (service, CV.isGroupedBy, URIRef(f"{ID}/business-event/first-employee")) in graph
    assert (URIRef(f"{ID}/life-event/birth"), RDF.type, CV.LifeEvent) in graph
    assert (URIRef(f"{ID}/business-event/first-employee"), RDF.type, CV.BusinessEvent) in graph
    assert (service, CV.processingTime, Literal("P3D", datatype=XSD_DURATION)) in graph
    assert (service, CPSV.produces, URIRef(f"{ID}/service/register-birth/output")) in graph


def test_it_types_every_catalogue_entity_with_its_cpsv_ap_class(catalogue):
    graph = catalogue_graph(BASE)
    expected = {
        "organisation/svb": CV.PublicOrganisation,
        "channel/utrecht-website": CV.Channel,
        "cost/register-birth-fee": CV.Cost,
        "requirement/register-birth-identity": CV.Requirement,
        "evidence/register-birth-identity-document": CV.Evidence,
        "evidence-type/register-birth-identity-document": CV.EvidenceType,
        "legal-resource/register-birth-law": ELI.LegalResource,
        "service/register-birth/participation/svb": CV.Participation,
        "sdg-procedure/proof-of-birth-registration": SKOS.Concept,
    }
    for path, rdf_class in expected.items():
        assert (URIRef(f"{ID}/{path}"), RDF.type, rdf_class) in graph, path


def test_it_links_requirements_evidence_costs_and_channels(catalogue):
    graph = catalogue_graph(BASE)
    service, requirement = (
        URIRef(f"{ID}/service/register-birth"),
        URIRef(f"{ID}/requirement/register-birth-identity"),
    )
    evidence = URIRef(f"{ID}/evidence/register-birth-identity-document")
    cost, counter = (
        URIRef(f"{ID}/cost/register-birth-fee"),
        URIRef(f"{ID}/channel/utrecht-stadskantoor"),
    )
    assert (service, CV.holdsRequirement, requirement) in graph
    assert (requirement, CV.hasSupportingEvidence, evidence) in graph
    assert (evidence, CV.supportsRequirement, requirement) in graph
    assert (
        service,
        CV.hasInputType,
        URIRef(f"{ID}/evidence-type/register-birth-identity-document"),
    ) in graph
    assert (cost, CV.hasValue, Literal(12.5, datatype=XSD_DOUBLE)) in graph
    currency = graph.value(cost, CV.currency)
    assert currency == URIRef("http://publications.europa.eu/resource/authority/currency/EUR")
    assert (currency, RDF.type, SKOS.Concept) in graph
    assert (service, CV.hasChannel, counter) in graph
    assert (counter, CV.ownedBy, URIRef(f"{ID}/organisation/gemeente-utrecht")) in graph
    hours = graph.value(counter, CV.openingHours)
    assert (hours, DCTERMS.description, Literal("Monday to Friday 9am-5pm", lang="en")) in graph


def test_the_export_conforms_to_the_cpsv_ap_shapes(catalogue, shapes):
    conforms, violations, report = _validate(catalogue_graph(BASE), shapes)
    assert violations == 0, report
    assert conforms


def test_the_shapes_catch_a_service_without_competent_authority(catalogue, shapes):
    graph = catalogue_graph(BASE)
    graph.remove((URIRef(f"{ID}/service/register-birth"), CV.hasCompetentAuthority, None))
    conforms, violations, report = _validate(graph, shapes)
    assert not conforms
    assert violations == 1
    assert "hasCompetentAuthority" in report


def test_turtle_and_jsonld_parse_back_to_the_same_graph(catalogue):
    graph = catalogue_graph(BASE)
    from_turtle = Graph().parse(data=export_turtle(BASE), format="turtle")
    from_jsonld = Graph().parse(data=export_jsonld(BASE), format="json-ld")
    assert len(graph) > 100
    assert isomorphic(graph, from_turtle)
    assert isomorphic(graph, from_jsonld)


def test_jsonld_uses_readable_terms_from_its_inline_context(catalogue):
    document = json.loads(export_jsonld(BASE))
    service = next(
        node for node in document["@graph"] if node["@id"] == f"{ID}/service/register-birth"
    )
    assert service["@type"] == "PublicService"
    assert service["title"] == {"nl": "Geboorte aangeven", "en": "Register a birth"}
    assert service["hasCompetentAuthority"] == f"{ID}/organisation/gemeente-utrecht"
    assert export_jsonld(BASE) == export_jsonld(BASE)


def test_the_number_of_queries_does_not_grow_with_the_catalogue(catalogue):
    with CaptureQueriesContext(connection) as first:
        catalogue_graph(BASE)
    utrecht, svb = PublicOrganisation.objects.order_by("slug")
    _service("register-death", utrecht, svb, list(Channel.objects.all()))
    with CaptureQueriesContext(connection) as second:
        graph = catalogue_graph(BASE)
    assert (URIRef(f"{ID}/service/register-death"), RDF.type, CPSV.PublicService) in graph
    assert len(second) == len(first) <= 20


@pytest.mark.parametrize(
    ("name", "path", "content_type", "fmt"),
    [
        ("catalogue:cpsv-ap-ttl", "/catalogue/cpsv-ap.ttl", "text/turtle; charset=utf-8", "turtle"),
        ("catalogue:cpsv-ap-jsonld", "/catalogue/cpsv-ap.jsonld", "application/ld+json", "json-ld"),
    ],
)
def test_the_export_urls_serve_the_catalogue_publicly_and_cacheably(
    catalogue, client, name, path, content_type, fmt
):
    assert reverse(name) == path
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline")
    assert "public" in response["Cache-Control"]
    graph = Graph().parse(data=response.content.decode(), format=fmt)
    service = URIRef(f"{settings.BASE_URL}/catalogue/id/service/register-birth")
    assert (service, RDF.type, CPSV.PublicService) in graph
    assert client.get(path, headers={"if-none-match": response["ETag"]}).status_code == 304


def test_the_export_urls_refuse_to_change_anything(catalogue, client):
    assert client.post("/catalogue/cpsv-ap.ttl").status_code == 405


def test_the_management_command_prints_the_export_with_the_given_base_url(catalogue):
    out = io.StringIO()
    call_command("export_cpsv_ap", "--format", "jsonld", "--base-url", BASE, stdout=out)
    graph = Graph().parse(data=out.getvalue(), format="json-ld")
    assert isomorphic(graph, catalogue_graph(BASE))


def test_the_demo_catalogue_validates_against_the_cpsv_ap_shapes(db, shapes):
    load_catalogue(settings.CATALOGUE_DATA_FILE)
    graph = catalogue_graph(BASE)
    assert (
        len(set(graph.subjects(RDF.type, CPSV.PublicService))) == PublicService.objects.count() > 0
    )
    conforms, violations, report = _validate(graph, shapes)
    assert violations == 0, report
    assert conforms
