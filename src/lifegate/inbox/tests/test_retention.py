"""Retention: expired messages go with their attachment files and off the mailbox counters;
important messages are warned about once before they go; tasks a killed worker left
"running" are taken over."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox.models import Attachment, Mailbox, Message, attachment_storage
from lifegate.inbox.retention import (
    ORPHAN_AGE,
    purge_expired,
    remove_orphan_files,
    warn_expiring,
)
from lifegate.inbox.tasks import notify_messages, recover_lost_tasks
from lifegate.inbox.tests.test_notifications import assert_content_free, give_address, send
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def expire(message: Message, when: timedelta = -DAY) -> None:
    Message.objects.filter(pk=message.pk).update(expires_at=timezone.now() + when)


def test_expired_messages_go_with_their_files_and_off_the_counters(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    unread_old, read_old, kept = (send(agency, persona, key) for key in ("a", "b", "c"))
    Message.objects.filter(pk=read_old.pk).update(unread=False)
    Mailbox.objects.filter(recipient_hash=subject_hash(persona.subject)).update(unread_count=2)
    expire(unread_old)
    expire(read_old)
    files = [
        str(name)
        for name in Attachment.objects.filter(message__in=[unread_old, read_old]).values_list(
            "file", flat=True
        )
    ]
    storage = attachment_storage()
    assert len(files) == 2 and all(storage.exists(name) for name in files)

    assert purge_expired() == 2
    assert purge_expired() == 0

    assert list(Message.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not any(storage.exists(name) for name in files)
    assert storage.exists(str(Attachment.objects.get(message=kept).file.name))
    box = Mailbox.objects.get(recipient_hash=subject_hash(persona.subject))
    assert (box.message_count, box.unread_count) == (1, 1)
    assert ProcessingRecord.objects.filter(name="inbox.purge").count() == 2


def test_purging_many_people_fixes_each_mailbox(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    parent, single = personas["parent"], personas["single-parent"]
    for message in [send(agency, parent, "p1"), send(agency, single, "s1")]:
        expire(message)
    send(agency, single, "s2")

    purge_expired()

    counts = dict(Mailbox.objects.values_list("recipient_hash", "message_count"))
    assert counts == {subject_hash(parent.subject): 0, subject_hash(single.subject): 1}


@override_settings(INBOX_EXPIRY_WARNING_DAYS=30)
def test_an_important_message_about_to_go_is_warned_about_once(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    give_address(persona)
    soon = send(agency, persona, "soon")
    expire(soon, 20 * DAY)
    later = send(agency, persona, "later")
    expire(later, 40 * DAY)
    plain = send(agency, persona, "plain", category="announcement", action_required_by=None)
    expire(plain, 20 * DAY)

    assert warn_expiring() == 1
    assert warn_expiring() == 0

    [email] = mail.outbox
    assert "30 days" in email.body
    assert_content_free(email, soon, persona)
    warned = Message.objects.exclude(expiry_warned_at=None)
    assert list(warned.values_list("pk", flat=True)) == [soon.pk]
    assert ProcessingRecord.objects.filter(name="inbox.expiry-warning").count() == 1


def test_without_an_address_the_warning_is_not_sent_but_done(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    message = send(agency, personas["parent"])
    expire(message, 5 * DAY)

    assert warn_expiring() == 0

    assert mail.outbox == []
    assert Message.objects.get(pk=message.pk).expiry_warned_at is not None


def test_tasks_a_killed_worker_left_running_are_enqueued_again(db: None) -> None:
    lost = notify_messages.enqueue(["3f3b1c9e-0000-4000-8000-000000000001"])
    recent = notify_messages.enqueue(["3f3b1c9e-0000-4000-8000-000000000002"])
    DBTaskResult.objects.filter(pk=lost.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(hours=2)
    )
    DBTaskResult.objects.filter(pk=recent.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=5)
    )

    assert recover_lost_tasks() == 1
    assert recover_lost_tasks() == 0

    old = DBTaskResult.objects.get(pk=lost.id)
    assert (old.status, old.exception_class_path) == ("FAILED", "lifegate.inbox.tasks.WorkerLost")
    [again] = DBTaskResult.objects.filter(status="READY")
    assert again.args_kwargs["args"] == [["3f3b1c9e-0000-4000-8000-000000000001"]]
    assert DBTaskResult.objects.get(pk=recent.id).status == "RUNNING"


def test_files_of_sends_that_never_committed_are_removed_once_old_enough(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    kept = send(agency, personas["parent"], "kept")
    kept_file = str(Attachment.objects.get(message=kept).file.name)
    storage = attachment_storage()
    orphan = storage.save("inbox/2026/11/orphan-of-a-killed-send.pdf", ContentFile(b"%PDF-1.4"))

    assert remove_orphan_files() == 0  # too young: its send may still be committing
    assert remove_orphan_files(now=timezone.now() + 2 * ORPHAN_AGE) == 1

    assert not storage.exists(orphan) and storage.exists(kept_file)
