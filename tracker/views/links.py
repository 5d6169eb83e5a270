"""Pages reached by a secret rather than a login: the calendar feed (its secret token) and
the unsubscribe link of scheduled mail (its signature). Whoever holds the link may use it;
a wrong or tampered one is a 404, the same as a missing page."""

from http import HTTPStatus
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from tracker import caching
from tracker.models import display_name
from tracker.rules.calendar import FeedLinks, calendar_build
from tracker.selectors.reminders import calendar_feed_get, calendar_projection_get
from tracker.services.reminders import mail_kind_turn_off
from tracker.signed_links import unsubscribe_read

User = get_user_model()


@require_safe
def calendar_feed(request, token: str):
    feed = calendar_feed_get(token=token)
    if feed is None:
        raise Http404("No such calendar.")

    def render() -> bytes:
        guide_url = reverse("tracker:guide", kwargs={"guide_slug": feed.guide.slug})
        links = FeedLinks(
            site_url=settings.SITE_URL,
            domain=urlsplit(settings.SITE_URL).hostname or "careerpath",
            dashboard_url=settings.SITE_URL + reverse("tracker:dashboard"),
            milestone_url=settings.SITE_URL + guide_url + "{slug}/",
        )
        return calendar_build(
            projection=calendar_projection_get(feed=feed),
            person_id=feed.user.pk,
            calendar_name=f"CareerPath: {feed.guide.title}",
            links=links,
            stamp=timezone.now(),
        )

    body = b""
    if feed.guide is not None:
        body = caching.pages.calendar(profile=feed.user.profile, guide=feed.guide, render=render)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="careerpath.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt  # the signature is the authorisation; mail clients post without a session
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET asks for confirmation (a link scanner never unsubscribes anyone); POST, from the
    page's button or a mail client's one-click (RFC 8058), turns that mail off."""
    asked = unsubscribe_read(token)
    if asked is None:
        return render(
            request, "tracker/public/unsubscribe_invalid.html", status=HTTPStatus.NOT_FOUND
        )
    person = User.objects.select_related("profile").filter(pk=asked.user_id).first()
    if person is None:
        return render(
            request, "tracker/public/unsubscribe_invalid.html", status=HTTPStatus.NOT_FOUND
        )
    context = {"kind": asked.kind, "name": display_name(person), "token": token}
    if request.method == "POST":
        mail_kind_turn_off(user_id=person.pk, kind=asked.kind)
        context["done"] = True
    response = render(request, "tracker/public/unsubscribe.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
