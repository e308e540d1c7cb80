"""The graph under construction: minting stable URIs, adding bilingual texts and code-list
concepts. CPSV-AP's shapes check the class of every referenced node (`sh:class`), so every
concept the export points at is typed and labelled here, not left to an outside code list."""

import hashlib
from collections.abc import Iterable

from django.utils.text import slugify
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node

from lifegate.catalogue.rdf.vocab import SCHEMES, Labels, bind_prefixes

LANGUAGES = ("nl", "en")


def texts(entity: object, field: str) -> Labels:
    """The non-empty `<field>_nl` / `<field>_en` values of a model instance, by language."""
    values = {
        language: str(getattr(entity, f"{field}_{language}", "") or "").strip()
        for language in LANGUAGES
    }
    return {language: value for language, value in values.items() if value}


def slug_for(text: str) -> str:
    """A URI path segment for free text (e.g. a place name); never empty."""
    return slugify(text) or hashlib.sha256(text.encode()).hexdigest()[:12]


class CatalogueGraph:
    """An rdflib Graph with helpers for the CPSV-AP export of one catalogue at `base_url`."""

    def __init__(self, base_url: str) -> None:
        self.graph = Graph()
        bind_prefixes(self.graph)
        self.id_base = f"{base_url.rstrip('/')}/catalogue/id"
        self._labelled: set[URIRef] = set()

    def uri(self, kind: str, *parts: str) -> URIRef:
        """The stable URI `{base_url}/catalogue/id/<kind>/<part>/...` of a catalogue resource."""
        return URIRef("/".join((self.id_base, kind, *parts)))

    def add(self, subject: Node, predicate: URIRef, obj: Node) -> None:
        """Add one triple."""
        self.graph.add((subject, predicate, obj))

    def typed(self, subject: URIRef, *classes: URIRef) -> URIRef:
        """Declare `subject` an instance of each of `classes`; returns the subject."""
        for rdf_class in classes:
            self.add(subject, RDF.type, rdf_class)
        return subject

    def identified(self, subject: URIRef, identifier: str, *classes: URIRef) -> URIRef:
        """Type `subject` and give it its one `dct:identifier`."""
        self.typed(subject, *classes)
        self.add(subject, DCTERMS.identifier, Literal(identifier))
        return subject

    def text(self, subject: URIRef, predicate: URIRef, labels: Labels, fallback: str = "") -> None:
        """Add each label as a language-tagged literal; `fallback` (tagged `nl`) keeps a
        mandatory property present when no label is filled in."""
        if not labels and fallback:
            labels = {"nl": fallback}
        for language, value in labels.items():
            self.add(subject, predicate, Literal(value, lang=language))

    def link_all(self, subject: URIRef, predicate: URIRef, objects: Iterable[URIRef]) -> None:
        """Link `subject` to every object through `predicate`."""
        for obj in objects:
            self.add(subject, predicate, obj)

    def concept(
        self, concept: URIRef, labels: Labels, *classes: URIRef, scheme: str = ""
    ) -> URIRef:
        """A `skos:Concept` with preferred labels, in a lifegate scheme when `scheme` is given.
        Labels are added once per concept, so a code used by many rows is labelled once."""
        self.typed(concept, SKOS.Concept, *classes)
        if concept not in self._labelled:
            self._labelled.add(concept)
            self.text(concept, SKOS.prefLabel, labels)
            if scheme:
                self.add(concept, SKOS.inScheme, self.scheme(scheme))
        return concept

    def code(self, scheme: str, code: str, labels: Labels) -> URIRef:
        """The concept `code` of the lifegate scheme `scheme`, typed and labelled."""
        return self.concept(self.uri(scheme, code), labels, scheme=scheme)

    def scheme(self, name: str) -> URIRef:
        """The `skos:ConceptScheme` `{base_url}/catalogue/id/<name>`, titled on first use."""
        node = self.uri(name)
        if node not in self._labelled:
            self._labelled.add(node)
            self.typed(node, SKOS.ConceptScheme)
            self.text(node, DCTERMS.title, SCHEMES.get(name, {}), fallback=name)
        return node
