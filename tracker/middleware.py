"""Two rules that every request and response passes, right after authentication
(``MIDDLEWARE`` in careerpath/settings.py), and the request class that lets the second
one see every request (``careerpath/wsgi.py``).

- ``PrivatePagesMiddleware``: a page shown to a logged-in person is theirs: no cache may
  keep it.
- ``BadInputMiddleware``: what Django or the database cannot read is answered with the 400
  page before a view, a form, django-axes or the database sees it. Forms still give their
  own messages for what they can check (a NUL byte in a note, a bad address).
"""

import codecs
import functools
import string
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.urls import reverse
from django.utils.cache import patch_cache_control

ASCII = string.printable
FORM = "application/x-www-form-urlencoded"


class TolerantRequest(WSGIRequest):
    """A request whose constructor cannot fail on its ``Content-Type``.

    Django reads the header while it builds the request, before any middleware: a header
    it cannot parse raises there, and a codec that is not a text encoding ("zlib") fails
    decoding the query string, so the error escapes to the server's bare error page. Here
    the header's problem is kept in ``unreadable_content_type`` and ``BadInputMiddleware``
    answers it with the 400 page.
    """

    unreadable_content_type = ""

    def _set_content_type_params(self, meta):
        try:
            super()._set_content_type_params(meta)
        except (BadRequest, LookupError) as error:
            self._encoding = None
            self.unreadable_content_type = str(error) or "Invalid Content-Type header."


class TolerantWSGIHandler(WSGIHandler):
    request_class = TolerantRequest


class PrivatePagesMiddleware:
    """Every response to a logged-in person is ``Cache-Control: private, no-store``,
    unless its view set a rule of its own (the public badge: ``public, max-age=300``).
    Responses to visitors are left as their views made them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class BadInputMiddleware:
    """Refuses, with ``BadRequest`` (the 400 page), a request that would otherwise be a 500:

    - a body or query in a character set that does not read ASCII as ASCII (UTF-16,
      EBCDIC, "rot13"…), or a form body that is not UTF-8. Django refuses a form body
      like that too, but each time it is read: its own 400 view reads it again (for the
      CSRF token), fails again, and the error escapes to the server's bare error page.
      So the body is set aside first, and reads as empty from then on;
    - a NUL character anywhere in the query string: PostgreSQL cannot store one in text,
      and refuses a query that compares text with one (the admin's filters, its search).
      (In the path, the URL converters already refuse one: a 404);
    - a log-in whose username is longer than any account's (django-axes records failed
      usernames in 255 characters: on PostgreSQL a longer one failed the request).

    A session cookie with a NUL character cannot be a session: it is dropped, as an
    unknown one would be, rather than looked up in the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _drop_impossible_session(request)
        _refuse_unreadable_charset(request)
        _refuse_nul_in_query(request)
        _refuse_overlong_login(request)
        return self.get_response(request)


@functools.lru_cache(maxsize=64)
def reads_ascii_as_ascii(charset: str) -> bool:
    """Whether ``charset`` is a text encoding in which printable ASCII is itself."""
    try:
        encoded = ASCII.encode(charset)
        return encoded == ASCII.encode("ascii") and encoded.decode(charset) == ASCII
    except (LookupError, UnicodeError):  # not known, or not a text encoding ("zlib")
        return False


def _set_body_aside(request) -> None:
    """Read the query as UTF-8, and the body as empty, whoever reads them from now on
    (Django does the same with a multipart body it cannot parse)."""
    request.encoding = None
    request._mark_post_parse_error()


def _refuse_unreadable_charset(request) -> None:
    if getattr(request, "unreadable_content_type", ""):
        _set_body_aside(request)
        raise BadRequest(request.unreadable_content_type)
    charset = request.encoding  # set only when the Content-Type names one Python knows
    if charset is None:
        return
    if not reads_ascii_as_ascii(charset):
        _set_body_aside(request)
        raise BadRequest(f"Unsupported character set in the Content-Type: {charset!r}.")
    if request.method == "POST" and request.content_type == FORM:
        if codecs.lookup(charset).name != "utf-8":
            _set_body_aside(request)
            raise BadRequest(f"Form data must be UTF-8, not {charset!r}.")
        request.encoding = "utf-8"  # "UTF8", "utf_8": the name Django accepts


def _refuse_nul_in_query(request) -> None:
    if any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    ):
        raise BadRequest("A NUL character in the query string.")


def _refuse_overlong_login(request) -> None:
    if request.method != "POST" or request.path not in {reverse("login"), reverse("admin:login")}:
        return
    user_model = get_user_model()
    longest = user_model._meta.get_field(user_model.USERNAME_FIELD).max_length
    try:
        username = request.POST.get(user_model.USERNAME_FIELD, "")
    except (BadRequest, SuspiciousOperation):  # too many fields, too large a body
        _set_body_aside(request)
        raise
    if len(username) > longest:
        raise BadRequest(f"A username of {len(username)} characters, over {longest}.")


def _drop_impossible_session(request) -> None:
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if "\x00" in key:
        request.session = import_module(settings.SESSION_ENGINE).SessionStore()
