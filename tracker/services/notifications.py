"""Mail, through an outbox: a service records each mail in its own transaction and enqueues
the task that sends it (tracker.tasks), so a rolled-back change sends nothing and a
committed one is never lost.

Each mail has a key of its own (``invitation:42``). The task sends a recorded mail only
while it is not marked sent, and marks it right after the mail server accepts it: a retried
task never sends it again. One window is left: a worker that dies between the server's
acceptance and that mark sends the mail once more when its task runs again.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from tracker import tasks
from tracker.models import Notification

logger = logging.getLogger(__name__)


def _render(template: str, context: dict) -> tuple[str, str, str]:
    """Subject (one line), text and HTML (empty without an .html template)."""
    subject = render_to_string(f"tracker/emails/{template}_subject.txt", context)
    body = render_to_string(f"tracker/emails/{template}.txt", context)
    try:
        html = render_to_string(f"tracker/emails/{template}.html", context)
    except TemplateDoesNotExist:
        html = ""
    return " ".join(subject.split()), body, html


def notification_record(
    *, key: str, recipient: str, template: str, context: dict, headers: dict | None = None
) -> Notification | None:
    """Record a mail and enqueue its sending, in the caller's transaction. None when the
    person has no address, or when a mail with this key is already recorded."""
    if not recipient:
        return None
    subject, body, html = _render(template, {"site_url": settings.SITE_URL, **context})
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key,
                recipient=recipient,
                subject=subject,
                body=body,
                html_body=html,
                headers=headers or {},
            )
    except IntegrityError:
        return None
    tasks.notification_send.enqueue(notification_id=notification.pk)
    return notification


@dataclass(frozen=True)
class Mail:
    """One mail to record, as :func:`notification_record` takes it."""

    key: str
    recipient: str
    template: str
    context: dict
    headers: dict = field(default_factory=dict)


def notifications_record_many(*, mails: list[Mail]) -> list[Notification]:
    """Record many mails and enqueue one task that sends them all, in the caller's
    transaction: a fixed number of queries however many mails (scheduled jobs). Keys
    must be new (the caller knows: a duplicate key fails the whole transaction)."""
    rows = []
    for mail in mails:
        if not mail.recipient:
            continue
        subject, body, html = _render(
            mail.template, {"site_url": settings.SITE_URL, **mail.context}
        )
        rows.append(
            Notification(
                key=mail.key,
                recipient=mail.recipient,
                subject=subject,
                body=body,
                html_body=html,
                headers=mail.headers,
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    tasks.notifications_send.enqueue(notification_ids=[row.pk for row in created])
    return created


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff: the base delay, then twice as long after each failure."""
    return datetime.timedelta(seconds=settings.MAIL_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def notification_deliver(*, notification_id: int) -> str:
    """Send one recorded mail unless it is already sent or given up; what happened."""
    notification = Notification.objects.filter(
        pk=notification_id, sent_at__isnull=True, failed_at__isnull=True
    ).first()
    if notification is None:
        return "skipped"
    message = EmailMultiAlternatives(
        notification.subject,
        notification.body,
        to=[notification.recipient],
        headers=notification.headers,
    )
    if notification.html_body:
        message.attach_alternative(notification.html_body, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        return _record_failure(notification, error)
    Notification.objects.filter(pk=notification.pk).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return "sent"


def _record_failure(notification: Notification, error: Exception) -> str:
    attempts = notification.attempts + 1
    reason = f"{type(error).__name__}: {error}"[:1000]
    if attempts >= settings.MAIL_MAX_ATTEMPTS:
        Notification.objects.filter(pk=notification.pk).update(
            attempts=attempts, last_error=reason, failed_at=timezone.now()
        )
        logger.error(
            "Gave up sending %r to %s after %d attempts: %s",
            notification.subject,
            notification.recipient,
            attempts,
            reason,
        )
        return "failed"
    Notification.objects.filter(pk=notification.pk).update(attempts=attempts, last_error=reason)
    delay = retry_delay(attempts)
    logger.warning(
        "Could not send %r to %s (attempt %d), trying again in %d s: %s",
        notification.subject,
        notification.recipient,
        attempts,
        delay.total_seconds(),
        reason,
    )
    task = tasks.notification_send
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(notification_id=notification.pk)
    return "retrying"
