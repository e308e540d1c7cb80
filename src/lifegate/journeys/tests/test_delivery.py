"""Webhook delivery of submissions to a real HTTP server on localhost: a signed CloudEvent
without personal data, retries with growing waits, the dead-letter state, manual retry, and
never pushing twice once delivered."""

import base64
import hashlib
import hmac
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http
from cloudevents.core.formats.json import JSONFormat
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lifegate.journeys import agency, delivery
from lifegate.journeys.models import AgencyClient, Delivery, Submission
from lifegate.journeys.tasks import deliver
from lifegate.journeys.tests.agency_factories import (
    PERSON,
    Agencies,
    make_agencies,
    make_client,
    make_submission,
)

pytestmark = pytest.mark.django_db
TASK_PATH = "lifegate.journeys.tasks.deliver"


class Receiver:
    """An agency's webhook endpoint: records each request and answers with `status`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                receiver.requests.append(
                    {"headers": dict(self.headers.items()), "body": self.rfile.read(length)}
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def closed_port_url() -> Iterator[str]:
    """A localhost address nobody listens on. The port stays bound (without listening) for the
    whole test, so no other process, such as a parallel test's server, can take it meanwhile."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{probe.getsockname()[1]}/hook"


@pytest.fixture
def agencies() -> Agencies:
    return make_agencies()


def webhook_delivery(agencies: Agencies, url: str) -> Delivery:
    client, _ = make_client(agencies.mine, webhook_url=url, name="hook")
    submission = make_submission(agencies.service)
    [created] = delivery.schedule_deliveries(submission)
    assert created.client == client
    return created


def make_due(item: Delivery) -> None:
    """Let the time of the next attempt arrive."""
    Delivery.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())


def expected_signature(secret: str, headers: dict[str, str], body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def test_the_agency_receives_a_signed_cloudevent_without_personal_data(
    agencies: Agencies, receiver: Receiver
) -> None:
    item = webhook_delivery(agencies, receiver.url)
    assert deliver.call(str(item.pk)) == "delivered"

    [request] = receiver.requests
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["content-type"].startswith("application/cloudevents+json")
    event = from_http(HTTPMessage(headers, request["body"]), JSONFormat())
    submission = item.submission
    assert event.get_specversion() == "1.0"
    assert event.get_id() == str(item.pk)
    assert event.get_source() == "urn:nld:oin:00000001800000016000:systeem:lifegate"
    assert event.get_type() == "nl.lifegate.submission.submitted"
    assert event.get_subject() == str(submission.pk)
    assert event.get_datacontenttype() == "application/json"
    data = event.get_data()
    assert isinstance(data, dict)
    assert data["submission"] == str(submission.pk)
    assert data["links"]["submission"].endswith(f"/api/agency/submissions/{submission.pk}")
    assert PERSON.value not in request["body"].decode()
    assert "Noor" not in request["body"].decode()

    secret = agency.webhook_secret(item.client)
    assert secret.startswith("whsec_")
    assert headers["webhook-id"] == str(item.pk)
    assert headers["webhook-signature"] == expected_signature(secret, headers, request["body"])

    item.refresh_from_db()
    assert (item.state, item.attempts, item.last_error) == ("delivered", 1, "")
    assert item.delivered_at is not None


def test_a_delivered_submission_is_never_pushed_twice(
    agencies: Agencies, receiver: Receiver
) -> None:
    item = webhook_delivery(agencies, receiver.url)
    deliver.call(str(item.pk))
    make_due(item)
    assert deliver.call(str(item.pk)) == "skipped"
    assert delivery.schedule_deliveries(item.submission) == []
    assert len(receiver.requests) == 1
    assert Delivery.objects.count() == 1


@override_settings(JOURNEYS_DELIVERY_MAX_ATTEMPTS=4, JOURNEYS_DELIVERY_BASE_DELAY_SECONDS=60)
def test_a_failing_endpoint_is_retried_with_growing_waits_until_dead(
    agencies: Agencies, receiver: Receiver
) -> None:
    receiver.status = 500
    item = webhook_delivery(agencies, receiver.url)
    waits = []
    for attempt in range(1, 4):
        before = timezone.now()
        assert deliver.call(str(item.pk)) == "retrying"
        item.refresh_from_db()
        assert (item.attempts, item.last_error) == (attempt, "HTTP 500")
        assert item.next_attempt_at is not None
        waits.append(item.next_attempt_at - before)
        assert deliver.call(str(item.pk)) == "skipped"  # not due yet
        make_due(item)
    assert waits[0] >= timedelta(seconds=60)
    assert waits[0] < waits[1] < waits[2]
    assert deliver.call(str(item.pk)) == "dead"
    item.refresh_from_db()
    assert (item.state, item.attempts, item.next_attempt_at) == ("dead", 4, None)
    assert len(receiver.requests) == 4
    assert deliver.call(str(item.pk)) == "skipped"
    assert len(receiver.requests) == 4


def test_a_failed_attempt_enqueues_the_next_for_when_it_is_due(
    agencies: Agencies, closed_port_url: str, django_capture_on_commit_callbacks: Any
) -> None:
    item = webhook_delivery(agencies, closed_port_url)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver.call(str(item.pk)) == "retrying"
    item.refresh_from_db()
    assert item.last_error == "no answer (ConnectionError)"
    [queued] = DBTaskResult.objects.filter(task_path=TASK_PATH)
    assert queued.args_kwargs["args"] == [str(item.pk)]
    assert queued.run_after == item.next_attempt_at


@override_settings(JOURNEYS_DELIVERY_MAX_ATTEMPTS=1)
def test_a_dead_delivery_retried_by_hand_is_delivered_when_the_agency_is_back(
    agencies: Agencies, receiver: Receiver
) -> None:
    receiver.status = 503
    item = webhook_delivery(agencies, receiver.url)
    assert deliver.call(str(item.pk)) == "dead"
    receiver.status = 200
    delivery.retry_delivery(item)
    assert deliver.call(str(item.pk)) == "delivered"
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert ids == {str(item.pk)}  # the same event id: the agency can drop a repeat
    with pytest.raises(delivery.NotRetryable):
        delivery.retry_delivery(item)


@pytest.mark.parametrize("state", ["pending", "retrying"])
def test_a_delivery_whose_attempt_may_be_running_is_not_retried(
    agencies: Agencies, receiver: Receiver, state: str
) -> None:
    item = webhook_delivery(agencies, receiver.url)
    Delivery.objects.filter(pk=item.pk).update(state=state, attempts=2)

    with pytest.raises(delivery.NotRetryable):
        delivery.retry_delivery(item)

    item.refresh_from_db()
    assert (item.state, item.attempts) == (state, 2)


def test_deliveries_go_to_the_organisations_active_webhook_clients_once(
    agencies: Agencies, django_capture_on_commit_callbacks: Any
) -> None:
    hook, _ = make_client(agencies.mine, webhook_url="https://a.test/hook", name="a")
    make_client(agencies.mine, name="pull-only")
    inactive, _ = make_client(agencies.mine, webhook_url="https://b.test/hook", name="b")
    AgencyClient.objects.filter(pk=inactive.pk).update(active=False)
    make_client(agencies.mine, [AgencyClient.Scope.EVENTS], webhook_url="https://c.test", name="c")
    make_client(agencies.other, webhook_url="https://svb.test/hook", name="svb")
    submission = make_submission(agencies.service)
    with django_capture_on_commit_callbacks(execute=True):
        created = delivery.schedule_deliveries(submission)
        again = delivery.schedule_deliveries(submission)
    assert [d.client for d in created] == [hook]
    assert again == []
    queued = DBTaskResult.objects.filter(task_path=TASK_PATH)
    assert [row.args_kwargs["args"] for row in queued] == [[str(created[0].pk)]]


def test_an_inactive_clients_delivery_is_not_sent(agencies: Agencies, receiver: Receiver) -> None:
    item = webhook_delivery(agencies, receiver.url)
    AgencyClient.objects.update(active=False)
    assert deliver.call(str(item.pk)) == "dead"
    assert receiver.requests == []


def test_the_safety_net_enqueues_only_due_deliveries(agencies: Agencies) -> None:
    client, _ = make_client(agencies.mine, webhook_url="https://a.test/hook", name="a")
    now = timezone.now()

    def row(state: str, next_attempt_at: Any = None) -> Delivery:
        return Delivery.objects.create(
            submission=make_submission(agencies.service),
            client=client,
            state=state,
            next_attempt_at=next_attempt_at,
        )

    due = [row("pending"), row("retrying", now - timedelta(minutes=1))]
    row("retrying", now + timedelta(hours=1))
    row("dead")
    row("delivered")
    out = StringIO()
    call_command("retry_due_deliveries", stdout=out)
    assert "2 deliveries enqueued" in out.getvalue()
    queued = {
        row.args_kwargs["args"][0] for row in DBTaskResult.objects.filter(task_path=TASK_PATH)
    }
    assert queued == {str(d.pk) for d in due}


@override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
def test_submitting_with_an_immediate_task_backend_delivers_on_commit(
    agencies: Agencies, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    make_client(agencies.mine, webhook_url=receiver.url, name="hook")
    submission = make_submission(agencies.service)
    with django_capture_on_commit_callbacks(execute=True):
        [item] = delivery.schedule_deliveries(submission)
        assert receiver.requests == []  # nothing leaves before the submission is committed
    item.refresh_from_db()
    assert item.state == "delivered"
    assert len(receiver.requests) == 1
    assert Submission.objects.get(pk=submission.pk).status == "submitted"


@override_settings(
    JOURNEYS_DELIVERY_BASE_DELAY_SECONDS=60, JOURNEYS_DELIVERY_MAX_DELAY_SECONDS=3600
)
def test_waits_double_with_jitter_and_stop_growing_at_the_maximum() -> None:
    third = {delivery.backoff(3) for _ in range(50)}
    assert len(third) > 1  # jitter: agencies coming back are not hit all at once
    assert all(timedelta(seconds=240) <= wait <= timedelta(seconds=360) for wait in third)
    assert delivery.backoff(20) == timedelta(seconds=3600)
