"""``tracker.sessions`` behind Django's cache (``cached_db``): with Redis, a session is read
from the cache, and from the database (with its user) only when the cache has lost it."""

from django.contrib.sessions.backends import cached_db

from tracker.sessions import SessionStore as DatabaseSessionStore


class SessionStore(cached_db.SessionStore, DatabaseSessionStore):
    pass
