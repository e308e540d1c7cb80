"""Production settings refuse to start with the development identity provider switched on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3]


def import_settings(
    tmp_path: Path, dev_idp: str, without: tuple[str, ...] = (), **overrides: str
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LIFEGATE_", "DJANGO_"))
    }
    env.update(
        PYTHONPATH=str(SRC),
        LIFEGATE_ENV="production",
        LIFEGATE_DEV_IDP=dev_idp,
        LIFEGATE_VAR_DIR=str(tmp_path),
        LIFEGATE_SECRET_KEY="a-production-secret-key-for-this-test-only",
        LIFEGATE_SUBJECT_KEY="a-production-subject-key-for-this-test-only",
        LIFEGATE_OIDC_CLIENT_SECRET="a-production-client-secret",
        LIFEGATE_OIDC_DISCOVERY_URL="https://idp.example/.well-known/openid-configuration",
    )
    for name in without:
        env.pop(name)
    env.update(overrides)
    command = [sys.executable, "-c", "import lifegate.settings"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("switch", ["true", "1", "yes"])
def test_production_refuses_to_start_with_the_development_provider(tmp_path, switch):
    result = import_settings(tmp_path, switch)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "LIFEGATE_DEV_IDP" in result.stderr


def test_production_starts_with_the_development_provider_off(tmp_path):
    result = import_settings(tmp_path, "false")

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_its_own_subject_key(tmp_path):
    result = import_settings(tmp_path, "false", without=("LIFEGATE_SUBJECT_KEY",))
    assert result.returncode != 0
    assert "LIFEGATE_SUBJECT_KEY" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = import_settings(tmp_path, "false", without=("LIFEGATE_SECRET_KEY",))
    assert result.returncode != 0
    assert "LIFEGATE_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_subject_key(tmp_path):
    result = import_settings(tmp_path, "false", LIFEGATE_SUBJECT_KEY="short")
    assert result.returncode != 0
    assert "LIFEGATE_SUBJECT_KEY" in result.stderr
