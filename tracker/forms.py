from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tracker.models import (
    INACTIVITY_CHOICES,
    MESSAGE_MAX_LENGTH,
    Guide,
    MailPreferences,
    Mentorship,
    MessageKind,
    Profile,
    Progress,
    ProgressStatus,
    ReviewRequest,
    ReviewStatus,
    Weekday,
    http_url_validator,
)

User = get_user_model()


class SignUpForm(UserCreationForm):
    # A new username is part of public links (/u/<username>/) and how mentors find each
    # other, so it must not pass for another one: ASCII letters, digits and . _ - only (no
    # "seca" spelt in Cyrillic beside the Latin one), and not only dots ("..", which
    # browsers turn into "/"). Django's own form refuses a name that differs from another
    # only in case. Older accounts keep their names; display names may use any letters.
    username_validator = RegexValidator(
        r"\A(?!\.+\Z)[A-Za-z0-9._-]+\Z",
        message=_(
            "A username can use only the letters A to Z (either case), digits, dots (.), "
            "hyphens (-) and underscores (_), and cannot be only dots."
        ),
        code="invalid_username",
    )
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("For password resets and your mentor's messages. Never shown to others."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(self.username_validator)
        username.help_text = _(
            "Up to 150 characters: letters A to Z, digits, dots, hyphens and underscores. "
            "It is part of your public links."
        )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account already uses this address. Log in, or reset your password.")
            )
        return email


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=ProgressStatus.choices,
        error_messages={
            "invalid_choice": _("Choose not started, in progress, done or already know it.")
        },
    )


class HttpURLField(forms.URLField):
    """Only http and https; one validator, so a bad link gets one error, not the same twice."""

    default_validators = [http_url_validator]


class NotesForm(forms.ModelForm):
    evidence_url = HttpURLField(
        label=_("Evidence link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A link to your work, e.g. a repository or a notebook (http or https)."),
        error_messages={"invalid": _("Enter a web address that starts with http:// or https://.")},
        widget=forms.URLInput(attrs={"placeholder": "https://github.com/you/project"}),
    )

    class Meta:
        model = Progress
        fields = ["note", "evidence_url"]
        labels = {"note": _("Private note")}
        help_texts = {
            "note": _("Up to 2,000 characters. Shared with mentors only if you allow it.")
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}


class ProfileForm(forms.ModelForm):
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        help_text=_("Chooses which of the guide's salary figures your dashboard shows."),
    )
    current_guide = forms.ModelChoiceField(
        label=_("Guide on your dashboard"),
        queryset=Guide.objects.none(),
        required=False,
        empty_label=_("The first published guide"),
    )

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "region",
            "current_guide",
            "public_profile",
            "share_notes_with_mentors",
            "mentee_capacity",
            "mail_new_messages",
        ]
        error_messages = {
            "mentee_capacity": {
                "invalid": _("Enter a whole number of mentees, or leave it empty for no limit."),
                "min_value": _("Enter 0 or more mentees, or leave it empty for no limit."),
                "max_value": _("Enter at most 500 mentees, or leave it empty for no limit."),
            }
        }

    def __init__(self, *args, regions: list[str], guides, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("No preference"))] + [(r, r) for r in regions]
        self.fields["current_guide"].queryset = guides
        if guides.count() <= 1:  # nothing to choose from
            del self.fields["current_guide"]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you. This cannot be undone."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password. Nothing was deleted."))
        return password


class InviteForm(forms.Form):
    identifier = forms.CharField(
        label=_("Mentor's username or email"),
        max_length=254,
        help_text=_("They get an email and can accept or decline."),
    )


class ReviewRequestForm(forms.Form):
    mentorship = forms.ModelChoiceField(
        label=_("Mentor"),
        queryset=Mentorship.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your active mentors.")},
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, mentorships: list, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["mentorship"]
        if self.is_bound:  # what an answer is checked against; a form shown needs none
            field.queryset = Mentorship.objects.filter(pk__in=[m.pk for m in mentorships])
        # Shown from the mentorships given (with their mentors), not asked for again.
        field.choices = [(m.pk, m.mentor.get_username()) for m in mentorships]
        self._mentorships = {m.pk: m for m in mentorships}

    def clean_mentorship(self):
        chosen = self.cleaned_data["mentorship"]
        return self._mentorships.get(chosen.pk, chosen)


class ReviewDecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[
            (ReviewStatus.APPROVED, _("Approve")),
            (ReviewStatus.CHANGES_REQUESTED, _("Request changes")),
        ],
        error_messages={"invalid_choice": _("Approve the milestone or request changes.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("verdict") == ReviewStatus.CHANGES_REQUESTED and not data.get("comment"):
            self.add_error("comment", _("Say what should change, so the learner can act on it."))
        return data


class PlanForm(forms.ModelForm):
    """The plan questions asked right after sign-up and kept in settings: the pace, the
    stage aimed for and by when, the time zone, and the foundations already known. (The
    digest's yes or no beside it in onboarding is ``DigestChoiceForm``.)"""

    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        help_text=_("Your weeks start on Monday in this time zone."),
    )
    known = forms.MultipleChoiceField(
        label=_("Foundations you already know"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick what you could already do today: it counts like done and moves your dates "
            "earlier. You can change it on any milestone later."
        ),
    )

    class Meta:
        model = Profile
        fields = ["hours_per_week", "target_stage", "target_date", "time_zone"]
        labels = {
            "hours_per_week": _("Hours a week you can give"),
            "target_stage": _("The stage you are aiming for"),
            "target_date": _("By when (optional)"),
        }
        help_texts = {
            "hours_per_week": _("Between 1 and 80. Leave empty if you cannot say yet."),
            "target_stage": _("Your dashboard tells you whether your pace gets you there."),
        }
        widgets = {
            "hours_per_week": forms.NumberInput(
                attrs={"min": 1, "max": 80, "inputmode": "numeric"}
            ),
            "target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, stages, foundations, known_ids, today, zones, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        stage_field = self.fields["target_stage"]
        stage_field.queryset = stages
        stage_field.empty_label = _("No particular stage: the whole plan")
        self.fields["time_zone"].choices = [(zone, zone.replace("_", " ")) for zone in zones]
        self.fields["time_zone"].widget.attrs["data-browser-time-zone"] = (
            "suggest"
            if self.instance.onboarded_at is None and self.instance.time_zone == "UTC"
            else ""
        )
        self.fields["known"].choices = [
            (str(m.pk), f"{m.title} ({m.estimated_hours} h)") for m in foundations
        ]
        if not foundations:
            del self.fields["known"]
        elif not self.is_bound:
            self.initial["known"] = [str(pk) for pk in known_ids]
        self.fields["hours_per_week"].error_messages.update(
            {
                "min_value": _("Give at least 1 hour a week, or leave it empty."),
                "max_value": _("80 hours a week is the most a plan can count on."),
            }
        )

    def clean_target_date(self):
        date = self.cleaned_data.get("target_date")
        if date is not None and date <= self.today:
            raise forms.ValidationError(_("Choose a date after today, or leave it empty."))
        return date

    def known_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data.get("known", [])}


class MailPreferencesForm(forms.Form):
    """The settings' "Reminders and calendar" section: every mail is off until chosen."""

    weekly_digest = forms.BooleanField(
        label=_("Send me a weekly digest"),
        required=False,
        help_text=_(
            "Once a week: what you finished, what comes next and how your projected dates moved."
        ),
    )
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=Weekday.choices,
        coerce=int,
        error_messages={"invalid_choice": _("Choose a day of the week.")},
    )
    hour = forms.TypedChoiceField(
        label=_("Hour"),
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        coerce=int,
        help_text=_("Weekly mails and reminders come at this hour, in your time zone."),
        error_messages={"invalid_choice": _("Choose an hour from the list.")},
    )
    inactivity_days = forms.TypedChoiceField(
        label=_("Remind me when I pause"),
        choices=[("" if days is None else days, label) for days, label in INACTIVITY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("One friendly nudge per quiet spell, never more."),
        error_messages={"invalid_choice": _("Choose one of the reminder options.")},
    )
    mentor_reviews = forms.BooleanField(
        label=_("If I mentor someone, mail me the reviews waiting for me once a week"),
        required=False,
        help_text=_("Only in weeks when some are waiting."),
    )

    @classmethod
    def initial_from(cls, preferences: MailPreferences) -> dict:
        return {
            "weekly_digest": preferences.weekly_digest,
            "weekday": preferences.weekday,
            "hour": preferences.hour,
            "inactivity_days": preferences.inactivity_days or "",
            "mentor_reviews": preferences.mentor_reviews,
        }


class DigestChoiceForm(forms.Form):
    """The explicit yes or no to the weekly digest, asked in onboarding: unanswered, the
    digest stays off and counts as not chosen yet."""

    weekly_digest = forms.TypedChoiceField(
        label=_("A weekly digest by mail?"),
        choices=[
            ("yes", _("Yes: once a week, my progress, what comes next and how my dates move")),
            ("no", _("No, thanks")),
        ],
        widget=forms.RadioSelect,
        coerce=lambda answer: answer == "yes",
        empty_value=None,
        required=False,
        help_text=_(
            "It comes on Monday at 08:00 your time; change the day, the hour or your mind "
            "in Settings → Reminders and calendar."
        ),
        error_messages={"invalid_choice": _("Answer yes or no, or leave it for later.")},
    )


VERDICT_COMMENT_MAX_LENGTH = ReviewRequest._meta.get_field("comment").max_length


class MessageForm(forms.Form):
    """A message in a milestone's conversation; too long, it is kept and marked."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Plain text; links become clickable."),
    )
    action = forms.ChoiceField(
        choices=[
            ("message", _("Send")),
            (MessageKind.APPROVED, _("Approve")),
            (MessageKind.CHANGES_REQUESTED, _("Request changes")),
        ],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, allow_verdict: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_verdict = allow_verdict

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action") or "message"
        cleaned["action"] = action
        if action != "message" and not self.allow_verdict:
            raise forms.ValidationError(_("Only a mentor gives a verdict, on a done milestone."))
        body = cleaned.get("body", "")
        if action == "message" and "body" not in self.errors and not body:
            self.add_error("body", _("Write a message first."))
        if action != "message" and len(body) > VERDICT_COMMENT_MAX_LENGTH:
            self.add_error(
                "body",
                _("Keep a verdict's comment to %(n)d characters.")
                % {"n": VERDICT_COMMENT_MAX_LENGTH},
            )
        return cleaned
