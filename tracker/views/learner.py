"""Pages and actions of a logged-in learner: progress, dashboard, settings, their data."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST, require_safe

from tracker import caching
from tracker.forms import (
    DeleteAccountForm,
    DigestChoiceForm,
    MailPreferencesForm,
    MessageForm,
    NotesForm,
    PlanForm,
    ProfileForm,
    StatusForm,
)
from tracker.models import Progress, ProgressStatus
from tracker.selectors.content import (
    guide_get_published,
    guide_list_published,
    milestone_get_active,
    salary_region_list,
)
from tracker.selectors.exports import (
    learner_export_csv,
    learner_export_disposition,
    learner_export_json,
)
from tracker.selectors.plan import plan_changes_get, plan_form_get
from tracker.selectors.progress import dashboard_get, guide_get_for_dashboard, guide_page_get
from tracker.services.accounts import profile_get_or_create, user_delete
from tracker.services.plan import plan_seen_key, plan_snapshot_record, profile_plan_set
from tracker.services.progress import progress_set_status, progress_update_notes
from tracker.services.reminders import (
    calendar_token_reset,
    mail_preferences_get_or_create,
    mail_preferences_update,
    weekly_digest_choose,
)
from tracker.services.threads import ThreadError, message_post
from tracker.views import is_htmx
from tracker.views.public import milestone_context, milestone_status_context


def _back(request, fallback: str) -> HttpResponseRedirect:
    """Back to the page the form was on, if that is a path on this site."""
    target = request.POST.get("next", "")
    safe = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(target if safe else fallback)


def _render_in_place(request, view_name: str, guide, milestone, progress) -> HttpResponse:
    """The fragment an htmx status change swaps in, with the page's figures updated."""
    if view_name == "milestone":
        # The review card too: asking for a review depends on the milestone being done.
        context = milestone_status_context(request, guide, milestone, progress)
        context["oob"] = True
        return render(request, "tracker/public/milestone.html#status_swap", context)
    if view_name == "dashboard":
        profile = profile_get_or_create(user=request.user, reload=True)
        return HttpResponse(_dashboard_html(request, profile, guide, whole_page=False))
    context = guide_page_get(guide=guide, learner=request.user)
    context["milestone"] = context["plan"].by_slug[milestone.slug]
    context["oob"] = True
    item = render(request, "tracker/public/guide.html#milestone_item", context)
    summary = render(request, "tracker/public/guide.html#progress_summary", context)
    return HttpResponse(item.content + summary.content)


@login_required
@require_POST
def progress_status(request, guide_slug: str, milestone_slug: str):
    guide = guide_get_published(guide_slug, viewer=request.user)
    milestone = milestone_get_active(guide=guide, slug=milestone_slug)
    form = StatusForm(request.POST)
    if not form.is_valid():
        message = form.errors["status"][0]
        if is_htmx(request):
            return HttpResponse(message, status=HTTPStatus.BAD_REQUEST)
        messages.error(request, message)
        return _back(request, milestone.get_absolute_url())
    progress = progress_set_status(
        learner=request.user, milestone=milestone, status=form.cleaned_data["status"]
    )
    if is_htmx(request):
        view_name = request.POST.get("view", "guide")
        return _render_in_place(request, view_name, guide, milestone, progress)
    status = ProgressStatus(form.cleaned_data["status"])
    label = "already known" if status == ProgressStatus.KNOWN else status.label.lower()
    messages.success(request, f"“{milestone.title}” is now marked as {label}.")
    return _back(request, milestone.get_absolute_url())


@login_required
@require_POST
def progress_notes(request, guide_slug: str, milestone_slug: str):
    guide = guide_get_published(guide_slug, viewer=request.user)
    milestone = milestone_get_active(guide=guide, slug=milestone_slug)
    current = Progress.objects.filter(learner=request.user, milestone=milestone).first()
    form = NotesForm(request.POST, instance=current or Progress(learner=request.user))
    if form.is_valid():
        progress_update_notes(
            learner=request.user,
            milestone=milestone,
            note=form.cleaned_data["note"],
            evidence_url=form.cleaned_data["evidence_url"],
        )
        messages.success(request, "Your notes are saved.")
        return redirect(milestone.get_absolute_url())
    context = milestone_context(request, guide, milestone, notes_form=form)
    messages.error(request, "Your notes were not saved: please correct the fields below.")
    return render(request, "tracker/public/milestone.html", context, status=HTTPStatus.BAD_REQUEST)


@login_required
@require_safe
def dashboard(request):
    profile = profile_get_or_create(user=request.user)
    guide = guide_get_for_dashboard(profile=profile)
    if guide is None:
        return render(request, "tracker/learner/no_guide.html")
    if profile.plan_seen != plan_seen_key(guide):  # the guide's content changed since
        changes = plan_changes_get(learner=request.user, guide=guide)
        if changes.message:
            # A message renders the page afresh (tracker.caching.pages), once.
            messages.info(request, changes.message)
        plan_snapshot_record(learner=request.user, guide=guide, milestone_ids=changes.current_ids)
    return HttpResponse(_dashboard_html(request, profile, guide, whole_page=True))


DASHBOARD = "tracker/learner/dashboard.html"


def _dashboard_html(request, profile, guide, *, whole_page: bool) -> SafeString:
    """The dashboard's body (what htmx swaps in) or its whole page, cached per learner."""
    now = timezone.now()

    def render_body(csrf_token: str) -> str:
        context = dashboard_get(learner=request.user, profile=profile, guide=guide, now=now)
        context["csrf_token"] = csrf_token
        return render_to_string(f"{DASHBOARD}#dashboard_body", context, request)

    def render_page(csrf_token: str, body: SafeString) -> str:
        context = {"guide": guide, "dashboard_body": body, "csrf_token": csrf_token}
        return render_to_string(DASHBOARD, context, request)

    return caching.pages.dashboard(
        request,
        profile=profile,
        guide=guide,
        render_body=render_body,
        render_page=render_page if whole_page else None,
    )


def _render_settings(
    request, *, data=None, delete_form=None, reminders_form=None, status=HTTPStatus.OK
):
    profile = profile_get_or_create(user=request.user)
    preferences = mail_preferences_get_or_create(user=request.user)
    form = ProfileForm(
        data,
        instance=profile,
        regions=salary_region_list(),
        guides=guide_list_published(),
    )
    if data is not None and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("tracker:settings")
    if data is not None:
        messages.error(request, "Your settings were not saved: please correct the fields below.")
        status = HTTPStatus.BAD_REQUEST
    calendar_url = request.build_absolute_uri(
        reverse("tracker:calendar_feed", kwargs={"token": preferences.calendar_token})
    )
    context = {
        "form": form,
        "profile": profile,
        "delete_form": delete_form or DeleteAccountForm(user=request.user),
        "reminders_form": reminders_form
        or MailPreferencesForm(initial=MailPreferencesForm.initial_from(preferences)),
        "preferences": preferences,
        "calendar_url": calendar_url,
        "calendar_subscribe_url": "webcal://" + calendar_url.split("://", 1)[1],
    }
    return render(request, "tracker/learner/settings.html", context, status=status)


@login_required
def settings_page(request):
    return _render_settings(request, data=request.POST if request.method == "POST" else None)


@login_required
@require_POST
def reminders_update(request):
    form = MailPreferencesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your reminders were not saved: please correct the fields below.")
        return _render_settings(request, reminders_form=form, status=HTTPStatus.BAD_REQUEST)
    preferences = mail_preferences_update(user=request.user, **form.cleaned_data)
    if preferences.weekly_digest:
        day = preferences.get_weekday_display()
        messages.success(
            request, f"Saved. Your weekly digest comes on {day}s at {preferences.hour:02d}:00."
        )
    else:
        messages.success(request, "Saved. No weekly digest will be sent.")
    return redirect(reverse("tracker:settings") + "#reminders-heading")


@login_required
@require_POST
def calendar_reset(request):
    calendar_token_reset(user=request.user)
    messages.success(
        request,
        "Your calendar has a new address: the old one no longer works. "
        "Subscribe again with the address below.",
    )
    return redirect(reverse("tracker:settings") + "#calendar-heading")


@login_required
@require_GET
def export_data(request, fmt: str):
    # Times in the zone the learner chose for their plan; the site's until they chose one.
    profile = profile_get_or_create(user=request.user)
    zone = profile.zone if profile.onboarded_at else timezone.get_current_timezone()
    if fmt == "json":
        body = learner_export_json(user=request.user, zone=zone)
        content_type = "application/json; charset=utf-8"
    else:
        body = learner_export_csv(user=request.user, zone=zone)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = learner_export_disposition(user=request.user, fmt=fmt)
    return response


@login_required
@require_POST
def delete_account(request):
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_settings(request, delete_form=form, status=HTTPStatus.BAD_REQUEST)
    user = request.user
    logout(request)
    user_delete(user=user)
    messages.success(request, "Your account and all of its data have been deleted.")
    return redirect("tracker:landing")


def _plan_form(request, profile, page, data=None) -> PlanForm:
    return PlanForm(
        data,
        instance=profile,
        stages=page["stages"],
        foundations=page["foundations"],
        known_ids=page["known_ids"],
        today=page["today"],
        zones=page["zones"],
    )


@login_required
def onboarding(request):
    """The plan questions: right after sign-up (skippable), and later from settings."""
    profile = profile_get_or_create(user=request.user)
    page = plan_form_get(profile=profile, now=timezone.now())
    first_time = profile.onboarded_at is None
    form = _plan_form(request, profile, page, request.POST if request.method == "POST" else None)
    preferences = mail_preferences_get_or_create(user=request.user)
    digest_form = DigestChoiceForm(
        request.POST if request.method == "POST" else None,
        initial={
            "weekly_digest": ("yes" if preferences.weekly_digest else "no")
            if preferences.digest_chosen_at
            else None
        },
    )
    status = HTTPStatus.OK
    if request.method == "POST":
        if form.is_valid() and digest_form.is_valid():
            profile_plan_set(
                user=request.user,
                hours_per_week=form.cleaned_data["hours_per_week"],
                target_stage=form.cleaned_data["target_stage"],
                target_date=form.cleaned_data["target_date"],
                time_zone=form.cleaned_data["time_zone"],
                offered=page["foundations"],
                known_ids=form.known_ids() if "known" in form.fields else (),
            )
            if digest_form.cleaned_data["weekly_digest"] is not None:
                weekly_digest_choose(
                    user=request.user, wanted=digest_form.cleaned_data["weekly_digest"]
                )
            messages.success(
                request,
                "Your plan is set: your dashboard now dates it."
                if first_time
                else "Your plan is saved.",
            )
            return redirect("tracker:dashboard")
        messages.error(request, "Your plan was not saved: please correct the fields below.")
        status = HTTPStatus.BAD_REQUEST
    context = {**page, "form": form, "digest_form": digest_form, "first_time": first_time}
    return render(request, "tracker/learner/onboarding.html", context, status=status)


THREAD_CARD = "tracker/mentor/thread.html#thread_card"


@login_required
@require_POST
def thread_post(request, guide_slug: str, milestone_slug: str):
    """The learner's question or reply on their milestone. With htmx the conversation is
    swapped in place (errors included, the text kept); without, the page reloads."""
    guide = guide_get_published(guide_slug, viewer=request.user)
    milestone = milestone_get_active(guide=guide, slug=milestone_slug)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message_post(
                author=request.user,
                learner=request.user,
                milestone=milestone,
                body=form.cleaned_data["body"],
            )
        except ThreadError as error:
            form.add_error("body", str(error))
    if form.is_valid():
        if is_htmx(request):
            context = milestone_context(request, guide, milestone)
            return render(request, THREAD_CARD, context)
        messages.success(request, "Your message is sent to your mentors.")
        return redirect(milestone.get_absolute_url() + "#conversation")
    context = milestone_context(request, guide, milestone, message_form=form)
    if is_htmx(request):
        return render(request, THREAD_CARD, context)
    messages.error(request, "Your message was not sent: please correct it below.")
    return render(request, "tracker/public/milestone.html", context, status=HTTPStatus.BAD_REQUEST)
