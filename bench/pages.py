"""Server time and query count of CareerPath's pages, as ratios to a baseline view.

    python bench/pages.py [--requests 200] [--databases sqlite,postgres] [--sizes small,scale]

For each database and data size, a worker process builds (or reuses) a benchmark database,
then requests every page through Django's full middleware stack with the test client and
records the median time of ``--requests`` requests after a warm-up, and the number of SQL
queries. The baseline ("Fortunes": one small query, a sort, a small template) is requested
before every request of every page, and each page's ratio is to the baseline's median over
those same moments, so ratios compare like with like on a busy machine. The table is
printed and a JSON report is written to reports/bench.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports" / "bench.json"
FORM = "application/x-www-form-urlencoded"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"

# (page, url or special, user): the pages the benchmark must cover.
PAGES = [
    ("baseline", "/bench/fortunes/", None),
    ("landing", "/", None),
    ("guide (anonymous)", "/guides/ml-engineer/", None),
    ("guide (learner)", "/guides/ml-engineer/", "learner"),
    ("dashboard", "/dashboard/", "learner"),
    ("mentor dashboard (100 mentees)", "/mentoring/", "bench-mentor-100"),
    ("mentor dashboard (200 mentees)", "/mentoring/", "bench-mentor-200"),
    ("mentee page", "MENTEE", "bench-mentor-100"),
    ("milestone (learner)", "MILESTONE", "learner"),
    ("map (learner)", "/guides/ml-engineer/map/", "learner"),
    ("thread (mentor)", "THREAD", "bench-mentor-100"),
    ("calendar feed", "CALENDAR", None),
    ("admin progress changelist", "/admin/tracker/progress/", "admin"),
]
# (cycle, how the learner writes, the page timed after it or None for the write itself,
# who looks at that page): what a person does, a write and the page right after it.
# "plain" is a form post without JavaScript (answered by a redirect); the others are htmx
# posts that answer with the fragment of that page.
CYCLES = [
    ("status change, no JavaScript", "plain", None, "learner"),
    ("status change, htmx on the dashboard", "dashboard", None, "learner"),
    ("status change, htmx on the guide", "guide", None, "learner"),
    ("status change, htmx on the milestone", "milestone", None, "learner"),
    ("dashboard after a change", "plain", "/dashboard/", "learner"),
    ("guide (learner) after a change", "plain", "/guides/ml-engineer/", "learner"),
    ("milestone (learner) after a change", "plain", "MILESTONE", "learner"),
    ("map (learner) after a change", "plain", "/guides/ml-engineer/map/", "learner"),
    ("mentoring (200 mentees) after a change", "plain", "/mentoring/", "bench-mentor-200"),
    ("mentee page after a change", "plain", "MENTEE", "bench-mentor-100"),
    ("thread (mentor) after a change", "plain", "THREAD", "bench-mentor-100"),
    ("calendar feed after a change", "plain", "CALENDAR", "learner"),
]
STATUS_ROTATION = ["in_progress", "done", "not_started"]
BARS = {
    "dashboard": 3.0,
    "mentor dashboard (200 mentees)": 6.0,
    "guide (learner)": 4.0,
    "milestone (learner)": 4.0,
    "status change, no JavaScript": 4.0,
    "status change, htmx on the dashboard": 6.0,
    "status change, htmx on the guide": 6.0,
    "status change, htmx on the milestone": 6.0,
    "dashboard after a change": 4.0,
    "guide (learner) after a change": 4.0,
    "milestone (learner) after a change": 4.0,
    "mentoring (200 mentees) after a change": 8.0,
}
QUERY_BARS = {
    "status change, no JavaScript": 12,
    "status change, htmx on the dashboard": 12,
    "status change, htmx on the guide": 12,
    "status change, htmx on the milestone": 12,
}
SIZE_TOLERANCE = 1.5


def count_queries(connection, request) -> int:
    """How many SQL statements ``request()`` runs."""
    executed = []

    def record(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        request()
    return len(executed)


def summary(timings: list[float], baseline: list[float], queries: int, url: str) -> dict:
    return {
        "url": url,
        "queries": queries,
        "median_ms": round(statistics.median(timings) * 1000, 3),
        "p90_ms": round(sorted(timings)[int(len(timings) * 0.9)] * 1000, 3),
        "ratio": round(statistics.median(timings) / statistics.median(baseline), 2),
    }


def setup_django(database_url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnop",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SITE_URL": "http://127.0.0.1:8000",
            "LIMITS_FACTOR": "1000",
            "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed_worker(database_url: str, size: str) -> dict:
    """Build the benchmark database unless it exists; how long the data took to seed."""
    setup_django(database_url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tracker.guidefile import DEFAULT_GUIDE_FILE, read_guide_file
    from tracker.services import demo as demo_data
    from tracker.services.content import guide_load

    call_command("migrate", interactive=False, verbosity=0)
    user_model = get_user_model()
    if user_model.objects.filter(username="bench-mentor").exists():
        return {"seeded_in_s": None}
    guide, _ = guide_load(data=read_guide_file(DEFAULT_GUIDE_FILE))
    plan = demo_data.SCALE if size == "scale" else demo_data.BENCH_SMALL
    started = time.perf_counter()
    demo_data.seed(plan=plan, guide=guide)
    seeded_in = time.perf_counter() - started
    user_model.objects.create_superuser("admin", "admin@example.com", "unused-password-1")
    return {"seeded_in_s": round(seeded_in, 1)}


def timed(request) -> float:
    started = time.perf_counter()
    request()
    return time.perf_counter() - started


class Timer:
    """Times a request ``requests`` times, each right after one of the baseline, so that
    both see the same machine: on a shared 2-core VM, speed drifts within seconds."""

    def __init__(self, requests: int, anonymous):
        self.requests, self.anonymous, self.all_baseline = requests, anonymous, []

    def measure(self, request, queries: int, url: str) -> dict:
        """``request()`` returns the seconds of what it times."""
        timings, baseline = [], []
        for _ in range(self.requests):
            baseline.append(timed(partial(self.anonymous.get, PAGES[0][1])))
            timings.append(request())
        self.all_baseline += baseline
        return summary(timings, baseline, queries, url)


def worker(database_url: str, size: str, requests: int) -> dict:
    """Measure every page and cycle, in a process of its own: one that has just bulk-loaded
    a million rows runs everything slower, the baseline too."""
    setup_django(database_url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tracker.models import Mentorship, Milestone, Progress, ProgressEvent, Thread
    from tracker.services.reminders import mail_preferences_get_or_create

    call_command("collectstatic", interactive=False, verbosity=0)
    people = get_user_model().objects
    counts = {
        "learners": people.filter(username__startswith="bench0").count(),
        "progress": Progress.objects.count(),
        "events": ProgressEvent.objects.count(),
    }
    mentors = ["bench-mentor-100"] + (["bench-mentor-200"] if size == "scale" else [])
    users = {"learner": people.get(username="bench00000"), "admin": people.get(username="admin")}
    # Who writes before a page is timed: the learner for their own pages, one of the
    # mentor's mentees for a mentor's.
    writers = {"learner": users["learner"]}
    for username in mentors:
        users[username] = people.get(username=username)
        writers[username] = (
            Mentorship.objects.filter(mentor=users[username]).select_related("mentee").first()
        ).mentee
    milestone = Milestone.objects.filter(guide__slug="ml-engineer", archived=False).first()
    mentees_100 = Mentorship.objects.filter(mentor=users["bench-mentor-100"], status="active")
    thread = Thread.objects.filter(learner__in=mentees_100.values("mentee")).first()
    calendar = mail_preferences_get_or_create(user=users["learner"]).calendar_token
    placeholders = {
        "MENTEE": f"/mentoring/mentees/{writers['bench-mentor-100'].username}/",
        "MILESTONE": milestone.get_absolute_url(),
        "THREAD": f"/mentoring/threads/{thread.pk}/",
        "CALENDAR": f"/calendar/{calendar}.ics",
    }
    status_url = f"{milestone.get_absolute_url()}status/"

    def logged_in(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    timer = Timer(requests, Client())
    results = {}
    for name, path, who in PAGES:
        if who is not None and who not in users:
            continue
        url = placeholders.get(path, path)
        client = logged_in(users.get(who))
        for _ in range(20):
            response = client.get(url)
            assert response.status_code == HTTPStatus.OK, (name, url, response.status_code)
        queries = count_queries(connection, partial(client.get, url))
        results[name] = timer.measure(partial(timed, partial(client.get, url)), queries, url)

    for name, view, path, who in CYCLES:
        if who in users:
            writer = logged_in(writers[who])
            reader = writer if who == "learner" else logged_in(users[who])
            statuses = iter(STATUS_ROTATION * (requests + 20))
            url = placeholders.get(path, path) if path else None
            results[name] = measure_cycle(
                write=partial(change_status, writer, status_url, view, statuses, path is None),
                page=partial(reader.get, url) if url else None,
                url=url or status_url,
                timer=timer,
            )
    results["baseline"]["median_ms"] = round(statistics.median(timer.all_baseline) * 1000, 3)
    return {"vendor": connection.vendor, "counts": counts, "pages": results}


def measure_cycle(*, write, page, url: str, timer: Timer) -> dict:
    """A status change timed alone (``page`` None), or the page right after it."""
    from django.db import connection

    if page:

        def cycle():
            write()
            return timed(page)

        for _ in range(10):
            cycle()
        write()
        queries = count_queries(connection, page)
    else:
        cycle = partial(timed, write)
        for _ in range(10):
            write()
        queries = count_queries(connection, write)
    return timer.measure(cycle, queries, url)


def change_status(client, status_url: str, view: str, statuses, message_read=False) -> None:
    """One status change as the page ``view`` sends it: a plain form post (answered by a
    redirect) or an htmx post (answered by that page's fragment). With ``message_read``,
    the message the redirect leads to is dropped, as the page a browser follows it to
    would show it: else every write would carry all those before it in its cookie."""
    htmx = {} if view == "plain" else {"HTTP_HX_REQUEST": "true"}
    data = {"status": next(statuses), "view": view, "next": "/dashboard/"}
    # As a browser (and htmx) sends a form: urlencoded, not the test client's multipart.
    response = client.post(status_url, urlencode(data), FORM, **htmx)
    expected = HTTPStatus.FOUND if view == "plain" else HTTPStatus.OK
    assert response.status_code == expected, (status_url, view, response.status_code)
    if message_read:
        client.cookies.pop("messages", None)


def database_url(vendor: str, size: str) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{ROOT / 'reports' / f'bench-{size}.sqlite3'}"
    return f"postgres://postgres@127.0.0.1:5432/careerpath_bench_{size}"


def ensure_postgres_database(size: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [f"careerpath_bench_{size}"]
        ).fetchone()
        if not exists:
            connection.execute(f"CREATE DATABASE careerpath_bench_{size}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--sizes", default="small,scale")
    parser.add_argument("--worker", nargs=3, metavar=("URL", "SIZE", "REQUESTS"))
    parser.add_argument("--seed", nargs=2, metavar=("URL", "SIZE"))
    args = parser.parse_args()
    if args.worker:
        url, size, requests = args.worker
        print(json.dumps(worker(url, size, int(requests))))
        return 0
    if args.seed:
        print(json.dumps(seed_worker(*args.seed)))
        return 0

    REPORT.parent.mkdir(exist_ok=True)
    report: dict = {"requests": args.requests, "runs": {}}
    for vendor in args.databases.split(","):
        for size in args.sizes.split(","):
            if vendor == "postgres":
                ensure_postgres_database(size)
            started = time.perf_counter()
            url = database_url(vendor, size)
            seeded = in_subprocess("--seed", url, size)
            run = {**in_subprocess("--worker", url, size, str(args.requests)), **seeded}
            run["wall_s"] = round(time.perf_counter() - started, 1)
            report["runs"][f"{vendor}/{size}"] = run
            print(f"measured {vendor}/{size} in {run['wall_s']} s", file=sys.stderr)

    failures = check_bars(report)
    print_table(report)
    report["failures"] = failures
    REPORT.write_text(json.dumps(report, indent=2))
    print(f"\nJSON report: {REPORT.relative_to(ROOT)}")
    for failure in failures:
        print(f"BAR MISSED: {failure}")
    print("all bars met" if not failures else f"{len(failures)} bar(s) missed")
    return 1 if failures else 0


def in_subprocess(*arguments: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, *arguments],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def check_bars(report: dict) -> list[str]:
    failures = []
    runs = report["runs"]
    for key, run in runs.items():
        vendor, size = key.split("/")
        if size == "scale":
            for page, bar in BARS.items():
                ratio = run["pages"][page]["ratio"]
                if ratio > bar:
                    failures.append(f"{key} {page}: {ratio}x baseline > {bar}x")
            for page, bar in QUERY_BARS.items():
                queries = run["pages"][page]["queries"]
                if queries > bar:
                    failures.append(f"{key} {page}: {queries} queries > {bar}")
            small = runs.get(f"{vendor}/small")
            if small:
                for page, row in run["pages"].items():
                    if page not in small["pages"]:
                        continue
                    before = small["pages"][page]
                    if row["queries"] != before["queries"]:
                        failures.append(
                            f"{vendor} {page}: {before['queries']} queries small, "
                            f"{row['queries']} at scale"
                        )
                    # Runs minutes apart see a different machine: compare the medians
                    # in units of the baseline measured beside each of them.
                    if page != "baseline" and row["ratio"] > SIZE_TOLERANCE * before["ratio"]:
                        failures.append(
                            f"{vendor} {page}: {row['ratio']}x baseline at scale "
                            f"({row['median_ms']} ms) > {SIZE_TOLERANCE} x {before['ratio']}x "
                            f"small ({before['median_ms']} ms)"
                        )
    return failures


def print_table(report: dict) -> None:
    header = (
        f"{'page or cycle (write, then page)':42} {'run':18} "
        f"{'queries':>7} {'median ms':>10} {'x baseline':>10}"
    )
    print(header)
    print("-" * len(header))
    for key, run in report["runs"].items():
        for page, row in run["pages"].items():
            figures = f"{row['queries']:>7} {row['median_ms']:>10.2f} {row['ratio']:>10.2f}"
            print(f"{page:42} {key:18} {figures}")


if __name__ == "__main__":
    sys.exit(main())
