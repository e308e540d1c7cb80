"""Error pages are readable in the person's language and never repeat what was asked."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_not_found_page_does_not_repeat_the_address(client):
    response = client.get("/persons/999990019/")
    assert response.status_code == 404
    assert "999990019" not in response.text
    assert "Pagina niet gevonden" in response.text


@pytest.mark.django_db
def test_the_not_found_page_speaks_english_when_asked(client):
    response = client.get("/nowhere/", headers={"accept-language": "en"})
    assert "Page not found" in response.text


@pytest.mark.django_db
def test_a_server_error_page_says_nothing_about_the_cause(client, monkeypatch):
    from lifegate.catalogue import views

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail 999990019")

    monkeypatch.setattr(views.services, "life_event_overview", broken)
    client.raise_request_exception = False
    response = client.get("/catalogue/life-events/?x=999990019")
    assert response.status_code == 500
    assert "999990019" not in response.text
    assert "internal detail" not in response.text


@pytest.mark.django_db
def test_an_expired_form_gets_a_readable_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/identity/logout/")
    assert response.status_code == 403
    assert "Dit formulier is verlopen" in response.text
