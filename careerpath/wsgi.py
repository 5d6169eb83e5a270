"""The WSGI application: Django's, with a request class whose constructor cannot fail on a
bad ``Content-Type`` (``tracker.middleware.TolerantRequest``)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerpath.settings")
django.setup(set_prefix=False)

from tracker.middleware import TolerantWSGIHandler  # noqa: E402  (needs settings)

application = TolerantWSGIHandler()
