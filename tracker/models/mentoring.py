"""Mentorships between two people, and review requests on a learner's progress."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.base import VersionedModel
from tracker.models.progress import Progress


class MentorshipStatus(models.TextChoices):
    PENDING = "pending", _("Invitation pending")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")


OPEN_MENTORSHIP = Q(status__in=[MentorshipStatus.PENDING, MentorshipStatus.ACTIVE])


class Mentorship(VersionedModel):
    UPDATED_APART = frozenset({"data_version"})

    # Empty while an invitation to an address without an account waits for its link to be
    # followed (tracker.services.invitations); set on acceptance.
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentorships_as_mentor",
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships_as_mentee"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MentorshipStatus, default=MentorshipStatus.PENDING
    )
    invited_as = models.CharField(
        _("invited as"),
        max_length=254,
        blank=True,
        help_text=_(
            "What the learner typed. Shown while the invitation is pending, so that inviting "
            "an email address never reveals the account behind it."
        ),
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # Bumped with the mentee's progress_version, and with either person's profile or
    # account (tracker.caching.versions): it is part of the mentoring page's key.
    data_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["-invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=OPEN_MENTORSHIP,
                name="one_open_mentorship_per_pair",
            ),
            models.UniqueConstraint(
                Lower("invited_as"),
                "mentee",
                condition=Q(status=MentorshipStatus.PENDING, mentor__isnull=True),
                name="one_pending_invitation_per_address",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")), name="mentorship_not_with_oneself"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MentorshipStatus.values), name="mentorship_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["mentee", "status"]),
        ]

    def __str__(self) -> str:
        mentor = self.mentor if self.mentor_id else self.invited_as
        return f"{mentor} mentors {self.mentee} ({self.get_status_display()})"

    @property
    def was_accepted(self) -> bool:
        """Whether the invitee ever accepted: until then, every list and export names the
        mentor only as the learner typed them (``invited_as``), never by their account."""
        return self.status == MentorshipStatus.ACTIVE or (
            self.status == MentorshipStatus.ENDED and self.responded_at is not None
        )

    @property
    def mentor_label(self) -> str:
        """The mentor as lists and exports name them (see ``was_accepted``)."""
        if self.mentor_id and (self.was_accepted or not self.invited_as):
            return self.mentor.get_username()
        return self.invited_as


class ReviewStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    CLOSED = "closed", _("Closed")


class ReviewRequest(models.Model):
    """A learner's request that a mentor review one done milestone, and the verdict."""

    progress = models.ForeignKey(Progress, on_delete=models.CASCADE, related_name="reviews")
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="reviews")
    message = models.TextField(_("message to the mentor"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus, default=ReviewStatus.WAITING
    )
    comment = models.TextField(_("mentor's comment"), max_length=2000, blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_reason = models.CharField(_("why it was closed"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["progress", "mentorship"],
                condition=Q(status=ReviewStatus.WAITING),
                name="one_waiting_review_per_mentor",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="review_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["mentorship", "status", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"Review of {self.progress} ({self.get_status_display()})"
