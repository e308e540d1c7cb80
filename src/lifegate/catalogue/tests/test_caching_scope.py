"""What the catalogue cache must never mix up: hosts and schemes, logged-in and anonymous."""

from datetime import UTC, datetime

import pytest

from lifegate.catalogue.tests.factories import build_catalogue
from lifegate.core.subject import Subject
from lifegate.identity.session import SESSION_KEY, Authentication, session_value


@pytest.fixture
def catalogue(db):
    build_catalogue()


def test_paging_links_belong_to_the_host_that_was_asked(client, catalogue, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    first = client.get("/api/catalogue/services?page_size=1", headers={"host": "one.example"})
    second = client.get("/api/catalogue/services?page_size=1", headers={"host": "two.example"})
    assert first.json()["next"].startswith("http://one.example/")
    assert second.json()["next"].startswith("http://two.example/")
    secure = client.get(
        "/api/catalogue/services?page_size=1", headers={"host": "two.example"}, secure=True
    )
    assert secure.json()["next"].startswith("https://two.example/")


def test_a_logged_in_page_is_never_served_to_anonymous_visitors(
    client, catalogue, django_user_model
):
    from lifegate.catalogue.models import PublicService

    service = PublicService.objects.order_by("slug").first()
    assert service is not None
    url = f"/catalogue/services/{service.slug}/"
    session = client.session
    session[SESSION_KEY] = _session_value()
    session.save()
    personal = client.get(url)
    assert "/identity/logout/" in personal.text
    assert "no-store" in personal["Cache-Control"] and "private" in personal["Cache-Control"]

    client.cookies.clear()
    anonymous = client.get(url)
    assert "/identity/logout/" not in anonymous.text
    assert "no-store" not in anonymous.get("Cache-Control", "")


def test_the_rdf_export_is_built_once_per_revision_and_revalidates(
    client, catalogue, django_assert_num_queries
):
    first = client.get("/catalogue/cpsv-ap.ttl")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get("/catalogue/cpsv-ap.ttl")
        unchanged = client.get("/catalogue/cpsv-ap.ttl", headers={"if-none-match": first["ETag"]})
    assert again.content == first.content
    assert unchanged.status_code == 304


def _session_value():
    authentication = Authentication(
        subject=Subject("bsn", "999990019"),
        loa="substantial",
        authenticated_at=datetime.now(UTC),
        issuer="http://testserver/dev-idp",
    )
    return session_value(authentication)
