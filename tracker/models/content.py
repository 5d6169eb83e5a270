"""A guide's content, edited by admins: pillars, milestones, stages, salaries, advice."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tracker.models.base import GuidePart, NamedGuidePart, VersionedModel


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


class CareerStage(GuidePart):
    """A rung of the career ladder, reached when every milestone up to a level is done."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    completes_level = models.CharField(
        _("requires every milestone up to"),
        max_length=20,
        choices=Level,
        blank=True,
        help_text=_("Leave empty for the first stage, which everyone starts in."),
    )

    class Meta(GuidePart.Meta):
        ordering = ["guide", "order"]
        verbose_name = _("career stage")
        verbose_name_plural = _("career stages")

    def __str__(self) -> str:
        return self.name


class Pillar(NamedGuidePart):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="pillars")

    class Meta(NamedGuidePart.Meta):
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")


class Milestone(GuidePart):
    # ``guide`` repeats ``pillar.guide`` so that the database can keep milestone slugs unique
    # across a whole guide (they are part of its URLs) and pages can look them up directly.
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="milestones")
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
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

    class Meta(GuidePart.Meta):
        ordering = ["pillar__order", "order", "title"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            *GuidePart.Meta.constraints,
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
    """A salary figure the guide quotes, as it states it: for a career stage (entry level,
    experienced), or for a place alone (a tech-hub average, whatever the seniority)."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="salary_bands")
    stage = models.ForeignKey(
        CareerStage,
        on_delete=models.CASCADE,
        related_name="salary_bands",
        null=True,
        blank=True,
        verbose_name=_("career stage"),
        help_text=_(
            "The stage the guide ties this figure to; the dashboard shows it to learners at "
            "that stage. Leave empty for a figure about a place, not a seniority."
        ),
    )
    label = models.CharField(
        _("label"),
        max_length=80,
        blank=True,
        help_text=_(
            "How the guide names the figure, such as “Entry level” or “Tech-hub average”. "
            "Required without a stage; with one, the stage's name is used when empty."
        ),
    )
    region = models.CharField(_("region"), max_length=120)
    low = models.PositiveIntegerField(_("low"), null=True, blank=True)
    high = models.PositiveIntegerField(_("high"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300)
    as_of = models.DateField(_("as of"))
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Where the figure comes in the guide's salary table.")
    )

    class Meta:
        # Figures without a stage sort after a stage's at the same order, on every database.
        ordering = ["guide", "order", F("stage__order").asc(nulls_last=True), "region", "label"]
        verbose_name = _("salary band")
        verbose_name_plural = _("salary bands")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "region"],
                name="salary_band_once_per_region",
                violation_error_message=_(
                    "The guide already quotes a figure for this career stage in this region."
                ),
            ),
            models.UniqueConstraint(
                fields=["guide", "label", "region"],
                condition=Q(stage__isnull=True),
                name="salary_figure_once_per_label_and_region",
                violation_error_message=_(
                    "The guide already quotes a figure with this label in this region."
                ),
            ),
            models.CheckConstraint(
                condition=Q(stage__isnull=False) | ~Q(label=""),
                name="salary_figure_without_stage_is_named",
                violation_error_message=_(
                    "A figure tied to no career stage needs a label, such as “Tech-hub average”."
                ),
            ),
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
        return f"{self.display_label} · {self.region}"

    @property
    def display_label(self) -> str:
        """How the figure is named on the pages: its label, else its stage's name."""
        if self.label:
            return self.label
        return self.stage.name if self.stage_id else ""

    @property
    def identity(self) -> tuple:
        return self.identity_of(
            stage_slug=self.stage.slug if self.stage_id else None,
            label=self.label,
            region=self.region,
        )

    @staticmethod
    def identity_of(*, stage_slug: str | None, label: str, region: str) -> tuple:
        """What tells one figure of a guide from the others, as the constraints above do: a
        stage's figure by its stage and region, a figure tied to no stage by its label and
        region."""
        return ("stage", stage_slug, region) if stage_slug else ("label", label, region)


class Advice(GuidePart):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="advice")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("body"), help_text=_("Addressed to a learner it applies to, on their dashboard.")
    )
    general = models.TextField(
        _("in general terms"),
        blank=True,
        help_text=_(
            "The same advice for anyone reading the guide, on its public page, beside when "
            "it applies. Without it, the guide page shows the title and when it applies."
        ),
    )
    rule = models.CharField(
        _("when it applies"), max_length=50, choices=AdviceRule, default=AdviceRule.ALWAYS
    )
    inactive_days = models.PositiveSmallIntegerField(
        _("days without progress"),
        default=14,
        help_text=_("Only used by the rule “Nothing done for a number of days”."),
    )

    class Meta(GuidePart.Meta):
        ordering = ["guide", "order", "title"]
        verbose_name = _("advice")
        verbose_name_plural = _("advice")

    def __str__(self) -> str:
        return self.title


class ImpactArea(NamedGuidePart):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="impact_areas")

    class Meta(NamedGuidePart.Meta):
        verbose_name = _("impact area")
        verbose_name_plural = _("impact areas")
