"""Background work of the processing log: sealing it."""

from django.tasks import task

from lifegate.transparency import chain


@task()
def seal_processing_log() -> int:
    """Link every record not yet on the chain and sign a checkpoint of the heads (none if
    nothing changed since the last); returns the latest checkpoint's number."""
    return chain.seal().number
