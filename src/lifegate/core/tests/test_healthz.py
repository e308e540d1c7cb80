import pytest
from django_tasks_db.models import DBTaskResult


@pytest.mark.django_db
def test_healthz_reports_database_and_task_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["task_queue"] == {
        "status": "ok",
        "backend": "database",
        "ready": 0,
        "oldest_ready_seconds": 0.0,
    }


@pytest.mark.django_db
def test_healthz_counts_waiting_tasks(client):
    from lifegate.core.tasks import ping

    ping.enqueue()
    body = client.get("/healthz").json()
    assert body["task_queue"]["ready"] == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_healthz_is_503_when_the_task_table_is_unreadable(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("table gone")

    monkeypatch.setattr(DBTaskResult.objects, "filter", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["task_queue"]["status"] == "error"
