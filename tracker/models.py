"""CareerPath's data: a guide's content (edited by admins), then each learner's progress."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    FOUNDATION = "foundation", _("Foundation")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values, start=1)}


class AdviceRule(models.TextChoices):
    ALWAYS = "always", _("Always")
    FOUNDATIONS_UNFINISHED_ADVANCED_STARTED = (
        "foundations_unfinished_advanced_started",
        _("Foundations unfinished while advanced work started"),
    )
    NO_PROJECT_STARTED = "no_project_started", _("No project milestone started yet")
    INACTIVE = "inactive", _("Nothing done for a number of days")


class ResourceKind(models.TextChoices):
    COURSE = "course", _("Course")
    BOOK = "book", _("Book")
    PAPER = "paper", _("Paper")
    DOCS = "docs", _("Documentation")
    VIDEO = "video", _("Video")
    PROJECT = "project", _("Project")


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


http_url_validator = URLValidator(schemes=["http", "https"])


class VersionedModel(models.Model):
    """A model with fields that change only through their own ``UPDATE … SET n = n + 1``
    (tracker.signals, tracker.services). Saving a copy loaded earlier, from a form or the
    admin, never writes them back: a version that went down could bring a stale cached
    page back."""

    UPDATED_APART: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.UPDATED_APART
            ]
        super().save(*args, **kwargs)


class Guide(VersionedModel):
    UPDATED_APART = frozenset({"content_version"})

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.TextField(_("summary"))
    promise = models.CharField(
        _("promise"), max_length=240, blank=True, help_text=_("One line for the landing page.")
    )
    source_author = models.CharField(_("source author"), max_length=120, blank=True)
    source_title = models.CharField(_("source title"), max_length=300, blank=True)
    source_published_on = models.DateField(_("source publication date"), null=True, blank=True)
    source_url = models.URLField(_("source URL"), blank=True)
    published = models.BooleanField(_("published"), default=False, db_index=True)
    content_version = models.PositiveIntegerField(
        _("content version"),
        default=1,
        editable=False,
        help_text=_("Goes up with every change to the guide's content; keys the page cache."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tracker:guide", kwargs={"guide_slug": self.slug})


class CareerStage(models.Model):
    """A rung of the career ladder, reached when every milestone up to a level is done."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="stages")
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    completes_level = models.CharField(
        _("requires every milestone up to"),
        max_length=20,
        choices=Level,
        blank=True,
        help_text=_("Leave empty for the first stage, which everyone starts in."),
    )

    class Meta:
        ordering = ["guide", "order"]
        verbose_name = _("career stage")
        verbose_name_plural = _("career stages")
        constraints = [
            models.UniqueConstraint(fields=["guide", "slug"], name="stage_slug_unique_per_guide"),
        ]

    def __str__(self) -> str:
        return self.name


class Pillar(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="pillars")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["guide", "order", "name"]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        constraints = [
            models.UniqueConstraint(fields=["guide", "slug"], name="pillar_slug_unique_per_guide"),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    # ``guide`` repeats ``pillar.guide`` so that the database can keep milestone slugs unique
    # across a whole guide (they are part of its URLs) and pages can look them up directly.
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="milestones")
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    level = models.CharField(_("level"), max_length=20, choices=Level, default=Level.FOUNDATION)
    estimated_hours = models.PositiveSmallIntegerField(_("estimated hours"), default=1)
    is_project = models.BooleanField(
        _("hands-on project"),
        default=False,
        help_text=_("Projects feed the advice about building things, not only studying."),
    )
    archived = models.BooleanField(
        _("archived"),
        default=False,
        db_index=True,
        help_text=_("Hidden from plans; kept because learners have history on it."),
    )
    prerequisites = models.ManyToManyField(
        "self",
        through="MilestonePrerequisite",
        symmetrical=False,
        related_name="unlocks",
        blank=True,
        verbose_name=_("prerequisites"),
    )

    class Meta:
        ordering = ["pillar__order", "order", "title"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "slug"], name="milestone_slug_unique_per_guide"
            ),
            models.CheckConstraint(
                condition=Q(estimated_hours__gte=0), name="milestone_hours_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["pillar", "archived", "order"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.guide_id = self.pillar.guide_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.url

    # Reversed once per instance: the guide's cached plan lists every milestone on every
    # page view, and reverse() is a measurable share of rendering it.
    @cached_property
    def url(self) -> str:
        return reverse(
            "tracker:milestone",
            kwargs={"guide_slug": self.guide.slug, "milestone_slug": self.slug},
        )

    @cached_property
    def status_url(self) -> str:
        return reverse(
            "tracker:progress_status",
            kwargs={"guide_slug": self.guide.slug, "milestone_slug": self.slug},
        )

    @property
    def level_rank(self) -> int:
        return LEVEL_RANK[self.level]


class MilestonePrerequisite(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="+")
    prerequisite = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("prerequisite")
        verbose_name_plural = _("prerequisites")
        constraints = [
            models.UniqueConstraint(fields=["milestone", "prerequisite"], name="prerequisite_once"),
            models.CheckConstraint(
                condition=~Q(milestone=F("prerequisite")),
                name="milestone_not_its_own_prerequisite",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prerequisite} → {self.milestone}"


class Resource(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("URL"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["milestone", "order", "id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "url"], name="resource_url_unique_per_milestone"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SalaryBand(models.Model):
    """A salary range quoted by the guide for one career stage in one region."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="salary_bands")
    stage = models.ForeignKey(CareerStage, on_delete=models.CASCADE, related_name="salary_bands")
    region = models.CharField(_("region"), max_length=120)
    low = models.PositiveIntegerField(_("low"), null=True, blank=True)
    high = models.PositiveIntegerField(_("high"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300)
    as_of = models.DateField(_("as of"))

    class Meta:
        ordering = ["guide", "stage__order", "region"]
        verbose_name = _("salary band")
        verbose_name_plural = _("salary bands")
        constraints = [
            models.UniqueConstraint(fields=["stage", "region"], name="salary_band_once_per_region"),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=F("high")),
                name="salary_low_not_above_high",
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=False) | Q(high__isnull=False),
                name="salary_band_has_a_bound",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} · {self.region}"


class Advice(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="advice")
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    rule = models.CharField(
        _("when it applies"), max_length=50, choices=AdviceRule, default=AdviceRule.ALWAYS
    )
    inactive_days = models.PositiveSmallIntegerField(
        _("days without progress"),
        default=14,
        help_text=_("Only used by the rule “Nothing done for a number of days”."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["guide", "order", "title"]
        verbose_name = _("advice")
        verbose_name_plural = _("advice")
        constraints = [
            models.UniqueConstraint(fields=["guide", "slug"], name="advice_slug_unique_per_guide"),
        ]

    def __str__(self) -> str:
        return self.title


class ImpactArea(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="impact_areas")
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["guide", "order", "name"]
        verbose_name = _("impact area")
        verbose_name_plural = _("impact areas")
        constraints = [
            models.UniqueConstraint(fields=["guide", "slug"], name="impact_slug_unique_per_guide"),
        ]

    def __str__(self) -> str:
        return self.name


class Profile(VersionedModel):
    UPDATED_APART = frozenset({"progress_version", "last_active_at"})

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    region = models.CharField(
        _("region"),
        max_length=120,
        blank=True,
        help_text=_("Chooses which of the guide's salary figures you see."),
    )
    public_profile = models.BooleanField(
        _("public profile"),
        default=False,
        help_text=_("Anyone with the link can see your progress (never your notes)."),
    )
    share_notes_with_mentors = models.BooleanField(
        _("share notes with mentors"),
        default=True,
        help_text=_("Your active mentors can read the notes you write on milestones."),
    )
    current_guide = models.ForeignKey(
        Guide,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guide on the dashboard"),
    )
    last_active_at = models.DateTimeField(
        _("last active"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the learner last changed a status or their notes."),
    )
    # Bumped on every write to the learner's profile, account, progress or reviews
    # (tracker.signals): it keys the cached parts of their pages and their mentors'.
    progress_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


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
                condition=Q(status=ProgressStatus.DONE, completed_at__isnull=False)
                | (~Q(status=ProgressStatus.DONE) & Q(completed_at__isnull=True)),
                name="progress_completed_at_iff_done",
            ),
            models.CheckConstraint(
                condition=Q(status=ProgressStatus.NOT_STARTED) | Q(started_at__isnull=False),
                name="progress_started_at_once_started",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(status=ProgressStatus.DONE),
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


class MentorshipStatus(models.TextChoices):
    PENDING = "pending", _("Invitation pending")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")


OPEN_MENTORSHIP = Q(status__in=[MentorshipStatus.PENDING, MentorshipStatus.ACTIVE])


class Mentorship(VersionedModel):
    UPDATED_APART = frozenset({"data_version"})

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships_as_mentor"
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
    # account (tracker.signals): the mentoring page's fingerprint sums it up.
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
        return f"{self.mentor} mentors {self.mentee} ({self.get_status_display()})"


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
