"""The health check tells a database that cannot be written and a queue that is stuck."""

import datetime
from http import HTTPStatus
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tracker.tasks import requeue_lost_tasks

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_database_that_refuses_writes_is_reported(client):
    full_disk = OperationalError("database or disk is full")
    with mock.patch("django.db.models.QuerySet.update", side_effect=full_disk):
        response = client.get(reverse("tracker:healthz"))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"status": "error", "database": "not writable"}


@override_settings(TASKS=DATABASE_TASKS, TASK_QUEUE_MAX_AGE_SECONDS=600)
def test_a_queue_whose_oldest_task_waits_too_long_is_reported(client):
    result = requeue_lost_tasks.enqueue()
    assert client.get(reverse("tracker:healthz")).status_code == HTTPStatus.OK

    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    response = client.get(reverse("tracker:healthz"))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    report = response.json()
    assert report["tasks"] == "stuck"
    assert report["oldest_waiting_task_s"] >= 660


@override_settings(TASKS=DATABASE_TASKS, TASK_QUEUE_MAX_AGE_SECONDS=600)
def test_a_deferred_task_waits_from_when_it_is_due(client):
    later = timezone.now() + datetime.timedelta(minutes=5)
    requeue_lost_tasks.using(run_after=later).enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(hours=2))

    assert client.get(reverse("tracker:healthz")).status_code == HTTPStatus.OK
