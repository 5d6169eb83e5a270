from django.urls import path, register_converter

from tracker.views import invitations, learner, links, mentor, profiles, public


class UsernameConverter:
    """What Django's username validator allows, so that nothing else (a NUL byte, which
    PostgreSQL refuses in text) ever reaches a query: anything else is a 404."""

    regex = r"[\w.@+-]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UsernameConverter, "username")


class CalendarTokenConverter:
    """A calendar secret as ``secrets.token_urlsafe`` writes it; anything else is a 404."""

    regex = r"[A-Za-z0-9_-]{20,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CalendarTokenConverter, "calendar_token")

app_name = "tracker"
urlpatterns = [
    path("", public.landing, name="landing"),
    path("healthz", public.healthz, name="healthz"),
    path("guides/", public.guides, name="guides"),
    path("guides/<slug:guide_slug>/", public.guide, name="guide"),
    path("guides/<slug:guide_slug>/map/", public.guide_map, name="guide_map"),
    path("guides/<slug:guide_slug>/<slug:milestone_slug>/", public.milestone, name="milestone"),
    path(
        "guides/<slug:guide_slug>/<slug:milestone_slug>/status/",
        learner.progress_status,
        name="progress_status",
    ),
    path(
        "guides/<slug:guide_slug>/<slug:milestone_slug>/notes/",
        learner.progress_notes,
        name="progress_notes",
    ),
    path("dashboard/", learner.dashboard, name="dashboard"),
    path("settings/", learner.settings_page, name="settings"),
    path("settings/plan/", learner.onboarding, name="onboarding"),
    path("settings/export.json", learner.export_data, {"fmt": "json"}, name="export_json"),
    path("settings/export.csv", learner.export_data, {"fmt": "csv"}, name="export_csv"),
    path("settings/delete/", learner.delete_account, name="delete_account"),
    path("settings/reminders/", learner.reminders_update, name="reminders"),
    path("settings/calendar/reset/", learner.calendar_reset, name="calendar_reset"),
    path("calendar/<calendar_token:token>.ics", links.calendar_feed, name="calendar_feed"),
    path("unsubscribe/<str:token>/", links.unsubscribe, name="unsubscribe"),
    path("mentoring/", mentor.mentoring, name="mentoring"),
    path("mentoring/invite/", mentor.invite, name="invite"),
    path("mentoring/<int:mentorship_id>/respond/", mentor.respond, name="respond"),
    path("mentoring/<int:mentorship_id>/end/", mentor.end, name="end_mentorship"),
    path("mentoring/mentees/<username:username>/", mentor.mentee, name="mentee"),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
    path(
        "guides/<slug:guide_slug>/<slug:milestone_slug>/review/",
        mentor.request_review,
        name="request_review",
    ),
    path("mentoring/reviews/<int:review_id>/", mentor.decide_review, name="decide_review"),
    path(
        "guides/<slug:guide_slug>/<slug:milestone_slug>/conversation/",
        learner.thread_post,
        name="thread_post",
    ),
    path("mentoring/threads/<int:thread_id>/", mentor.thread, name="thread"),
    path("u/<username:username>/", profiles.public_profile, name="public_profile"),
    path("u/<username:username>/badge.svg", profiles.public_badge, name="public_badge"),
]
