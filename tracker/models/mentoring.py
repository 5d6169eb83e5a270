"""Mentorships between two people, and review requests on a learner's progress."""

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.base import VersionedModel
from tracker.models.content import Milestone
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


MESSAGE_MAX_LENGTH = 4000


class MessageKind(models.TextChoices):
    QUESTION = "question", _("Question")
    REPLY = "reply", _("Reply")
    REVIEW_REQUEST = "review_request", _("Review request")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


VERDICT_KINDS = (MessageKind.APPROVED, MessageKind.CHANGES_REQUESTED)
WAITING_KINDS = (MessageKind.QUESTION, MessageKind.REVIEW_REQUEST)


class ThreadQuerySet(models.QuerySet):
    def waiting_counts(self, user) -> tuple[int, int]:
        """How many threads wait for this person, in one query: as a learner, those with a
        message by someone else that they have not read; as a mentor of active mentees,
        those whose last word is the learner's, a question or a review request until
        someone answers, any other message until the mentor has read it."""
        mentees = Mentorship.objects.filter(mentor=user, status=MentorshipStatus.ACTIVE)
        read_at = ThreadRead.objects.filter(thread=OuterRef("pk"), person=user).values("read_at")
        unread = Q(my_read_at__isnull=True) | Q(last_message_at__gt=F("my_read_at"))
        counts = (
            self.filter(Q(learner=user) | Q(learner__in=mentees.values("mentee_id")))
            .filter(last_author__isnull=False)
            .annotate(my_read_at=Subquery(read_at[:1]))
            .aggregate(
                as_learner=Count("pk", filter=Q(learner=user) & ~Q(last_author=user) & unread),
                as_mentor=Count(
                    "pk",
                    filter=~Q(learner=user)
                    & Q(last_author=F("learner"))
                    & (Q(last_kind__in=WAITING_KINDS) | unread),
                ),
            )
        )
        return counts["as_learner"], counts["as_mentor"]


class Thread(models.Model):
    """The one conversation between a learner and their active mentors on one milestone.

    ``last_*`` repeat its latest message, so that "who is waiting for whom" is read from
    the threads alone, in one query (``ThreadQuerySet.waiting_counts``).
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="threads"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="threads")
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    last_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_kind = models.CharField(max_length=20, choices=MessageKind, blank=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "milestone"], name="one_thread_per_learner_milestone"
            ),
        ]
        indexes = [models.Index(fields=["learner", "last_message_at"])]

    def __str__(self) -> str:
        return f"{self.learner} · {self.milestone}"


class Message(models.Model):
    """One message of a thread: a question, a reply, a review request or a verdict."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="messages_written",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind)
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MessageKind.values), name="message_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.thread_id} by {self.author_id}"

    @property
    def is_verdict(self) -> bool:
        return self.kind in VERDICT_KINDS


class ThreadRead(models.Model):
    """Until when one person has read one thread: later messages by others are unread."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_reads"
    )
    read_at = models.DateTimeField(_("read up to"))

    class Meta:
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")
        constraints = [
            models.UniqueConstraint(fields=["thread", "person"], name="one_read_mark_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} read {self.thread_id} up to {self.read_at}"
