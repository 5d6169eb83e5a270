"""Side effects and scheduled jobs, as Django tasks.

Tasks are enqueued by the services in the transaction of the change that causes them and
run by ``manage.py db_worker`` (the database backend, django-tasks-db). Scheduled jobs are
enqueued by ``manage.py crontask`` (django-crontask); each job does a period's work once,
whatever the number of schedulers or restarts (``run_once``).

The services enqueue these and these call the services: each imports the other's module,
never its names, so either can be imported first.
"""

import datetime
import logging
from contextlib import contextmanager

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from crontask import cron
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.tasks import TaskContext, TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from tracker.models import JobRun, Notification, Session
from tracker.services import accounts, notifications, reminders, threads

logger = logging.getLogger(__name__)


@task
def notification_send(notification_id: int) -> str:
    """Send one recorded mail (tracker.services.notifications)."""
    return notifications.notification_deliver(notification_id=notification_id)


@task
def notifications_send(notification_ids: list[int]) -> dict:
    """Send many recorded mails (a scheduled job's batch): each as ``notification_send``
    would, so a mail already sent is skipped and a failing one is retried on its own."""
    outcomes: dict[str, int] = {}
    for notification_id in notification_ids:
        outcome = notifications.notification_deliver(notification_id=notification_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@task
def new_messages_mail(person_id: int) -> str:
    """One mail about the messages a person has not been told about: enqueued, a while
    ahead, by each message (tracker.services.threads), so a burst makes one mail."""
    notification = threads.new_messages_mail_record(person_id=person_id)
    return "nothing new" if notification is None else f"recorded {notification.key}"


@task(takes_context=True)
def password_reset_send(context: TaskContext, email: str) -> int:
    """Mail a reset link to every active account with this address (none for an unknown
    one): done here, off the request, so that the answer takes as long for any address.
    The task's own id keys the mails: run again, it sends nothing twice."""
    return accounts.password_reset_links_record(
        email=email, key_prefix=f"password-reset:{context.task_result.id}"
    )


class AlreadyDone(Exception):
    """This job's work for this period has been done (or is being done) elsewhere."""


@contextmanager
def run_once(job: str, period: str):
    """Do a job's work for one period at most once: the run is recorded first, in a row
    the database keeps unique, and a second run of the period is skipped."""
    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=job, period=period)
    except IntegrityError:
        raise AlreadyDone(f"{job} has already run for {period}") from None
    outcome = {}
    try:
        yield outcome
    except BaseException:
        JobRun.objects.filter(pk=run.pk).delete()  # not done: the next run does it
        raise
    JobRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), result=str(outcome.get("result", ""))[:300]
    )


def daily_cleanup_run(*, today: datetime.date) -> dict:
    """Expired sessions, old login records, finished tasks, old mail and job records."""
    now = timezone.now()
    keep = now - datetime.timedelta(days=settings.RECORDS_KEPT_DAYS)
    removed = {
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "login_records": sum(
            model.objects.filter(**{field: keep}).delete()[0]
            for model, field in (
                (AccessLog, "attempt_time__lt"),
                (AccessAttempt, "attempt_time__lt"),
                (AccessFailureLog, "attempt_time__lt"),
            )
        ),
        "tasks": DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
            finished_at__lt=keep,
        ).delete()[0],
        "mail": Notification.objects.filter(sent_at__lt=keep).delete()[0],
        "job_runs": JobRun.objects.filter(started_at__lt=keep).delete()[0],
    }
    logger.info("Daily clean-up of %s: %s", today, removed)
    return removed


@cron("17 3 * * *")
@task
def daily_cleanup() -> str:
    today = timezone.localdate()
    try:
        with run_once("daily-cleanup", today.isoformat()) as outcome:
            outcome["result"] = daily_cleanup_run(today=today)
    except AlreadyDone as done:
        return str(done)
    return str(outcome["result"])


def lost_tasks_requeue(*, now: datetime.datetime | None = None) -> int:
    """Tasks whose worker died (``kill -9``, a lost machine) stay "running" for ever: after
    ``TASK_LEASE_SECONDS`` they are made ready again. Every task here is safe to run twice."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    count = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("Requeued %d task(s) whose worker stopped while running them.", count)
    return count


@cron("* * * * *")
@task
def requeue_lost_tasks() -> int:
    return lost_tasks_requeue()


@cron("5 * * * *")
@task
def scheduled_mails() -> str:
    """Every hour: the weekly digests, quiet-spell reminders and mentors' lists whose
    local day and hour have come (tracker.services.reminders)."""
    hour = timezone.now().astimezone(datetime.UTC).strftime("%Y-%m-%dT%H")
    try:
        with run_once("scheduled-mails", hour) as outcome:
            outcome["result"] = reminders.scheduled_mails_send()
    except AlreadyDone as done:
        return str(done)
    return str(outcome["result"])


def oldest_waiting_task_age(*, now: datetime.datetime | None = None) -> float | None:
    """Seconds since the longest-waiting task that is due became due, or None."""
    now = now or timezone.now()
    never = get_date_max()
    oldest = DBTaskResult.objects.ready().aggregate(
        enqueued=Min("enqueued_at", filter=Q(run_after=never)),
        deferred=Min("run_after", filter=~Q(run_after=never)),
    )
    due = [moment for moment in oldest.values() if moment is not None]
    return (now - min(due)).total_seconds() if due else None
