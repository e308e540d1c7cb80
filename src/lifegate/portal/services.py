"""Composes the person's home page from the other building blocks."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from lifegate.identity.assurance import loa_label
from lifegate.identity.session import Authentication
from lifegate.journeys.services import JourneySummary, journeys_for
from lifegate.registries.services import read_person
from lifegate.transparency.services import Actor

HOME_ACTIVITY = "portal-home"


@dataclass(frozen=True)
class HomeSection:
    """One section of the home page; later building blocks fill them."""

    key: str
    title: str
    text: str


@dataclass(frozen=True)
class HomePage:
    """What the person's home page shows."""

    display_name: str
    level_of_assurance: str
    sections: list[HomeSection] = field(default_factory=list)
    journeys: list[JourneySummary] = field(default_factory=list)


def _sections() -> list[HomeSection]:
    return [
        HomeSection(
            "life-events",
            str(_("My life events")),
            str(_("Your plan for each life event, across every organisation involved.")),
        ),
        HomeSection(
            "messages",
            str(_("Message box")),
            str(_("Letters and decisions from government organisations, in one place.")),
        ),
        HomeSection(
            "credentials",
            str(_("My credentials")),
            str(_("Diplomas and other proofs you hold will appear here.")),
        ),
        HomeSection(
            "mandates",
            str(_("Mandates")),
            str(_("People you authorised, and people you may act for, will appear here.")),
        ),
        HomeSection(
            "transparency",
            str(_("Who used my data")),
            str(
                _(
                    "Every use of your personal data by government is recorded "
                    "and will be shown here."
                )
            ),
        ),
    ]


def home_page_for(authentication: Authentication) -> HomePage:
    """The home page of the logged-in person: their name comes from the register (a logged read)."""
    actor = Actor(kind="person", subject=authentication.subject)
    person = read_person(
        authentication.subject, actor=actor, activity=HOME_ACTIVITY, purpose_name="portal.home"
    )
    if person is not None:
        name = person.full_name
    else:
        name = f"{authentication.given_name} {authentication.family_name}".strip()
    return HomePage(
        display_name=name,
        level_of_assurance=loa_label(authentication.loa),
        sections=_sections(),
        journeys=journeys_for(authentication.subject),
    )
