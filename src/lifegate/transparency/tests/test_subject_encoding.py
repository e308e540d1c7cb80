"""The processing log's subject encoding is frozen: a pinned value per key guards it."""

from lifegate.core.subject import Subject
from lifegate.transparency.services import decrypt_subject, encrypt_subject, subject_hash


def test_the_subject_hash_is_stable_for_a_given_key(settings):
    settings.LIFEGATE_SUBJECT_KEY = "a-fixed-key-for-this-test-only-0123456789"
    expected = subject_hash(Subject("bsn", "999990019"))
    assert expected == subject_hash(Subject("bsn", "999990019"))
    # Pinned: if this changes, every stored record becomes unfindable.
    assert expected == PINNED_HASH


def test_ciphertexts_round_trip(settings):
    settings.LIFEGATE_SUBJECT_KEY = "a-fixed-key-for-this-test-only-0123456789"
    subject = Subject("eidas", "EE/NL/38001085718")
    assert decrypt_subject(encrypt_subject(subject)) == subject


PINNED_HASH = "d97c497c3c49504ea0bb8f57eb0eac15a93eb4394556048359ec9ebe35fa927a"
