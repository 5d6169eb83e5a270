"""Does the password-reset page tell whether an address has an account? Its answer time
for an address with an account and for one without, alternately, in one run.

    python bench/reset_timing.py [--requests 200]

Runs on a fresh SQLite database in a temporary folder, with the database task backend
(the request only enqueues the reset; no worker runs). Prints both medians.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from http import HTTPStatus
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    requests = parser.parse_args().requests
    folder = tempfile.mkdtemp(prefix="reset-timing-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="careerpath.settings",
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        LIMITS_FACTOR="1000000",
        AXES_ENABLED="0",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user(
        "reset-timing", "reset-timing@example.com", "a-long-password-123"
    )
    client = Client()
    client.get("/accounts/password_reset/")
    times: dict[str, list[float]] = {"with an account": [], "without one": []}
    for n in range(requests):
        for kind, email in (("with an account", user.email), ("without one", f"x{n}@example.com")):
            started = time.perf_counter()
            response = client.post("/accounts/password_reset/", {"email": email})
            times[kind].append(time.perf_counter() - started)
            assert response.status_code == HTTPStatus.FOUND, response.status_code
    for kind, values in times.items():
        print(f"address {kind:16} {statistics.median(values) * 1000:.2f} ms (median of {requests})")


if __name__ == "__main__":
    main()
