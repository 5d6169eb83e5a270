"""Mentoring: invitations, the mentor dashboard, a mentee's progress, and reviews."""

import datetime
from collections import defaultdict
from functools import partial
from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tracker import caching, permissions
from tracker.forms import InviteForm, MessageForm, ReviewDecisionForm, ReviewRequestForm
from tracker.limits import LimitReached
from tracker.models import Progress, is_finished
from tracker.selectors.content import guide_get_published, milestone_get_active
from tracker.selectors.mentoring import (
    mentee_overview_get,
    mentee_progress_get,
    mentor_work_get,
    mentorship_list_active_of_mentee,
    mentorship_list_invitations,
)
from tracker.selectors.threads import (
    mentee_timeline_get,
    overdue_after,
    thread_get_by_id,
    threads_of_learner,
    threads_waiting_for_mentor,
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
    thread_verdict,
)
from tracker.services.threads import ThreadError, message_post, thread_mark_read
from tracker.views import is_htmx

MENTORING = "tracker/mentor/mentoring.html"


def _mentoring_page(request, invite_form=None, status=HTTPStatus.BAD_REQUEST):
    """Both sides of mentoring, cached per user until a mentorship, a mentee's data, a
    guide or the day changes (tracker.caching). An invitation form with errors is shown
    afresh, as it was filled in."""
    user = request.user
    profile = profile_get_or_create(user=user)

    def render_own_side(csrf_token: str) -> str:
        context = {
            **mentee_overview_get(mentee=user),
            "my_threads": threads_of_learner(learner=user),
            "invite_form": invite_form or InviteForm(),
            "csrf_token": csrf_token,
        }
        return render_to_string(f"{MENTORING}#own_side", context, request)

    def render_page(csrf_token: str) -> str:
        work = caching.pages.mentee_parts(
            request, mentor=user, render=partial(_mentee_parts, user), csrf_token=csrf_token
        )
        if invite_form is None:
            own_side = caching.pages.own_mentoring(
                request, profile=profile, render=render_own_side, csrf_token=csrf_token
            )
        else:
            own_side = mark_safe(render_own_side(csrf_token))
        context = {
            "invitations": (
                mentorship_list_invitations(mentor=user) if work.invitations_waiting else []
            ),
            "mentees": work.mentees,
            "queue": work.queue,
            "waiting_threads": work.waiting_threads,
            "own_side": own_side,
            "overdue_days": settings.REVIEW_OVERDUE_DAYS,
            "csrf_token": csrf_token,
        }
        return render_to_string(MENTORING, context, request)

    if invite_form is not None:
        return HttpResponse(render_page(get_token(request)), status=status)
    page = caching.pages.mentoring(request, profile=profile, render_page=render_page)
    return HttpResponse(page)


def _mentee_parts(mentor, mentorship_ids: list[int], csrf_token: str) -> dict:
    """What the mentoring page shows of these mentees, by mentorship id
    (``caching.pages.mentee_parts`` asks for those whose data changed)."""
    work = mentor_work_get(mentor=mentor, mentorship_ids=mentorship_ids)
    now = timezone.now()
    threads = defaultdict(list)
    for waiting in threads_waiting_for_mentor(
        mentees=[row.mentee for row in work["mentees"]], now=now
    ):
        threads[waiting.thread.learner_id].append(waiting)
    reviews = defaultdict(list)
    for review in work["queue"]:
        reviews[review.mentorship_id].append(review)

    def part(name: str, **context) -> str:
        return render_to_string(f"{MENTORING}#{name}", {**context, "csrf_token": csrf_token})

    parts = {}
    for row in work["mentees"]:
        mine = threads[row.mentee.pk]
        turns_overdue = [
            (w.thread.last_message_at + overdue_after()).timestamp() for w in mine if not w.overdue
        ]
        parts[row.mentorship.pk] = caching.pages.MenteeParts(
            order=tuple(
                value.timestamp() if isinstance(value, datetime.datetime) else value
                for value in row.attention_key()
            ),
            row=part("mentee_row", row=row),
            reviews=tuple(
                (r.requested_at.timestamp(), part("review_item", review=r))
                for r in reviews[row.mentorship.pk]
            ),
            threads=tuple(
                (w.thread.last_message_at.timestamp(), part("waiting_thread", waiting=w))
                for w in mine
            ),
            fresh_until=min(turns_overdue, default=None),
        )
    return parts


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
    context["mentee"] = mentee
    context["timeline"] = mentee_timeline_get(mentee=mentee, page_number=request.GET.get("page", 1))
    return render(request, "tracker/mentor/mentee.html", context)


@login_required
@require_POST
def request_review(request, guide_slug: str, milestone_slug: str):
    guide = guide_get_published(guide_slug, viewer=request.user)
    milestone = milestone_get_active(guide=guide, slug=milestone_slug)
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


THREAD = "tracker/mentor/thread.html"
VERDICT_SAVED = "Your verdict is saved and the learner has been told."


def _thread_context(request, thread, message_form=None) -> dict:
    progress = Progress.objects.filter(
        learner_id=thread.learner_id, milestone_id=thread.milestone_id
    ).first()
    done = progress is not None and is_finished(progress.status)
    context = thread_get_by_id(thread=thread)
    context.update(
        {
            "milestone": thread.milestone,
            "thread_learner": thread.learner,
            "progress": progress,
            "viewer_is_mentor": True,
            "can_post": True,
            "can_give_verdict": done,
            "message_form": message_form or MessageForm(allow_verdict=done),
            "post_url": reverse("tracker:thread", args=[thread.pk]),
        }
    )
    return context


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def thread(request, thread_id: int):
    """A mentee's thread, for one of their active mentors: read it, reply, or give a
    verdict on a done milestone."""
    thread = permissions.access_thread_as_mentor(mentor=request.user, thread_id=thread_id)
    if request.method != "POST":
        thread_mark_read(thread=thread, person=request.user)
        return render(request, THREAD, _thread_context(request, thread))
    context = _thread_context(request, thread)
    form = MessageForm(request.POST, allow_verdict=context["can_give_verdict"])
    if form.is_valid():
        try:
            if form.cleaned_data["action"] == "message":
                message_post(
                    author=request.user,
                    learner=thread.learner,
                    milestone=thread.milestone,
                    body=form.cleaned_data["body"],
                )
            else:
                thread_verdict(
                    mentor=request.user,
                    thread=thread,
                    verdict=form.cleaned_data["action"],
                    comment=form.cleaned_data["body"],
                )
        except (ThreadError, MentoringError) as error:
            form.add_error("body", str(error))
    if form.is_valid():
        if is_htmx(request):
            return render(request, f"{THREAD}#thread_card", _thread_context(request, thread))
        done = "message" if form.cleaned_data["action"] == "message" else "verdict"
        messages.success(request, "Your reply is sent." if done == "message" else VERDICT_SAVED)
        return redirect("tracker:thread", thread_id=thread.pk)
    context = _thread_context(request, thread, message_form=form)
    if is_htmx(request):
        return render(request, f"{THREAD}#thread_card", context)
    return render(request, THREAD, context, status=HTTPStatus.BAD_REQUEST)
