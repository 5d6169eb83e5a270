"""The mentoring pages cost the same number of queries however much there is to show."""

from http import HTTPStatus

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tracker.caching.content import clear as clear_content_cache
from tracker.models import (
    Mentorship,
    MentorshipStatus,
    Profile,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewRequest,
    ReviewStatus,
)

User = get_user_model()


def add_mentees(mentor, milestones, count: int, prefix: str) -> list:
    """`count` active mentees of `mentor`, each with some progress and a waiting review."""
    now = timezone.now()
    User.objects.bulk_create(
        [
            User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.com", password="!")
            for n in range(count)
        ]
    )
    mentees = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    Profile.objects.bulk_create(
        [Profile(user=mentee, display_name=f"Mentee {mentee.pk}") for mentee in mentees]
    )
    Mentorship.objects.bulk_create(
        [
            Mentorship(
                mentor=mentor, mentee=mentee, status=MentorshipStatus.ACTIVE, responded_at=now
            )
            for mentee in mentees
        ]
    )
    done, started = milestones[0], milestones[1]
    Progress.objects.bulk_create(
        [
            Progress(
                learner=mentee,
                milestone=done,
                status=ProgressStatus.DONE,
                started_at=now,
                completed_at=now,
                evidence_url="https://example.com/work",
            )
            for mentee in mentees
        ]
        + [
            Progress(
                learner=mentee, milestone=started, status=ProgressStatus.IN_PROGRESS, started_at=now
            )
            for mentee in mentees
        ]
    )
    ProgressEvent.objects.bulk_create(
        [
            ProgressEvent(
                learner=mentee,
                milestone=done,
                actor=mentee,
                old_status=ProgressStatus.NOT_STARTED,
                new_status=ProgressStatus.DONE,
            )
            for mentee in mentees
        ]
    )
    progress_of = dict(
        Progress.objects.filter(learner__in=mentees, milestone=done).values_list("learner_id", "pk")
    )
    mentorship_of = dict(Mentorship.objects.filter(mentor=mentor).values_list("mentee_id", "pk"))
    ReviewRequest.objects.bulk_create(
        [
            ReviewRequest(
                progress_id=progress_of[mentee.pk],
                mentorship_id=mentorship_of[mentee.pk],
                message="Please have a look",
            )
            for mentee in mentees
        ]
    )
    return mentees


def count_queries(client, url: str, *, cold: bool = True) -> list[str]:
    """Queries of one request; with cold caches, the most a page can cost."""
    if cold:
        clear_content_cache()
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return [query["sql"] for query in captured.captured_queries]


def test_mentor_dashboard_costs_the_same_for_1_and_50_mentees(
    client, make_guide, make_user, django_assert_max_num_queries
):
    milestones = list(make_guide(milestones=6).milestones.order_by("order"))
    few, many = make_user("few"), make_user("many")
    add_mentees(few, milestones, 1, "small")
    add_mentees(many, milestones, 50, "big")
    url = reverse("tracker:mentoring")

    client.force_login(few)
    small = count_queries(client, url)
    small_warm = count_queries(client, url, cold=False)
    client.force_login(many)
    large = count_queries(client, url)

    assert len(large) == len(small), "\n".join(large)
    assert len(count_queries(client, url, cold=False)) == len(small_warm) < len(small)
    cache.clear()
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["mentees"]) == len(response.context["queue"]) == 50


def add_plan(*, mentee, mentor, other_mentor, guide) -> None:
    """Progress on every milestone of a guide: done (verified or waiting for review),
    in progress, not started; with notes (shared with mentors), evidence and reviews from
    two mentors."""
    Profile.objects.filter(user=mentee).update(current_guide=guide, share_notes_with_mentors=True)
    now = timezone.now()
    rows = []
    for n, milestone in enumerate(guide.milestones.order_by("order")):
        status = [ProgressStatus.DONE, ProgressStatus.IN_PROGRESS, ProgressStatus.NOT_STARTED][
            n % 3
        ]
        rows.append(
            Progress(
                learner=mentee,
                milestone=milestone,
                status=status,
                started_at=None if status == ProgressStatus.NOT_STARTED else now,
                completed_at=now if status == ProgressStatus.DONE else None,
                verified_at=now if status == ProgressStatus.DONE and n % 2 else None,
                verified_by=mentor if status == ProgressStatus.DONE and n % 2 else None,
                note=f"Note {n}",
                evidence_url=f"https://example.com/{n}",
            )
        )
    Progress.objects.bulk_create(rows)
    mine = Mentorship.objects.create(
        mentor=mentor, mentee=mentee, status=MentorshipStatus.ACTIVE, responded_at=now
    )
    theirs = Mentorship.objects.create(
        mentor=other_mentor, mentee=mentee, status=MentorshipStatus.ACTIVE, responded_at=now
    )
    reviews = []
    for progress in Progress.objects.filter(learner=mentee, status=ProgressStatus.DONE):
        verified = progress.verified_at is not None
        reviews.append(
            ReviewRequest(
                progress=progress,
                mentorship=mine,
                status=ReviewStatus.APPROVED if verified else ReviewStatus.WAITING,
                decided_at=now if verified else None,
                comment="Good" if verified else "",
            )
        )
        reviews.append(ReviewRequest(progress=progress, mentorship=theirs))
    ReviewRequest.objects.bulk_create(reviews)


def test_mentee_page_costs_the_same_for_5_and_60_milestones(
    client, make_guide, make_user, django_assert_max_num_queries
):
    mentor, other_mentor = make_user("mentor"), make_user("other-mentor")
    small_guide = make_guide(milestones=5, slug="small", title="Small")
    large_guide = make_guide(milestones=60, slug="large", title="Large")
    add_plan(mentee=make_user("small"), mentor=mentor, other_mentor=other_mentor, guide=small_guide)
    add_plan(mentee=make_user("large"), mentor=mentor, other_mentor=other_mentor, guide=large_guide)
    client.force_login(mentor)
    small_url = reverse("tracker:mentee", args=["small"])
    large_url = reverse("tracker:mentee", args=["large"])

    client.get(small_url)  # warm up anything cached once per process
    small = count_queries(client, small_url)
    large = count_queries(client, large_url)

    assert len(large) == len(small), "\n".join(large)
    clear_content_cache()
    with django_assert_max_num_queries(len(small)):
        response = client.get(large_url)
    assert response.context["guide"] == large_guide
    assert response.context["overall"].total == 60
    page = response.content.decode()
    # 20 milestones are done: half are verified, half wait for this mentor.
    assert page.count('action="/mentoring/reviews/') == 10
    assert "Note 59" in page
