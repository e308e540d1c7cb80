"""Background work of journeys: pushing submissions to agency webhooks."""

from django.tasks import task

from lifegate.journeys import delivery


@task()
def deliver(delivery_id: str) -> str:
    """One attempt at a webhook delivery; a failure schedules the next attempt itself."""
    return delivery.attempt(delivery_id)
