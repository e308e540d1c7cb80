import pytest

from lifegate.core.sealing import UnsealError, seal, unseal


def test_a_sealed_value_opens_only_for_its_purpose():
    token = seal("session", "bsn:999990019")
    assert "999990019" not in token
    assert unseal("session", token) == "bsn:999990019"
    with pytest.raises(UnsealError):
        unseal("processing-log", token)


def test_sealing_twice_gives_different_tokens():
    assert seal("session", "x") != seal("session", "x")


def test_a_tampered_token_is_refused():
    token = seal("session", "bsn:999990019")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(UnsealError):
        unseal("session", tampered)
    with pytest.raises(UnsealError):
        unseal("session", "not base64 at all!")


def test_a_different_key_cannot_open_it(settings):
    token = seal("session", "secret")
    settings.LIFEGATE_SUBJECT_KEY = "another key"
    with pytest.raises(UnsealError):
        unseal("session", token)
