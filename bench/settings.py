"""The benchmark's settings: the project's own, plus the baseline view's URL.

The baseline exists only here, never in production: `bench/pages.py` and `bench/load.py`
run the app with ``DJANGO_SETTINGS_MODULE=bench.settings``.
"""

from careerpath.settings import *  # noqa: F403
from careerpath.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
