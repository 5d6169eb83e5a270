"""What pytest runs with (pyproject.toml): the project's settings, made fast and inline.

Tests that check production behaviour start a process of their own with
``careerpath.settings`` and the production environment; tests of the worker run the
database task backend and a real `db_worker` process.
"""

import os
import tempfile
from pathlib import Path

from careerpath.settings import *  # noqa: F403
from careerpath.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"},
}
# Side effects run inline, at once, inside the test's transaction.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
SITE_URL = "http://testserver"  # what the test client's requests are addressed to
# Many sign-ups come from one address here; the tests of each limit set it back to 1.
LIMITS_FACTOR = 1000.0
# A file, not memory, so that a worker or web process started by a test sees the same
# database (SQLite; PostgreSQL's test database is shared anyway); one per test run.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    TEST_DB = Path(tempfile.gettempdir()) / f"careerpath-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_DB)}
elif os.environ.get("TEST_DB_NAME"):
    # Two checkouts testing on one PostgreSQL at once each name their own test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}
