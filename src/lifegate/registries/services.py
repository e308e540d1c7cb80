# PLACEHOLDER — replaced by the registries building block (see its docstrings for the contract).
from lifegate.core.subject import Subject
from lifegate.transparency.services import Actor


def read_person(subject: Subject, *, actor: Actor, activity: str, purpose_name: str):  # type: ignore[no-untyped-def]
    return None
