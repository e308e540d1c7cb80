"""The catalogue's service interface: what other building blocks, the pages and the API call.

No other app touches the catalogue models; they call these functions. Every function reads a
fixed handful of queries, however large the catalogue grows (select_related/prefetch_related).

Text search works the same on SQLite and PostgreSQL: the query is folded (lower case, accents
removed) into word terms, and each term becomes a regular expression in which every vowel
also matches its accented forms (`financiele` finds `financiële`). Both databases run it as
`iregex`. Every term must match somewhere; a term found in a name weighs more than one found
in keywords, the organisation's name or the description.
"""

import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import reduce

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from lifegate.catalogue.models import (
    EventService,
    EvidenceType,
    LifeEvent,
    ProcessingActivity,
    PublicOrganisation,
    PublicService,
    Requirement,
)

LANGUAGES = ("nl", "en")
MAX_QUERY_LENGTH = 200
MAX_SEARCH_TERMS = 8
# Fields searched, with the weight a match in them adds to a service's rank.
SEARCH_WEIGHTS = {"name": 8, "keywords": 4, "organisation": 2, "description": 1}
_ACCENTS = {
    "a": "àáâãäå",
    "e": "èéêë",
    "i": "ìíîï",
    "o": "òóôõö",
    "u": "ùúûü",
    "c": "ç",
    "n": "ñ",
    "y": "ýÿ",
}
_SNIPPET_CONTEXT = 60

Fragments = list[tuple[str, bool]]


class CatalogueEntryNotFound(Http404):
    """No life event, service, organisation or processing activity has this slug. An `Http404`,
    so pages show the 404 page and the API answers with 404 problem details."""


@dataclass(frozen=True)
class LifeEventOverview:
    """All life events and all business events, each in overview order."""

    life: list[LifeEvent]
    business: list[LifeEvent]


@dataclass(frozen=True)
class LifeEventWithServices:
    """A life event and its services in the order a person deals with them."""

    event: LifeEvent
    services: list[PublicService]


@dataclass(frozen=True)
class Highlight:
    """Where a search matched: a field (`name`, `keywords`, `organisation`, `description`) in a
    language, as text fragments flagged True where a search term matched."""

    field: str
    language: str
    fragments: Fragments


@dataclass(frozen=True)
class SearchHit:
    """A service found by a search, with its name in `language` marked up and the other places
    it matched."""

    service: PublicService
    title: Fragments
    highlights: list[Highlight]


@dataclass(frozen=True)
class SearchResults:
    """The outcome of a search: the terms searched for, the best hits and how many there were."""

    query: str
    terms: list[str]
    hits: list[SearchHit]
    total: int


# Life events ------------------------------------------------------------------------------


def list_life_events(kind: str | None = None) -> QuerySet[LifeEvent]:
    """Life events (`kind="life"`), business events (`kind="business"`) or both, in overview
    order: life events first, each kind by position."""
    life_first = Case(When(kind=LifeEvent.Kind.LIFE, then=Value(0)), default=Value(1))
    events = LifeEvent.objects.order_by(life_first, "position", "slug")
    return events.filter(kind=kind) if kind else events


def life_event_overview() -> LifeEventOverview:
    """Life events and business events for the overview page, in one query."""
    events = list(list_life_events())
    return LifeEventOverview(
        life=[event for event in events if event.kind == LifeEvent.Kind.LIFE],
        business=[event for event in events if event.kind == LifeEvent.Kind.BUSINESS],
    )


def get_life_event(slug: str) -> LifeEventWithServices:
    """The life event `slug` with its services in `EventService.position` order, each with its
    competent authority loaded."""
    steps = EventService.objects.select_related("service__competent_authority").order_by(
        "position", "service__slug"
    )
    queryset = LifeEvent.objects.prefetch_related(Prefetch("event_services", queryset=steps))
    event = _get(queryset, slug)
    return LifeEventWithServices(
        event=event, services=[step.service for step in event.event_services.all()]
    )


# Services ---------------------------------------------------------------------------------


_evidence_types = Prefetch("evidence_types", queryset=EvidenceType.objects.select_related("issuer"))


def get_service(slug: str) -> PublicService:
    """The service `slug` with everything its page shows loaded: competent authority, participants,
    channels, requirements with their evidence types, costs, legal resources, SDG procedures,
    life events and processing activity."""
    queryset = PublicService.objects.select_related(
        "competent_authority", "processing_activity"
    ).prefetch_related(
        "participants",
        "channels",
        Prefetch("requirements", queryset=Requirement.objects.prefetch_related(_evidence_types)),
        "costs",
        "legal_resources",
        "sdg_procedures",
        "life_events",
    )
    return _get(queryset, slug)


def filter_services(
    life_event: str | None = None,
    organisation: str | None = None,
    text: str | None = None,
    language: str | None = None,
) -> QuerySet[PublicService]:
    """Services of a life event and/or an organisation (competent authority), by slug, and/or
    matching `text` in `language` (default: Dutch and English). Ordered by relevance when `text`
    is given, else by slug. Unknown slugs simply match nothing."""
    services = PublicService.objects.select_related("competent_authority")
    if life_event:
        services = services.filter(life_events__slug=life_event)
    if organisation:
        services = services.filter(competent_authority__slug=organisation)
    terms = search_terms(text or "")
    if terms:
        return _ranked(services, terms, _languages(language))
    if text and text.strip():
        return services.none()
    return services.order_by("slug")


def search_services(query: str, language: str, limit: int = 50) -> SearchResults:
    """Search services in both languages; the best `limit` hits, marked up for display in
    `language` (the page's language, listed first among the highlights)."""
    terms = search_terms(query)
    if not terms:
        return SearchResults(query=query, terms=[], hits=[], total=0)
    ranked = _ranked(PublicService.objects.select_related("competent_authority"), terms, LANGUAGES)
    total = ranked.count()
    pattern = _combined_pattern(terms)
    hits = [_hit(service, pattern, language) for service in ranked[:limit]]
    return SearchResults(query=query, terms=terms, hits=hits, total=total)


def search_terms(query: str) -> list[str]:
    """The distinct words of `query`, folded, of at least two characters, at most
    `MAX_SEARCH_TERMS`; an over-long query yields no terms."""
    if len(query) > MAX_QUERY_LENGTH:
        return []
    words = re.findall(r"[^\W_]+", fold(query))
    return list(dict.fromkeys(word for word in words if len(word) >= 2))[:MAX_SEARCH_TERMS]


def fold(text: str) -> str:
    """Lower case without accents: `Financiële` → `financiele`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


# Organisations and the processing register ------------------------------------------------


def list_organisations() -> QuerySet[PublicOrganisation]:
    """All public organisations, by slug."""
    return PublicOrganisation.objects.order_by("slug")


def get_organisation(slug: str) -> PublicOrganisation:
    """The organisation `slug` with its channels and the services it is competent for."""
    services = PublicService.objects.order_by("slug")
    queryset = PublicOrganisation.objects.prefetch_related(
        "channels", Prefetch("services", queryset=services)
    )
    return _get(queryset, slug)


def get_processing_activity(slug: str) -> ProcessingActivity:
    """The processing activity `slug` (GDPR art. 30 register) with its controller and legal
    resources; processing records refer to it."""
    queryset = ProcessingActivity.objects.select_related("controller").prefetch_related(
        "legal_resources"
    )
    return _get(queryset, slug)


# Helpers ----------------------------------------------------------------------------------


def _get[M: (LifeEvent, PublicService, PublicOrganisation, ProcessingActivity)](
    queryset: QuerySet[M], slug: str
) -> M:
    try:
        return queryset.get(slug=slug)
    except queryset.model.DoesNotExist:
        kind = queryset.model._meta.verbose_name_raw
        # The slug is not echoed: problem details never repeat input.
        raise CatalogueEntryNotFound(f"There is no such {kind} in the catalogue.") from None


def _languages(language: str | None) -> tuple[str, ...]:
    return (language,) if language in LANGUAGES else LANGUAGES


def term_pattern(term: str) -> str:
    """A regular expression for a folded term that also matches accented vowels. Terms hold
    only letters and digits, so nothing needs escaping in either database's regex dialect."""
    parts = []
    for char in term:
        variants = _ACCENTS.get(char, "")
        parts.append(f"[{char}{variants}{variants.upper()}]" if variants else char)
    return "".join(parts)


def _field_lookups(field: str, language: str) -> str:
    if field == "organisation":
        return f"competent_authority__name_{language}__iregex"
    return f"{field}_{language}__iregex"


def _term_matches(term: str, field: str, languages: tuple[str, ...]) -> Q:
    pattern = term_pattern(term)
    return reduce(operator.or_, (Q(**{_field_lookups(field, lang): pattern}) for lang in languages))


def _ranked(
    services: QuerySet[PublicService], terms: list[str], languages: tuple[str, ...]
) -> QuerySet[PublicService]:
    """`services` that match every term, annotated with `search_rank` and best first."""
    scores = []
    for term in terms:
        per_field = {field: _term_matches(term, field, languages) for field in SEARCH_WEIGHTS}
        services = services.filter(reduce(operator.or_, per_field.values()))
        whens = [
            When(per_field[field], then=Value(weight)) for field, weight in SEARCH_WEIGHTS.items()
        ]
        scores.append(Case(*whens, default=Value(0), output_field=IntegerField()))
    return services.annotate(search_rank=reduce(operator.add, scores)).order_by(
        "-search_rank", "slug"
    )


def _combined_pattern(terms: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(term_pattern(term) for term in terms), re.IGNORECASE)


def _hit(service: PublicService, pattern: re.Pattern[str], language: str) -> SearchHit:
    """Mark up the name in `language` and list the other fields and languages that matched."""
    languages = (language, *(lang for lang in LANGUAGES if lang != language))
    highlights = []
    for field in SEARCH_WEIGHTS:
        for lang in languages:
            if field == "name" and lang == language:
                continue
            text = _field_text(service, field, lang)
            if pattern.search(text):
                highlights.append(
                    Highlight(field=field, language=lang, fragments=_snippet(text, pattern))
                )
    title = _fragments(service.localized("name", language), pattern)
    return SearchHit(service=service, title=title, highlights=highlights[:3])


def _field_text(service: PublicService, field: str, language: str) -> str:
    if field == "organisation":
        return str(getattr(service.competent_authority, f"name_{language}"))
    return str(getattr(service, f"{field}_{language}"))


def _snippet(text: str, pattern: re.Pattern[str]) -> Fragments:
    """The words of `text` around its first match, with ellipses where it was cut."""
    match = pattern.search(text)
    if match is None or len(text) <= 2 * _SNIPPET_CONTEXT:
        return _fragments(text, pattern)
    start = text.find(" ", max(0, match.start() - _SNIPPET_CONTEXT), match.start()) + 1
    end = text.rfind(" ", match.end(), match.end() + _SNIPPET_CONTEXT)
    end = len(text) if end < 0 or match.end() + _SNIPPET_CONTEXT >= len(text) else end
    fragments = _fragments(text[start:end], pattern)
    if start > 0:
        fragments.insert(0, ("… ", False))
    if end < len(text):
        fragments.append((" …", False))
    return fragments


def _fragments(text: str, pattern: re.Pattern[str]) -> Fragments:
    """`text` split into (piece, matched) pairs."""
    fragments: Fragments = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            fragments.append((text[position : match.start()], False))
        fragments.append((match.group(), True))
        position = match.end()
    if position < len(text):
        fragments.append((text[position:], False))
    return fragments
