import pytest
from django.conf import settings


@pytest.mark.django_db
def test_switching_language_remembers_the_choice_and_returns_to_the_page(client):
    response = client.get("/language/en/?next=/catalogue/life-events/")
    assert response.status_code == 302
    assert response["Location"] == "/catalogue/life-events/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/catalogue/life-events/")
    assert page.headers["Content-Language"] == "en"
    assert '<html lang="en">' in page.text


@pytest.mark.django_db
def test_switching_language_never_redirects_to_another_site(client):
    response = client.get("/language/nl/?next=https://evil.example/phish")
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_an_unknown_language_is_not_found(client):
    response = client.get("/language/xx/?next=/")
    assert response.status_code == 404
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_anonymous_pages_carry_no_csrf_token(client):
    page = client.get("/catalogue/life-events/")
    assert page.status_code == 200 and 'id="main"' in page.text
    assert "csrfmiddlewaretoken" not in page.text
