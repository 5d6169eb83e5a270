"""The dashboard's plan with dates: stage dates at the declared and the kept pace, the
target check, the salary card's next band, and the weekly goal with its streak."""

import datetime
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import dashboard, section
from tracker.models import Profile, ProgressEvent, ProgressStatus
from tracker.rules.charts import week_start

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def set_plan(learner, **fields):
    Profile.objects.filter(user=learner).update(onboarded_at=timezone.now(), **fields)


def dates_card(html: str) -> str:
    return text(section(html, 'id="dates-heading"', "</section>"))


def in_days(days: int) -> str:
    return f"{timezone.localdate() + datetime.timedelta(days=days):%-d %b %Y}"


def test_each_stage_not_reached_gets_a_date_at_the_declared_pace(client, learner, m, complete):
    set_plan(learner, hours_per_week=7)
    complete(learner, [m[0]])  # 10 h done; m1 (11 h) is the last foundation

    html = dashboard(client, learner).content.decode()

    card = dates_card(html)
    assert "At 7 h a week" in card
    assert f"Entry-level ready · 11 h {in_days(11)}" in card
    assert "after 4 weeks" in card  # no kept pace before four weeks of history
    # The salary card says when the next stage's figure comes within reach.
    assert f"within reach around {in_days(11)} at 7 h a week" in text(html)


def test_the_kept_pace_dates_sit_beside_the_declared_ones(client, learner, m, complete):
    learner.date_joined = timezone.now() - datetime.timedelta(weeks=10)
    learner.save(update_fields=["date_joined"])
    set_plan(learner, hours_per_week=7)
    complete(learner, [m[0], m[1], m[2]])  # 33 h in the last four weeks: 8.25 h a week

    card = dates_card(dashboard(client, learner).content.decode())

    assert "The pace you kept: 8.3 h a week over the last four weeks." in card
    # Mid-level: m3 (13 h) remains: 13 h at 8.25 h/week is 11.03 days, so 12.
    assert f"Mid-level ready · 13 h {in_days(13)} {in_days(12)}" in card


def test_without_a_pace_the_card_asks_for_one(client, learner, guide):
    set_plan(learner)  # answered the questions, but gave no hours
    html = dashboard(client, learner).content.decode()
    card = dates_card(html)
    assert "70 h of milestones are left. Say how many hours a week you have" in card
    assert reverse("tracker:onboarding") in section(html, 'id="dates-heading"', "</section>")


@pytest.mark.parametrize(
    ("hours", "weeks", "expected"),
    [
        (10, 4, "needs about 5.3 h a week : on track at the pace you declared."),
        (2, 4, "needs about 5.3 h a week : not on track at the pace you declared."),
    ],
)
def test_a_target_date_says_the_hours_it_needs_and_whether_on_track(
    client, learner, guide, hours, weeks, expected
):
    stage = guide.stages.get(slug="entry-level")  # 21 h of foundations
    set_plan(
        learner,
        hours_per_week=hours,
        target_stage=stage,
        target_date=timezone.localdate() + datetime.timedelta(weeks=weeks),
    )

    card = dates_card(dashboard(client, learner).content.decode())

    assert f"Entry-level ready by {in_days(7 * weeks)} : {expected}" in card  # 21 h in 4 weeks


def test_a_target_in_the_past_is_said_plainly(client, learner, guide):
    set_plan(learner, hours_per_week=5, target_date=timezone.localdate() - datetime.timedelta(1))
    card = dates_card(dashboard(client, learner).content.decode())
    assert "The whole plan by" in card
    assert "the date has passed ; choose a new one ." in card


def test_everything_done_leaves_nothing_to_date(client, learner, m, complete):
    set_plan(learner, hours_per_week=5)
    complete(learner, m)
    card = dates_card(dashboard(client, learner).content.decode())
    assert "Every milestone is done: there is nothing left to date." in card


def test_the_weekly_goal_counts_this_weeks_hours_in_the_learners_time_zone(
    client, learner, m, complete
):
    set_plan(learner, hours_per_week=10, time_zone="Pacific/Kiritimati")  # UTC+14
    complete(learner, [m[0]])  # 10 h
    # Completed on Sunday 23:00 UTC: already Monday in Kiritimati, so this week there.
    now = timezone.now()
    local_today = timezone.localtime(now, datetime.UTC).date()
    sunday_late = datetime.datetime.combine(
        week_start(local_today) - datetime.timedelta(days=1),
        datetime.time(23),
        tzinfo=datetime.UTC,
    )
    ProgressEvent.objects.filter(learner=learner).update(created_at=sunday_late)

    with mock.patch(
        "django.utils.timezone.now", return_value=sunday_late + datetime.timedelta(hours=2)
    ):
        response = dashboard(client, learner)

    activity = response.context["activity"]
    assert activity.goal == 10
    assert activity.this_week_hours == 10
    assert activity.this_week_met
    assert "This week: 10 of 10 h of milestones completed · goal met" in text(
        response.content.decode()
    )


def test_the_streak_with_a_goal_counts_only_weeks_that_met_it(client, learner, m, complete):
    set_plan(learner, hours_per_week=12)
    complete(learner, [m[0], m[1]])  # 21 h this week
    complete(learner, [m[2]])
    last_week = timezone.now() - datetime.timedelta(weeks=1)
    ProgressEvent.objects.filter(
        learner=learner, milestone=m[2], new_status=ProgressStatus.DONE
    ).update(created_at=last_week)  # 12 h last week: met too
    two_weeks = timezone.now() - datetime.timedelta(weeks=2)
    ProgressEvent.objects.create(
        learner=learner,
        milestone=m[3],
        actor=learner,
        old_status=ProgressStatus.IN_PROGRESS,
        new_status=ProgressStatus.DONE,
        created_at=two_weeks,  # 13 h two weeks ago
    )
    three_weeks = timezone.now() - datetime.timedelta(weeks=3)
    ProgressEvent.objects.create(
        learner=learner,
        milestone=m[5],
        actor=learner,
        old_status=ProgressStatus.NOT_STARTED,
        new_status=ProgressStatus.IN_PROGRESS,  # a status change, not a completion
        created_at=three_weeks,
    )

    response = dashboard(client, learner)

    activity = response.context["activity"]
    assert activity.streak == 3
    assert list(activity.met[-4:]) == [False, True, True, True]
    html = response.content.decode()
    assert "Streak: <strong>3 weeks</strong>" in html
    assert "The streak counts weeks of 12 h or more of milestones completed, in a row" in html
