"""The development identity provider's addresses exist only when `LIFEGATE_DEV_IDP` is on when
the URLs are loaded; switched off, /dev-idp/ is not routed at all (not just answered with 404
by the views). The URL configuration is read once per process, hence a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3]
RESOLVE = """
import django
from django.urls import Resolver404, resolve

django.setup()
try:
    match = resolve("/dev-idp/.well-known/openid-configuration")
except Resolver404:
    print("not routed")
else:
    print("routed to", match.view_name)
"""


def resolve_in_fresh_process(tmp_path: Path, dev_idp: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LIFEGATE_", "DJANGO_"))
    }
    env.update(
        PYTHONPATH=str(SRC),
        DJANGO_SETTINGS_MODULE="lifegate.settings",
        LIFEGATE_ENV="development",
        LIFEGATE_DEV_IDP=dev_idp,
        LIFEGATE_VAR_DIR=str(tmp_path),
    )
    command = [sys.executable, "-c", RESOLVE]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("switch", ["false", "0", ""])
def test_the_provider_is_not_routed_when_switched_off(tmp_path, switch):
    assert resolve_in_fresh_process(tmp_path, switch) == "not routed"


def test_the_provider_is_routed_when_switched_on(tmp_path):
    assert resolve_in_fresh_process(tmp_path, "true") == "routed to dev_idp:discovery"
