import pytest
from django.core.exceptions import ImproperlyConfigured

from lifegate.core.env import env_bool, env_int, env_list, env_secret


def test_env_bool_reads_usual_spellings(monkeypatch):
    monkeypatch.setenv("LG_FLAG", "Yes")
    assert env_bool("LG_FLAG", False) is True
    monkeypatch.setenv("LG_FLAG", "off")
    assert env_bool("LG_FLAG", True) is False


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("LG_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="LG_FLAG"):
        env_bool("LG_FLAG", False)


def test_env_int_uses_default_when_unset_and_rejects_words(monkeypatch):
    monkeypatch.delenv("LG_NUMBER", raising=False)
    assert env_int("LG_NUMBER", 7) == 7
    monkeypatch.setenv("LG_NUMBER", "seven")
    with pytest.raises(ImproperlyConfigured):
        env_int("LG_NUMBER", 7)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("LG_HOSTS", "a.example, b.example,,")
    assert env_list("LG_HOSTS", []) == ["a.example", "b.example"]


def test_env_secret_prefers_the_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    monkeypatch.setenv("LG_SECRET", "from-env")
    monkeypatch.setenv("LG_SECRET_FILE", str(secret_file))
    assert env_secret("LG_SECRET", "default") == "from-file"
