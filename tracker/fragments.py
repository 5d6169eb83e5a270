"""Rendered pages and parts, cached under keys that hold every version of what they show.

A dashboard depends on the learner's profile and rows (``Profile.progress_version``), on
the guide's content (``Guide.content_version``) and on the day (relative dates, weekly
activity); the mentoring page on a fingerprint of the user's open mentorships
(mentoring_selectors.mentoring_versions). All of them are in the key, so a cached page is
never stale: a change makes a new key, and the old entry ages out. Nothing has to be
deleted, and it works alike with one cache per process or one shared by all.

Forms in a cached part need the visitor's CSRF token, which differs per session: the part
is rendered with a random placeholder, stored beside the HTML, that every response
replaces with the token of its own request.
"""

import hashlib
import secrets
from collections.abc import Callable

from django.contrib import messages
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

TIMEOUT = 24 * 60 * 60


def key(kind: str, *parts) -> str:
    """A short cache key from any number of parts (names, ids, versions, dates)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"fragment:{kind}:{digest}"


def cached_html(
    request, cache_key: str, render: Callable[[str], str], csrf_token: str | None = None
) -> SafeString:
    """The part cached under ``cache_key``, rendered by ``render(csrf_token)`` if missing,
    with the request's CSRF token; or with ``csrf_token``, the placeholder of a page that
    is being rendered around it to be cached itself."""
    entry = cache.get(cache_key)
    if entry is None:
        placeholder = secrets.token_urlsafe(18)
        entry = (placeholder, str(render(placeholder)))
        cache.set(cache_key, entry, TIMEOUT)
    placeholder, html = entry
    if placeholder in html:
        html = html.replace(placeholder, csrf_token or get_token(request))
    return mark_safe(html)


def cached_page(request, cache_key: str, render: Callable[[str], str]) -> SafeString:
    """A whole page for the requesting user (whose name and staff link are in the page's
    header), cached like a part; a page with a message to show once is rendered afresh."""
    if messages.get_messages(request):
        return mark_safe(render(get_token(request)))
    user = request.user
    return cached_html(request, key("page", cache_key, user.get_username(), user.is_staff), render)


def dashboard_key(*, profile, guide, today) -> str:
    """Everything a learner's dashboard body shows is decided by these values: any change
    to the learner's profile, progress or reviews bumps ``progress_version``."""
    return key(
        "dashboard",
        profile.pk,
        profile.progress_version,
        guide.pk,
        guide.content_version,
        guide.updated_at,
        today,
    )
