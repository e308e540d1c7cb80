"""New-message notifications: one e-mail per message, without its content, only to confirmed
addresses that want it, and exactly once however often, concurrently or brokenly it runs."""

import os
import time
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.sealing import seal
from lifegate.inbox import mail as inbox_mail
from lifegate.inbox.mail import (
    ADDRESS_PURPOSE,
    MessageFileBackend,
    message_id_header,
    safe_file_name,
)
from lifegate.inbox.models import Mailbox, Message
from lifegate.inbox.notifications import NEW_MESSAGE, notify, notify_pending
from lifegate.inbox.sending import send_message
from lifegate.inbox.tests.conftest import new_message
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = pytest.mark.django_db
ADDRESS = "noor@example.nl"
NOTIFY_TASK = "lifegate.inbox.tasks.notify_messages"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def give_address(
    persona: DemoPersona,
    address: str = ADDRESS,
    notify: str = "every",
    language: str = "en",
    confirmed: bool = True,
) -> None:
    """The persona's mailbox as the settings page leaves it."""
    sealed = seal(ADDRESS_PURPOSE, address)
    Mailbox.objects.update_or_create(
        recipient_hash=subject_hash(persona.subject),
        defaults={
            "email_sealed": sealed if confirmed else "",
            "pending_email_sealed": "" if confirmed else sealed,
            "email_verified_at": timezone.now() if confirmed else None,
            "notify": notify,
            "notify_language": language,
        },
    )


def send(
    agency: PublicOrganisation, persona: DemoPersona, key: str = "k1", **fields: Any
) -> Message:
    result = send_message(
        agency, new_message(persona, key, **fields), actor=Actor("agency", agency.slug)
    )
    assert result.message_id is not None, result.problem
    return Message.objects.get(pk=result.message_id)


def expire_leases() -> None:
    """Let the lease of a dead worker run out."""
    Message.objects.exclude(mail_lease_until=None).update(
        mail_lease_until=timezone.now() - timedelta(seconds=1)
    )


def assert_content_free(email: EmailMessage, message: Message, persona: DemoPersona) -> None:
    text = f"{email.subject}\n{email.body}\n{email.message().as_string()}"
    for secret in (message.subject, "aangifte", "aanslag", persona.subject.value, str(message.pk)):
        assert secret not in text
    assert message.organisation.name_nl not in text and message.organisation.slug not in text


def test_a_new_message_is_e_mailed_once_without_content_or_identifiers(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    give_address(persona)
    message = send(agency, persona)

    assert notify([str(message.pk)]) == 1

    [email] = mail.outbox
    assert email.to == [ADDRESS]
    assert "http://127.0.0.1:8000/inbox/" in email.body
    assert email.subject == "New post in your lifegate message box"
    assert_content_free(email, message, persona)
    message.refresh_from_db()
    assert (message.notification_state, message.mail_lease_until) == ("sent", None)
    assert message.notified_at is not None
    [record] = ProcessingRecord.objects.filter(name="inbox.notify")
    assert record.data_subject_hash == subject_hash(persona.subject)
    assert record.processing_activity_id == "inbox-notification"


def test_running_notify_again_sends_nothing_more(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    give_address(personas["parent"])
    ids = [str(send(agency, personas["parent"], key).pk) for key in ("a", "b")]

    assert notify(ids) == 2
    assert notify(ids) == 0
    assert notify(ids + ids) == 0

    assert len(mail.outbox) == 2
    assert ProcessingRecord.objects.filter(name="inbox.notify").count() == 2


class SecondWorkerBackend(MemoryBackend):
    """While the first worker sends its first e-mail, a second worker runs the same task."""

    ids: list[str] = []
    second_run: int | None = None

    def send_messages(self, messages: Any) -> int:
        if SecondWorkerBackend.second_run is None:
            SecondWorkerBackend.second_run = -1  # the second worker's own sends go straight on
            SecondWorkerBackend.second_run = notify(SecondWorkerBackend.ids)
        return super().send_messages(messages)


@override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.SecondWorkerBackend"}})
def test_a_second_worker_at_the_same_time_sends_no_message_twice(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    give_address(personas["parent"])
    SecondWorkerBackend.ids = [str(send(agency, personas["parent"], k).pk) for k in "abc"]
    SecondWorkerBackend.second_run = None

    first = notify(SecondWorkerBackend.ids)

    assert SecondWorkerBackend.second_run == 0  # the first worker had claimed every message
    assert first == 3 and len(mail.outbox) == 3
    assert Message.objects.filter(notification_state="sent").count() == 3


@pytest.mark.parametrize(
    ("preference", "category", "action_required_by", "state"),
    [
        ("every", "announcement", None, "sent"),
        ("important", "announcement", None, "skipped"),
        ("important", "decision", None, "sent"),
        ("important", "information-request", date(2027, 1, 31), "sent"),
        ("never", "decision", date(2027, 1, 31), "skipped"),
    ],
)
def test_the_preference_decides_which_messages_are_e_mailed(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    preference: str,
    category: str,
    action_required_by: date | None,
    state: str,
) -> None:
    give_address(personas["parent"], notify=preference)
    message = send(
        agency, personas["parent"], category=category, action_required_by=action_required_by
    )

    notify([str(message.pk)])

    message.refresh_from_db()
    assert message.notification_state == state
    assert len(mail.outbox) == (1 if state == "sent" else 0)
    assert (message.notified_at is not None) == (state == "sent")


def test_an_address_waiting_for_confirmation_gets_nothing(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    give_address(personas["parent"], confirmed=False)
    message = send(agency, personas["parent"])
    other = send(agency, personas["single-parent"], "other")  # no address at all

    assert notify([str(message.pk), str(other.pk)]) == 0

    assert mail.outbox == []
    assert set(Message.objects.values_list("notification_state", flat=True)) == {"skipped"}
    assert not ProcessingRecord.objects.filter(name="inbox.notify").exists()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_e_mail_is_in_the_language_the_person_chose(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, language: str
) -> None:
    give_address(personas["parent"], language=language)
    with translation.override("en" if language == "nl" else "nl"):  # not the page's language
        notify([str(send(agency, personas["parent"]).pk)])

    [email] = mail.outbox
    assert email.extra_headers["Content-Language"] == language
    with translation.override(language):
        assert email.subject == gettext("New post in your lifegate message box")


# A worker killed at any moment ---------------------------------------------------------------


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: no except clause of the code under test catches it, so the
    database is left exactly as it was at that moment."""


class DyingFileBackend(MessageFileBackend):
    """The embedded mail backend on a machine that dies just before (`after_writing` False)
    or just after writing the `die_at`-th e-mail."""

    die_at = 0
    after_writing = False
    written = 0

    def _write(self, email: EmailMessage) -> None:
        DyingFileBackend.written += 1
        if DyingFileBackend.written == DyingFileBackend.die_at and not self.after_writing:
            raise WorkerKilled
        super()._write(email)
        if DyingFileBackend.written == DyingFileBackend.die_at:
            raise WorkerKilled


@pytest.fixture
def mail_dir(tmp_path: Path) -> Any:
    backend = f"{__name__}.DyingFileBackend"
    options = {"file_path": str(tmp_path)}
    DyingFileBackend.written = 0
    with override_settings(MAILERS={"default": {"BACKEND": backend, "OPTIONS": options}}):
        yield tmp_path


@pytest.mark.parametrize("after_writing", [False, True])
@pytest.mark.parametrize("die_at", [1, 2, 3])
def test_a_worker_killed_while_sending_leaves_exactly_one_e_mail_per_message(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    mail_dir: Path,
    die_at: int,
    after_writing: bool,
) -> None:
    give_address(personas["parent"])
    ids = [str(send(agency, personas["parent"], key).pk) for key in "abc"]
    DyingFileBackend.die_at, DyingFileBackend.after_writing = die_at, after_writing

    with pytest.raises(WorkerKilled):
        notify(ids)
    assert notify(ids) == 0  # within the lease the dead worker still holds them
    expire_leases()
    notify(ids)

    files = sorted(path.name for path in mail_dir.glob("*.eml"))
    expected = sorted(safe_file_name(message_id_header("new-message", pk)) + ".eml" for pk in ids)
    assert files == expected  # no second copy
    assert list((mail_dir / ".incoming").iterdir()) == []
    assert Message.objects.filter(notification_state="sent").count() == 3
    assert ProcessingRecord.objects.filter(name="inbox.notify").count() == 3


class SlowFileBackend(MessageFileBackend):
    """A worker so slow that its lease runs out while it sends: another one takes over."""

    ids: list[str] = []
    took_over: int | None = None

    def _write(self, email: EmailMessage) -> None:
        if SlowFileBackend.took_over is None:
            SlowFileBackend.took_over = -1
            expire_leases()
            SlowFileBackend.took_over = notify(SlowFileBackend.ids)
        super()._write(email)


def test_a_worker_slower_than_its_lease_does_not_mark_or_record_twice(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, tmp_path: Path
) -> None:
    give_address(personas["parent"])
    SlowFileBackend.ids = [str(send(agency, personas["parent"], key).pk) for key in "abc"]
    SlowFileBackend.took_over = None
    mailer = {"BACKEND": f"{__name__}.SlowFileBackend", "OPTIONS": {"file_path": str(tmp_path)}}

    with override_settings(MAILERS={"default": mailer}):
        slow = notify(SlowFileBackend.ids)

    assert (SlowFileBackend.took_over, slow) == (3, 0)
    assert len(list(tmp_path.glob("*.eml"))) == 3
    assert ProcessingRecord.objects.filter(name="inbox.notify").count() == 3


def test_the_file_backend_replaces_an_e_mail_sent_again(tmp_path: Path) -> None:
    backend = MessageFileBackend(file_path=str(tmp_path))
    first = EmailMessage(
        "One", "first", "a@lifegate.test", ["b@example.nl"], headers={"Message-ID": "<x/1@t>"}
    )
    again = EmailMessage(
        "One", "again", "a@lifegate.test", ["b@example.nl"], headers={"Message-ID": "<x/1@t>"}
    )
    other = EmailMessage("Two", "other", "a@lifegate.test", ["b@example.nl"])

    assert backend.send_messages([first, other]) == 2
    assert backend.send_messages([again]) == 1

    assert len(list(tmp_path.glob("*.eml"))) == 2
    assert (tmp_path / "x_1@t.eml").read_bytes().rstrip().endswith(b"again")


def test_the_file_backend_removes_what_a_killed_process_left_half_written(
    tmp_path: Path,
) -> None:
    incoming = tmp_path / ".incoming"
    incoming.mkdir()
    abandoned, current = incoming / "a.tmp", incoming / "b.tmp"
    abandoned.write_bytes(b"half an e-m")
    current.write_bytes(b"being writ")
    two_hours_ago = time.time() - 7200
    os.utime(abandoned, (two_hours_ago, two_hours_ago))

    with MessageFileBackend(file_path=str(tmp_path)):
        pass

    assert sorted(incoming.iterdir()) == [current]


# The safety net ------------------------------------------------------------------------------


def test_the_sweep_enqueues_only_messages_left_waiting(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    old = timezone.now() - timedelta(minutes=30)
    waiting, _recent, held, done = (send(agency, persona, key) for key in "abcd")
    Message.objects.filter(pk__in=[waiting.pk, held.pk, done.pk]).update(sent_at=old)
    Message.objects.filter(pk=held.pk).update(
        mail_lease_until=timezone.now() + timedelta(minutes=1)
    )
    Message.objects.filter(pk=done.pk).update(notification_state="sent")
    DBTaskResult.objects.all().delete()  # the tasks the sends queued were lost

    assert notify_pending() == 1
    [queued] = DBTaskResult.objects.filter(task_path=NOTIFY_TASK)
    assert queued.args_kwargs["args"] == [[str(waiting.pk)]]
    # While that task waits in the queue, the sweep adds nothing.
    assert notify_pending() == 0
    assert DBTaskResult.objects.filter(task_path=NOTIFY_TASK).count() == 1


def test_the_sweep_command_reports_what_it_enqueued(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    message = send(agency, personas["parent"])
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(minutes=6))
    DBTaskResult.objects.all().delete()  # the task the send queued was lost
    out = StringIO()

    call_command("notify_pending", "--older-than", "5", stdout=out)

    assert "1 messages enqueued for notification" in out.getvalue()


@override_settings(TASKS=IMMEDIATE)
def test_sending_a_message_e_mails_the_person_after_commit(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    give_address(personas["parent"])
    with django_capture_on_commit_callbacks(execute=True):
        message = send(agency, personas["parent"])
        assert mail.outbox == []  # nothing leaves before the message is stored

    assert len(mail.outbox) == 1
    assert Message.objects.get(pk=message.pk).notification_state == "sent"


def test_a_claim_late_in_a_long_run_is_leased_from_the_clock_at_that_moment(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, monkeypatch: Any
) -> None:
    """A run that started long ago must not hand out leases that ended already (another
    worker would take the messages over while they are being e-mailed)."""
    give_address(personas["parent"])
    message = send(agency, personas["parent"], "late")
    run_started = timezone.now()
    later = run_started + timedelta(seconds=400)
    monkeypatch.setattr(inbox_mail.timezone, "now", lambda: later)

    lease, claimed, _more = inbox_mail._claim(
        NEW_MESSAGE, Message.objects.filter(pk=message.pk), run_started
    )

    assert [c.message.pk for c in claimed] == [message.pk]
    assert lease > later
    assert Message.objects.get(pk=message.pk).mail_lease_until == lease
