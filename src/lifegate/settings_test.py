"""Settings for the test suite: the production settings with the development identity
provider switched on (it is off unless explicitly enabled) and a fast password hasher."""

import os

os.environ.setdefault("LIFEGATE_DEV_IDP", "true")
# Files the tests make (keys, local secrets, attachments, anything a test server writes) go to
# var/test, and under pytest-xdist to a folder per worker in it (var/test/gw0, ...), so that
# parallel workers never see each other's files. The workers inherit LIFEGATE_VAR_DIR from the
# controlling process, and subprocesses a test starts inherit the worker's folder as it is.
_var_dir = os.environ.setdefault(
    "LIFEGATE_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "var", "test")
)
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.path.basename(os.path.normpath(_var_dir)) != _worker:
    os.environ["LIFEGATE_VAR_DIR"] = os.path.join(_var_dir, _worker)

from lifegate.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DEMO_POPULATION_SIZE = 300
# Every test client calls from 127.0.0.1 and the cache outlives single tests: limits no test
# suite reaches by accident. The rate limit tests set their own small limits.
LOGIN_RATE_LIMIT = 1_000_000
STAFF_LOGIN_ATTEMPTS = STAFF_LOGIN_ADDRESS_ATTEMPTS = 1_000_000
AGENCY_API_RATE_LIMIT = 1_000_000
EVENTS_API_RATE_LIMIT = 1_000_000
EXCHANGE_API_RATE_LIMIT = 1_000_000
