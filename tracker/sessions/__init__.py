"""Database sessions (``tracker.models.Session``), each read with its user in one query.

Every logged-in request reads its session row, then the user the session names: the
session store reads both, with the user's profile and chosen guide, in one statement
compiled once per process (``PreparedQuery``), and ``tracker.auth`` takes the user from
there. Writes, expiry and everything else are Django's own, with the user's id written
beside the data. ``tracker.sessions.cached`` is the same in front of a cache (Redis).
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.utils import timezone

from tracker.models import Session
from tracker.selectors.prepared import PreparedQuery


class SessionStore(db.SessionStore):
    # The user the session row was read with (tracker.auth), when it was read.
    loaded_user = None

    @classmethod
    def get_model_class(cls):
        return Session

    def _get_session_from_db(self):
        self.loaded_user = None
        session_key = self.session_key  # None unless a well-formed key
        if session_key is not None:
            found = _session_with_user(session_key=session_key)
            if found and found[0].expire_date > timezone.now():
                session = found[0]
                self.loaded_user = session.user
                return session
        self._session_key = None
        return None

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = user_id_of(data)
        return session


def user_id_of(data: dict) -> int | None:
    """The id of the account a session's data is logged in to, if any."""
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


_session_with_user = PreparedQuery(
    lambda session_key: Session.objects.select_related("user__profile__current_guide").filter(
        session_key=session_key
    ),
    "session_key",
    texts=("session_key",),
)
