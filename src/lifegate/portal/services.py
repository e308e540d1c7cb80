"""Composes the person's home page from the other building blocks: their own, or, while they
act for someone, that person's as far as the mandates decision point allows."""

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lifegate.identity.assurance import loa_label
from lifegate.identity.session import Authentication
from lifegate.journeys.access import visible_journeys
from lifegate.journeys.services import JourneySummary
from lifegate.mandates import acting
from lifegate.mandates.acting import ActingFor
from lifegate.mandates.actions import INBOX_READ
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
    # Whose page it is while acting for someone (None: one's own).
    acting_for: ActingFor | None = None
    # True when the plans shown are only those a mandate covers.
    journeys_limited: bool = False


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
            str(_("Diplomas and other proofs you hold, to show to whoever asks for them.")),
        ),
        HomeSection(
            "mandates",
            str(_("Authorisations")),
            str(_("People you authorised to act for you, and people you may act for.")),
        ),
        HomeSection(
            "transparency",
            str(_("Who used my data")),
            str(
                _(
                    "Every use of your personal data by government is recorded: who used "
                    "which data, when, and why."
                )
            ),
        ),
    ]


def home_page_for(request: HttpRequest) -> HomePage:
    """The home page of the logged-in person, or of the person they act for."""
    authentication: Authentication = request.authentication  # type: ignore[attr-defined]
    chosen = acting.acting_for(request)
    if chosen is None:
        return _own_home_page(request, authentication)
    return _home_page_on_behalf(request, authentication, chosen)


def _own_home_page(request: HttpRequest, authentication: Authentication) -> HomePage:
    """The person's own page: their name comes from the register, their plans from the
    journeys (both logged reads)."""
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
        journeys=visible_journeys(request).summaries,
    )


def _home_page_on_behalf(
    request: HttpRequest, authentication: Authentication, chosen: ActingFor
) -> HomePage:
    """The page of the person acted for, with only what the representative may see: the plans
    a mandate covers, and the message box when it may be read. Mandates, credentials and the
    processing log stay the person's own. Their name is read from the register (recorded on
    them, by the representative on their behalf) only when the page shows something of theirs;
    otherwise the name chosen in the session stands."""
    journeys = visible_journeys(request)  # refuses (NotPermitted) without any relation
    may_read_inbox = bool(acting.check(request, INBOX_READ))
    shown = {"life-events", "messages"} if may_read_inbox else {"life-events"}
    name = chosen.name
    if journeys.summaries or may_read_inbox:
        person = read_person(
            chosen.subject,
            actor=acting.actor(request),
            activity=HOME_ACTIVITY,
            purpose_name="portal.home",
        )
        name = person.full_name if person is not None else name
    return HomePage(
        display_name=name,
        level_of_assurance=loa_label(authentication.loa),
        sections=[section for section in _sections() if section.key in shown],
        journeys=journeys.summaries,
        acting_for=chosen,
        journeys_limited=journeys.limited,
    )
