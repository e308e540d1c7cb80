"""Token Status List: the specification's examples, get/set for every bit size, and signed
Status List Tokens with their rejections."""

import json
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc.jwk import ECKey

from lifegate.credentials import compact
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.statuslist import (
    INVALID,
    MAX_LIST_BYTES,
    SUSPENDED,
    VALID,
    StatusList,
    sign_status_list,
    verify_status_list,
)
from lifegate.credentials.tests.sdjwt_fixtures import ISSUER, ISSUER_KEY, NOW, OTHER_KEY

EXAMPLES = Path("/work/shared/reference/token-status-list-examples")
URI = "https://lifegate.example/statuslists/1"
SIZE = 2**20

# The specification's test vectors (draft-ietf-oauth-status-list, "Test vectors for Status
# List encoding"): every entry not named is 0.
ONE_BIT = dict.fromkeys(
    [0, 1993, 25460, 159495, 495669, 554353, 645645, 723232, 854545, 934534, 1000345], 1
)
TWO_BITS = {
    0: 1,
    1993: 2,
    25460: 1,
    159495: 3,
    495669: 1,
    554353: 1,
    645645: 2,
    723232: 1,
    854545: 1,
    934534: 2,
    1000345: 3,
}
FOUR_BITS = {
    0: 1,
    1993: 2,
    35460: 3,
    459495: 4,
    595669: 5,
    754353: 6,
    845645: 7,
    923232: 8,
    924445: 9,
    934534: 10,
    1004534: 11,
    1000345: 12,
    1030203: 13,
    1030204: 14,
    1030205: 15,
}
# status[EIGHT_BITS_INDEX[v]] = v for v in 0..255
EIGHT_BITS_INDEX = [
    233478, 52451, 576778, 513575, 468106, 292632, 214947, 182323, 884834, 66653, 62489,
    196493, 458517, 487925, 55649, 416992, 879796, 462297, 942059, 583408, 13628, 334829,
    886286, 713557, 582738, 326064, 451545, 705889, 214350, 194502, 796765, 202828, 752834,
    721327, 554740, 91122, 963483, 261779, 793844, 165255, 614839, 758403, 403258, 145867,
    96100, 477937, 606890, 167335, 488197, 211815, 797182, 582952, 950870, 765108, 341110,
    776325, 745056, 439368, 559893, 149741, 358903, 513405, 342679, 969429, 795775, 566121,
    460566, 680070, 117310, 480348, 67319, 661552, 841303, 561493, 138807, 442463, 659927,
    445910, 1046963, 829700, 962282, 299623, 555493, 292826, 517215, 551009, 898490, 837603,
    759161, 459948, 290102, 1034977, 190650, 98810, 229950, 320531, 335506, 885333, 133227,
    806915, 800313, 981571, 527253, 24077, 240232, 559572, 713399, 233941, 615514, 911768,
    331680, 951527, 6805, 552366, 374660, 223159, 625884, 417146, 320527, 784154, 338792,
    1199, 679804, 1024680, 40845, 234603, 761225, 644903, 502167, 121477, 505144, 165165,
    179628, 1019195, 145149, 263738, 269256, 996739, 346296, 555864, 887384, 444173, 421844,
    653716, 836747, 783119, 918762, 946835, 253764, 519895, 471224, 134272, 709016, 44112,
    482585, 461829, 15080, 148883, 123467, 480125, 141348, 65877, 692958, 148598, 499131,
    584009, 1017987, 449287, 277478, 991262, 509602, 991896, 853666, 399318, 197815, 203278,
    903979, 743015, 888308, 862143, 979421, 113605, 206397, 127113, 844358, 711569, 229153,
    521470, 401793, 398896, 940810, 293983, 884749, 384802, 584151, 970201, 523882, 158093,
    929312, 205329, 106091, 30949, 195586, 495723, 348779, 852312, 1018463, 1009481, 448260,
    841042, 122967, 345269, 794764, 4520, 818773, 556171, 954221, 598210, 887110, 1020623,
    324632, 398244, 622241, 456551, 122648, 127837, 657676, 119884, 105156, 999897, 330160,
    119285, 168005, 389703, 143699, 142524, 493258, 846778, 251420, 516351, 83344, 171931,
    879178, 663475, 546865, 428362, 658891, 500560, 557034, 830023, 274471, 629139, 958869,
    663071, 152133, 19535,
]  # fmt: skip
EIGHT_BITS = {index: value for value, index in enumerate(EIGHT_BITS_INDEX)}

# The key the specification's example Status List Token is signed with (public part).
SPEC_EXAMPLE_KEY: dict[str, Any] = {
    "kty": "EC",
    "crv": "P-256",
    "x": "I3HWm_0Ds1dPMI-IWmf4mBmH-YaeAVbPVu7vB27CxXo",
    "y": "6N_d5Elj9bs1htgV3okJKIdbHEpkgTmAluYKJemzn1M",
}
SPEC_SHORT_ONE_BIT = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
SPEC_SHORT_TWO_BITS = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]


def example_claim(name: str) -> dict[str, object]:
    """The {"bits", "lst"} object of an example file (its lines wrapped for print)."""
    text = "".join((EXAMPLES / name).read_text().split())
    return json.loads(text[text.index("{") :])


def built(bits: int, values: dict[int, int], size: int = SIZE) -> StatusList:
    status_list = StatusList(bits, size)
    for index, value in values.items():
        status_list.set(index, value)
    return status_list


# -- the specification's examples ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected_bytes", "statuses"),
    [
        ("status_list_encoding_json.md", bytes([0xB9, 0xA3]), SPEC_SHORT_ONE_BIT),
        ("status_list_encoding2_json.md", bytes([0xC9, 0x44, 0xF9]), SPEC_SHORT_TWO_BITS),
    ],
)
def test_the_short_examples_decode_to_their_statuses(name, expected_bytes, statuses):
    status_list = StatusList.decode(example_claim(name))

    assert status_list.to_bytes() == expected_bytes
    assert [status_list.get(i) for i in range(len(statuses))] == statuses
    assert StatusList.decode(status_list.encode()) == status_list


@pytest.mark.parametrize(
    ("name", "bits", "values"),
    [
        ("status_list_encoding1_long_json.md", 1, ONE_BIT),
        ("status_list_encoding2_long_json.md", 2, TWO_BITS),
        ("status_list_encoding4_json.md", 4, FOUR_BITS),
        ("status_list_encoding8_json.md", 8, EIGHT_BITS),
    ],
)
def test_the_long_examples_decode_and_reencode_to_their_statuses(name, bits, values):
    status_list = StatusList.decode(example_claim(name))

    # Equal to a list built from the specification's values: every other entry is 0.
    assert status_list == built(bits, values)
    assert all(status_list.get(index) == value for index, value in values.items())
    reencoded = status_list.encode()
    assert reencoded["bits"] == bits
    assert StatusList.decode(reencoded) == status_list


def test_the_example_token_verifies_with_the_example_key():
    raw = "".join((EXAMPLES / "status_list_jwt_raw.md").read_text().split())
    example_key = ECKey.import_key(SPEC_EXAMPLE_KEY)

    status_list = verify_status_list(
        raw,
        uri="https://example.com/statuslists/1",
        key_for=lambda issuer, kid: example_key if kid == "12" else None,
        now=1686920170 + 3600,
    )

    assert [status_list.get(i) for i in range(16)] == SPEC_SHORT_ONE_BIT


# -- get and set -------------------------------------------------------------------------------


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_every_entry_keeps_its_own_status(bits):
    size = 37
    status_list = StatusList(bits, size)
    expected = [(index * 7 + 3) % (1 << bits) for index in range(size)]

    for index, status in enumerate(expected):
        status_list.set(index, status)

    assert [status_list.get(index) for index in range(size)] == expected
    status_list.set(5, VALID)
    expected[5] = VALID
    # Clearing one entry leaves its neighbours in the same byte alone.
    assert [status_list.get(index) for index in range(size)] == expected
    decoded = StatusList.decode(status_list.encode())
    assert [decoded.get(index) for index in range(size)] == expected


def test_the_bit_layout_is_the_specifications():
    status_list = StatusList(2, 4)
    status_list.set(0, INVALID)
    status_list.set(3, SUSPENDED)

    assert status_list.to_bytes() == bytes([0b10_00_00_01])
    assert (VALID, INVALID, SUSPENDED) == (0, 1, 2)


@pytest.mark.parametrize(("bits", "status"), [(1, 2), (2, 4), (4, 16), (8, 256), (8, -1)])
def test_a_status_too_wide_for_the_list_is_refused(bits, status):
    with pytest.raises(ValueError):
        StatusList(bits, 8).set(0, status)


@pytest.mark.parametrize("index", [-1, 8])
def test_an_index_outside_the_list_is_refused(index):
    with pytest.raises(IndexError):
        StatusList(1, 8).get(index)


@pytest.mark.parametrize("bits", [0, 3, 16])
def test_only_1_2_4_and_8_bits_exist(bits):
    with pytest.raises(ValueError):
        StatusList(bits, 8)


def test_a_list_read_from_bytes_is_its_own_copy_of_them():
    data = bytearray([0b10_00_00_01, 0])
    status_list = StatusList.from_bytes(2, bytes(data))
    status_list.set(4, INVALID)

    assert (status_list.size, status_list.get(0), status_list.get(3)) == (8, INVALID, SUSPENDED)
    assert StatusList.from_bytes(2, bytes(data)).get(4) == VALID
    with pytest.raises(ValueError):
        StatusList.from_bytes(3, bytes(data))
    with pytest.raises(ValueError):
        StatusList.from_bytes(1, bytes(MAX_LIST_BYTES + 1))


# -- signed Status List Tokens ----------------------------------------------------------------


def token(status_list: StatusList | None = None, **overrides: object) -> str:
    arguments: dict[str, object] = {
        "uri": URI,
        "issuer": ISSUER,
        "key": ISSUER_KEY,
        "issued_at": NOW,
        "ttl_seconds": 3600,
        "expires_at": NOW + 86400,
    }
    arguments.update(overrides)
    return sign_status_list(status_list or built(2, {7: SUSPENDED, 9: INVALID}, 64), **arguments)  # type: ignore[arg-type]


def verified(text: str | bytes, **overrides: object) -> StatusList:
    arguments: dict[str, object] = {
        "uri": URI,
        "key_for": lambda issuer, kid: ISSUER_KEY if issuer == ISSUER else None,
        "now": NOW + 60,
    }
    arguments.update(overrides)
    return verify_status_list(text, **arguments)  # type: ignore[arg-type]


def unavailable(text: str | bytes, **overrides: object) -> str:
    with pytest.raises(CredentialRejected) as caught:
        verified(text, **overrides)
    assert caught.value.code == "status-unavailable"
    return caught.value.detail


def test_a_signed_status_list_round_trips():
    status_list = verified(token())

    assert status_list.get(7) == SUSPENDED
    assert status_list.get(9) == INVALID
    assert status_list.get(8) == VALID


def test_the_token_carries_the_claims_a_verifier_caches_by():
    header_segment, payload_segment, _ = token().split(".")

    header = json.loads(compact.b64url_decode(header_segment, "header"))
    payload = json.loads(compact.b64url_decode(payload_segment, "payload"))

    assert header == {"alg": "ES256", "typ": "statuslist+jwt", "kid": ISSUER_KEY.kid}
    assert payload["sub"] == URI
    assert payload["iss"] == ISSUER
    assert (payload["iat"], payload["exp"], payload["ttl"]) == (NOW, NOW + 86400, 3600)
    assert payload["status_list"]["bits"] == 2


def test_a_token_for_another_list_is_refused():
    assert "sub" in unavailable(token(uri="https://lifegate.example/statuslists/2"))


def test_an_expired_token_is_refused():
    assert "expired" in unavailable(token(), now=NOW + 86400 + 3600)


def test_a_token_dated_in_the_future_is_refused():
    assert "future" in unavailable(token(issued_at=NOW + 3600))


def test_a_token_signed_by_another_key_is_refused():
    assert "signature" in unavailable(token(key=OTHER_KEY))


def test_a_token_of_an_unknown_issuer_is_refused():
    assert "trusted key" in unavailable(token(issuer="https://elsewhere.example"))


def test_a_token_of_another_type_is_refused():
    header = {"alg": "ES256", "typ": "JWT", "kid": ISSUER_KEY.kid}
    payload = {"iss": ISSUER, "sub": URI, "iat": NOW, "status_list": StatusList(1, 8).encode()}

    assert "typ" in unavailable(compact.sign(header, payload, ISSUER_KEY))


@pytest.mark.parametrize(
    "claim",
    [
        None,
        {"bits": 3, "lst": "eNrbuRgAAhcBXQ"},
        {"bits": True, "lst": "eNrbuRgAAhcBXQ"},
        {"bits": 1, "lst": 5},
        {"bits": 1, "lst": "not base64!"},
        {"bits": 1, "lst": "AAAA"},
        {"bits": 1, "lst": "eNrbuRgAAhcB"},
    ],
)
def test_a_damaged_status_list_claim_is_refused(claim):
    header = {"alg": "ES256", "typ": "statuslist+jwt", "kid": ISSUER_KEY.kid}
    payload = {"iss": ISSUER, "sub": URI, "iat": NOW, "status_list": claim}

    unavailable(compact.sign(header, payload, ISSUER_KEY))


def test_a_decompression_bomb_is_refused():
    bomb = compact.b64url_encode(zlib.compress(bytes(17 * 1024 * 1024), 9))
    header = {"alg": "ES256", "typ": "statuslist+jwt", "kid": ISSUER_KEY.kid}
    payload = {"iss": ISSUER, "sub": URI, "iat": NOW, "status_list": {"bits": 1, "lst": bomb}}

    assert "larger" in unavailable(compact.sign(header, payload, ISSUER_KEY))


@settings(max_examples=100, deadline=None, database=None)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_random_input_is_refused_cleanly(garbage):
    unavailable(garbage)
