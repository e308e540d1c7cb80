"""The agency messages API, sending many: a bulk send in one JSON request, and a streamed NDJSON
upload. Every message is checked on its own; a bad one never stops the others."""

import io
import json
from itertools import cycle
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import resolve

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox import api_agency_bulk
from lifegate.inbox.api_agency_schemas import BulkSendOut
from lifegate.inbox.models import Mailbox, Message
from lifegate.inbox.tests.test_agency_api_send import make_token, message_json, problem
from lifegate.registries.models import RegisteredPerson
from lifegate.registries.personas import DemoPersona

pytestmark = pytest.mark.django_db
API = "/api/agency/messages"


@pytest.fixture
def token(agency: PublicOrganisation) -> str:
    return make_token(agency)


def bulk(client: Client, token: str, body: Any, content_type: str = "application/json") -> Any:
    return client.post(
        API + "/bulk", body, content_type=content_type, headers={"Authorization": f"Bearer {token}"}
    )


def stream(client: Client, token: str, lines: list[str], content_type: str = "") -> Any:
    return client.post(
        API + "/stream",
        "\n".join(lines) + "\n",
        content_type=content_type or "application/x-ndjson",
        headers={"Authorization": f"Bearer {token}"},
    )


def item(persona: DemoPersona, key: str, **fields: Any) -> dict[str, Any]:
    return message_json(persona, idempotency_key=key, attachments=[]) | fields


def result_lines(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/x-ndjson"
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


# Bulk -------------------------------------------------------------------------------------


def test_bulk_with_good_and_bad_messages_sends_the_good_ones_and_gives_each_bad_one_its_problem(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    parent = personas["parent"]
    messages = [
        item(parent, "good-1"),
        item(parent, "no-such-person", recipient={"scheme": "bsn", "value": "111222333"}),
        item(parent, "wrong-category", category="spam"),
        item(parent, "html", body="<b>Let op</b>"),
        "not an object",
        message_json(parent),  # no idempotency_key
        item(personas["single-parent"], "good-2"),
    ]
    response = bulk(client, token, {"messages": messages})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["duplicates"], body["rejected"]) == (2, 0, 5)
    results = body["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["outcome"] for r in results] == [
        "created", "rejected", "rejected", "rejected", "rejected", "rejected", "created",
    ]  # fmt: skip
    assert [r.get("problem", {}).get("status") for r in results] == [
        None, 404, 400, 422, 400, 400, None,
    ]  # fmt: skip
    assert results[2]["idempotency_key"] == "wrong-category"
    assert [e["location"] for e in results[2]["problem"]["errors"]] == ["category"]
    assert "idempotency_key" in [e["location"] for e in results[5]["problem"]["errors"]]
    assert "idempotency_key" not in results[5]
    created = Message.objects.in_bulk([results[0]["message_id"], results[6]["message_id"]])
    assert {m.idempotency_key for m in created.values()} == {"good-1", "good-2"}
    assert Message.objects.count() == 2
    assert "111222333" not in response.content.decode()


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": "Aanslag \ud800"},
        {"body": "Zie \udfff de bijlage."},
        {"idempotency_key": "key-\ud83d"},
        {"recipient": {"scheme": "bsn", "value": "\ud800"}},
    ],
)
def test_an_unpaired_surrogate_rejects_that_message_and_sends_the_others(
    client: Client, personas: dict[str, DemoPersona], token: str, fields: dict[str, Any]
) -> None:
    """Valid JSON, but text with no UTF-8 encoding: before, the database failed on it and the
    whole batch was a 500."""
    parent = personas["parent"]
    messages = [item(parent, "good-1"), item(parent, "odd") | fields, item(parent, "good-2")]
    response = bulk(client, token, json.dumps({"messages": messages}))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["rejected"]) == (2, 1)
    assert body["results"][1]["outcome"] == "rejected"
    assert body["results"][1]["problem"]["status"] in (400, 404, 422)
    assert set(Message.objects.values_list("idempotency_key", flat=True)) == {"good-1", "good-2"}


def test_sending_a_bulk_again_reports_duplicates_and_makes_no_new_messages(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    messages = [item(personas["parent"], f"key-{n}") for n in range(3)]
    first = bulk(client, token, {"messages": messages}).json()
    again = bulk(client, token, {"messages": messages}).json()
    assert (again["created"], again["duplicates"], again["rejected"]) == (0, 3, 0)
    assert [r["message_id"] for r in again["results"]] == [
        r["message_id"] for r in first["results"]
    ]
    assert Message.objects.count() == 3


def test_bulk_over_the_message_limit_returns_413_and_sends_nothing(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    messages = [item(personas["parent"], "same")] * 10_001
    body = problem(bulk(client, token, {"messages": messages}), 413)
    assert body["type"].endswith("/too-many-messages")
    assert not Message.objects.exists()


@override_settings(INBOX_BULK_MAX_BYTES=2000)
def test_bulk_above_the_request_size_limit_returns_413(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    messages = [item(personas["parent"], f"key-{n}") for n in range(10)]
    body = problem(bulk(client, token, {"messages": messages}), 413)
    assert body["type"].endswith("/request-too-large")
    assert not Message.objects.exists()


def test_a_rejection_without_a_usable_key_matches_the_documented_result_shape(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    # Found by the OpenAPI fuzz test: a malformed message's key over 200 characters is not
    # echoed, and the documented result had required one.
    overlong = item(personas["parent"], "k" * 201, category="spam")

    body = bulk(client, token, {"messages": [overlong, 17]}).json()

    assert [("idempotency_key" in r, r["outcome"]) for r in body["results"]] == [
        (False, "rejected"),
        (False, "rejected"),
    ]
    assert BulkSendOut.model_validate(body).rejected == 2
    assert "k" * 201 not in json.dumps(body)


@pytest.mark.parametrize(
    "body", ["{not json", "[" * 100_000, "[]", '{"messages": {}}', '{"message": []}']
)
def test_bulk_that_is_not_an_object_with_a_list_of_messages_returns_400(
    client: Client, token: str, body: str
) -> None:
    problem(bulk(client, token, body), 400)


def test_bulk_in_another_content_type_returns_415(client: Client, token: str) -> None:
    response = bulk(client, token, '{"messages": []}', content_type="text/plain")
    assert problem(response, 415)["type"].endswith("/unsupported-content-type")


def test_a_bulk_of_10000_messages_to_the_demo_population_is_sent_in_one_request(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    recipients = cycle(RegisteredPerson.objects.order_by("bsn").values_list("bsn", flat=True))
    messages = [
        {
            "recipient": {"scheme": "bsn", "value": next(recipients)},
            "subject": "Uw voorlopige aanslag 2027",
            "body": "De aanslag staat klaar.",
            "category": "announcement",
            "idempotency_key": f"va-2027-{n:05}",
        }
        for n in range(10_000)
    ]
    response = bulk(client, token, {"messages": messages})
    assert response.status_code == 200, response.content[:500]
    assert response.json()["created"] == 10_000
    assert Message.objects.count() == 10_000
    assert sum(Mailbox.objects.values_list("message_count", flat=True)) == 10_000


# Streamed upload --------------------------------------------------------------------------


def test_stream_sends_every_good_line_and_answers_a_malformed_line_in_its_place(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    parent = personas["parent"]
    lines = [
        json.dumps(item(parent, "line-1")),
        "[" * 100_000,  # nested too deep for the parser: this line only is rejected
        json.dumps(item(parent, "line-3", language="fr")),
        "",
        json.dumps(item(parent, "line-5", recipient={"scheme": "bsn", "value": "111222333"})),
        json.dumps(item(personas["single-parent"], "line-6")),
    ]
    results = result_lines(stream(client, token, lines))
    assert [(r["line"], r["outcome"]) for r in results[:-1]] == [
        (1, "created"), (2, "rejected"), (3, "rejected"), (5, "rejected"), (6, "created"),
    ]  # fmt: skip
    assert [r.get("problem", {}).get("status") for r in results[:-1]] == [
        None, 400, 400, 404, None,
    ]  # fmt: skip
    assert results[2]["idempotency_key"] == "line-3" and "idempotency_key" not in results[1]
    assert results[-1] == {"summary": {"lines": 6, "created": 2, "duplicates": 0, "rejected": 3}}
    assert set(Message.objects.values_list("idempotency_key", flat=True)) == {"line-1", "line-6"}


def test_stream_sends_in_chunks_through_one_call_per_chunk(
    client: Client,
    personas: dict[str, DemoPersona],
    token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    send = api_agency_bulk.send_messages

    def counting_send(organisation: Any, messages: Any, **kwargs: Any) -> Any:
        calls.append(len(messages))
        return send(organisation, messages, **kwargs)

    monkeypatch.setattr(api_agency_bulk, "send_messages", counting_send)
    monkeypatch.setattr(api_agency_bulk, "STREAM_CHUNK", 2)
    lines = [json.dumps(item(personas["parent"], f"key-{n}")) for n in range(5)]
    results = result_lines(stream(client, token, lines))
    assert calls == [2, 2, 1]
    assert [r["line"] for r in results[:-1]] == [1, 2, 3, 4, 5]
    assert Message.objects.count() == 5


class CountingStream:
    """The request stream, remembering the lines the endpoint has read so far."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.lines_read = stream, 0

    def readline(self, size: int = -1) -> bytes:
        line: bytes = self.stream.readline(size)
        self.lines_read += bool(line)
        return line


def test_stream_answers_the_first_chunk_before_reading_the_rest_of_the_upload(
    personas: dict[str, DemoPersona], token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_agency_bulk, "STREAM_CHUNK", 2)
    lines = [json.dumps(item(personas["parent"], f"key-{n}")) for n in range(6)]
    request = RequestFactory().post(
        API + "/stream",
        "\n".join(lines),
        content_type="application/x-ndjson",
        headers={"Authorization": f"Bearer {token}"},
    )
    stream = CountingStream(request._stream)
    request._stream = stream  # type: ignore[assignment]
    response = resolve(API + "/stream").func(request)
    results = iter(response.streaming_content)
    assert json.loads(next(results))["line"] == 1
    assert stream.lines_read == 2 and Message.objects.count() == 2
    assert json.loads(list(results)[-1])["summary"]["created"] == 6
    assert stream.lines_read == 6


def chunked_upload(token: str, body: bytes, server_ends_input: bool) -> Any:
    """A stream upload of unknown length, as a WSGI server hands it over."""
    request = RequestFactory().post(
        API + "/stream",
        body,
        content_type="application/x-ndjson",
        headers={"Authorization": f"Bearer {token}", "Transfer-Encoding": "chunked"},
    )
    request.META.pop("CONTENT_LENGTH", None)
    request.META["wsgi.input"] = io.BytesIO(body)
    request.META["wsgi.input_terminated"] = server_ends_input
    return resolve(API + "/stream").func(request)


def test_a_chunked_stream_upload_is_read_when_the_server_ends_the_input_itself(
    personas: dict[str, DemoPersona], token: str
) -> None:
    lines = [json.dumps(item(personas["parent"], f"key-{n}")) for n in range(3)]
    response = chunked_upload(token, "\n".join(lines).encode(), server_ends_input=True)
    assert result_lines(response)[-1]["summary"]["created"] == 3
    assert Message.objects.count() == 3


def test_a_chunked_stream_upload_the_server_cannot_end_returns_411_instead_of_nothing(
    personas: dict[str, DemoPersona], token: str
) -> None:
    line = json.dumps(item(personas["parent"], "key-1"))
    response = chunked_upload(token, line.encode(), server_ends_input=False)
    assert response.status_code == 411
    assert json.loads(response.content)["type"].endswith("/length-required")
    assert not Message.objects.exists()


def test_stream_again_reports_duplicates(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    lines = [json.dumps(item(personas["parent"], f"key-{n}")) for n in range(3)]
    result_lines(stream(client, token, lines))
    summary = result_lines(stream(client, token, lines))[-1]["summary"]
    assert (summary["created"], summary["duplicates"]) == (0, 3)
    assert Message.objects.count() == 3


@override_settings(INBOX_BULK_MAX_BYTES=1500)
def test_a_stream_line_above_the_size_limit_is_rejected_and_the_next_lines_are_sent(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    parent = personas["parent"]
    lines = [
        json.dumps(item(parent, "long", body="x" * 5000)),
        json.dumps(item(parent, "short")),
    ]
    results = result_lines(stream(client, token, lines))
    assert results[0]["line"] == 1 and results[0]["problem"]["status"] == 413
    assert (results[1]["line"], results[1]["outcome"]) == (2, "created")
    assert list(Message.objects.values_list("idempotency_key", flat=True)) == ["short"]


def test_a_stream_that_fails_half_way_ends_with_a_problem_line_and_keeps_what_was_sent(
    client: Client,
    personas: dict[str, DemoPersona],
    token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    send = api_agency_bulk.send_messages

    def failing_second_chunk(organisation: Any, messages: Any, **kwargs: Any) -> Any:
        if Message.objects.exists():
            raise RuntimeError("database went away")
        return send(organisation, messages, **kwargs)

    monkeypatch.setattr(api_agency_bulk, "send_messages", failing_second_chunk)
    monkeypatch.setattr(api_agency_bulk, "STREAM_CHUNK", 2)
    lines = [json.dumps(item(personas["parent"], f"key-{n}")) for n in range(4)]
    results = result_lines(stream(client, token, lines))
    assert [r["line"] for r in results[:-1]] == [1, 2]
    assert results[-1]["problem"]["status"] == 500
    assert Message.objects.count() == 2


def test_stream_in_another_content_type_returns_415(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    line = json.dumps(item(personas["parent"], "key-1"))
    problem(stream(client, token, [line], content_type="application/json"), 415)
    assert not Message.objects.exists()
