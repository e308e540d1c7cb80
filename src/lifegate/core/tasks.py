"""Platform-level background tasks."""

from django.tasks import task


@task()
def ping() -> str:
    """A no-op task operators enqueue (`manage.py shell`) to check that a worker picks work up."""
    return "pong"
