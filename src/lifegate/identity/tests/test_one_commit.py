"""One commit per page view (identity.one_commit): the page's processing record and the
session's sliding expiry are written by a single commit; what changes the session after the
view is still saved; a failing page keeps nothing."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.http import HttpResponse
from django.test import Client, RequestFactory

from lifegate.identity.one_commit import SessionMiddleware, commit_once
from lifegate.identity.session import SESSION_KEY, Authentication, session_value
from lifegate.portal.services import HOME_ACTIVITY
from lifegate.registries.services import demo_personas, load_demo_population
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, record_processing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def logged_in(client: Client) -> Client:
    load_demo_population(size=50)
    parent = next(p for p in demo_personas() if p.key == "parent")
    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication(
            subject=parent.subject,
            loa="substantial",
            authenticated_at=datetime.now(UTC),
            issuer="http://testserver/dev-idp",
        )
    )
    session.save()
    # As if the session had been saved a while ago: a page view must move its expiry.
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=datetime.now(UTC) + timedelta(minutes=1)
    )
    return client


class CommitCounter:
    """Counts the commits on the default connection (Django's own commit, spied on)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        wrapper_class = type(connections[DEFAULT_DB_ALIAS])
        original = wrapper_class.commit

        def counting(wrapper: Any) -> None:
            self.count += 1
            original(wrapper)

        monkeypatch.setattr(wrapper_class, "commit", counting)


def _expiry(client: Client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_home_page_records_its_read_and_slides_the_session_in_one_commit(
    logged_in: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _expiry(logged_in)
    commits = CommitCounter(monkeypatch)

    response = logged_in.get("/")

    assert response.status_code == 200
    assert commits.count == 1
    assert ProcessingRecord.objects.filter(name="portal.home").count() == 1
    assert _expiry(logged_in) > before + timedelta(minutes=10)


def test_a_page_without_commit_once_commits_the_session_on_its_own(
    logged_in: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counter can tell: the language switch (not marked) saves the session in a commit of
    its own after the view, as Django does."""
    commits = CommitCounter(monkeypatch)

    before = _expiry(logged_in)

    response = logged_in.get("/language/en/")

    assert response.status_code == 302
    assert commits.count == 1
    assert _expiry(logged_in) > before
    assert not ProcessingRecord.objects.filter(name="portal.home").exists()


def _request_with_session(logged_in: Client) -> Any:
    request = RequestFactory().get("/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = str(logged_in.session.session_key)
    middleware = SessionMiddleware(lambda request: HttpResponse())
    middleware.process_request(request)
    return request, middleware


def test_a_session_changed_after_the_view_is_saved_by_the_middleware(logged_in: Client) -> None:
    request, middleware = _request_with_session(logged_in)
    response = commit_once(lambda request: HttpResponse("page"))(request)

    request.session["later"] = "changed by a middleware after the view"
    middleware.process_response(request, response)

    assert Session.objects.get(session_key=request.session.session_key).get_decoded()["later"]


def test_a_failing_page_keeps_no_record(logged_in: Client) -> None:
    request, _middleware = _request_with_session(logged_in)
    subject = demo_personas()[0].subject

    def failing(request: Any) -> HttpResponse:
        record_processing(
            name="test.failing-page",
            subject=subject,
            activity=HOME_ACTIVITY,
            actor=Actor(kind="person", subject=subject),
            data_categories=("name",),
        )
        raise RuntimeError("the page broke after reading")

    with pytest.raises(RuntimeError):
        commit_once(failing)(request)

    assert not ProcessingRecord.objects.filter(name="test.failing-page").exists()


def test_a_form_post_is_left_to_its_view(logged_in: Client) -> None:
    request = RequestFactory().post("/")
    seen = []

    def view(request: Any) -> HttpResponse:
        seen.append(connection.in_atomic_block)
        return HttpResponse("ok")

    commit_once(view)(request)

    assert seen == [False]
