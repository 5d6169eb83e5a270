from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tracker.models import (
    MESSAGE_MAX_LENGTH,
    Guide,
    Mentorship,
    MessageKind,
    Profile,
    Progress,
    ProgressStatus,
    ReviewRequest,
    ReviewStatus,
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
        error_messages={"invalid_choice": _("Choose not started, in progress or done.")},
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
            "mail_new_messages",
        ]

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
        field.queryset = Mentorship.objects.filter(pk__in=[m.pk for m in mentorships])
        field.label_from_instance = lambda m: m.mentor.get_username()
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
