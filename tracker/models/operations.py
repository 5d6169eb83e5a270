"""What the app records about its own work: every mail it sends (an outbox, so that a
retried task never sends twice), the scheduled jobs it has run, and the health probe."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One mail, recorded in the transaction of the change that causes it.

    ``key`` names the event (``invitation:42``): recording it twice is refused by the
    database, and the sending task skips a mail whose ``sent_at`` is set.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(
        _("given up"),
        null=True,
        blank=True,
        help_text=_("Set after the last attempt failed: the mail was never sent."),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sent_at__isnull=True) | models.Q(failed_at__isnull=True),
                name="notification_sent_or_failed_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"


class JobRun(models.Model):
    """A scheduled job's run for one period (a day, a week): recorded before the work, so
    that a second scheduler or a restart never does the same period's work twice."""

    job = models.CharField(_("job"), max_length=100)
    period = models.CharField(_("period"), max_length=40)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="job_runs_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.job} · {self.period}"


class HealthProbe(models.Model):
    """One row that the health check writes, to know that the database takes writes."""

    checked_at = models.DateTimeField(_("checked"))

    class Meta:
        verbose_name = _("health probe")
        verbose_name_plural = _("health probes")

    def __str__(self) -> str:
        return f"Health probe at {self.checked_at:%Y-%m-%d %H:%M:%S}"
