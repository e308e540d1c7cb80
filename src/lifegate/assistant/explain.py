"""Why a suggestion was made, in words: one sentence per matched word of the question, naming
the catalogue field and text it matched. Used by the page and by the API alike."""

from django.utils.translation import gettext as _

from lifegate.assistant.services import Reason


def word_as_read(reason: Reason) -> str:
    """The person's word, and how it was read when that was not as typed."""
    term = reason.term
    if term.via == "country":
        return _("“%(word)s” (a country outside the Netherlands: “%(read_as)s”)") % {
            "word": term.word,
            "read_as": term.read_as,
        }
    if term.via in ("spelling", "compound", "joined"):
        return _("“%(word)s” (read as “%(read_as)s”)") % {
            "word": term.word,
            "read_as": term.read_as,
        }
    return _("“%(word)s”") % {"word": term.word}


def templates() -> dict[str, str]:
    """The sentence for each field, with `%(word)s` and `%(text)s` to fill in."""
    return _templates()


def _templates() -> dict[str, str]:
    return {
        "name": _("%(word)s is in the name “%(text)s”"),
        "keywords": _("%(word)s matches the keyword “%(text)s”"),
        "situations": _("%(word)s matches the situation “%(text)s”"),
        "questions": _("%(word)s appears in the question “%(text)s”"),
        "options": _("%(word)s matches the answer “%(text)s” to one of its questions"),
        "organisation": _("%(word)s is in the organisation's name “%(text)s”"),
        "description": _("%(word)s appears in the description (“%(text)s”)"),
    }


def sentence(reason: Reason) -> str:
    """One reason as a sentence in the active language, e.g. `“baby” matches the keyword
    “baby”`. The catalogue text is quoted in the language it matched in."""
    return _templates()[reason.field] % {"word": word_as_read(reason), "text": reason.text}


def summary(reasons: list[Reason]) -> str:
    """All reasons in one text, for clients that show a single line."""
    return "; ".join(sentence(reason) for reason in reasons)
