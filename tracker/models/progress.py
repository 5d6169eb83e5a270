"""Each learner's state on each milestone, and its append-only history."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.content import Milestone


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    KNOWN = "known", _("Already know it")


# The states that count toward stages and progress: done here, or known before.
FINISHED = frozenset({ProgressStatus.DONE, ProgressStatus.KNOWN})


def is_finished(status: str | None) -> bool:
    """Whether a status counts like done (for stages, progress and prerequisites)."""
    return status in FINISHED


http_url_validator = URLValidator(schemes=["http", "https"])


class Progress(models.Model):
    """One learner's state on one milestone; created the first time they touch it."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="progress")
    status = models.CharField(
        _("status"), max_length=20, choices=ProgressStatus, default=ProgressStatus.NOT_STARTED
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    evidence_url = models.URLField(
        _("evidence link"), max_length=500, blank=True, validators=[http_url_validator]
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("progress")
        verbose_name_plural = _("progress")
        # By the unique index's columns: ordering by "milestone" would join the plan and
        # sort every row by pillar and position.
        ordering = ["learner_id", "milestone_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "milestone"], name="progress_once_per_milestone"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProgressStatus.values), name="progress_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FINISHED, completed_at__isnull=False)
                | (~Q(status__in=FINISHED) & Q(completed_at__isnull=True)),
                name="progress_completed_at_iff_done",
            ),
            models.CheckConstraint(
                condition=Q(status=ProgressStatus.NOT_STARTED) | Q(started_at__isnull=False),
                name="progress_started_at_once_started",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(status__in=FINISHED),
                name="progress_verified_only_when_done",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), 2000), name="progress_note_at_most_2000"
            ),
        ]
        indexes = [models.Index(fields=["milestone", "status"])]

    def __str__(self) -> str:
        return f"{self.learner} · {self.milestone}: {self.get_status_display()}"


class ProgressEvent(models.Model):
    """Append-only history of status changes; feeds the activity chart and the audit trail."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress_events"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    old_status = models.CharField(_("from"), max_length=20, choices=ProgressStatus)
    new_status = models.CharField(_("to"), max_length=20, choices=ProgressStatus)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("progress event")
        verbose_name_plural = _("progress events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["learner", "created_at"])]

    def __str__(self) -> str:
        return f"{self.learner} · {self.milestone}: {self.old_status} → {self.new_status}"


class PlanSnapshot(models.Model):
    """The guide's active milestones as a learner's dashboard last showed them, to tell
    them what an editor added or archived since: never a silent change."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_snapshots"
    )
    guide = models.ForeignKey("tracker.Guide", on_delete=models.CASCADE, related_name="+")
    milestone_ids = models.JSONField(_("milestones seen"), default=list)
    seen_at = models.DateTimeField(_("seen"), default=timezone.now)

    class Meta:
        verbose_name = _("plan snapshot")
        verbose_name_plural = _("plan snapshots")
        constraints = [
            models.UniqueConstraint(fields=["learner", "guide"], name="plan_snapshot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.guide_id}: {len(self.milestone_ids)} milestones"
