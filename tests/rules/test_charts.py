"""The activity chart (tracker.rules.charts): completions per week, the streak, the SVG and
its text alternative; then the dashboard's activity card."""

import datetime

import pytest

from tests.conftest import dashboard
from tracker.rules.charts import WEEKS, activity_svg, week_met, week_start, weekly_activity

TODAY = datetime.date(2024, 6, 5)  # a Wednesday
MONDAY = week_start(TODAY)


def weeks_ago(n: int) -> datetime.date:
    return MONDAY - datetime.timedelta(weeks=n)


def test_activity_counts_completions_per_week_over_twelve_weeks():
    completed = [TODAY, MONDAY, weeks_ago(1), weeks_ago(11), weeks_ago(12), weeks_ago(30)]

    data = weekly_activity([(day, 10) for day in completed], TODAY)

    assert len(data.weeks) == WEEKS == 12
    assert [monday for monday, _ in data.weeks] == [weeks_ago(n) for n in range(11, -1, -1)]
    counts = dict(data.weeks)
    assert counts[MONDAY] == 2
    assert counts[weeks_ago(1)] == 1
    assert counts[weeks_ago(11)] == 1
    assert data.total == 4, "completions older than twelve weeks are left out"
    assert data.best == 2


# Issue 11: the streak counts weeks that completed something (not any status change), the
# same weeks the chart fills.
@pytest.mark.parametrize(
    ("active", "streak"),
    [
        ([], 0),
        ([MONDAY], 1),
        ([MONDAY, weeks_ago(1), weeks_ago(2), weeks_ago(4)], 3),
        ([weeks_ago(1), weeks_ago(2)], 2),  # this week is not over yet: the streak holds
        ([weeks_ago(2), weeks_ago(3)], 0),  # a whole week missed breaks it
    ],
)
def test_streak_counts_consecutive_weeks_that_completed_something(active, streak):
    assert weekly_activity([(day, 5) for day in active], TODAY).streak == streak


@pytest.mark.parametrize(
    ("hours_by_week", "streak"),
    [
        ({0: 6, 1: 6, 2: 6}, 3),
        ({0: 6, 1: 5, 2: 6}, 1),  # last week fell short of the goal
        ({0: 2, 1: 6, 2: 9}, 2),  # this week not there yet: the streak holds
        ({1: 3, 2: 3}, 0),
    ],
)
def test_with_a_goal_the_streak_counts_weeks_that_met_it(hours_by_week, streak):
    completions = [(weeks_ago(n), hours) for n, hours in hours_by_week.items()]
    data = weekly_activity(completions, TODAY, goal=6)
    assert data.streak == streak
    assert data.this_week_hours == hours_by_week.get(0, 0)


@pytest.mark.parametrize("goal", [None, 6])
@pytest.mark.parametrize(
    "weeks",
    [[0, 1, 2], [1, 2, 5], [0, 3, 4, 5, 6], [2, 3], list(range(12)), []],
)
def test_the_chart_fills_exactly_the_weeks_the_streak_counts(goal, weeks):
    """The streak is the run of filled weeks that ends this week (or last week): the two
    come from one rule and cannot disagree."""
    completions = [(weeks_ago(n), 4) for n in weeks] + [(weeks_ago(n), 3) for n in weeks[:2]]
    data = weekly_activity(completions, TODAY, goal=goal)

    filled = list(data.met)
    run = filled[:-1] if not filled[-1] else filled
    expected = 0
    for met in reversed(run):
        if not met:
            break
        expected += 1
    assert data.streak == expected
    svg = str(activity_svg(data))
    assert svg.count('class="bar"') == sum(filled)
    for (monday, count), hours, met in zip(data.weeks, data.hours, data.met, strict=True):
        assert met == week_met(goal, count, hours), monday


def test_a_goal_week_shows_its_hours_in_the_text_alternative():
    data = weekly_activity([(TODAY, 7), (weeks_ago(1), 2)], TODAY, goal=6)
    desc = data.description
    assert desc.startswith("Hours completed per week against a goal of 6 h")
    assert f"week of {MONDAY:%-d %b}: 7 h (goal met)" in desc
    assert f"week of {weeks_ago(1):%-d %b}: 2 h;" in desc


def test_activity_svg_has_a_text_alternative():
    data = weekly_activity([(TODAY, 3), (weeks_ago(1), 3)], TODAY)

    svg = str(activity_svg(data))

    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert 'aria-labelledby="activity-title activity-desc"' in svg
    assert '<title id="activity-title">Activity, last 12 weeks</title>' in svg
    desc = svg[svg.index('<desc id="activity-desc">') : svg.index("</desc>")]
    assert f"week of {MONDAY:%-d %b}: 1" in desc
    assert f"week of {weeks_ago(2):%-d %b}: 0" in desc
    assert svg.count("<rect ") == 12


# --- on the dashboard --------------------------------------------------------------------


def test_the_dashboard_shows_this_weeks_activity(client, learner, m, complete):
    complete(learner, [m[0], m[1]])

    response = dashboard(client, learner)

    assert response.context["activity"].streak == 1
    assert response.context["activity"].weeks[-1][1] == 2
    html = response.content.decode()
    assert "Streak: <strong>1 week</strong>" in html
    assert "2 milestones completed in 12 weeks" in html
    assert '<desc id="activity-desc">' in html
