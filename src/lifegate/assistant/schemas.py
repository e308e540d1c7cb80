"""Shapes of the assistant API. Texts are in the requested language (`lang`); catalogue texts
that only exist in Dutch fall back to Dutch."""

from typing import Literal

from ninja import Field, Schema

from lifegate.assistant.services import MAX_QUESTION_LENGTH


class AssistantQuery(Schema):
    """A person's situation in their own words, and the language to answer in."""

    q: str = Field(
        "",
        max_length=MAX_QUESTION_LENGTH,
        description="The situation in the person's own words, Dutch or English "
        f"(1 to {MAX_QUESTION_LENGTH} characters). Not stored, not logged.",
    )
    lang: Literal["nl", "en"] = Field(
        "nl", description="Language of the answer's texts; the question may be in either."
    )


class ChannelOut(Schema):
    """A way to reach a person at an agency: phone, counter or chat."""

    kind: Literal["phone", "counter", "chat"]
    name: str
    address: str = Field(description="Phone number, street address or URL.")
    hours: str = Field(description="Opening hours; empty when not listed.")


class AgencyOut(Schema):
    """An organisation involved, with its human channels."""

    slug: str
    name: str
    channels: list[ChannelOut]


class ReasonOut(Schema):
    """One of the person's words and where it matched the catalogue entry."""

    word: str = Field(description="The word as typed (folded: lower case, no accents).")
    read_as: str | None = Field(
        description="The catalogue word it was read as (misspelling, compound, joined words, "
        "or `abroad` for a country); null when matched as typed."
    )
    via: Literal["word", "spelling", "compound", "joined", "country"]
    field: Literal[
        "name", "keywords", "situations", "questions", "options", "organisation", "description"
    ]
    language: Literal["nl", "en"] = Field(description="Language of the matched catalogue text.")
    text: str = Field(description="The catalogue text it matched.")
    sentence: str = Field(description="The reason in words, in the requested language.")


class SuggestionOut(Schema):
    """A life event or public service that matches the situation."""

    kind: Literal["life-event", "service"]
    slug: str
    name: str
    description: str
    score: float = Field(description="BM25 relevance; only the order is meaningful.")
    url: str = Field(description="The catalogue page of the life event or service.")
    start_url: str | None = Field(
        description="Where a person starts this life event (their personal plan); null for "
        "services and business events."
    )
    explanation: str = Field(description="Why it matched, in one line.")
    reasons: list[ReasonOut]
    agencies: list[AgencyOut] = Field(description="Agencies involved and how to reach a person.")


class AnswerOut(Schema):
    """The assistant's answer: suggestions best first, or none with a helpdesk to call."""

    matched: bool = Field(description="False when nothing in the catalogue matches well.")
    message: str
    suggestions: list[SuggestionOut]
    helpdesk: list[AgencyOut] = Field(
        description="A general helpdesk, for when nothing matched or a person prefers a person."
    )
