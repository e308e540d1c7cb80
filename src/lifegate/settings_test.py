"""Settings for the test suite: the production settings with the development identity
provider switched on (it is off unless explicitly enabled) and a fast password hasher."""

import os

os.environ.setdefault("LIFEGATE_DEV_IDP", "true")
os.environ.setdefault(
    "LIFEGATE_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "var", "test")
)

from lifegate.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DEMO_POPULATION_SIZE = 300
