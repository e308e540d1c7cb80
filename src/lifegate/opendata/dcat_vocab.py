"""Namespaces, EU controlled vocabularies and the bilingual texts of the DCAT-AP catalogue.

The titles and descriptions below describe the datasets in the published metadata, in both
languages at once. Like the catalogue's CPSV-AP code-list labels, they are data in the export,
not interface text, so they live here instead of in the gettext catalogues."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

Labels = dict[str, str]

DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
EU = "http://publications.europa.eu/resource/authority"
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types"

PREFIXES: dict[str, str] = {
    "dcat": str(DCAT),
    "dcatap": str(DCATAP),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "gsp": str(GSP),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}

# Creative Commons Zero for every dataset and for the catalogue itself: Dutch government open
# data is published without conditions (the source code is EUPL-1.2; the data is not code).
CC0 = f"{EU}/licence/CC0"
CC0_LABELS: Labels = {"nl": "Creative Commons CC0 1.0 Universeel", "en": "Creative Commons CC0 1.0"}
PUBLIC_DOMAIN = "http://purl.org/adms/licencetype/PublicDomain"
PUBLIC_DOMAIN_LABELS: Labels = {"nl": "Publiek domein", "en": "Public domain"}
PUBLIC_ACCESS = f"{EU}/access-right/PUBLIC"
PUBLIC_ACCESS_LABELS: Labels = {"nl": "Openbaar", "en": "Public"}
STABLE = f"{EU}/planned-availability/STABLE"
STABLE_LABELS: Labels = {"nl": "Stabiel", "en": "Stable"}

FREQUENCIES: dict[str, Labels] = {
    "IRREG": {"nl": "onregelmatig", "en": "irregular"},
    "MONTHLY": {"nl": "maandelijks", "en": "monthly"},
}

DATA_THEME_SCHEME = f"{EU}/data-theme"
DATA_THEME_SCHEME_LABELS: Labels = {"nl": "Datathema's", "en": "Data themes"}
THEMES: dict[str, Labels] = {
    "GOVE": {"nl": "Overheid en publieke sector", "en": "Government and public sector"},
    "SOCI": {"nl": "Bevolking en samenleving", "en": "Population and society"},
}

LANGUAGES: dict[str, Labels] = {
    "NLD": {"nl": "Nederlands", "en": "Dutch"},
    "ENG": {"nl": "Engels", "en": "English"},
}
NETHERLANDS = f"{EU}/country/NLD"
NETHERLANDS_LABELS: Labels = {"nl": "Nederland", "en": "The Netherlands"}
# Bounding box and centre of the European Netherlands (WGS 84), in WKT.
NETHERLANDS_BBOX = "POLYGON((3.31 50.75, 7.23 50.75, 7.23 53.56, 3.31 53.56, 3.31 50.75))"
NETHERLANDS_CENTROID = "POINT(5.29 52.13)"

# (IANA media type, EU file type) per format.
FORMATS: dict[str, tuple[str, str]] = {
    "turtle": ("text/turtle", "RDF_TURTLE"),
    "jsonld": ("application/ld+json", "JSON_LD"),
    "json": ("application/json", "JSON"),
    "csv": ("text/csv", "CSV"),
}

# ADMS publisher types by catalogue organisation kind.
PUBLISHER_TYPES: dict[str, tuple[str, Labels]] = {
    "municipality": ("LocalAuthority", {"nl": "Lokale overheid", "en": "Local authority"}),
    "national-agency": (
        "NationalAuthority",
        {"nl": "Nationale overheid", "en": "National authority"},
    ),
    "independent-body": (
        "NationalAuthority",
        {"nl": "Nationale overheid", "en": "National authority"},
    ),
    "private-public-task": ("Company", {"nl": "Bedrijf", "en": "Company"}),
}

CPSV_AP = "https://semiceu.github.io/CPSV-AP/releases/3.2.0/"
CPSV_AP_LABELS: Labels = {
    "nl": "Core Public Service Vocabulary Application Profile 3.2.0",
    "en": "Core Public Service Vocabulary Application Profile 3.2.0",
}
RFC_4180 = "https://www.rfc-editor.org/rfc/rfc4180"
RFC_4180_LABELS: Labels = {
    "nl": "RFC 4180: CSV (kommagescheiden waarden)",
    "en": "RFC 4180: comma-separated values (CSV)",
}

CATALOGUE_TEXTS: dict[str, Labels] = {
    "title": {"nl": "Open data van lifegate", "en": "lifegate open data"},
    "description": {
        "nl": "De open datasets van het lifegate-platform: de catalogus van overheidsdiensten, "
        "de levensgebeurtenissen met hun plannen en regels, en gebruikscijfers waarin niemand "
        "herkenbaar is.",
        "en": "The open datasets of the lifegate platform: the catalogue of public services, "
        "the life events with their plans and rules, and usage figures in which nobody can be "
        "recognised.",
    },
}

DATASET_TEXTS: dict[str, dict[str, Labels]] = {
    "service-catalogue": {
        "title": {
            "nl": "Catalogus van overheidsdiensten (CPSV-AP)",
            "en": "Catalogue of public services (CPSV-AP)",
        },
        "description": {
            "nl": "Alle overheidsdiensten in lifegate met de organisaties die ze leveren, hun "
            "kanalen, kosten, voorwaarden, bewijsstukken en wetgeving, volgens CPSV-AP 3.2.",
            "en": "Every public service in lifegate with the organisations providing it, their "
            "channels, costs, requirements, evidence and legislation, in CPSV-AP 3.2.",
        },
        "keywords": {"nl": "overheidsdiensten, dienstencatalogus", "en": "public services"},
    },
    "life-events": {
        "title": {
            "nl": "Levensgebeurtenissen en hun plannen",
            "en": "Life events and their plans",
        },
        "description": {
            "nl": "Per levensgebeurtenis de diensten in volgorde, wanneer elke dienst van "
            "toepassing is (de regel als expressie en in woorden), waarop hij wacht, de "
            "wettelijke termijn en de vragen die lifegate stelt.",
            "en": "For every life event the services in order, when each service applies (the "
            "rule as an expression and in words), what it waits for, its legal deadline and "
            "the questions lifegate asks.",
        },
        "keywords": {
            "nl": "levensgebeurtenissen, regels, plannen",
            "en": "life events, rules, plans",
        },
    },
    "usage-statistics": {
        "title": {"nl": "Gebruikscijfers van lifegate", "en": "lifegate usage statistics"},
        "description": {
            "nl": "Maandcijfers per levensgebeurtenis, dienst en organisatie: gestarte en "
            "afgeronde plannen, de mediane doorlooptijd tot een besluit, het deel van de "
            "berichten dat binnen 7 dagen is gelezen, en de bewijsstukken die organisaties "
            "bij aanvragen kregen: eenmalig uitgewisseld met de overheidsbron of door mensen "
            "zelf geüpload. Cijfers over minder dan 10 mensen zijn weggelaten.",
            "en": "Monthly figures per life event, service and organisation: journeys started "
            "and completed, the median time to a decision, the share of messages read within "
            "7 days, and the evidence organisations received with requests: exchanged "
            "once-only with the government source or uploaded by people themselves. Figures "
            "about fewer than 10 people are suppressed.",
        },
        "keywords": {"nl": "statistiek, gebruik", "en": "statistics, usage"},
    },
}

DISTRIBUTION_TEXTS: dict[str, Labels] = {
    "turtle": {"nl": "Turtle (RDF)", "en": "Turtle (RDF)"},
    "jsonld": {"nl": "JSON-LD (RDF)", "en": "JSON-LD (RDF)"},
    "json": {"nl": "JSON", "en": "JSON"},
    "csv": {"nl": "CSV", "en": "CSV"},
}

JSON_SCHEMA_LABELS: dict[str, Labels] = {
    "life-events": {
        "nl": "JSON Schema van de levensgebeurtenissen",
        "en": "JSON Schema of the life events",
    },
    "usage-statistics": {
        "nl": "JSON Schema van de gebruikscijfers",
        "en": "JSON Schema of the usage statistics",
    },
}
