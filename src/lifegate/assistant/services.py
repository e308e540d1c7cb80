"""The "What do I need to do?" assistant: a person describes their situation in their own words
and gets the catalogue's matching life events and services, best first, each with the reason it
matched and the agencies' human channels.

Only catalogue content is ever returned; nothing is generated. The question is used for this
answer and forgotten: it is not logged, and kept only when the person asks for it
(`share_question`), then without numbers, addresses or names."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from lifegate.assistant.anonymise import anonymise, without_personal_details
from lifegate.assistant.index import Agency, CatalogueIndex, Entry, LanguageIndex, current_index
from lifegate.assistant.models import SharedQuestion
from lifegate.assistant.text import LANGUAGES, is_stopword, stem, words
from lifegate.assistant.vocabulary import vocabulary

MAX_QUESTION_LENGTH = 300
MAX_QUESTION_WORDS = 40
MAX_RESULTS = 5
# A suggestion is only made when the best entry scores at least MIN_SCORE and covers at least
# MIN_COVERAGE of what the question says (its content words, weighted by how rare they are in
# the catalogue). Set on the development part of the test set (data/test_set.yaml).
MIN_SCORE = 1.5
MIN_COVERAGE = 0.4
# Further suggestions must score at least this share of the best one.
RELATIVE_SCORE = 0.35
# The word a country other than the Netherlands stands for, per language.
ABROAD = {"nl": "buitenland", "en": "abroad"}
# The order in which the fields that explain a match are preferred.
FIELD_ORDER = (
    "name",
    "keywords",
    "situations",
    "questions",
    "options",
    "organisation",
    "description",
)


class InvalidQuestion(ValueError):
    """The question is empty or too long; the message says which, for the person."""


@dataclass(frozen=True)
class QueryTerm:
    """A word of the question as the index reads it: the word as typed (folded), the stem
    searched for (None when the catalogue has nothing like it), how it was read (`word`,
    `spelling`, `compound`, `joined`, `country`) and the catalogue word it was read as."""

    word: str
    stem: str | None
    via: str = "word"
    read_as: str = ""


@dataclass(frozen=True)
class Reason:
    """Why an entry matched: one of the person's words, how it was read, and where in the
    catalogue entry it was found."""

    term: QueryTerm
    field: str
    language: str
    text: str


@dataclass(frozen=True)
class Suggestion:
    """A life event or service to look at, with its score and its reasons."""

    entry: Entry
    score: float
    reasons: list[Reason]


@dataclass(frozen=True)
class Answer:
    """The assistant's answer: suggestions best first (empty when nothing matches well) and
    the general helpdesk for when nothing matched or a person prefers to talk to someone."""

    suggestions: list[Suggestion]
    helpdesk: list[Agency]

    @property
    def matched(self) -> bool:
        return bool(self.suggestions)


def validate_question(question: str) -> str:
    """The question without surrounding space; `InvalidQuestion` when empty or too long."""
    text = question.strip()
    if not text:
        raise InvalidQuestion(_("Describe your situation in a few words."))
    if len(text) > MAX_QUESTION_LENGTH:
        raise InvalidQuestion(
            _("Your question is too long. Use at most %(max)d characters.")
            % {"max": MAX_QUESTION_LENGTH}
        )
    return text


def ask(question: str, language: str = "nl") -> Answer:
    """The catalogue entries that match `question` (Dutch or English, whatever `language`,
    which only breaks ties), best first, with their reasons; no suggestions when nothing
    matches well enough. Raises `InvalidQuestion` for an empty or over-long question."""
    text = validate_question(question)
    index = current_index()
    question_words = words(without_personal_details(text, index.known_words))
    question_words = question_words[:MAX_QUESTION_WORDS]
    terms = {lang: read_question(question_words, index, lang) for lang in LANGUAGES}
    scores = {lang: index.languages[lang].scores(_stems(terms[lang])) for lang in LANGUAGES}
    preferred = language if language in LANGUAGES else "nl"
    ranked = _ranked(index, scores, preferred)
    if not ranked or not _confident(index, terms, ranked[0]):
        return Answer(suggestions=[], helpdesk=index.helpdesk)
    best = ranked[0][1]
    suggestions = [
        Suggestion(index.entries[i], score, _reasons(index.entries[i], terms[lang], lang))
        for i, score, lang in ranked[:MAX_RESULTS]
        if score >= max(MIN_SCORE, RELATIVE_SCORE * best)
    ]
    return Answer(suggestions=suggestions, helpdesk=index.helpdesk)


def share_question(question: str, language: str, consent: bool) -> SharedQuestion | None:
    """Keep the question, anonymised, for catalogue editors, but only with the person's
    `consent` (the ticked box); returns what was kept, or None when nothing was."""
    if not consent:
        return None
    text = validate_question(question)
    answer = ask(text, language)
    top = answer.suggestions[0].entry.slug if answer.suggestions else ""
    return SharedQuestion.objects.create(
        # Placeholders are longer than what they replace; the kept text stays within bounds.
        text=anonymise(text, known_words=current_index().known_words)[:MAX_QUESTION_LENGTH],
        language=language if language in LANGUAGES else "nl",
        matched=answer.matched,
        top_suggestion=top,
    )


# Reading the question --------------------------------------------------------------------


def _is_filler(word: str) -> bool:
    return any(is_stopword(word, lang) for lang in LANGUAGES) or vocabulary().is_ignored(word)


def read_question(
    question_words: list[str], index: CatalogueIndex, language: str
) -> list[QueryTerm]:
    """The question's content words as terms of `language`'s index: filler words left out,
    countries read as "abroad", misspellings, split and joined words read as the catalogue's."""
    language_index = index.languages[language]
    terms: list[QueryTerm] = []
    position = 0
    while position < len(question_words):
        word = question_words[position]
        pair = " ".join(question_words[position : position + 2])
        if pair in index.countries and " " in pair:
            terms.append(_country(pair, language))
            position += 2
            continue
        if _is_filler(word):
            position += 1
            continue
        following = question_words[position + 1] if position + 1 < len(question_words) else ""
        joined = _joined(word, following, language_index)
        if joined:
            terms.append(joined)
            position += 2
            continue
        terms += _read_word(word, index, language)
        position += 1
    return terms


def _country(name: str, language: str) -> QueryTerm:
    return QueryTerm(name, stem(ABROAD[language], language), "country", ABROAD[language])


def _joined(word: str, following: str, index: LanguageIndex) -> QueryTerm | None:
    """`kinder bijslag` read as `kinderbijslag`, when one of the two is unknown alone."""
    if not following or _is_filler(following):
        return None
    if stem(word, index.language) in index.stems and stem(following, index.language) in index.stems:
        return None
    together = word + following
    if together in index.speller.known:
        return QueryTerm(f"{word} {following}", stem(together, index.language), "joined", together)
    return None


def _read_word(word: str, index: CatalogueIndex, language: str) -> list[QueryTerm]:
    language_index = index.languages[language]
    term = stem(word, language)
    if term in language_index.stems:
        return [QueryTerm(word, term)]
    if word in index.countries:
        return [_country(word, language)]
    corrected = language_index.speller.correct(word)
    if corrected and stem(corrected, language) in language_index.stems:
        return [QueryTerm(word, stem(corrected, language), "spelling", corrected)]
    parts = language_index.speller.split(word)
    if parts:
        return [QueryTerm(word, stem(part, language), "compound", part) for part in parts]
    return [QueryTerm(word, None)]


def _stems(terms: list[QueryTerm]) -> list[str]:
    return list(dict.fromkeys(term.stem for term in terms if term.stem))


# Ranking and explaining ------------------------------------------------------------------


def _ranked(
    index: CatalogueIndex, scores: dict[str, list[float]], preferred: str
) -> list[tuple[int, float, str]]:
    """(entry position, score, language of the better score) of every entry that scored,
    best first; ties go to the page's language, then to the catalogue's order."""
    order = (preferred, *(lang for lang in LANGUAGES if lang != preferred))
    best: list[tuple[int, float, str]] = []
    for position in range(len(index.entries)):
        language = max(order, key=lambda lang: scores[lang][position])
        score = scores[language][position]
        if score > 0:
            best.append((position, score, language))
    return sorted(best, key=lambda item: (-item[1], item[0]))


def coverage(index: CatalogueIndex, entry: Entry, terms: list[QueryTerm], language: str) -> float:
    """The share of the question's content words that the entry matches, each word weighted by
    its rarity in the catalogue. A word the catalogue never uses (a name, a place, a topic it
    does not cover) weighs as an average word."""
    language_index = index.languages[language]
    idf = language_index.idf.values()
    average = sum(idf) / len(idf) if idf else 1.0
    total = found = 0.0
    for stem_, weight in _weights(terms, language_index, average):
        total += weight
        if stem_ is not None and stem_ in entry.sources[language]:
            found += weight
    return found / total if total else 0.0


def _weights(
    terms: list[QueryTerm], index: LanguageIndex, unknown: float
) -> list[tuple[str | None, float]]:
    seen: dict[str, float] = {}
    for term in terms:
        key = term.stem if term.stem is not None else f"?{term.word}"
        seen[key] = index.idf.get(term.stem, unknown) if term.stem is not None else unknown
    return [(None if key.startswith("?") else key, weight) for key, weight in seen.items()]


def _confident(
    index: CatalogueIndex, terms: dict[str, list[QueryTerm]], top: tuple[int, float, str]
) -> bool:
    position, score, language = top
    entry = index.entries[position]
    return score >= MIN_SCORE and coverage(index, entry, terms[language], language) >= MIN_COVERAGE


def _reasons(entry: Entry, terms: list[QueryTerm], language: str) -> list[Reason]:
    """For each of the person's words the entry matched, the best place it was found."""
    reasons: list[Reason] = []
    for term in terms:
        sources = entry.sources[language].get(term.stem or "", [])
        if not sources:
            continue
        source = min(sources, key=lambda s: FIELD_ORDER.index(s.field))
        reason = Reason(term, source.field, source.language, source.text)
        if all(r.term.word != term.word for r in reasons):
            reasons.append(reason)
    return reasons
