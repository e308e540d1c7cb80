"""`read_children`: a parent's children, with the read recorded for the parent and each child."""

import pytest

from lifegate.core.subject import Subject
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import read_children
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = pytest.mark.django_db

ACTIVITY = "child-benefit"


def test_it_returns_the_children_oldest_first(personas: dict[str, DemoPersona]) -> None:
    subject = personas["parent"].subject
    children = read_children(
        subject,
        actor=Actor(kind="person", subject=subject),
        activity=ACTIVITY,
        purpose_name="journeys.plan",
    )
    assert len(children) >= 2
    assert all(subject.value in child.parents for child in children)
    assert [c.date_of_birth for c in children] == sorted(c.date_of_birth for c in children)


def test_the_parent_and_every_child_get_a_record_in_one_trace(
    personas: dict[str, DemoPersona],
) -> None:
    subject = personas["parent"].subject
    children = read_children(
        subject, actor=Actor(kind="system"), activity=ACTIVITY, purpose_name="journeys.plan"
    )
    parent_record = ProcessingRecord.objects.get(data_subject_hash=subject_hash(subject))
    assert parent_record.data_categories == ["family_relations"]
    child_records = ProcessingRecord.objects.exclude(pk=parent_record.pk)
    assert {r.data_subject_hash for r in child_records} == {
        subject_hash(Subject("bsn", c.bsn)) for c in children
    }
    assert all(r.trace_id == parent_record.trace_id for r in child_records)
    assert all(r.parent_span_id == parent_record.span_id for r in child_records)


def test_someone_without_children_gets_an_empty_list_and_one_record(
    personas: dict[str, DemoPersona],
) -> None:
    subject = personas["resident-low"].subject
    assert (
        read_children(
            subject, actor=Actor(kind="system"), activity=ACTIVITY, purpose_name="journeys.plan"
        )
        == []
    )
    assert ProcessingRecord.objects.count() == 1
