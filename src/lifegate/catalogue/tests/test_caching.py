"""Public catalogue responses are cached per URL, language and catalogue revision."""

import pytest
from django.conf import settings

from lifegate.catalogue.loader import load_catalogue
from lifegate.catalogue.models import PublicService
from lifegate.catalogue.tests.factories import build_catalogue
from lifegate.identity.session import SESSION_KEY, Authentication, session_value


@pytest.fixture
def catalogue(db):
    build_catalogue()
    return PublicService.objects.order_by("slug").first()


def test_a_repeated_anonymous_page_visit_needs_no_queries(
    client, catalogue, django_assert_num_queries
):
    url = f"/catalogue/services/{catalogue.slug}/"
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert "Accept-Language" in second["Vary"] and "Cookie" in second["Vary"]


def test_each_language_has_its_own_cached_page(client, catalogue):
    url = f"/catalogue/services/{catalogue.slug}/"
    dutch = client.get(url, headers={"accept-language": "nl"})
    english = client.get(url, headers={"accept-language": "en"})
    assert catalogue.name_nl in dutch.text and catalogue.name_en in english.text
    assert client.get(url, headers={"accept-language": "nl"}).text == dutch.text


def test_editing_a_service_shows_at_once(client, catalogue, django_capture_on_commit_callbacks):
    url = f"/catalogue/services/{catalogue.slug}/"
    client.get(url, headers={"accept-language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.name_en = "A freshly renamed service"
        catalogue.save()
    assert "A freshly renamed service" in client.get(url, headers={"accept-language": "en"}).text


def test_loading_the_catalogue_file_starts_a_new_revision(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        load_catalogue()
    first = client.get("/api/catalogue/services?page_size=1").json()
    slug = first["results"][0]["slug"]
    with django_capture_on_commit_callbacks(execute=True):
        PublicService.objects.filter(slug=slug).delete()
    again = client.get("/api/catalogue/services?page_size=1").json()
    assert again["count"] == first["count"] - 1
    assert again["results"][0]["slug"] != slug


def test_logged_in_visitors_get_their_own_page(client, catalogue, django_assert_max_num_queries):
    url = f"/catalogue/services/{catalogue.slug}/"
    client.get(url)
    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication.from_dict(
            {
                "subject": {"scheme": "bsn", "value": "999990019"},
                "loa": "substantial",
                "authenticated_at": "2026-11-22T10:00:00+00:00",
                "issuer": "http://testserver/dev-idp",
            }
        )
    )
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get(url)
    assert response.status_code == 200
    assert "/identity/logout/" in response.text  # the personal shell, not the cached anonymous one


def test_api_answers_are_cached_and_errors_are_not(client, catalogue, django_assert_num_queries):
    client.get("/api/catalogue/services?page_size=5")
    with django_assert_num_queries(0):
        assert client.get("/api/catalogue/services?page_size=5").status_code == 200
    assert client.get("/api/catalogue/services/no-such-service").status_code == 404
    assert client.get("/api/catalogue/services/no-such-service").status_code == 404


def test_a_broker_answer_is_cached_until_the_catalogue_changes(
    db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from lifegate.catalogue import evidence
    from lifegate.catalogue.caching import forget_pending_changes

    with django_capture_on_commit_callbacks(execute=True):
        load_catalogue()
    forget_pending_changes()  # as after the commit the test transaction does not make
    first = evidence.exchange_options("first-registration-birth", "NL")
    with django_assert_num_queries(0):
        assert evidence.exchange_options("first-registration-birth", "NL") == first
    _type, provider = first[0]
    with django_capture_on_commit_callbacks(execute=True):
        # Inside the changing transaction, this connection sees its own change at once.
        provider.organisation_name_en = "Renamed register keeper"
        provider.save()
        changed = evidence.exchange_options("first-registration-birth", "NL")
        assert changed[0][1].organisation_name_en == "Renamed register keeper"
    forget_pending_changes()
    after = evidence.exchange_options("first-registration-birth", "NL")
    assert after[0][1].organisation_name_en == "Renamed register keeper"
