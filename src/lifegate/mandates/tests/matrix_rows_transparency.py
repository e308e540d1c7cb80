"""The matrix rows of "who used my data": the page, its downloads and the API. Only the person,
a parent for a minor child and a representative with a mandate for the processing log see her
records; message box, service and life-event mandates do not cover the log."""

from lifegate.mandates.tests.matrix_endpoints import LOG_READERS, Endpoint, fixed, get
from lifegate.mandates.tests.matrix_world import Owned, Who, World
from lifegate.transparency.history import ACTIVITY
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash


def log_mark(world: World, target: Owned) -> list[str]:
    """Her newest record before the call: on the first page and in every download."""
    return [target.log_mark]


def read_recorded(world: World, target: Owned, who: Who) -> str:
    """Reading her log is itself in her log, by whoever read it."""
    assert who.subject is not None
    recorded = ProcessingRecord.objects.filter(
        data_subject_hash=subject_hash(target.subject),
        processing_activity_id=ACTIVITY,
        actor_hash=subject_hash(who.subject),
    )
    return "" if recorded.exists() else "the read of her processing log was not recorded"


PAGES = [
    Endpoint(
        "who used my data",
        "page",
        "transparency/",
        get(fixed("/transparency/")),
        LOG_READERS,
        shows=log_mark,
        effect=read_recorded,
    ),
    Endpoint(
        "who used my data, as CSV",
        "page",
        "transparency/export.csv",
        get(fixed("/transparency/export.csv")),
        LOG_READERS,
        shows=log_mark,
        effect=read_recorded,
    ),
    Endpoint(
        "who used my data, as JSON",
        "page",
        "transparency/export.json",
        get(fixed("/transparency/export.json")),
        LOG_READERS,
        shows=log_mark,
        effect=read_recorded,
    ),
]

API = [
    Endpoint(
        "who used my data",
        "api",
        "GET /api/transparency/records",
        get(fixed("/api/transparency/records")),
        LOG_READERS,
        shows=log_mark,
        effect=read_recorded,
    ),
    Endpoint(
        "who used my data, as CSV",
        "api",
        "GET /api/transparency/records.csv",
        get(fixed("/api/transparency/records.csv")),
        LOG_READERS,
        shows=log_mark,
        effect=read_recorded,
    ),
]
