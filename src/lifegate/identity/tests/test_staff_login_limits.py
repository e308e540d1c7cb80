"""Password logins of staff (back office, Django admin) are counted per username and per
calling address; over a limit the answer is 429 with Retry-After, in the page's language, and
the password is not checked, so even the right one waits for the window to end."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
ATTEMPTS = 3
ONE_ADDRESS = "198.51.100.7"
LOGINS = ["/back-office/login/", "/admin/login/"]


@pytest.fixture(autouse=True)
def small_limits(settings: Any) -> Any:
    settings.STAFF_LOGIN_ATTEMPTS = ATTEMPTS
    settings.STAFF_LOGIN_ADDRESS_ATTEMPTS = 2 * ATTEMPTS
    settings.STAFF_LOGIN_WINDOW_SECONDS = 900
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def staff_user() -> User:
    return User.objects.create_user("desk", password=PASSWORD, is_staff=True)


def _post(login: str, username: str, password: str, address: str, language: str = "en") -> Any:
    return Client().post(
        login,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE=language,
    )


@pytest.mark.parametrize("login", LOGINS)
def test_guessing_one_accounts_password_is_stopped_even_from_new_addresses(
    staff_user: User, login: str
) -> None:
    guesses = [_post(login, "desk", f"guess-{n}", f"198.51.100.{10 + n}") for n in range(ATTEMPTS)]
    right_one = _post(login, "DESK ", PASSWORD, "198.51.100.99")  # same account, other spelling

    assert all(guess.status_code == 200 for guess in guesses)  # the form, with its error
    assert right_one.status_code == 429
    assert 0 < int(right_one["Retry-After"]) <= 900
    assert "too many attempts to log in" in right_one.text
    assert "_auth_user_id" not in right_one.wsgi_request.session


@pytest.mark.parametrize("login", LOGINS)
def test_one_address_trying_many_accounts_is_stopped(staff_user: User, login: str) -> None:
    tries = [_post(login, f"user-{n}", "guess", ONE_ADDRESS) for n in range(2 * ATTEMPTS)]
    refused = _post(login, "desk", PASSWORD, ONE_ADDRESS, language="nl")
    elsewhere = _post(login, "desk", PASSWORD, "198.51.100.200")

    assert all(each.status_code == 200 for each in tries)
    assert refused.status_code == 429
    assert "te vaak geprobeerd in te loggen" in refused.text
    assert elsewhere.status_code == 302  # the account itself is not locked


def test_the_login_forms_still_work_under_the_limit(staff_user: User) -> None:
    admin = _post("/admin/login/", "desk", PASSWORD, ONE_ADDRESS)

    assert admin.status_code == 302
    assert admin.wsgi_request.user.is_authenticated
