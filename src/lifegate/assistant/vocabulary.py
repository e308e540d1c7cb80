"""The assistant's situation vocabulary (data/vocabulary.yaml): the words people use for a life
event or a service beside the catalogue's own, filler words to ignore, and the helpdesk
channels offered when nothing matches. Read once per process."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lifegate.assistant.text import LANGUAGES, words

VOCABULARY_FILE = Path(__file__).parent / "data" / "vocabulary.yaml"

# {slug: {language: [term, ...]}}
Terms = dict[str, dict[str, list[str]]]


@dataclass(frozen=True)
class Vocabulary:
    """Situation terms per life event and per service, ignored words per language, and the
    slugs of the catalogue channels that serve as a general helpdesk."""

    life_events: Terms
    services: Terms
    ignored_words: dict[str, frozenset[str]]
    helpdesk_channels: list[str]

    def is_ignored(self, word: str) -> bool:
        """Whether `word` is a filler word in either language ("graag", "please")."""
        return any(word in self.ignored_words[language] for language in LANGUAGES)


def _terms(section: Any) -> Terms:
    return {
        str(slug): {
            language: [str(term) for term in texts.get(language, [])] for language in LANGUAGES
        }
        for slug, texts in (section or {}).items()
    }


def parse_vocabulary(data: dict[str, Any]) -> Vocabulary:
    """A `Vocabulary` from the parsed YAML layout (see the head of vocabulary.yaml)."""
    ignored = data.get("ignored_words") or {}
    return Vocabulary(
        life_events=_terms(data.get("life_events")),
        services=_terms(data.get("services")),
        ignored_words={
            language: frozenset(w for term in ignored.get(language, []) for w in words(str(term)))
            for language in LANGUAGES
        },
        helpdesk_channels=[str(slug) for slug in data.get("helpdesk_channels") or []],
    )


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary file, parsed once per process."""
    with VOCABULARY_FILE.open(encoding="utf-8") as handle:
        return parse_vocabulary(yaml.safe_load(handle))
