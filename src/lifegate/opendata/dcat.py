"""lifegate's open datasets as a DCAT-AP 3.0 catalogue, in Turtle and JSON-LD.

Three datasets: the service catalogue (CPSV-AP, served by the catalogue building block), the
life-event definitions and the usage statistics. DCAT-AP's shapes check the class of every
node a property points at (`sh:class`), so every licence, frequency, theme, media type,
format, language and location is typed and labelled in the catalogue itself, with its URI
from the EU controlled vocabularies."""

import json
from datetime import timedelta

from django.utils.text import slugify
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD
from rdflib.term import Node

from lifegate.catalogue.models import PublicOrganisation
from lifegate.opendata import dcat_vocab as vocab
from lifegate.opendata.dcat_vocab import DCATAP, GSP, VCARD, Labels
from lifegate.opendata.periods import SETTLING_DAYS, Period
from lifegate.opendata.publisher import contact_email

__all__ = ["catalog_graph", "export_jsonld", "export_turtle"]


class DcatGraph:
    """An rdflib Graph with helpers for lifegate's DCAT-AP catalogue at `base_url`."""

    def __init__(self, base_url: str) -> None:
        self.graph = Graph()
        for prefix, namespace in vocab.PREFIXES.items():
            self.graph.bind(prefix, namespace, override=True, replace=True)
        self.base_url = base_url.rstrip("/")
        self._labelled: set[URIRef] = set()

    def uri(self, *parts: str) -> URIRef:
        """The URI `{base_url}/opendata/id/<part>/...` of a catalogue resource."""
        return URIRef("/".join((f"{self.base_url}/opendata/id", *parts)))

    def url(self, path: str) -> URIRef:
        """An absolute address on this node."""
        return URIRef(f"{self.base_url}{path}")

    def add(self, subject: Node, predicate: URIRef, obj: Node) -> None:
        """Add one triple."""
        self.graph.add((subject, predicate, obj))

    def typed(self, subject: URIRef, *classes: URIRef) -> URIRef:
        """Declare `subject` an instance of each of `classes`; returns the subject."""
        for rdf_class in classes:
            self.add(subject, RDF.type, rdf_class)
        return subject

    def text(self, subject: URIRef, predicate: URIRef, labels: Labels) -> None:
        """Add each label as a language-tagged literal."""
        for language, value in labels.items():
            self.add(subject, predicate, Literal(value, lang=language))

    def concept(self, uri: str, labels: Labels, *classes: URIRef) -> URIRef:
        """A `skos:Concept` with preferred labels (added once), also typed `classes`."""
        node = self.typed(URIRef(uri), SKOS.Concept, *classes)
        if node not in self._labelled:
            self._labelled.add(node)
            self.text(node, SKOS.prefLabel, labels)
        return node

    def document(self, url: URIRef) -> URIRef:
        """A web page or file, typed `foaf:Document` as the shapes ask of landing pages."""
        return self.typed(url, FOAF.Document)

    def standard(self, uri: str, labels: Labels) -> URIRef:
        """A `dct:Standard` (a specification or schema) something conforms to."""
        node = self.typed(URIRef(uri), DCTERMS.Standard)
        self.text(node, DCTERMS.title, labels)
        return node


def catalog_graph(
    base_url: str, operator: PublicOrganisation | None, statistics_period: Period
) -> Graph:
    """The DCAT-AP catalogue of this node's open datasets, published by `operator` (None: the
    catalogue lacks the operating organisation, and lifegate itself is named)."""
    rdf = DcatGraph(base_url)
    publisher = _publisher(rdf, operator)
    contact = _contact_point(rdf, operator)
    catalog = rdf.typed(rdf.uri("catalog"), DCAT.Catalog)
    rdf.text(catalog, DCTERMS.title, vocab.CATALOGUE_TEXTS["title"])
    rdf.text(catalog, DCTERMS.description, vocab.CATALOGUE_TEXTS["description"])
    rdf.add(catalog, DCTERMS.publisher, publisher)
    rdf.add(catalog, FOAF.homepage, rdf.document(rdf.url("/opendata/")))
    rdf.add(catalog, DCTERMS.license, _licence(rdf))
    rdf.add(catalog, DCAT.themeTaxonomy, _theme_scheme(rdf))
    _add_coverage(rdf, catalog)
    common = {"catalog": catalog, "publisher": publisher, "contact": contact}
    _service_catalogue(rdf, **common)
    _life_events(rdf, **common)
    _usage_statistics(rdf, statistics_period, **common)
    return rdf.graph


def export_turtle(graph: Graph) -> str:
    """The catalogue as Turtle (`text/turtle`)."""
    return graph.serialize(format="turtle")


def export_jsonld(graph: Graph) -> str:
    """The catalogue as compacted JSON-LD with the prefixes as its inline context; arrays are
    sorted, so the same catalogue always gives the same bytes (and ETag)."""
    compacted = graph.serialize(format="json-ld", context=vocab.PREFIXES, auto_compact=True)
    return json.dumps(_sorted(json.loads(compacted)), ensure_ascii=False, indent=2, sort_keys=True)


def _publisher(rdf: DcatGraph, operator: PublicOrganisation | None) -> URIRef:
    """The operating organisation under its catalogue URI (the one the CPSV-AP export uses),
    typed `foaf:Agent` with its ADMS publisher type."""
    if operator is None:
        node = rdf.typed(rdf.uri("publisher"), FOAF.Agent)
        rdf.add(node, FOAF.name, Literal("lifegate"))
        return node
    node = rdf.typed(
        URIRef(f"{rdf.base_url}/catalogue/id/organisation/{operator.slug}"), FOAF.Agent
    )
    rdf.text(node, FOAF.name, _names(operator))
    code, labels = vocab.PUBLISHER_TYPES.get(
        operator.kind, vocab.PUBLISHER_TYPES["national-agency"]
    )
    rdf.add(node, DCTERMS.type, rdf.concept(f"http://purl.org/adms/publishertype/{code}", labels))
    return node


def _contact_point(rdf: DcatGraph, operator: PublicOrganisation | None) -> URIRef:
    """A `vcard:Organization` to ask about the data: the operator's name, website and, when
    it has an e-mail channel, its address."""
    node = rdf.typed(rdf.uri("contact-point"), VCARD.Kind, VCARD.Organization)
    if operator is None:
        rdf.add(node, VCARD.fn, Literal("lifegate"))
        rdf.add(node, VCARD.hasURL, rdf.url("/"))
        return node
    rdf.text(node, VCARD.fn, _names(operator))
    rdf.add(node, VCARD.hasURL, URIRef(operator.homepage) if operator.homepage else rdf.url("/"))
    email = contact_email(operator)
    if email:
        rdf.add(node, VCARD.hasEmail, URIRef(f"mailto:{email}"))
    return node


def _names(organisation: PublicOrganisation) -> Labels:
    names = {"nl": organisation.name_nl, "en": organisation.name_en}
    return {language: name for language, name in names.items() if name} or {"nl": organisation.slug}


def _licence(rdf: DcatGraph) -> URIRef:
    """CC0 1.0 from the EU licence vocabulary, as a `dct:LicenseDocument` of type public
    domain."""
    node = rdf.concept(vocab.CC0, vocab.CC0_LABELS, DCTERMS.LicenseDocument)
    licence_type = rdf.concept(vocab.PUBLIC_DOMAIN, vocab.PUBLIC_DOMAIN_LABELS)
    rdf.add(node, DCTERMS.type, licence_type)
    return node


def _theme_scheme(rdf: DcatGraph) -> URIRef:
    node = rdf.typed(URIRef(vocab.DATA_THEME_SCHEME), SKOS.ConceptScheme)
    rdf.text(node, DCTERMS.title, vocab.DATA_THEME_SCHEME_LABELS)
    return node


def _add_coverage(rdf: DcatGraph, resource: URIRef) -> None:
    """The Netherlands (with its bounding box and centre) and the two languages."""
    country = rdf.concept(vocab.NETHERLANDS, vocab.NETHERLANDS_LABELS, DCTERMS.Location)
    rdf.graph.set((country, DCAT.bbox, Literal(vocab.NETHERLANDS_BBOX, datatype=GSP.wktLiteral)))
    rdf.graph.set(
        (country, DCAT.centroid, Literal(vocab.NETHERLANDS_CENTROID, datatype=GSP.wktLiteral))
    )
    rdf.add(resource, DCTERMS.spatial, country)
    for code, labels in vocab.LANGUAGES.items():
        language = rdf.concept(f"{vocab.EU}/language/{code}", labels, DCTERMS.LinguisticSystem)
        rdf.add(resource, DCTERMS.language, language)


def _dataset(
    rdf: DcatGraph,
    name: str,
    *,
    catalog: URIRef,
    publisher: URIRef,
    contact: URIRef,
    frequency: str,
    themes: tuple[str, ...],
    landing_page: str,
) -> URIRef:
    """A `dcat:Dataset` in the catalogue with its texts, publisher, contact point, themes,
    update frequency, public access rights, coverage and landing page."""
    node = rdf.typed(rdf.uri("dataset", name), DCAT.Dataset)
    rdf.add(catalog, DCAT.dataset, node)
    rdf.add(node, DCTERMS.identifier, Literal(name))
    texts = vocab.DATASET_TEXTS[name]
    rdf.text(node, DCTERMS.title, texts["title"])
    rdf.text(node, DCTERMS.description, texts["description"])
    for language, words in texts["keywords"].items():
        for word in words.split(","):
            rdf.add(node, DCAT.keyword, Literal(word.strip(), lang=language))
    rdf.add(node, DCTERMS.publisher, publisher)
    rdf.add(node, DCAT.contactPoint, contact)
    for code in themes:
        theme = rdf.concept(f"{vocab.DATA_THEME_SCHEME}/{code}", vocab.THEMES[code])
        rdf.add(theme, SKOS.inScheme, URIRef(vocab.DATA_THEME_SCHEME))
        rdf.add(node, DCAT.theme, theme)
    frequency_node = rdf.concept(
        f"{vocab.EU}/frequency/{frequency}", vocab.FREQUENCIES[frequency], DCTERMS.Frequency
    )
    rdf.add(node, DCTERMS.accrualPeriodicity, frequency_node)
    access = rdf.concept(vocab.PUBLIC_ACCESS, vocab.PUBLIC_ACCESS_LABELS, DCTERMS.RightsStatement)
    rdf.add(node, DCTERMS.accessRights, access)
    rdf.add(node, DCAT.landingPage, rdf.document(rdf.url(landing_page)))
    _add_coverage(rdf, node)
    return node


def _distribution(
    rdf: DcatGraph, dataset: URIRef, path: str, file_format: str, conforms_to: URIRef | None
) -> URIRef:
    """A downloadable file of `dataset` at `path` on this node, CC0-licensed."""
    name = slugify(path.rsplit("/", 1)[-1].replace(".", "-"))
    node = rdf.typed(rdf.uri("distribution", name), DCAT.Distribution)
    rdf.add(dataset, DCAT.distribution, node)
    rdf.text(node, DCTERMS.title, vocab.DISTRIBUTION_TEXTS[file_format])
    # Dataset URIs end in the dataset's name (see `_dataset`).
    dataset_name = str(dataset).rsplit("/", 1)[-1]
    rdf.text(node, DCTERMS.description, _distribution_description(dataset_name, file_format))
    address = rdf.url(path)
    rdf.add(node, DCAT.accessURL, address)
    rdf.add(node, DCAT.downloadURL, address)
    media_type, file_type = vocab.FORMATS[file_format]
    rdf.add(
        node,
        DCAT.mediaType,
        rdf.typed(URIRef(f"{vocab.IANA_MEDIA_TYPES}/{media_type}"), DCTERMS.MediaType),
    )
    rdf.add(
        node,
        DCTERMS.format,
        rdf.typed(URIRef(f"{vocab.EU}/file-type/{file_type}"), DCTERMS.MediaTypeOrExtent),
    )
    rdf.add(node, DCTERMS.license, _licence(rdf))
    rdf.add(node, DCATAP.availability, rdf.concept(vocab.STABLE, vocab.STABLE_LABELS))
    if conforms_to is not None:
        rdf.add(node, DCTERMS.conformsTo, conforms_to)
    return node


def _distribution_description(dataset: str, file_format: str) -> Labels:
    titles = vocab.DATASET_TEXTS[dataset]["title"]
    labels = vocab.DISTRIBUTION_TEXTS[file_format]
    return {
        "nl": f"{titles['nl']} als {labels['nl']}.",
        "en": f"{titles['en']} as {labels['en']}.",
    }


def _service_catalogue(rdf: DcatGraph, **common: URIRef) -> None:
    dataset = _dataset(
        rdf,
        "service-catalogue",
        frequency="IRREG",
        themes=("GOVE",),
        landing_page="/catalogue/life-events/",
        **common,
    )
    standard = rdf.standard(vocab.CPSV_AP, vocab.CPSV_AP_LABELS)
    rdf.add(dataset, DCTERMS.conformsTo, standard)
    _distribution(rdf, dataset, "/catalogue/cpsv-ap.ttl", "turtle", standard)
    _distribution(rdf, dataset, "/catalogue/cpsv-ap.jsonld", "jsonld", standard)


def _life_events(rdf: DcatGraph, **common: URIRef) -> None:
    dataset = _dataset(
        rdf,
        "life-events",
        frequency="IRREG",
        themes=("GOVE", "SOCI"),
        landing_page="/catalogue/life-events/",
        **common,
    )
    schema = rdf.standard(
        str(rdf.url("/opendata/life-events.schema.json")), vocab.JSON_SCHEMA_LABELS["life-events"]
    )
    _distribution(rdf, dataset, "/opendata/life-events.json", "json", schema)


def _usage_statistics(rdf: DcatGraph, period: Period, **common: URIRef) -> None:
    """Monthly figures: their temporal coverage is the published months, and they last
    changed when the latest of those months settled."""
    dataset = _dataset(
        rdf,
        "usage-statistics",
        frequency="MONTHLY",
        themes=("GOVE", "SOCI"),
        landing_page="/opendata/",
        **common,
    )
    coverage = rdf.typed(rdf.uri("dataset", "usage-statistics", "period"), DCTERMS.PeriodOfTime)
    rdf.add(coverage, DCAT.startDate, Literal(period.first_day, datatype=XSD.date))
    last_day = period.end_day - timedelta(days=1)
    rdf.add(coverage, DCAT.endDate, Literal(last_day, datatype=XSD.date))
    rdf.add(dataset, DCTERMS.temporal, coverage)
    rdf.add(dataset, DCAT.temporalResolution, Literal("P1M", datatype=XSD.duration))
    settled = Literal(period.end_day + timedelta(days=SETTLING_DAYS), datatype=XSD.date)
    rdf.add(dataset, DCTERMS.modified, settled)
    # The other datasets carry no date of change; the catalogue changed when the figures did.
    rdf.add(common["catalog"], DCTERMS.modified, settled)
    schema = rdf.standard(
        str(rdf.url("/opendata/statistics.schema.json")),
        vocab.JSON_SCHEMA_LABELS["usage-statistics"],
    )
    _distribution(rdf, dataset, "/opendata/statistics.csv", "csv", _csv_standard(rdf))
    _distribution(rdf, dataset, "/opendata/statistics.json", "json", schema)


def _csv_standard(rdf: DcatGraph) -> URIRef:
    return rdf.standard(vocab.RFC_4180, vocab.RFC_4180_LABELS)


def _sorted(value: object, key: str = "") -> object:
    """`value` with every JSON array sorted, except ordered `@list`s."""
    if isinstance(value, dict):
        return {name: _sorted(item, name) for name, item in value.items()}
    if isinstance(value, list):
        items = [_sorted(item) for item in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value
