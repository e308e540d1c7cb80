"""The assistant's search index, built in process from the catalogue: one entry per life event
and per public service, a BM25 index per language (bm25s, Snowball stems), and what every
entry needs to answer without another query: where each term came from (for explanations) and
the human channels of the agencies involved.

The index belongs to a catalogue revision (`catalogue.caching`): any edit of the catalogue
starts a new revision, and the next question rebuilds the index."""

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import bm25s  # type: ignore[import-untyped,unused-ignore]
from django.db.models import Prefetch
from django.utils import translation
from django_countries import countries

from lifegate.assistant.spelling import Speller
from lifegate.assistant.text import LANGUAGES, is_stopword, stem, stopwords, words
from lifegate.assistant.vocabulary import Vocabulary, vocabulary
from lifegate.catalogue.caching import catalogue_revision
from lifegate.catalogue.columns import KEYWORD_SEPARATOR
from lifegate.catalogue.models import (
    Channel,
    EventService,
    LifeEvent,
    PublicOrganisation,
    PublicService,
)

HUMAN_CHANNELS = (Channel.Kind.PHONE, Channel.Kind.COUNTER, Channel.Kind.CHAT)
# How much a term found in a field counts, as repetitions in the BM25 document.
FIELD_WEIGHTS = {
    "name": 3,
    "keywords": 2,
    "situations": 2,
    "description": 1,
    "questions": 1,
    "options": 1,
    "organisation": 1,
}
HOME_COUNTRY = "NL"


@dataclass(frozen=True)
class Source:
    """Where a term of an entry comes from: a field in a language, and the catalogue text (a
    keyword, a situation term, the name, or the word as written in a longer text)."""

    field: str
    language: str
    text: str


@dataclass
class Agency:
    """An organisation involved in an entry, with its channels to reach a person."""

    organisation: PublicOrganisation
    channels: list[Channel] = field(default_factory=list)


@dataclass
class Entry:
    """A life event or a public service, as the assistant finds it."""

    kind: str  # "life-event" or "service"
    item: LifeEvent | PublicService
    agencies: list[Agency]
    # language → stem → where the stem occurs in this entry
    sources: dict[str, dict[str, list[Source]]]

    @property
    def slug(self) -> str:
        return self.item.slug


@dataclass
class LanguageIndex:
    """Everything about one language: the BM25 index, the words known (for spelling), and
    each stem's inverse document frequency."""

    language: str
    retriever: bm25s.BM25 | None  # None for an empty catalogue
    speller: Speller
    stems: frozenset[str]
    idf: dict[str, float]

    def scores(self, stems: list[str]) -> list[float]:
        """BM25 score of every entry for these stems (all zero when none is known)."""
        known = [s for s in stems if s in self.stems]
        if self.retriever is None:
            return []
        if not known:
            return [0.0] * int(self.retriever.scores["num_docs"])
        return [float(score) for score in self.retriever.get_scores(known)]


@dataclass
class CatalogueIndex:
    """The index of one catalogue revision."""

    revision: str
    entries: list[Entry]
    languages: dict[str, LanguageIndex]
    helpdesk: list[Agency]
    # folded country names (one or two words, both languages) → ISO code, the Netherlands left out
    countries: dict[str, str]
    # every word the index knows, in either language: never taken for a person's name
    known_words: frozenset[str]


# Building --------------------------------------------------------------------------------


def _field_texts(item: LifeEvent | PublicService, language: str) -> Iterator[tuple[str, str]]:
    """(field, text) pairs of a catalogue entry in `language`; keywords one by one."""
    yield "name", item.localized("name", language)
    yield "description", item.localized("description", language)
    if isinstance(item, PublicService):
        for keyword in item.localized("keywords", language).split(KEYWORD_SEPARATOR):
            if keyword.strip():
                yield "keywords", keyword.strip()
        yield "organisation", item.competent_authority.localized("name", language)
    else:
        for question in item.questions.all():
            yield "questions", question.localized("label", language)
            for choice in question.choices:
                yield "options", str(choice.get(language) or choice.get("nl") or "")


def _situation_texts(terms: dict[str, list[str]], language: str) -> Iterator[tuple[str, str]]:
    for term in terms.get(language, []):
        yield "situations", term


def _document(
    texts: Iterable[tuple[str, str]], language: str
) -> tuple[list[str], dict[str, list[Source]], set[str]]:
    """The BM25 tokens of an entry's texts, where each stem came from, and the surface words."""
    tokens: list[str] = []
    sources: dict[str, list[Source]] = defaultdict(list)
    surface: set[str] = set()
    for field_name, text in texts:
        whole = field_name in ("name", "keywords", "situations", "options")
        for word in words(text):
            surface.add(word)
            if is_stopword(word, language):
                continue
            term = stem(word, language)
            tokens += [term] * FIELD_WEIGHTS[field_name]
            source = Source(field_name, language, text if whole else word)
            if source not in sources[term]:
                sources[term].append(source)
    return tokens, dict(sources), surface


def _human_channels(channels: Iterable[Channel]) -> list[Channel]:
    return [channel for channel in channels if channel.kind in HUMAN_CHANNELS]


def _merge(agencies: list[Agency], more: Iterable[Agency]) -> list[Agency]:
    """`agencies` with `more` added: one per organisation, channels in first-seen order."""
    by_slug = {agency.organisation.slug: agency for agency in agencies}
    for agency in more:
        known = by_slug.get(agency.organisation.slug)
        if known is None:
            by_slug[agency.organisation.slug] = known = Agency(agency.organisation)
            agencies.append(known)
        known.channels += [c for c in agency.channels if c not in known.channels]
    return agencies


def service_agencies(service: PublicService) -> list[Agency]:
    """The organisations to talk to about a service: the owners of its phone, counter and chat
    channels, or else its competent authority with the human channels it lists."""
    channels = _human_channels(service.channels.all())
    if not channels:
        channels = _human_channels(service.competent_authority.channels.all())
    agencies: list[Agency] = []
    for channel in channels:
        _merge(agencies, [Agency(channel.owner, [channel])])
    return agencies


def _load_services() -> list[PublicService]:
    channels = Channel.objects.select_related("owner").order_by("kind", "slug")
    return list(
        PublicService.objects.select_related("competent_authority")
        .prefetch_related(
            Prefetch("channels", queryset=channels),
            Prefetch("competent_authority__channels", queryset=channels),
        )
        .order_by("slug")
    )


def _load_life_events() -> list[LifeEvent]:
    steps = EventService.objects.order_by("position", "service__slug")
    return list(
        LifeEvent.objects.prefetch_related(
            "questions", Prefetch("event_services", queryset=steps)
        ).order_by("position", "slug")
    )


def _entries(vocab: Vocabulary) -> tuple[list[Entry], list[list[Iterable[tuple[str, str]]]]]:
    """Every entry, with per entry the texts of each language (in `LANGUAGES` order)."""
    services = _load_services()
    agencies_of = {service.pk: service_agencies(service) for service in services}
    entries: list[Entry] = []
    texts: list[list[Iterable[tuple[str, str]]]] = []
    for event in _load_life_events():
        agencies: list[Agency] = []
        for step in event.event_services.all():
            _merge(agencies, agencies_of.get(step.service_id, []))
        entries.append(Entry("life-event", event, agencies, {}))
        terms = vocab.life_events.get(event.slug, {})
        texts.append(
            [[*_field_texts(event, lang), *_situation_texts(terms, lang)] for lang in LANGUAGES]
        )
    for service in services:
        entries.append(Entry("service", service, agencies_of[service.pk], {}))
        terms = vocab.services.get(service.slug, {})
        texts.append(
            [[*_field_texts(service, lang), *_situation_texts(terms, lang)] for lang in LANGUAGES]
        )
    return entries, texts


def _language_index(language: str, documents: list[list[str]], surface: set[str]) -> LanguageIndex:
    retriever = None
    if documents:
        retriever = bm25s.BM25(method="lucene")
        retriever.index(documents, show_progress=False)
    frequency: dict[str, int] = defaultdict(int)
    for document in documents:
        for term in set(document):
            frequency[term] += 1
    total = len(documents)
    idf = {term: math.log(1 + (total - n + 0.5) / (n + 0.5)) for term, n in frequency.items()}
    return LanguageIndex(language, retriever, Speller(surface), frozenset(idf), idf)


def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            for code, name in countries:
                if code != HOME_COUNTRY and len(words(str(name))) <= 2:
                    names[" ".join(words(str(name)))] = code
    return names


def _helpdesk(slugs: list[str]) -> list[Agency]:
    channels = Channel.objects.select_related("owner").filter(slug__in=slugs)
    by_slug = {channel.slug: channel for channel in channels}
    agencies: list[Agency] = []
    for slug in slugs:
        if slug in by_slug:
            _merge(agencies, [Agency(by_slug[slug].owner, [by_slug[slug]])])
    return agencies


def build_index(revision: str, vocab: Vocabulary | None = None) -> CatalogueIndex:
    """Read the catalogue and index it (a handful of queries, whatever its size)."""
    vocab = vocab or vocabulary()
    entries, texts = _entries(vocab)
    languages = {}
    for position, language in enumerate(LANGUAGES):
        documents, surface = [], set()
        for entry, entry_texts in zip(entries, texts, strict=True):
            tokens, sources, known = _document(entry_texts[position], language)
            documents.append(tokens or [""])
            entry.sources[language] = sources
            surface |= known
        languages[language] = _language_index(language, documents, surface)
    helpdesk = _helpdesk(vocab.helpdesk_channels)
    country_names = _country_names()
    known = set(country_names) | stopwords()
    for language in LANGUAGES:
        known |= languages[language].speller.known | vocab.ignored_words[language]
    return CatalogueIndex(revision, entries, languages, helpdesk, country_names, frozenset(known))


# The index of the current revision, per process ---------------------------------------------

_lock = threading.Lock()
_current: CatalogueIndex | None = None


def current_index() -> CatalogueIndex:
    """The index of the current catalogue revision, rebuilt when the revision has changed."""
    global _current
    revision = catalogue_revision()
    index = _current
    if index is not None and index.revision == revision:
        return index
    with _lock:
        if _current is None or _current.revision != revision:
            _current = build_index(revision)
        return _current
