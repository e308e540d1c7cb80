"""Acting for someone: the choice after login, the banner on every page with the way back,
the session value that only counts for its own representative, first use, and the principal
told in their message box."""

from datetime import UTC, datetime

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from lifegate.core.subject import Subject
from lifegate.identity.session import Authentication
from lifegate.inbox.models import Mailbox, Message
from lifegate.inbox.rendering import render_body
from lifegate.journeys.tests.test_pages import log_in
from lifegate.mandates import acting, services
from lifegate.mandates.actions import INBOX_READ
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import grant_active, period, person
from lifegate.mandates.views_acting import after_login
from lifegate.registries.models import RegisteredPerson
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import population_register
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db


def grant_inbox(principal: DemoPersona, representative: DemoPersona) -> Mandate:
    granted = grant_active(
        principal.subject,
        representative.subject,
        [Scope(ScopeKind.INBOX_READ)],
        *period(),
        person(principal.subject),
    )
    return granted.mandates[0]


def request_of(persona: DemoPersona, client: Client) -> object:
    """A request carrying `client`'s session, logged in as `persona`."""
    request = RequestFactory().get("/")
    request.session = client.session
    request.authentication = Authentication(  # type: ignore[attr-defined]
        persona.subject, "substantial", datetime.now(UTC), "test"
    )
    return request


def subjects_in_box(subject: Subject) -> list[str]:
    return list(
        Message.objects.filter(recipient_hash=subject_hash(subject))
        .order_by("sent_at")
        .values_list("subject", flat=True)
    )


def test_the_chooser_offers_the_principals_and_the_minor_children(
    client: Client, personas: dict[str, DemoPersona], minor_child: Subject
) -> None:
    grant_inbox(personas["elderly"], personas["parent"])
    log_in(client, personas["parent"])

    page = client.get(reverse("mandates:choose")).content.decode()

    elderly = personas["elderly"]
    assert f"{elderly.given_name} {elderly.family_name}" in page
    child = population_register().get_person(minor_child.value)
    assert child is not None and child.full_name in page
    assert minor_child.value not in page and elderly.subject.value not in page


def test_choosing_shows_the_banner_on_every_page_until_switching_back(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    elderly = personas["elderly"]
    grant_inbox(elderly, personas["student"])
    log_in(client, personas["student"])

    chosen = client.post(reverse("mandates:choose"), {"person": subject_hash(elderly.subject)})
    assert chosen.status_code == 302
    for page in ("portal:home", "catalogue:life-events"):
        html = client.get(reverse(page)).content.decode()
        assert 'id="acting-for"' in html and elderly.family_name in html

    client.post(reverse("mandates:choose"), {"person": "self"})
    assert 'id="acting-for"' not in client.get(reverse("portal:home")).content.decode()


def test_nobody_can_choose_a_person_they_have_no_relation_with(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["resident-low"])
    with translation.override("en"):
        response = client.post(
            reverse("mandates:choose"),
            {"person": subject_hash(personas["elderly"].subject)},
            headers={"accept-language": "en"},
        )
    assert response.status_code == 422
    assert "You may not act for this person" in response.content.decode()
    assert acting.acting_for(request_of(personas["resident-low"], client)) is None  # type: ignore[arg-type]


def test_the_choice_only_counts_for_the_representative_who_made_it(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    elderly = personas["elderly"]
    grant_inbox(elderly, personas["student"])
    log_in(client, personas["student"])
    client.post(reverse("mandates:choose"), {"person": subject_hash(elderly.subject)})

    own = request_of(personas["student"], client)
    other = request_of(personas["resident-low"], client)

    assert acting.acting_for(own).subject == elderly.subject  # type: ignore[arg-type,union-attr]
    assert acting.acting_for(other) is None  # type: ignore[arg-type]


def test_a_damaged_choice_is_ignored(client: Client, personas: dict[str, DemoPersona]) -> None:
    log_in(client, personas["student"])
    session = client.session
    session[acting.SESSION_KEY] = "not-a-sealed-value"
    session.save()

    assert acting.acting_for(request_of(personas["student"], client)) is None  # type: ignore[arg-type]


def test_after_login_the_chooser_comes_first_only_for_who_may_act_for_others(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    grant_inbox(personas["elderly"], personas["student"])

    student = after_login(request_of(personas["student"], client), "/inbox/")  # type: ignore[arg-type]
    parent = after_login(request_of(personas["parent"], client), "/inbox/")  # type: ignore[arg-type]
    nobody = after_login(request_of(personas["resident-low"], client), "/inbox/")  # type: ignore[arg-type]

    assert student.startswith(reverse("mandates:choose")) and "next=%2Finbox%2F" in student
    assert parent.startswith(reverse("mandates:choose"))
    assert nobody == "/inbox/"


def test_the_first_use_is_noted_once_and_told_to_the_principal(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    elderly = personas["elderly"]
    mandate = grant_inbox(elderly, personas["student"])
    log_in(client, personas["student"])
    client.post(reverse("mandates:choose"), {"person": subject_hash(elderly.subject)})
    request = request_of(personas["student"], client)

    for _ in range(3):
        assert acting.legal_subject(request, INBOX_READ) == elderly.subject  # type: ignore[arg-type]

    mandate.refresh_from_db()
    assert mandate.first_used_at is not None
    with translation.override("nl"):
        told = subjects_in_box(elderly.subject)
    assert told.count("Iemand heeft voor het eerst namens u gehandeld") == 1
    bodies = Message.objects.filter(recipient_hash=subject_hash(elderly.subject))
    assert all("[Uw machtigingen](" in body for body in bodies.values_list("body", flat=True))


def test_an_ended_mandate_is_refused_in_a_session_already_acting(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    elderly = personas["elderly"]
    mandate = grant_inbox(elderly, personas["student"])
    log_in(client, personas["student"])
    client.post(reverse("mandates:choose"), {"person": subject_hash(elderly.subject)})
    services.end(mandate.pk, elderly.subject, person(elderly.subject))

    with pytest.raises(acting.NotPermitted) as refused:
        acting.legal_subject(request_of(personas["student"], client), INBOX_READ)  # type: ignore[arg-type]
    assert refused.value.decision.reason == "ended"


def test_the_principal_is_told_of_creation_acceptance_and_end_in_their_language(
    personas: dict[str, DemoPersona],
) -> None:
    elderly = personas["elderly"]
    Mailbox.objects.create(recipient_hash=subject_hash(elderly.subject), notify_language="en")
    mandate = grant_inbox(elderly, personas["student"])
    services.end(mandate.pk, personas["student"].subject, person(personas["student"].subject))

    assert subjects_in_box(elderly.subject) == [
        "You have given an authorisation",
        "Your authorisation has been accepted",
        "An authorisation has ended",
    ]
    student = personas["student"]
    bodies = " ".join(Message.objects.values_list("body", flat=True))
    assert f"{student.given_name} {student.family_name}" in bodies
    assert bodies.count("[Your authorisations](") == 3
    assert student.subject.value not in bodies
    assert not subjects_in_box(student.subject)


def test_the_representatives_name_is_shown_as_written_not_as_markdown(
    personas: dict[str, DemoPersona],
) -> None:
    elderly, student = personas["elderly"], personas["student"]
    RegisteredPerson.objects.filter(bsn=student.subject.value).update(
        given_names="**Jan**\n===", name_prefix="", family_name="[Vries](https://evil.example/)"
    )
    grant_inbox(elderly, student)

    html = " ".join(
        render_body(body)
        for body in Message.objects.filter(recipient_hash=subject_hash(elderly.subject))
        .filter(subject__in=["Uw machtiging is aanvaard", "Your authorisation has been accepted"])
        .values_list("body", flat=True)
    )
    assert "**Jan** === [Vries](https://evil.example/)" in html  # on one line, as written
    assert 'evil.example/"' not in html and "<strong>" not in html and "<h" not in html
