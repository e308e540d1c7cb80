"""A session below the level a page needs is sent to log in again at that level."""

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("lifegate.identity.tests.step_up_urls"),
]


def test_a_low_session_is_sent_to_log_in_at_substantial(browser, resident):
    browser.log_in(resident, "low")

    response = browser.get("/needs-substantial/", allow_redirects=False)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/identity/login/"
    assert parse_qs(location.query) == {"next": ["/needs-substantial/"], "level": ["substantial"]}


def test_an_anonymous_visitor_is_sent_to_log_in(browser):
    response = browser.get("/needs-substantial/", allow_redirects=False)

    assert response.headers["Location"].startswith("/identity/login/?next=%2Fneeds-substantial%2F")


def test_the_login_page_explains_the_step_up(browser, resident):
    browser.log_in(resident, "low")

    page = browser.get("/needs-substantial/")

    assert "needs a stronger means of login" in page.text
    assert 'name="level" value="substantial"' in page.text


def test_stepping_up_reaches_the_page_at_the_higher_level(browser, resident):
    browser.log_in(resident, "low")
    login_page = browser.get("/needs-substantial/")

    picker = browser.post_form(
        login_page,
        "/identity/login/",
        {"next": "/needs-substantial/", "level": "substantial", "scheme": "digid"},
    )
    assert f'value="{resident.key}|low"' not in picker.text
    response = browser.choose(picker, f"{resident.key}|substantial")

    assert response.status_code == 200
    assert response.text == "substantial page at substantial"
    assert browser.authentication()["loa"] == "substantial"


def test_a_session_at_the_needed_level_goes_straight_through(browser, resident):
    browser.log_in(resident, "high")

    response = browser.get("/needs-substantial/", allow_redirects=False)

    assert response.status_code == 200
