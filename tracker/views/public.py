"""Pages anyone can read: the landing page, a guide, a milestone, and the health check."""

from http import HTTPStatus

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tracker.forms import MessageForm, NotesForm, ReviewRequestForm
from tracker.models import is_finished
from tracker.rules.guide_filter import guide_listing
from tracker.selectors.content import (
    guide_get_for_landing,
    guide_get_published,
    guide_list_published,
    milestone_get_active,
)
from tracker.selectors.map import guide_map_get
from tracker.selectors.mentoring import mentorship_list_active_of_mentee
from tracker.selectors.progress import (
    archived_milestone_page_get,
    guide_page_get,
    milestone_page_get,
    milestone_status_get,
)
from tracker.services.operations import health_report
from tracker.services.threads import thread_mark_read


@require_safe
def landing(request):
    return render(request, "tracker/public/landing.html", {"guide": guide_get_for_landing()})


@require_safe
def guides(request):
    return render(request, "tracker/public/guides.html", {"guides": list(guide_list_published())})


@require_safe
def guide(request, guide_slug: str):
    guide = guide_get_published(guide_slug, viewer=request.user)
    context = guide_page_get(guide=guide, learner=request.user)
    context.update(
        guide_listing(
            request.GET,
            pillars=context["plan"].pillars,
            statuses=context["statuses"],
            with_statuses=request.user.is_authenticated,
        )
    )
    return render(request, "tracker/public/guide.html", context)


@require_safe
def milestone(request, guide_slug: str, milestone_slug: str):
    guide = guide_get_published(guide_slug, viewer=request.user)
    try:
        milestone = milestone_get_active(guide=guide, slug=milestone_slug)
    except Http404:
        # Archived: still readable to a learner with history on it (and a 404 to others).
        context = archived_milestone_page_get(
            learner=request.user, guide=guide, slug=milestone_slug
        )
        return render(request, "tracker/learner/archived_milestone.html", context)
    context = milestone_context(request, guide, milestone)
    if context.get("thread_unread"):
        thread_mark_read(thread=context["thread"], person=request.user)
    return render(request, "tracker/public/milestone.html", context)


def milestone_context(request, guide, milestone, notes_form=None, message_form=None) -> dict:
    """The milestone page of ``milestone`` (shared: from the kept plan), for the viewer."""
    context = milestone_page_get(learner=request.user, guide=guide, milestone=milestone)
    if not request.user.is_authenticated:
        return context
    context["notes_form"] = notes_form or NotesForm(instance=context["progress"])
    if context["progress"] is not None and is_finished(context["progress"].status):
        # Offered only for a finished milestone.
        context["review_form"] = ReviewRequestForm(mentorships=context["mentors"])
    context["message_form"] = message_form or MessageForm()
    context["can_post"] = True
    context["post_url"] = reverse("tracker:thread_post", args=[guide.slug, milestone.slug])
    return context


def milestone_status_context(request, guide, milestone, progress) -> dict:
    """The milestone page's status and review cards right after the learner's status
    change wrote ``progress``: the mentors only when it is finished (the review card
    offers a review then, and only then)."""
    context = milestone_status_get(
        learner=request.user, guide=guide, milestone=milestone, progress=progress
    )
    context["mentors"] = []
    if is_finished(progress.status):
        context["mentors"] = mentorship_list_active_of_mentee(mentee=request.user)
        context["review_form"] = ReviewRequestForm(mentorships=context["mentors"])
    return context


@never_cache
@require_safe
def healthz(request):
    healthy, report = health_report()
    status = HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE
    return JsonResponse(report, status=status)


@require_safe
def guide_map(request, guide_slug: str):
    guide = guide_get_published(guide_slug)
    return render(
        request, "tracker/public/map.html", guide_map_get(guide=guide, learner=request.user)
    )
