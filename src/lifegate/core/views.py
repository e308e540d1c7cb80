"""Operational endpoints."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET


def _database_state() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # any driver error means "down"; the type tells the operator why
        return {"status": "error", "vendor": connection.vendor, "error": type(exc).__name__}


def _task_queue_state() -> dict[str, object]:
    from django_tasks_db.models import DBTaskResult

    try:
        ready = DBTaskResult.objects.filter(status="READY").count()
        oldest = DBTaskResult.objects.filter(status="READY").order_by("enqueued_at").first()
        lag = (timezone.now() - oldest.enqueued_at).total_seconds() if oldest else 0.0
        return {
            "status": "ok",
            "backend": "database",
            "ready": ready,
            "oldest_ready_seconds": round(lag, 1),
        }
    except Exception as exc:  # same reasoning as for the database
        return {"status": "error", "backend": "database", "error": type(exc).__name__}


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the state of the database and the task queue, 503 if either is down."""
    database = _database_state()
    tasks = _task_queue_state() if database["status"] == "ok" else {"status": "unknown"}
    healthy = database["status"] == "ok" and tasks["status"] == "ok"
    body = {"status": "ok" if healthy else "error", "database": database, "task_queue": tasks}
    return JsonResponse(body, status=200 if healthy else 503)
