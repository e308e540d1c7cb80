"""What a row of the endpoint authorisation matrix is (the rows are in `matrix_rows_*`): a
protected page or API endpoint, how to call it on someone's data, and which actors
(`matrix_world.ACTORS`) it must let through; everyone else must be refused.

`allowed` is the specification of a row: who gets the principal's data or changes it. `empty`
names the actors shown a list with nothing of the principal's in it (a mandate that covers
none of her plans still shows the list of plans, empty). `shows` are texts of the principal's
data an allowed answer must contain, and `effect` checks that an allowed change landed on the
principal's data, not on the actor's own."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from lifegate.mandates.tests import matrix_effects as effects
from lifegate.mandates.tests.matrix_world import Owned, World

Kind = Literal["page", "api", "agency-api", "back-office"]
Build = Callable[[World, Owned], "Call"]
Texts = Callable[[World, Owned], list[str]]

PERSON, IN_SCOPE, PARENT = "the person", "in scope", "parent of a minor"
LOG_MANDATE = "log mandate"  # a mandate for her processing log, nothing else
OWN_AGENCY, OTHER_AGENCY = "own agency", "agency of another service"
SELF = frozenset({PERSON})
READERS = frozenset({PERSON, IN_SCOPE, PARENT})  # an inbox-read mandate, or by law
MANAGERS = frozenset({PERSON, PARENT})  # the whole box: nobody holds a valid inbox-full
# Where and whether the person is told about new post is theirs alone, also for parents.
SETTINGS_OWNER = SELF
PLAN_VIEWERS = READERS  # the student's passport service is one of the plan's steps
# Who used her data: only a mandate for the processing log itself covers it, or the law.
LOG_READERS = frozenset({PERSON, LOG_MANDATE, PARENT})
WHOLE_PLAN = MANAGERS  # the life event itself: starting, answering, every step
# Those whose mandate covers none of her plans (or no longer holds) see the list, empty.
LIMITED = frozenset({"out of scope", LOG_MANDATE, "expired", "revoked"})
CHOOSERS = frozenset({IN_SCOPE, "out of scope", LOG_MANDATE, PARENT})  # holds today
EVERY_PERSON = READERS | LIMITED | {"parent of an adult", "another resident"}
AGENCIES = frozenset({OWN_AGENCY, OTHER_AGENCY})


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    data: Any = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _nothing(world: World, target: Owned) -> list[str]:
    return []


@dataclass(frozen=True)
class Endpoint:
    """One row. `call` is made on the data of a target: the principal, or (`own_ids`) the
    actor's own. `refused` is the status of a refusal other than the decision point's 403
    (e.g. 404 for an agency asking about what is not theirs); `self_only` rows refuse anyone
    acting for someone else with the reason "only-self"."""

    name: str
    kind: Kind
    route: str
    call: Build
    allowed: frozenset[str]
    ok: frozenset[int] = frozenset({200})
    empty: frozenset[str] = frozenset()
    shows: Texts = _nothing
    effect: effects.Effect | None = None
    refused: frozenset[int] = frozenset({403})
    self_only: bool = False
    # The call names the target's data by id: also tried with the actor's own ids.
    by_id: bool = False
    own_ids: bool = False

    def expected(self, actor: str) -> str:
        if actor in self.allowed:
            return "allowed"
        return "empty" if actor in self.empty else "refused"


def with_own_ids(endpoint: Endpoint) -> Endpoint:
    """The row called with the actor's own ids while they act for someone else: only the
    person themselves (whose own data is the principal's) gets anywhere with it."""
    return replace(
        endpoint,
        name=f"{endpoint.name} [actor's own ids]",
        allowed=endpoint.allowed & SELF,
        empty=frozenset(),
        by_id=False,
        own_ids=True,
    )


def get(url: Callable[[World, Owned], str]) -> Build:
    return lambda world, target: Call("GET", url(world, target))


def post(url: Callable[[World, Owned], str], data: Callable[[World, Owned], Any]) -> Build:
    return lambda world, target: Call("POST", url(world, target), data(world, target))


def send(
    method: str, url: Callable[[World, Owned], str], body: Callable[[World, Owned], Any]
) -> Build:
    """A JSON request."""
    return lambda world, target: Call(
        method, url(world, target), body(world, target), "application/json"
    )


def nothing(world: World, target: Owned) -> dict[str, Any]:
    return {}


# What the principal's data looks like in an answer -------------------------------------


def letter(world: World, target: Owned) -> list[str]:
    return [target.letter]


def message_id(world: World, target: Owned) -> list[str]:
    return [str(target.message.pk)]


def pdf(world: World, target: Owned) -> list[str]:
    return [target.pdf_mark]


def addresses(world: World, target: Owned) -> list[str]:
    return [target.email, target.pending_email]


def journey_id(world: World, target: Owned) -> list[str]:
    return [str(target.journey.pk)]


def prefilled_name(world: World, target: Owned) -> list[str]:
    return [target.name]


def representative_name(world: World, target: Owned) -> list[str]:
    """One of her representatives; not the student, whose name the parent of an adult sees
    in the banner (acting for her)."""
    return [world.people["resident-substantial"].name]


def submission_id(world: World, target: Owned) -> list[str]:
    return [str(world.submission.pk)]


def fixed(url: str) -> Callable[[World, Owned], str]:
    return lambda world, target: url
