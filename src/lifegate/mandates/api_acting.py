"""Whom the session acts for, through the API (`/api/mandates/acting-for`): the same as the
"Whom are you acting for?" page, so that an app can act for someone too. The choice holds for
the whole session, pages and API alike; the other person APIs then work on that person's
behalf as far as the mandates decision point allows.

Authenticated by the login session cookie (any level, like the page), with Django's CSRF check
on the change. People are named by an opaque `key` (a keyed hash), never by a BSN. Reading
whom one may act for reads their names from the population register: recorded on each of
them (`mandates.representables`). A choice of someone one may not act for is a 422 with
`code` `no-relation`, and the session stays as it was."""

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from lifegate.core.problem_schema import problem_responses
from lifegate.core.problems import problem_response
from lifegate.identity.api_auth import PersonSession, person_actor, session_of
from lifegate.mandates import acting

router = Router(tags=["mandates"], auth=PersonSession())


class RepresentableOut(Schema):
    key: str = Field(description="Opaque: what `chooseActingFor` takes to act for them.")
    name: str
    basis: Literal["mandate", "parental-authority"] = Field(
        description="They authorised you (`mandate`), or they are your minor child "
        "(`parental-authority`)."
    )


class ActingForOut(Schema):
    acting_for: RepresentableOut | None = Field(
        description="Whom the session acts for now; null: for yourself."
    )
    people: list[RepresentableOut] = Field(description="Everyone you may act for today.")


class ActingForIn(Schema):
    person: str = Field(
        max_length=128, description="A `key` from `people`, or `self` to act for yourself."
    )


def _people(request: HttpRequest) -> list[acting.Representable]:
    return acting.representables(session_of(request).subject, person_actor(request))


def _state(request: HttpRequest, people: list[acting.Representable]) -> dict[str, Any]:
    chosen = acting.acting_for(request)
    current = next((p for p in people if chosen and p.subject == chosen.subject), None)
    return {
        "acting_for": _out(current) if current else None,
        "people": [_out(person) for person in people],
    }


def _out(person: acting.Representable) -> dict[str, str]:
    return {"key": person.key, "name": person.name, "basis": person.basis}


@router.get(
    "/acting-for",
    response=ActingForOut,
    summary="Whom I act for, and whom I may act for",
    operation_id="getActingFor",
)
def get_acting_for(request: HttpRequest) -> Any:
    return _state(request, _people(request))


@router.put(
    "/acting-for",
    response=ActingForOut,
    summary="Act for someone, or for myself again",
    description="From now on the session (pages and API) acts for the person chosen. 422 "
    "(`no-relation`) for someone you may not act for: the session stays as it was.",
    openapi_extra=problem_responses(422),
    operation_id="chooseActingFor",
)
def choose_acting_for(request: HttpRequest, body: ActingForIn) -> Any:
    people = _people(request)
    try:
        acting.choose(request, body.person, people)
    except acting.NotPermitted as refused:
        return problem_response(
            request,
            422,
            _("You may not act for this person (any more). Choose again."),
            problem_type="no-relation",
            code=refused.decision.reason,
        )
    return _state(request, people)
