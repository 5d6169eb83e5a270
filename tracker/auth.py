"""Authentication that loads what every logged-in page reads in the same query."""

from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.utils.functional import SimpleLazyObject

from tracker.selectors.prepared import PreparedQuery

# The session of the request whose user Django's ``auth.get_user`` is looking up.
_session_being_read: ContextVar = ContextVar("session being read", default=None)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, whose ``request.user`` is the one the session row was read with
    (``tracker.sessions``): Django's ``auth.get_user`` still checks the session against
    the user's password hash, as it does every user it loads."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: user_of_request(request))


def user_of_request(request):
    if not hasattr(request, "_cached_user"):
        reading = _session_being_read.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _session_being_read.reset(reading)
    return request._cached_user


class ProfileModelBackend(ModelBackend):
    """Django's username and password backend, whose session user comes with their profile
    and its chosen guide: read with the session itself when its store did
    (``tracker.sessions``), else one join instead of two more queries on every page."""

    def get_user(self, user_id):
        user = _user_read_with_session(user_id) or session_user_get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def _user_read_with_session(user_id):
    user = getattr(_session_being_read.get(), "loaded_user", None)
    return user if user is not None and str(user.pk) == str(user_id) else None


_session_user = PreparedQuery(
    lambda user_id: (
        get_user_model()
        ._default_manager.select_related("profile__current_guide")
        .filter(pk=user_id)
    ),
    "user_id",
)


def session_user_get(user_id):
    """The user with their profile and its chosen guide, or None: every logged-in request
    reads them, with a query compiled once (``PreparedQuery``)."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):  # a tampered session, or one of another user model
        return None
    found = _session_user(user_id=user_id)
    return found[0] if found else None
