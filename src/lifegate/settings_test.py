"""Settings for the test suite: the production settings with the development identity
provider switched on (it is off unless explicitly enabled) and a fast password hasher."""

import os

os.environ.setdefault("LIFEGATE_DEV_IDP", "true")
# Files the tests make (keys, local secrets, attachments, anything a test server writes) go to
# var/test, and under pytest-xdist to a folder per worker (var/test/gw0, ...), so that parallel
# workers never see each other's files. Subprocesses a test starts inherit the same folder.
os.environ.setdefault(
    "LIFEGATE_VAR_DIR",
    os.path.join(
        os.path.dirname(__file__),
        "..",
        "..",
        "var",
        "test",
        os.environ.get("PYTEST_XDIST_WORKER", ""),
    ),
)

from lifegate.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DEMO_POPULATION_SIZE = 300
