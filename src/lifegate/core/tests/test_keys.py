"""Signing keys are generated once, kept private on disk and published without private parts."""

import json
import stat
import threading

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, KeySet

from lifegate.core import keys


@pytest.fixture
def key_dir(tmp_path, settings):
    directory = tmp_path / "keys"
    settings.LIFEGATE_KEY_DIR = directory
    return directory


def test_it_generates_a_p256_signing_key_with_a_thumbprint_kid(key_dir):
    key = keys.signing_key("credentials")

    assert isinstance(key, ECKey)
    assert key.is_private
    assert key.as_dict()["crv"] == "P-256"
    assert key.alg == "ES256"
    assert key.kid == ECKey.import_key(key.as_dict(private=False)).thumbprint()


def test_the_key_file_is_readable_by_the_owner_only(key_dir):
    keys.signing_key("credentials")

    path = key_dir / "credentials.jwk.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "d" in json.loads(path.read_text())
    assert [p.name for p in key_dir.iterdir()] == ["credentials.jwk.json"]


def test_the_same_key_comes_back_also_after_a_restart(key_dir):
    first = keys.signing_key("node")
    keys._cache.clear()

    again = keys.signing_key("node")

    assert again.kid == first.kid
    assert again.as_dict(private=True) == first.as_dict(private=True)


def test_each_name_has_its_own_key(key_dir):
    assert keys.signing_key("a").kid != keys.signing_key("b").kid


def test_the_jwks_holds_public_keys_that_verify_signatures(key_dir):
    signed = jws.serialize_compact({"alg": "ES256"}, b"hello", keys.signing_key("a"))

    document = keys.public_jwks("a", "b")

    assert [key["kid"] for key in document["keys"]] == [keys.signing_key(n).kid for n in ("a", "b")]
    assert all("d" not in key for key in document["keys"])
    public = KeySet.import_key_set(document).get_by_kid(keys.signing_key("a").kid)
    assert jws.deserialize_compact(signed, public).payload == b"hello"


def test_concurrent_first_use_ends_with_one_key(key_dir):
    path = key_dir / "race.jwk.json"
    results: list[ECKey] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        results.append(keys._create(path))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    on_disk = ECKey.import_key(json.loads(path.read_text()))
    assert {key.thumbprint() for key in results} == {on_disk.thumbprint()}
    assert [p.name for p in key_dir.iterdir()] == ["race.jwk.json"]


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "UPPER", ".hidden"])
def test_it_refuses_names_that_are_not_plain(key_dir, name):
    with pytest.raises(ValueError):
        keys.signing_key(name)


def test_a_public_key_file_is_not_accepted_as_a_signing_key(key_dir):
    key_dir.mkdir()
    public = ECKey.generate_key("P-256").as_dict(private=False)
    (key_dir / "public.jwk.json").write_text(json.dumps(public))

    with pytest.raises(ValueError):
        keys.signing_key("public")
