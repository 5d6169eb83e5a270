"""The page an invitation mail links to: answer as the account it was sent to, as any
account when it went to an address without one, or sign up and accept in one step.

The link's signature is the only credential (tracker.rules.invitation_links). A link that
was changed, has expired, or names an invitation already answered gets a page that says so.
"""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from tracker.forms import SignUpForm
from tracker.limits import LimitReached, check_sign_up
from tracker.models import MentorshipStatus, display_name
from tracker.rules.invitation_links import LinkExpired, LinkInvalid, max_age, read_token
from tracker.selectors.invitations import invitation_get
from tracker.services.invitations import (
    invitation_accept,
    invitation_accept_with_sign_up,
    invitation_decline,
)
from tracker.services.mentoring import MentoringError

PAGE = "tracker/mentor/invitation.html"
UNUSABLE = "tracker/mentor/invitation_unusable.html"

REASONS = {
    "invalid": (
        HTTPStatus.NOT_FOUND,
        "This invitation link does not work",
        "It may have been cut short or changed when it was copied. Open the link from the "
        "mail again, or ask the learner who invited you to send a new invitation.",
    ),
    "expired": (
        HTTPStatus.GONE,
        "This invitation link has expired",
        "Links in invitation mails work for {days} days. Ask the learner who invited you to "
        "withdraw the invitation and send a new one.",
    ),
    "answered": (
        HTTPStatus.GONE,
        "This invitation has already been answered",
        "It was accepted or declined, and a link answers only once. Your mentees, if any, "
        "are on your Mentoring page.",
    ),
    "withdrawn": (
        HTTPStatus.GONE,
        "This invitation was withdrawn",
        "The learner who sent it withdrew it. Nothing else is needed from you.",
    ),
}


def _unusable(request, reason: str):
    status, heading, explanation = REASONS[reason]
    context = {
        "heading": heading,
        "explanation": explanation.format(days=max_age().days),
        "reason": reason,
    }
    return render(request, UNUSABLE, context, status=status)


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, token: str):
    try:
        link = read_token(token)
    except LinkExpired:
        return _unusable(request, "expired")
    except LinkInvalid:
        return _unusable(request, "invalid")
    mentorship = invitation_get(mentorship_id=link.mentorship_id, digest=link.address_digest)
    if mentorship is None:
        return _unusable(request, "invalid")
    if mentorship.status != MentorshipStatus.PENDING:
        answered = mentorship.responded_at is not None
        return _unusable(request, "answered" if answered else "withdrawn")
    context = {
        "mentorship": mentorship,
        "mentee_name": display_name(mentorship.mentee),
        "action": request.path,
        "login_url": f"{reverse('login')}?next={request.path}",
    }
    if request.user.is_authenticated:
        return _as_account(request, mentorship, context)
    return _as_newcomer(request, mentorship, context)


def _answer_of(request) -> str | None:
    answer = request.POST.get("answer")
    return answer if answer in ("accept", "decline") else None


def _as_account(request, mentorship, context):
    user = request.user
    if mentorship.mentee_id == user.pk:
        context["refusal"] = "This is your own invitation: send the link to the person you invited."
    elif mentorship.mentor_id is not None and mentorship.mentor_id != user.pk:
        context["refusal"] = (
            "This invitation was sent to another account. Log out, then log in with the "
            "account it was sent to."
        )
    if request.method != "POST":
        status = HTTPStatus.FORBIDDEN if "refusal" in context else HTTPStatus.OK
        return render(request, PAGE, context, status=status)
    answer = _answer_of(request)
    if answer is None:
        context["error"] = "Choose whether to accept or decline the invitation."
        return render(request, PAGE, context, status=HTTPStatus.BAD_REQUEST)
    try:
        if answer == "accept":
            invitation_accept(mentorship_id=mentorship.pk, person=user)
        else:
            invitation_decline(mentorship_id=mentorship.pk, person=user)
    except MentoringError as error:
        context["error"] = str(error)
        return render(request, PAGE, context, status=HTTPStatus.CONFLICT)
    name = context["mentee_name"]
    if answer == "accept":
        messages.success(request, f"You are now {name}'s mentor.")
    else:
        messages.success(request, f"You declined {name}'s invitation.")
    return redirect("tracker:mentoring")


def _as_newcomer(request, mentorship, context):
    """Without a session: an invitation to an account asks them to log in; one to an
    address without an account offers the sign-up form, the address filled in."""
    context["for_account"] = mentorship.mentor_id is not None
    if request.method == "POST" and request.POST.get("answer") == "decline":
        try:
            invitation_decline(mentorship_id=mentorship.pk, person=None)
        except MentoringError:
            return _unusable(request, "answered")
        return render(request, UNUSABLE, {"declined": context["mentee_name"]})
    if context["for_account"]:
        return render(request, PAGE, context)
    return _sign_up_and_accept(request, mentorship, context)


def _sign_up_and_accept(request, mentorship, context):
    form = SignUpForm(request.POST or None, initial={"email": mentorship.invited_as})
    context["form"] = form
    if request.method != "POST":
        return render(request, PAGE, context)
    status = HTTPStatus.BAD_REQUEST
    if form.is_valid():
        try:
            check_sign_up(request)
            user, _ = invitation_accept_with_sign_up(
                mentorship_id=mentorship.pk,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except LimitReached as limit:
            form.add_error(None, str(limit))
            status = HTTPStatus.TOO_MANY_REQUESTS
        except MentoringError:
            return _unusable(request, "answered")
        else:
            login(request, user, backend="tracker.auth.ProfileModelBackend")
            messages.success(
                request, f"Welcome to CareerPath. You are now {context['mentee_name']}'s mentor."
            )
            return redirect("tracker:mentoring")
    return render(request, PAGE, context, status=status)
