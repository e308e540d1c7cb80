"""Every API error is RFC 9457 problem details, whatever raised it."""

from datetime import UTC, datetime

import pytest

from lifegate.catalogue import services
from lifegate.core.subject import Subject
from lifegate.identity.session import SESSION_KEY, Authentication, session_value

PROBLEM = "application/problem+json"
NOW = datetime.now(UTC)


@pytest.mark.django_db
def test_an_unknown_api_path_is_a_404_problem(client):
    response = client.get("/api/catalogue/no-such-collection")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 404


@pytest.mark.django_db
def test_a_wrong_method_is_a_405_problem_that_says_what_is_allowed(client):
    response = client.post("/api/catalogue/services")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert "GET" in response["Allow"]


@pytest.mark.django_db
def test_an_unexpected_failure_is_a_500_problem_without_details(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals 999990019")

    monkeypatch.setattr(services, "filter_services", broken)
    client.raise_request_exception = False
    response = client.get("/api/catalogue/services")
    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert "secret internals" not in response.text
    assert "999990019" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("parameter", ["life_event", "organisation"])
def test_control_characters_in_filters_are_refused_not_crashed(client, parameter):
    response = client.get(f"/api/catalogue/services?{parameter}=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


@pytest.mark.django_db
def test_a_nul_in_the_search_text_is_refused(client):
    response = client.get("/api/catalogue/services?q=kind%00geboren")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


@pytest.mark.django_db
def test_not_found_problems_do_not_echo_the_input(client):
    response = client.get("/api/catalogue/services/some-unknown-slug")
    assert response.status_code == 404
    assert "some-unknown-slug" not in response.json()["detail"]


@pytest.mark.django_db
def test_the_api_documentation_page_declares_its_language(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "/static/ninja/swagger-ui-init.js" in response.text


@pytest.mark.django_db
def test_a_problem_keeps_the_headers_and_cookies_of_the_answer_it_replaces(client, settings):
    from datetime import UTC, datetime

    from lifegate.core.subject import Subject
    from lifegate.identity.session import SESSION_KEY, Authentication, session_value

    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication(Subject("bsn", "999990019"), "substantial", datetime.now(UTC), "x")
    )
    session.save()
    response = client.get("/api/no-such-thing/999990019")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert "no-store" in response["Cache-Control"]  # set by an inner middleware, kept
    assert "999990019" not in response.text
    assert response.cookies[settings.SESSION_COOKIE_NAME].value  # the session is refreshed


@pytest.mark.django_db
def test_a_server_error_in_the_api_is_logged_once(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "filter_services", broken)
    client.raise_request_exception = False
    with caplog.at_level("ERROR", logger="django.request"):
        client.get("/api/catalogue/services")
    assert len([r for r in caplog.records if r.name == "django.request"]) == 1


@pytest.mark.django_db
def test_head_answers_like_get_without_a_body(client):
    get = client.get("/api/catalogue/services?page_size=1")
    head = client.head("/api/catalogue/services?page_size=1")
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert int(head["Content-Length"]) == len(get.content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title"), [("nl", "Verzoek te groot"), ("en", "Request too large")]
)
def test_a_body_above_the_upload_limit_is_a_413_problem_that_says_so(
    client, settings, language, title
):
    session = client.session
    authentication = Authentication(Subject("bsn", "999990019"), "substantial", NOW, "test")
    session[SESSION_KEY] = session_value(authentication)
    session.save()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/journeys/",
        '{"life_event": "' + "x" * 2000 + '"}',
        content_type="application/json",
        headers={"accept-language": language},
    )
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["title"] == title
    assert "1000" in problem["detail"]
    assert problem["type"].endswith("/request-too-large")


@pytest.mark.django_db
def test_a_page_form_above_the_upload_limit_is_the_413_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/assistant/share/", {"q": "x" * 2000}, headers={"accept-language": "en"}
    )
    assert response.status_code == 413
    assert "Request too large" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_without_the_trailing_slash_is_a_404_problem_not_a_redirect(client, method):
    """Clients follow a 301 with a GET: a POST to /api/journeys would end in the list of
    journeys, and nothing sent."""
    response = getattr(client, method)(
        "/api/journeys", "{}", content_type="application/json", headers={"accept-language": "en"}
    )
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert "Location" not in response
    assert response.json()["detail"].endswith("Add a slash at the end of the address.")


@pytest.mark.django_db
def test_a_read_without_the_trailing_slash_is_still_redirected(client):
    response = client.get("/api/journeys")
    assert response.status_code == 301
    assert response["Location"] == "/api/journeys/"
