"""What CareerPath keeps about a person beside Django's user: their profile."""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.models.base import VersionedModel
from tracker.models.content import Guide

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


class Profile(VersionedModel):
    UPDATED_APART = frozenset(
        {"progress_version", "last_active_at", "messages_mailed_through", "attention_version"}
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

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


def display_name(user) -> str:
    """How a person is named on every page and in every mail: their display name, or
    their username when they have none (or no profile yet)."""
    profile = getattr(user, "profile", None)
    return str(profile) if profile is not None else user.get_username()
