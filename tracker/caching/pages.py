"""How a view asks for a cached page: it passes what the page is of and how to render it;
the key comes from ``keys``, so a view never builds one.

Forms in a cached page need the visitor's CSRF token, which differs per session: the page
is rendered with a random placeholder, stored beside the HTML, that every response
replaces with the token of its own request. A page with a message to show once (after a
redirect) is rendered afresh, never cached.
"""

import dataclasses
import pickle
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from tracker.caching import keys
from tracker.models import Thread


def _cached_html(
    request, cache_key: str, render: Callable[[str], str], csrf_token: str | None = None
) -> SafeString:
    """The part cached under ``cache_key``, rendered by ``render(csrf_token)`` if missing,
    with the request's CSRF token; or with ``csrf_token``, the placeholder of a page that
    is being rendered around it to be cached itself."""
    entry = cache.get(cache_key)
    if entry is None:
        placeholder = secrets.token_urlsafe(18)
        entry = (placeholder, str(render(placeholder)))
        cache.set(cache_key, entry, settings.PAGE_CACHE_TIMEOUT)
    placeholder, html = entry
    if placeholder in html:
        html = html.replace(placeholder, csrf_token or get_token(request))
    return mark_safe(html)


def _cached_page(request, cache_key: str, render: Callable[[str], str]) -> SafeString:
    """A whole page for the requesting user (whose name and staff link are in the page's
    header), cached like a part; a page with a message to show once is rendered afresh."""
    if messages.get_messages(request):
        return mark_safe(render(get_token(request)))
    page_key = keys.page_key(cache_key, user=request.user, attention=nav_attention(request))
    return _cached_html(request, page_key, render)


def part(request, parts: tuple, render: Callable[[str], str], csrf_token=None) -> SafeString:
    """A part of a page for one person, cached under ``parts`` (``{% cached %}``): with
    the request's CSRF token, or ``csrf_token`` (a page's placeholder, or the token)."""
    return _cached_html(request, keys.key("part", *parts), render, csrf_token and str(csrf_token))


def nav_attention(request) -> tuple[int, int]:
    """How many conversations wait for the user, as a learner and as a mentor: every
    page's header shows it, so it is part of every whole page's key. Cached until the
    person's ``attention_version`` goes up (the profile comes with the session's user):
    no query once warm, one (``Thread.objects.waiting_counts``) when cold."""
    user = request.user
    if not user.is_authenticated:
        return (0, 0)
    if not hasattr(request, "_nav_attention"):
        attention_key = keys.attention_key(user=user, profile=getattr(user, "profile", None))
        counts = cache.get(attention_key)
        if counts is None:
            counts = Thread.objects.waiting_counts(user)
            cache.set(attention_key, counts, settings.PAGE_CACHE_TIMEOUT)
        request._nav_attention = tuple(counts)
    return request._nav_attention


def dashboard(
    request,
    *,
    profile,
    guide,
    render_body: Callable[[str], str],
    render_page: Callable[[str, SafeString], str] | None = None,
) -> SafeString:
    """A learner's dashboard body, as htmx swaps it in; with ``render_page``, the whole
    page around it, which reuses the body an htmx swap has just cached."""
    body_key = keys.dashboard_key(profile=profile, guide=guide, today=timezone.localdate())
    if render_page is None:
        return _cached_html(request, body_key, render_body)

    def render_whole(csrf_token: str) -> str:
        body = _cached_html(request, body_key, render_body, csrf_token=csrf_token)
        return render_page(csrf_token, body)

    return _cached_page(request, body_key, render_whole)


@dataclasses.dataclass(frozen=True)
class MenteeParts:
    """What the mentoring page shows of one mentee, rendered: their row with the key it
    is sorted by, and their waiting reviews and conversations, each as (when, html) to be
    listed among everyone's, oldest first. Until ``fresh_until`` (a conversation turns
    overdue then), or until the mentee's data changes (``keys.mentee_versions``).

    Moments are POSIX timestamps: a mentor's page reads hundreds of these from the cache,
    and a float comes out of a pickle several times faster than a datetime."""

    order: tuple
    row: str
    reviews: tuple[tuple[float, str], ...]
    threads: tuple[tuple[float, str], ...]
    fresh_until: float | None = None

    def with_token(self, placeholder: str, csrf_token: str) -> "MenteeParts":
        if not self.reviews:
            return self
        return dataclasses.replace(
            self,
            reviews=tuple(
                (when, html.replace(placeholder, csrf_token)) for when, html in self.reviews
            ),
        )


def mentee_parts(
    request,
    *,
    mentor,
    render: Callable[[list[int], str], dict[int, MenteeParts]],
    csrf_token: str | None = None,
) -> "MentorWork":
    """What the mentoring page shows of each of the mentor's active mentees, most in need
    of attention first, rendered by ``render(mentorship_ids, csrf_placeholder)`` only for
    the mentees whose data changed since (``keys.mentee_versions``): after one mentee's
    change, the page of a mentor of hundreds renders one row again, not all of them.

    All of a mentor's are one cache entry, read and written whole: two processes writing
    it at once may each drop the other's new parts, which are then rendered again, since
    a part is only ever used for the versions it was rendered for."""
    versions, invitations_waiting = keys.mentee_versions(mentor=mentor, today=timezone.localdate())
    store_key = keys.key("mentee-parts", mentor.pk)
    stored = cache.get(store_key) or {}
    now = timezone.now().timestamp()
    # Each entry is (version, fresh until, the pickled placeholder and parts): written
    # again, the entries that did not change are copied as they are, not pickled again.
    listed = {}
    for mentorship_id, version in versions.items():
        entry = stored.get(mentorship_id)
        if entry is not None and entry[0] == version and (entry[1] is None or now < entry[1]):
            listed[mentorship_id] = entry
    missing = [mentorship_id for mentorship_id in versions if mentorship_id not in listed]
    if missing:
        placeholder = secrets.token_urlsafe(18)
        for mentorship_id, parts in render(missing, placeholder).items():
            pickled = pickle.dumps(
                (placeholder, dataclasses.astuple(parts)), pickle.HIGHEST_PROTOCOL
            )
            listed[mentorship_id] = (versions[mentorship_id], parts.fresh_until, pickled)
        cache.set(store_key, listed, settings.PAGE_CACHE_TIMEOUT)
    token = csrf_token or get_token(request)
    mentees = []
    for mentorship_id in versions:
        if mentorship_id in listed:
            placeholder, fields = pickle.loads(listed[mentorship_id][2])
            mentees.append(MenteeParts(*fields).with_token(placeholder, token))
    mentees.sort(key=lambda parts: parts.order)
    return MentorWork(
        invitations_waiting=invitations_waiting,
        mentees=[SafeString(parts.row) for parts in mentees],
        queue=_oldest_first(parts.reviews for parts in mentees),
        waiting_threads=_oldest_first(parts.threads for parts in mentees),
    )


@dataclasses.dataclass(frozen=True)
class MentorWork:
    """The mentor's side of the mentoring page, rendered: rows, reviews, conversations;
    and whether there are invitations to answer."""

    invitations_waiting: bool
    mentees: list[SafeString]
    queue: list[SafeString]
    waiting_threads: list[SafeString]


def _oldest_first(groups) -> list[SafeString]:
    dated = sorted(
        (item for group in groups for item in group), key=lambda dated_html: dated_html[0]
    )
    return [SafeString(html) for _, html in dated]


def calendar(*, profile, guide, render: Callable[[], bytes]) -> bytes:
    """A learner's calendar feed, which calendar apps ask for every hour or so: rendered
    again when their plan or progress, the guide or their day changes."""
    feed_key = keys.calendar_key(profile=profile, guide=guide, now=timezone.now())
    body = cache.get(feed_key)
    if body is None:
        body = render()
        cache.set(feed_key, body, settings.PAGE_CACHE_TIMEOUT)
    return body


def own_mentoring(
    request, *, profile, render: Callable[[str], str], csrf_token: str | None = None
) -> SafeString:
    """The user's own side of the mentoring page (their mentors, conversations and
    requests), which their mentees' changes leave as it was."""
    own_key = keys.own_mentoring_key(user=request.user, profile=profile, today=timezone.localdate())
    return _cached_html(request, own_key, render, csrf_token)


def mentoring(request, *, profile, render_page: Callable[[str], str]) -> SafeString:
    """Both sides of the user's mentoring, until a mentorship, a mentee's data, a guide or
    the day changes."""
    page_key = keys.mentoring_key(user=request.user, profile=profile, today=timezone.localdate())
    return _cached_page(request, page_key, render_page)
