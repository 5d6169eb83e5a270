"""Every query that the busy pages make on PostgreSQL can use an index.

With sequential scans disabled, PostgreSQL still picks one when no index fits, so a
"Seq Scan" on the progress or history tables in these plans means a missing index.
"""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tracker.models import Progress, ReviewRequest

pytestmark = pytest.mark.django_db

BIG_TABLES = ("tracker_progress", "tracker_progressevent", "tracker_reviewrequest")


@pytest.fixture
def busy_world(ml_guide, make_user, make_mentorship, complete, admin_user):
    mentor = make_user("index-mentor")
    learners = [make_user(f"index-learner-{n}") for n in range(3)]
    milestones = list(ml_guide.milestones.order_by("pk")[:5])
    for learner in learners:
        mentorship = make_mentorship(mentor, learner)
        complete(learner, milestones[:3])
        complete(learner, milestones[3:], status="in_progress")
        ReviewRequest.objects.create(
            progress=Progress.objects.get(learner=learner, milestone=milestones[0]),
            mentorship=mentorship,
            requested_at=timezone.now(),
        )
    return {"learner": learners[0], "mentor": mentor, "admin": admin_user}


PAGES = [
    ("learner", "/dashboard/"),
    ("learner", "/guides/ml-engineer/"),
    ("learner", "/guides/ml-engineer/python-fundamentals/"),
    ("mentor", "/mentoring/"),
    ("mentor", "/mentoring/mentees/index-learner-0/"),
    ("admin", "/admin/tracker/progress/"),
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans of PostgreSQL")
@pytest.mark.parametrize(("who", "path"), PAGES)
def test_no_sequential_scan_of_the_big_tables(client, busy_world, who, path):
    client.force_login(busy_world[who])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    checked = 0
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT") or not any(
                    table in sql for table in BIG_TABLES
                ):
                    continue
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                for table in BIG_TABLES:
                    assert f"Seq Scan on {table}" not in plan, f"{path}\n{sql}\n{plan}"
                checked += 1
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert checked, "the page should read the progress, history or review tables"
