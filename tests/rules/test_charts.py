"""The activity chart (tracker.rules.charts): completions per week, the streak, the SVG and
its text alternative; then the dashboard's activity card."""

import datetime

import pytest

from tests.conftest import dashboard
from tracker.rules.charts import WEEKS, activity, activity_svg, week_start

TODAY = datetime.date(2024, 6, 5)  # a Wednesday
MONDAY = week_start(TODAY)


def weeks_ago(n: int) -> datetime.date:
    return MONDAY - datetime.timedelta(weeks=n)


def test_activity_counts_completions_per_week_over_twelve_weeks():
    completed = [TODAY, MONDAY, weeks_ago(1), weeks_ago(11), weeks_ago(12), weeks_ago(30)]

    data = activity(completed, [], TODAY)

    assert len(data.weeks) == WEEKS == 12
    assert [monday for monday, _ in data.weeks] == [weeks_ago(n) for n in range(11, -1, -1)]
    counts = dict(data.weeks)
    assert counts[MONDAY] == 2
    assert counts[weeks_ago(1)] == 1
    assert counts[weeks_ago(11)] == 1
    assert data.total == 4, "completions older than twelve weeks are left out"
    assert data.best == 2


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
def test_streak_counts_consecutive_active_weeks(active, streak):
    assert activity([], active, TODAY).streak == streak


def test_activity_svg_has_a_text_alternative():
    data = activity([TODAY, weeks_ago(1)], [MONDAY], TODAY)

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
