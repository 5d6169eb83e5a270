"""What CareerPath keeps about a person beside Django's user: their profile and sessions."""

import unicodedata
import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.models.base import VersionedModel
from tracker.models.content import CareerStage, Guide

HOURS_PER_WEEK_MAX = 80

LINE_BREAKING = {"Cc", "Cf", "Zl", "Zp"}  # control and format characters, line separators


def validate_one_line(value: str) -> None:
    """A name goes into mail headers ("Ada asks you to be their mentor"): a line break
    or a control character there would break every mail that carries it."""
    if any(unicodedata.category(char) in LINE_BREAKING for char in value):
        raise ValidationError(
            _(
                "Use one line of letters, digits, spaces and punctuation: line breaks, "
                "tabs and other control characters are not allowed."
            ),
            code="not_one_line",
        )


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA zone names this machine knows (read once: the lookup walks the zone files)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            _("Choose a time zone from the list, such as Europe/Paris or America/New_York."),
            code="unknown_time_zone",
        )


class Profile(VersionedModel):
    UPDATED_APART = frozenset(
        {
            "progress_version",
            "last_active_at",
            "plan_seen",
            "messages_mailed_through",
            "attention_version",
            "history_version",
        }
    )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        _("display name"), max_length=80, blank=True, validators=[validate_one_line]
    )
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
        default=False,
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
    mentee_capacity = models.PositiveSmallIntegerField(
        _("mentees you take"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(500)],
        help_text=_(
            "How many learners you mentor at once. Leave it empty for no limit; 0 means you "
            "take nobody new for now."
        ),
    )
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(HOURS_PER_WEEK_MAX)],
        help_text=_("How many hours a week you mean to spend; your plan's dates follow it."),
    )
    target_stage = models.ForeignKey(
        CareerStage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stage aimed for"),
    )
    target_date = models.DateField(
        _("target date"),
        null=True,
        blank=True,
        help_text=_("When you would like to reach that stage (optional)."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Your weeks start on Monday in this time zone."),
    )
    onboarded_at = models.DateTimeField(
        _("onboarded"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the learner finished (or skipped) the questions after sign-up."),
    )
    # "<guide id>.<content version>" of the plan the dashboard last showed: while it holds,
    # nothing changed to tell (tracker.selectors.plan.plan_changes_get); no query needed.
    plan_seen = models.CharField(max_length=40, blank=True, editable=False)
    last_active_at = models.DateTimeField(
        _("last active"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the learner last changed a status or their notes."),
    )
    mail_new_messages = models.BooleanField(
        _("mail me about new messages"),
        default=True,
        help_text=_("One mail for a burst of messages on your milestones or your mentees'."),
    )
    # The id of the latest message a mail has told this person about (tracker.tasks).
    messages_mailed_through = models.PositiveBigIntegerField(default=0, editable=False)
    # Bumped when what waits for this person may have changed: a message in a thread they
    # take part in, their reading one, a mentorship of theirs (tracker.caching.versions).
    # It keys their cached count in every page's header.
    attention_version = models.PositiveBigIntegerField(default=0, editable=False)
    # Bumped on every write to the learner's profile, account, progress or reviews
    # (tracker.caching.versions): it keys the cached parts of their pages and their mentors'.
    progress_version = models.PositiveBigIntegerField(default=0, editable=False)
    # Bumped with progress_version when the learner's history changes: a completion (a
    # status change to done), a review request or its verdict, a reviewing mentor's name,
    # a reviewed milestone's content (tracker.caching.versions). It keys the dashboard's
    # parts that show that history (the activity chart, the reviews), which a status
    # change to anything but done leaves as they were.
    history_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The learner's time zone (UTC if the stored name is unknown here)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


def display_name(user) -> str:
    """How a person is named on every page and in every mail: their display name, or
    their username when they have none (or no profile yet)."""
    profile = getattr(user, "profile", None)
    return str(profile) if profile is not None else user.get_username()


def profile_if_loaded(user) -> Profile | None:
    """The person's profile when it already came with them (``tracker.auth`` loads it
    with the session's user), else None: never a query."""
    relation = Profile.user.field.remote_field  # the user's side: ``user.profile``
    if user is None or not user.is_authenticated or not relation.is_cached(user):
        return None
    return relation.get_cached_value(user)


class Session(AbstractBaseSession):
    """Django's database session, with the account it is logged in to: the session row of
    each request is read with its user (``tracker.sessions``) in one query, and an account
    deleted takes its sessions with it.

    ``user`` is written from the session's data each time it is saved. It has no database
    constraint: a session may still name an account deleted a moment ago elsewhere, and
    saving it must not fail (the user it names is then not found, as Django's own would)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="sessions",
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "tracker_session"

    @classmethod
    def get_session_store_class(cls):
        from tracker.sessions import SessionStore  # noqa: PLC0415 (it reads this model)

        return SessionStore
