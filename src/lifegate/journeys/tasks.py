"""Background work of journeys: pushing submissions to agency webhooks, and starting the
journeys a registry event calls for."""

from django.tasks import task

from lifegate.journeys import delivery, event_processing


@task()
def deliver(delivery_id: str) -> str:
    """One attempt at a webhook delivery; a failure schedules the next attempt itself."""
    return delivery.attempt(delivery_id)


@task()
def start_event_journeys(inbound_id: int) -> int:
    """Start the journeys of an accepted registry event (once, however often it runs)."""
    return event_processing.process_event(inbound_id)
