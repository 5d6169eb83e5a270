"""A learner's plan with dates as the selector loads it (tracker.selectors.plan)."""

import datetime

import pytest
from django.utils import timezone

from tracker.models import Profile, ProgressEvent, ProgressStatus
from tracker.selectors.plan import learner_today, plan_projection_for

pytestmark = pytest.mark.django_db


def aim(learner, **fields):
    Profile.objects.filter(user=learner).update(**fields)


def test_projection_walks_the_learners_remaining_milestones_at_their_pace(learner, m, complete):
    aim(learner, hours_per_week=10)
    complete(learner, [m[0]])
    complete(learner, [m[1]], status=ProgressStatus.KNOWN)

    projection = plan_projection_for(learner)

    assert set(projection.milestone_dates) == {m[n].pk for n in (2, 3, 4, 5)}
    # Both foundations are finished (one done, one known): entry level is reached.
    names = [item.stage.name for item in projection.stages]
    assert names == ["Mid-level ready", "Experienced"]
    mid = projection.stages[0]
    assert mid.remaining_hours == m[2].estimated_hours + m[3].estimated_hours
    today = timezone.localdate()
    assert mid.declared == today + datetime.timedelta(days=-(-mid.remaining_hours * 7 // 10))
    assert mid.kept is None  # joined today: no four weeks of history yet


def test_kept_pace_counts_the_hours_done_in_the_last_four_weeks(learner, m, complete):
    aim(learner, hours_per_week=10)
    learner.date_joined = timezone.now() - datetime.timedelta(weeks=8)
    learner.save(update_fields=["date_joined"])
    complete(learner, [m[0], m[1]])
    complete(learner, [m[2]], status=ProgressStatus.KNOWN)  # known before: no pace

    projection = plan_projection_for(learner)

    assert projection.kept_pace == (m[0].estimated_hours + m[1].estimated_hours) / 4


def test_the_target_is_checked_against_the_stage_aimed_for(learner, guide, m):
    stage = guide.stages.get(slug="entry-level")
    aim(
        learner,
        hours_per_week=1,
        target_stage=stage,
        target_date=timezone.localdate() + datetime.timedelta(weeks=2),
    )

    target = plan_projection_for(learner).target

    assert target.stage.name == "Entry-level ready"
    assert target.hours_needed == m[0].estimated_hours + m[1].estimated_hours
    assert target.on_track is False


def test_today_follows_the_learners_time_zone(learner):
    profile = Profile.objects.get(user=learner)
    late_evening_utc = datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC)
    profile.time_zone = "Asia/Tokyo"
    assert learner_today(profile=profile, now=late_evening_utc) == datetime.date(2026, 12, 4)
    profile.time_zone = "America/New_York"
    assert learner_today(profile=profile, now=late_evening_utc) == datetime.date(2026, 12, 3)


def test_no_published_guide_no_projection(learner, guide):
    guide.published = False
    guide.save()
    assert plan_projection_for(learner) is None


@pytest.mark.parametrize("size", [1, 40])
def test_projection_queries_do_not_grow_with_the_plan(
    make_guide, make_user, complete, django_assert_max_num_queries, size
):
    guide = make_guide(milestones=size)
    learner = make_user()
    milestones = list(guide.milestones.all())
    complete(learner, milestones[: size // 2])
    ProgressEvent.objects.filter(learner=learner).update(
        created_at=timezone.now() - datetime.timedelta(weeks=10)
    )
    plan_projection_for(learner)  # warms the guide's content cache
    with django_assert_max_num_queries(4):
        projection = plan_projection_for(learner)
    assert len(projection.remaining) == size - size // 2
