"""No silent reads: every page and API operation that touches personal data, called the way a
person, a representative or an agency calls it, leaves exactly the processing records it
should: which operation, for which processing activity, on whose data, by whom and on whose
behalf, with which kinds of data. Every route of the project is either walked here, walked
by a named test elsewhere, or listed as touching no personal data (completeness_routes.py);
a new route in none of these fails the first test.

The walk is one test over the whole demo (`load_demo`), its calls in order: a journey is
started before it is viewed, a message read before it is archived. The calls are listed by
building block in `completeness_calls_*.py`, the means to make them in `completeness_walk.py`."""

from pathlib import Path
from typing import Any

import pytest

from lifegate.transparency.tests import completeness_routes as routes
from lifegate.transparency.tests.completeness_calls_agency import AGENCY_CALLS
from lifegate.transparency.tests.completeness_calls_mandates import (
    ACTING_FOR_CALLS,
    MANDATE_CALLS,
)
from lifegate.transparency.tests.completeness_calls_person import (
    CREDENTIAL_CALLS,
    INBOX_CALLS,
    JOURNEY_CALLS,
    STEP_DONE_CALLS,
    TRANSPARENCY_CALLS,
)
from lifegate.transparency.tests.completeness_calls_submissions import (
    BACKOFFICE_CREDENTIAL_CALLS,
    BACKOFFICE_MESSAGE_CALLS,
    HANDLING_CALLS,
    STEP_SUBMISSION_CALLS,
)
from lifegate.transparency.tests.completeness_walk import (
    Call,
    demo_world,
    last_record_id,
    make_call,
    records_since,
)

TESTS_ROOT = Path(__file__).resolve().parents[2]
WALK: tuple[Call, ...] = (
    *JOURNEY_CALLS,
    *STEP_SUBMISSION_CALLS,
    *STEP_DONE_CALLS,
    *INBOX_CALLS,
    *MANDATE_CALLS,
    *CREDENTIAL_CALLS,
    *TRANSPARENCY_CALLS,
    *ACTING_FOR_CALLS,
    *AGENCY_CALLS,
    *HANDLING_CALLS,
    *BACKOFFICE_CREDENTIAL_CALLS,
    *BACKOFFICE_MESSAGE_CALLS,
)


def test_every_route_is_walked_or_listed_as_touching_no_personal_data() -> None:
    walked = {call.route for call in WALK}
    names = set(routes.page_routes()) | routes.api_operations()

    unclassified = sorted(name for name in names if not routes.classified(name, walked))

    assert unclassified == [], "add these to the walk or to the no-personal-data list"


def test_the_routes_walked_elsewhere_have_their_test() -> None:
    missing = [
        test for test in routes.WALKED_ELSEWHERE.values() if not (TESTS_ROOT / test).is_file()
    ]
    assert missing == []


def test_the_list_names_no_route_that_is_gone() -> None:
    names = set(routes.page_routes()) | routes.api_operations()
    known = names | {f"{method} {name}" for name in names for method in ("GET", "POST")}
    listed = set(routes.NO_PERSONAL_DATA) | set(routes.WALKED_ELSEWHERE)

    assert sorted(listed - known) == []


@pytest.mark.django_db
def test_every_call_that_touches_personal_data_leaves_its_processing_records(
    settings: Any, tmp_path: Path
) -> None:
    world = demo_world(settings, tmp_path)
    wrong = []
    for call in WALK:
        before = last_record_id()
        response = make_call(world, call)
        if call.then is not None and response.status_code == call.status:
            call.then(world, response)
        found = records_since(world, before, call.records)
        if response.status_code != call.status or found != call.records:
            wrong.append((call.method, call.path, response.status_code, found))

    assert wrong == []
