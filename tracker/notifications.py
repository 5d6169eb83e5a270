"""Emails to learners and mentors, sent after the transaction commits and off the request.

A slow or unreachable mail server must neither slow a request down nor make it fail, so
mail goes out on a small background pool and failures are logged, not raised. Tests set
``NOTIFY_IN_BACKGROUND = False`` to send inline and read ``mail.outbox``.
"""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

logger = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")


def _send(subject: str, body: str, recipient: str) -> None:
    try:
        send_mail(subject, body, None, [recipient], fail_silently=False)
    except Exception:
        logger.exception("Could not send %r to %s", subject, recipient)


def notify(*, recipient_email: str, subject: str, body: str) -> None:
    if not recipient_email:
        return

    def dispatch() -> None:
        if getattr(settings, "NOTIFY_IN_BACKGROUND", True):
            _pool.submit(_send, subject, body, recipient_email)
        else:
            _send(subject, body, recipient_email)

    transaction.on_commit(dispatch)
