"""Public, read-only progress pages that learners opt into."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tracker.rules.charts import badge_svg
from tracker.selectors.progress import public_profile_get


@require_safe
def public_profile(request, username: str):
    context = public_profile_get(username=username)
    context["canonical_url"] = settings.SITE_URL.rstrip("/") + request.path
    context["is_owner"] = request.user.pk == context["profile"].user_id
    return render(request, "tracker/public/profile.html", context)


@require_safe
def public_badge(request, username: str):
    context = public_profile_get(username=username)
    svg = badge_svg("CareerPath", f"{context['overall'].hours_percent}% done")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=300"
    return response
