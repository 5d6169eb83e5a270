"""The health check: can the database be reached and written, and is the task queue moving?"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from tracker.models import HealthProbe
from tracker.tasks import oldest_waiting_task_age


def _database_state() -> str:
    """ "ok" once a row is written and committed (a full disk or a read-only database fails
    here), else whether the database answers at all. A server that never answers costs
    one connect timeout, not two."""
    try:
        connection.ensure_connection()
    except DatabaseError:
        return "unavailable"
    try:
        if not HealthProbe.objects.filter(pk=1).update(checked_at=timezone.now()):
            HealthProbe.objects.create(pk=1, checked_at=timezone.now())
    except DatabaseError:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return "unavailable"
        return "not writable"
    return "ok"


def health_report() -> tuple[bool, dict]:
    """Whether everything is well, and what was checked, for /healthz: two queries."""
    database = _database_state()
    if database != "ok":
        return False, {"status": "error", "database": database}
    age = oldest_waiting_task_age()
    if age is not None and age > settings.TASK_QUEUE_MAX_AGE_SECONDS:
        return False, {
            "status": "error",
            "database": "ok",
            "tasks": "stuck",
            "oldest_waiting_task_s": round(age),
        }
    return True, {"status": "ok", "database": "ok", "tasks": "ok"}
