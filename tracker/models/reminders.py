"""What a person chose to be mailed (digest, reminders, mentors' list), the secret of their
calendar feed, and the scheduled mails already sent, so that none is ever sent twice."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.models.content import CareerStage

CALENDAR_TOKEN_BYTES = 32  # 43 URL-safe characters


def calendar_token_new() -> str:
    return secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)


class Weekday(models.IntegerChoices):
    """ISO weekday numbers (Monday is 1), as ``date.isoweekday()`` gives them."""

    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


INACTIVITY_CHOICES = [
    (None, _("Never")),
    (3, _("After 3 days without progress")),
    (7, _("After a week without progress")),
    (14, _("After two weeks without progress")),
    (30, _("After a month without progress")),
]


class MailKind(models.TextChoices):
    """The kinds of scheduled mail; each can be turned off alone (the unsubscribe link)."""

    WEEKLY_DIGEST = "weekly_digest", _("weekly digest")
    INACTIVITY = "inactivity", _("reminder after a quiet spell")
    MENTOR_REVIEWS = "mentor_reviews", _("mentors' weekly list of waiting reviews")


class MailPreferences(models.Model):
    """One per person, made with their profile's first use; every mail here is opt-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preferences"
    )
    weekly_digest = models.BooleanField(
        _("weekly digest"),
        default=False,
        help_text=_(
            "A short mail once a week: last week's work, this week's next milestones and "
            "how your projected dates moved."
        ),
    )
    digest_chosen_at = models.DateTimeField(
        _("digest chosen"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the person last said yes or no to the weekly digest."),
    )
    weekday = models.PositiveSmallIntegerField(
        _("day"), choices=Weekday, default=Weekday.MONDAY, help_text=_("In your time zone.")
    )
    hour = models.PositiveSmallIntegerField(
        _("hour"),
        default=8,
        validators=[MaxValueValidator(23)],
        help_text=_("Weekly mails and reminders come at this hour, your time."),
    )
    inactivity_days = models.PositiveSmallIntegerField(
        _("reminder when I pause"),
        null=True,
        blank=True,
        choices=INACTIVITY_CHOICES,
        help_text=_("One friendly nudge per quiet spell, never more."),
    )
    mentor_reviews = models.BooleanField(
        _("mentors' weekly list of waiting reviews"),
        default=False,
        help_text=_("If you mentor someone: once a week, the reviews waiting for you (if any)."),
    )
    calendar_token = models.CharField(
        _("calendar secret"), max_length=64, unique=True, default=calendar_token_new, editable=False
    )

    class Meta:
        verbose_name = _("mail preferences")
        verbose_name_plural = _("mail preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="mail_preferences_weekday_iso"
            ),
            models.CheckConstraint(condition=Q(hour__lte=23), name="mail_preferences_hour_valid"),
        ]

    def __str__(self) -> str:
        return f"Mail preferences of {self.user}"

    def wants(self, kind: str) -> bool:
        return {
            MailKind.WEEKLY_DIGEST: self.weekly_digest,
            MailKind.INACTIVITY: self.inactivity_days is not None,
            MailKind.MENTOR_REVIEWS: self.mentor_reviews,
        }[kind]


class ScheduledMail(models.Model):
    """A scheduled mail recorded for one person, kind and period (an ISO week such as
    ``2026-W49``, or for a reminder the quiet spell's start): unique, so a rerun or a second
    scheduler never sends it again. A digest keeps the next stage's projected date it told,
    so the next digest can say how that date moved."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduled_mails"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MailKind)
    period = models.CharField(_("period"), max_length=40)
    next_stage = models.ForeignKey(
        CareerStage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("next stage told"),
    )
    next_stage_on = models.DateField(_("its projected date"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled mail")
        verbose_name_plural = _("scheduled mails")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period"], name="scheduled_mail_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MailKind.values), name="scheduled_mail_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user} ({self.period})"
