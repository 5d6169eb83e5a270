"""Mentoring: invitations, the mentor dashboard, a mentee's progress, and reviews."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST, require_safe

from tracker import caching, permissions
from tracker.forms import InviteForm, ReviewDecisionForm, ReviewRequestForm
from tracker.limits import LimitReached
from tracker.selectors.content import guide_get_published, milestone_get_detail
from tracker.selectors.mentoring import (
    mentee_overview_get,
    mentee_progress_get,
    mentor_work_get,
    mentorship_list_active_of_mentee,
    mentorship_list_invitations,
)
from tracker.services.accounts import profile_get_or_create
from tracker.services.mentoring import (
    INVITE_SENT_BY_EMAIL,
    MentoringError,
    mentorship_end,
    mentorship_invite,
    mentorship_respond,
    review_decide,
    review_request,
)

MENTORING = "tracker/mentor/mentoring.html"


def _mentoring_page(request, invite_form=None, status=HTTPStatus.BAD_REQUEST):
    """Both sides of mentoring, cached per user until a mentorship, a mentee's data, a
    guide or the day changes (tracker.caching). An invitation form with errors is shown
    afresh, as it was filled in."""
    user = request.user

    def render_page(csrf_token: str) -> str:
        context = {
            "invitations": mentorship_list_invitations(mentor=user),
            **mentor_work_get(mentor=user),
            **mentee_overview_get(mentee=user),
            "invite_form": invite_form or InviteForm(),
            "csrf_token": csrf_token,
        }
        return render_to_string(MENTORING, context, request)

    if invite_form is not None:
        return HttpResponse(render_page(get_token(request)), status=status)
    page = caching.pages.mentoring(
        request, profile=profile_get_or_create(user=user), render_page=render_page
    )
    return HttpResponse(page)


@login_required
@require_safe
def mentoring(request):
    return _mentoring_page(request)


@login_required
@require_POST
def invite(request):
    form = InviteForm(request.POST)
    status = HTTPStatus.BAD_REQUEST
    if form.is_valid():
        try:
            mentorship = mentorship_invite(
                mentee=request.user, identifier=form.cleaned_data["identifier"]
            )
        except LimitReached as limit:
            form.add_error("identifier", str(limit))
            status = HTTPStatus.TOO_MANY_REQUESTS
        except MentoringError as error:
            form.add_error("identifier", str(error))
        else:
            if mentorship is None or "@" in form.cleaned_data["identifier"]:
                # The same words whether the address has an account or not.
                messages.success(request, INVITE_SENT_BY_EMAIL)
            else:
                messages.success(request, f"Invitation sent to {mentorship.mentor.get_username()}.")
            return redirect("tracker:mentoring")
    return _mentoring_page(request, invite_form=form, status=status)


@login_required
@require_POST
def respond(request, mentorship_id: int):
    mentorship = permissions.access_invitation(mentor=request.user, mentorship_id=mentorship_id)
    accept = request.POST.get("answer") == "accept"
    if request.POST.get("answer") not in ("accept", "decline"):
        messages.error(request, "Choose whether to accept or decline the invitation.")
        return redirect("tracker:mentoring")
    try:
        mentorship_respond(mentorship=mentorship, accept=accept)
    except MentoringError as error:
        messages.error(request, str(error))
    else:
        name = mentorship.mentee.get_username()
        messages.success(
            request,
            f"You are now {name}'s mentor." if accept else f"You declined {name}'s invitation.",
        )
    return redirect("tracker:mentoring")


@login_required
@require_POST
def end(request, mentorship_id: int):
    mentorship = permissions.access_open_mentorship(user=request.user, mentorship_id=mentorship_id)
    try:
        mentorship_end(mentorship=mentorship)
    except MentoringError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The mentorship has ended. Its history is kept.")
    return redirect("tracker:mentoring")


@login_required
@require_safe
def mentee(request, username: str):
    mentee, mentorship = permissions.access_mentee(mentor=request.user, username=username)
    context = mentee_progress_get(mentee=mentee, mentorship=mentorship)
    return render(request, "tracker/mentor/mentee.html", context)


@login_required
@require_POST
def request_review(request, guide_slug: str, milestone_slug: str):
    guide = guide_get_published(guide_slug)
    milestone = milestone_get_detail(guide=guide, slug=milestone_slug)
    mentors = mentorship_list_active_of_mentee(mentee=request.user)
    form = ReviewRequestForm(request.POST, mentorships=mentors)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(milestone.get_absolute_url())
    try:
        review_request(
            mentee=request.user,
            milestone=milestone,
            mentorship=form.cleaned_data["mentorship"],
            message=form.cleaned_data["message"],
        )
    except MentoringError as error:
        messages.error(request, str(error))
    else:
        mentor_name = form.cleaned_data["mentorship"].mentor.get_username()
        messages.success(request, f"Review requested from {mentor_name}.")
    return redirect(milestone.get_absolute_url())


@login_required
@require_POST
def decide_review(request, review_id: int):
    review = permissions.access_review_as_mentor(mentor=request.user, review_id=review_id)
    form = ReviewDecisionForm(request.POST)
    back = request.POST.get("back") == "mentee"
    target = (
        redirect("tracker:mentee", username=review.mentorship.mentee.get_username())
        if back
        else redirect("tracker:mentoring")
    )
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return target
    try:
        review_decide(
            review=review,
            verdict=form.cleaned_data["verdict"],
            comment=form.cleaned_data["comment"],
        )
    except MentoringError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your verdict is saved and the learner has been told.")
    return target
