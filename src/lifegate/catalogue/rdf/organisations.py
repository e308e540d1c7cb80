"""Public organisations and their channels in CPSV-AP terms."""

import re

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, SKOS, TIME

from lifegate.catalogue.models import Channel, PublicOrganisation
from lifegate.catalogue.rdf.builder import CatalogueGraph, slug_for, texts
from lifegate.catalogue.rdf.vocab import (
    CHANNEL_TYPES,
    CV,
    LOCN,
    NETHERLANDS,
    NETHERLANDS_NAMES,
    ORGANISATION_KINDS,
    VCARD,
)

_URL = re.compile(r"^https?://\S+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def organisation_uri(rdf: CatalogueGraph, organisation: PublicOrganisation) -> URIRef:
    """The URI of a public organisation."""
    return rdf.uri("organisation", organisation.slug)


def add_organisation(rdf: CatalogueGraph, organisation: PublicOrganisation) -> URIRef:
    """A `cv:PublicOrganisation`, also typed `org:Organization` and `foaf:Agent` because the
    shapes ask for those classes where a channel's owner or a participant is referenced."""
    node = organisation_uri(rdf, organisation)
    rdf.identified(node, organisation.oin, CV.PublicOrganisation, ORG.Organization, FOAF.Agent)
    names = texts(organisation, "name")
    rdf.text(node, SKOS.prefLabel, names, fallback=organisation.slug)
    rdf.text(node, DCTERMS.title, names, fallback=organisation.slug)
    rdf.text(node, DCTERMS.description, texts(organisation, "description"))
    rdf.add(node, DCTERMS.spatial, _location(rdf, organisation))
    if organisation.homepage:
        rdf.add(node, FOAF.homepage, URIRef(organisation.homepage))
    kind = organisation.kind
    rdf.add(
        node,
        ORG.classification,
        rdf.code("organisation-kind", kind, ORGANISATION_KINDS.get(kind, {})),
    )
    return node


def _location(rdf: CatalogueGraph, organisation: PublicOrganisation) -> URIRef:
    """The territory an organisation serves as a `dct:Location`: the EU country code for the
    Netherlands, a lifegate location for anything smaller."""
    names = texts(organisation, "spatial")
    given = {name.lower() for name in names.values()}
    if not names or given & NETHERLANDS_NAMES:
        names = names or {"nl": "Nederland", "en": "The Netherlands"}
        return rdf.concept(URIRef(NETHERLANDS), names, DCTERMS.Location)
    place = rdf.uri("location", slug_for(names.get("nl") or names["en"]))
    return rdf.concept(place, names, DCTERMS.Location)


def channel_uri(rdf: CatalogueGraph, channel: Channel) -> URIRef:
    """The URI of a channel."""
    return rdf.uri("channel", channel.slug)


def add_channel(rdf: CatalogueGraph, channel: Channel) -> URIRef:
    """A `cv:Channel` with its type, owner, opening hours and how to reach it (vCard)."""
    node = rdf.identified(channel_uri(rdf, channel), channel.slug, CV.Channel)
    rdf.text(node, DCTERMS.title, texts(channel, "name"))
    rdf.add(
        node,
        DCTERMS.type,
        rdf.code("channel-type", channel.kind, CHANNEL_TYPES.get(channel.kind, {})),
    )
    rdf.add(node, CV.ownedBy, organisation_uri(rdf, channel.owner))
    hours = texts(channel, "hours")
    if hours:
        opening = rdf.typed(rdf.uri("channel", channel.slug, "opening-hours"), TIME.TemporalEntity)
        rdf.text(opening, DCTERMS.description, hours)
        rdf.add(node, CV.openingHours, opening)
    if channel.address.strip():
        _add_contact(rdf, node, channel)
    return node


def _add_contact(rdf: CatalogueGraph, node: URIRef, channel: Channel) -> None:
    """Where the channel is: a web address, phone number, e-mail address or street address."""
    address = channel.address.strip()
    digits = re.sub(r"[^\d+]", "", address)
    if _URL.match(address):
        rdf.add(node, VCARD.hasURL, URIRef(address))
    elif channel.kind == Channel.Kind.PHONE and digits:
        rdf.add(node, VCARD.hasTelephone, URIRef(f"tel:{digits}"))
    elif channel.kind == Channel.Kind.EMAIL and _EMAIL.match(address):
        rdf.add(node, VCARD.hasEmail, URIRef(f"mailto:{address}"))
    else:
        place = rdf.typed(rdf.uri("channel", channel.slug, "address"), LOCN.Address)
        rdf.add(place, LOCN.fullAddress, Literal(address, lang="nl"))
        rdf.add(node, LOCN.address, place)
