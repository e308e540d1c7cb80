"""The DCAT-AP 3 catalogue of lifegate's open datasets: what a harvester finds in it, that it
validates against SEMIC's DCAT-AP 3.0.1 SHACL shapes in Turtle and in JSON-LD, and that every
file it lists can be downloaded.

The shapes are `dcat-ap-SHACL.ttl`. The reference folder's `ranges.ttl` is not loaded: it
points at 206 property shapes it does not define (pyshacl refuses such a shapes graph), and
the only constraints it adds are two on data services, which this catalogue has none of."""

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, SH

from lifegate.catalogue.loader import load_catalogue
from lifegate.catalogue.tests.factories import make_organisation
from lifegate.opendata.dcat import catalog_graph, export_jsonld, export_turtle
from lifegate.opendata.dcat_vocab import VCARD
from lifegate.opendata.periods import published_period
from lifegate.opendata.publisher import platform_operator

REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "reference" / "dcat-ap-3.0.1"
BASE = "https://lifegate.example"
CATALOG = URIRef(f"{BASE}/opendata/id/catalog")
EU = "http://publications.europa.eu/resource/authority"
PERIOD = published_period(date(2026, 11, 22))
# Not rdflib's closed DCAT namespace: pytest's collection probes module attributes, and rdflib
# warns about each unknown name it is asked for.
DCAT = Namespace("http://www.w3.org/ns/dcat#")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(REFERENCE / "dcat-ap-SHACL.ttl", format="turtle")


@pytest.fixture
def demo_catalogue(db: None) -> None:
    load_catalogue(settings.CATALOGUE_DATA_FILE)


def _violations(data: Graph, shapes: Graph) -> list[str]:
    _conforms, results, _text = validate(data, shacl_graph=shapes, inference="none")
    return [
        f"{results.value(result, SH.focusNode)} {results.value(result, SH.resultPath)}: "
        f"{results.value(result, SH.resultMessage)}"
        for result in results.subjects(RDF.type, SH.ValidationResult)
        if results.value(result, SH.resultSeverity) == SH.Violation
    ]


def _graph() -> Graph:
    return catalog_graph(BASE, platform_operator(), PERIOD)


def test_the_turtle_catalogue_conforms_to_the_dcat_ap_shapes(demo_catalogue, shapes):
    turtle = Graph().parse(data=export_turtle(_graph()), format="turtle")

    assert _violations(turtle, shapes) == []


def test_the_jsonld_catalogue_conforms_to_the_dcat_ap_shapes(demo_catalogue, shapes):
    jsonld = Graph().parse(data=export_jsonld(_graph()), format="json-ld")

    assert _violations(jsonld, shapes) == []
    assert isomorphic(jsonld, Graph().parse(data=export_turtle(_graph()), format="turtle"))


def test_a_catalogue_without_its_operator_in_the_catalogue_still_conforms(db, shapes):
    graph = catalog_graph(BASE, None, PERIOD)

    assert _violations(graph, shapes) == []
    assert graph.value(CATALOG, DCTERMS.publisher) == URIRef(f"{BASE}/opendata/id/publisher")


def test_the_shapes_catch_a_dataset_without_title_or_a_licence_of_the_wrong_kind(
    demo_catalogue, shapes
):
    graph = _graph()
    dataset = URIRef(f"{BASE}/opendata/id/dataset/life-events")
    graph.remove((dataset, DCTERMS.title, None))
    graph.remove((URIRef(f"{EU}/licence/CC0"), RDF.type, DCTERMS.LicenseDocument))

    problems = _violations(graph, shapes)

    assert any(str(DCTERMS.title) in problem for problem in problems)
    assert any(str(DCTERMS.license) in problem for problem in problems)


def test_the_publisher_is_the_organisation_operating_the_node(demo_catalogue):
    graph = _graph()

    publisher = graph.value(CATALOG, DCTERMS.publisher)
    assert publisher == URIRef(f"{BASE}/catalogue/id/organisation/logius")
    assert Literal("Logius", lang="nl") in set(graph.objects(publisher, FOAF.name))
    assert graph.value(publisher, DCTERMS.type) == URIRef(
        "http://purl.org/adms/publishertype/NationalAuthority"
    )


def test_the_operator_is_found_by_the_oin_in_the_cloudevents_source(db, settings):
    make_organisation("other", oin="00000001800000099000")
    operator = make_organisation("operator", oin="00000001800000042000")
    settings.JOURNEYS_CLOUDEVENTS_SOURCE = "urn:nld:oin:00000001800000042000:systeem:lifegate"

    assert platform_operator() == operator


def test_every_dataset_has_licence_publisher_contact_frequency_and_themes(demo_catalogue):
    graph = _graph()
    frequencies = {}
    for dataset in graph.objects(CATALOG, DCAT.dataset):
        assert graph.value(dataset, DCTERMS.publisher) is not None
        contact = graph.value(dataset, DCAT.contactPoint)
        assert graph.value(contact, VCARD.hasURL) == URIRef("https://www.logius.nl")
        assert URIRef(f"{EU}/data-theme/GOVE") in set(graph.objects(dataset, DCAT.theme))
        frequencies[str(graph.value(dataset, DCTERMS.identifier))] = graph.value(
            dataset, DCTERMS.accrualPeriodicity
        )
        for distribution in graph.objects(dataset, DCAT.distribution):
            assert graph.value(distribution, DCTERMS.license) == URIRef(f"{EU}/licence/CC0")
    assert frequencies == {
        "service-catalogue": URIRef(f"{EU}/frequency/IRREG"),
        "life-events": URIRef(f"{EU}/frequency/IRREG"),
        "usage-statistics": URIRef(f"{EU}/frequency/MONTHLY"),
    }


def test_the_statistics_cover_the_published_months(demo_catalogue):
    graph = _graph()
    dataset = URIRef(f"{BASE}/opendata/id/dataset/usage-statistics")

    period = graph.value(dataset, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal(date(2024, 11, 1))
    assert graph.value(period, DCAT.endDate) == Literal(date(2026, 10, 31))


def test_the_statistics_description_names_the_evidence_figures(demo_catalogue):
    graph = _graph()
    dataset = URIRef(f"{BASE}/opendata/id/dataset/usage-statistics")

    descriptions = {
        text.language: str(text)
        for text in graph.objects(dataset, DCTERMS.description)
        if isinstance(text, Literal)
    }
    assert "exchanged once-only" in descriptions["en"]
    assert "uploaded" in descriptions["en"]
    assert "eenmalig uitgewisseld" in descriptions["nl"]
    assert "geüpload" in descriptions["nl"]


def test_every_listed_file_can_be_downloaded_in_its_media_type(demo_catalogue, client, settings):
    settings.BASE_URL = BASE
    graph = Graph().parse(data=client.get("/opendata/catalog.ttl").content, format="turtle")

    downloads = list(graph.subject_objects(DCAT.downloadURL))
    assert len(downloads) == 5
    for distribution, address in downloads:
        response = client.get(urlsplit(str(address)).path)
        media_type = str(graph.value(distribution, DCAT.mediaType)).rsplit("/", 2)[-2:]
        assert response.status_code == 200, address
        assert response["Content-Type"].startswith("/".join(media_type)), address


def test_the_catalogue_is_served_in_turtle_and_jsonld(demo_catalogue, client):
    turtle = client.get("/opendata/catalog.ttl")
    jsonld = client.get("/opendata/catalog.jsonld")

    assert turtle["Content-Type"] == "text/turtle; charset=utf-8"
    assert jsonld["Content-Type"] == "application/ld+json"
    assert isomorphic(
        Graph().parse(data=turtle.content, format="turtle"),
        Graph().parse(data=jsonld.content, format="json-ld"),
    )


def test_the_footer_of_every_page_links_to_the_open_data(db, client):
    page = client.get("/catalogue/life-events/").content.decode()

    assert 'id="footer-opendata"' in page
    assert 'href="/opendata/"' in page
