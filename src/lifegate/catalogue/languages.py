"""The languages of the catalogue's texts, and a data file that writes them in fewer.

Every text of the catalogue is stored in Dutch and English (`LANGUAGES`). A data file may
declare `languages: [en]` at the top: its texts are then written in English only, and each
English text is used for Dutch as well (a text that does give Dutch keeps it). Without the key
every text needs both languages. The validator and the loader both start from `fill_languages`."""

import copy
from typing import Any, TypeGuard

LANGUAGES = ("nl", "en")


def fill_languages(data: Any) -> Any:
    """The catalogue data with each text completed from the file's first language, for a file
    that declares `languages: [en]` (or another non-empty list of known languages): a text
    mapping that lacks a language gets that language's text copied from the first one. Data
    without a well-formed `languages` is returned as it is (validation reports a bad one)."""
    languages = data.get("languages") if isinstance(data, dict) else None
    if not known_languages(languages):
        return data
    source, missing = languages[0], [lang for lang in LANGUAGES if lang not in languages]
    filled = {key: value for key, value in data.items() if key != "languages"}
    return _filled(filled, source, missing)


def known_languages(languages: Any) -> TypeGuard[list[str]]:
    """True for a well-formed `languages` value: a non-empty list of distinct known languages."""
    return (
        isinstance(languages, list)
        and bool(languages)
        and all(lang in LANGUAGES for lang in languages)
        and len(set(languages)) == len(languages)
    )


def _filled(value: Any, source: str, missing: list[str]) -> Any:
    if isinstance(value, list):
        return [_filled(item, source, missing) for item in value]
    if not isinstance(value, dict):
        return value
    filled = {key: _filled(item, source, missing) for key, item in value.items()}
    if source in filled:
        for lang in missing:
            filled.setdefault(lang, copy.deepcopy(filled[source]))
    return filled
