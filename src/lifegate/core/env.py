"""Typed readers for environment settings.

Every setting has a safe default for the embedded setup."""

import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from lifegate.core.files import create_private_file

MIN_SECRET_LENGTH = 32
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    """The variable's value, or the default when unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable; anything but the usual spellings is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """A whole-number variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list variable."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_int_map(name: str, default: dict[str, int]) -> dict[str, int]:
    """Whole numbers by key, as `key=number,key=number`; keys not named keep their default."""
    raw = os.environ.get(name)
    result = dict(default)
    for part in env_list(name, []) if raw else []:
        key, equals, number = part.partition("=")
        if not equals or not key.strip():
            raise ImproperlyConfigured(f"{name} must look like key=number,key=number")
        try:
            result[key.strip()] = int(number)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {number!r} is not a whole number") from exc
    return result


def env_json(name: str, default: object) -> object:
    """A JSON variable, parsed; the caller checks its shape."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc


def env_secret(name: str, default: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (for container secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def local_secret(path: Path) -> str:
    """A random secret kept in `path` (mode 0600, created on first use): for development
    installations, so that no secret is a constant in the code."""
    if not path.exists():
        create_private_file(path, secrets.token_urlsafe(48))
    secret = path.read_text().strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise ImproperlyConfigured(f"{path} holds no usable secret; delete it to make a new one")
    return secret
