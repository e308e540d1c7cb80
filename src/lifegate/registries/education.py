"""The embedded education register (like DUO's register of diplomas): the diplomas of the
persons in the embedded population register. Values are frozen dataclasses, never ORM
objects; reads go through `lifegate.registries.services.read_diplomas`, which records them."""

from dataclasses import dataclass
from datetime import date

from lifegate.core.subject import Subject
from lifegate.registries.models import RegisteredDiploma, RegisteredPerson


@dataclass(frozen=True)
class Diploma:
    """A diploma as the education register knows it. `reference` identifies it in the
    register (it is not personal data on its own)."""

    reference: str
    title: str
    level_eqf: int
    level_isced: str
    awarding_body: str
    awarded_on: date
    grade: str
    learning_outcomes: str


def _person_id(subject: Subject) -> int | None:
    if subject.scheme == "bsn":
        found = RegisteredPerson.objects.filter(bsn=subject.value)
    else:
        found = RegisteredPerson.objects.filter(eidas_person_identifier=subject.value)
    return found.values_list("pk", flat=True).first()


def diplomas_of(subject: Subject) -> list[Diploma] | None:
    """The diplomas of the person identified by `subject`, oldest first; None when the
    person is not registered. Records nothing: use `services.read_diplomas`."""
    person_id = _person_id(subject)
    if person_id is None:
        return None
    rows = RegisteredDiploma.objects.filter(person_id=person_id).order_by("awarded_on", "id")
    return [
        Diploma(
            reference=f"diploma-{row.pk}",
            title=row.title,
            level_eqf=row.level_eqf,
            level_isced=row.level_isced,
            awarding_body=row.awarding_body,
            awarded_on=row.awarded_on,
            grade=row.grade,
            learning_outcomes=row.learning_outcomes,
        )
        for row in rows
    ]
