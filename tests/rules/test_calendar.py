"""The plan as an iCalendar feed, parsed back with the same library calendar apps rely on."""

import datetime

import icalendar

from tracker.rules.calendar import FeedLinks, calendar_build
from tracker.rules.projection import PlanMilestone, PlanStage, project_plan

TODAY = datetime.date(2026, 12, 9)
STAMP = datetime.datetime(2026, 12, 9, 7, 0, tzinfo=datetime.UTC)
LINKS = FeedLinks(
    site_url="https://careerpath.example",
    domain="careerpath.example",
    dashboard_url="https://careerpath.example/dashboard/",
    milestone_url="https://careerpath.example/guides/ml/{slug}/",
)


def projection(pace):
    milestones = [
        PlanMilestone(id=1, title="Python, line by line", hours=7, level_rank=0, slug="python"),
        PlanMilestone(
            id=2, title="Linear algebra; vectors, too", hours=14, level_rank=1, slug="la"
        ),
        PlanMilestone(id=3, title="Done already", hours=5, level_rank=0, finished=True),
    ]
    stages = [
        PlanStage(id=10, name="Entry-level ready", order=1, level_rank=0),
        PlanStage(id=11, name="Mid-level ready", order=2, level_rank=1),
    ]
    return project_plan(milestones=milestones, stages=stages, today=TODAY, declared_pace=pace)


def feed(pace=7) -> icalendar.Calendar:
    body = calendar_build(
        projection=projection(pace),
        person_id=42,
        calendar_name="CareerPath: ML",
        links=LINKS,
        stamp=STAMP,
    )
    return icalendar.Calendar.from_ical(body)


def test_each_remaining_milestone_and_stage_is_an_all_day_event():
    calendar = feed()
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "CareerPath: ML"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "careerpath-42-milestone-1@careerpath.example",
        "careerpath-42-milestone-2@careerpath.example",
        "careerpath-42-stage-10@careerpath.example",
        "careerpath-42-stage-11@careerpath.example",
    }
    python = events["careerpath-42-milestone-1@careerpath.example"]
    assert str(python["SUMMARY"]) == "Finish: Python, line by line"
    assert python.decoded("DTSTART") == TODAY + datetime.timedelta(days=7)  # 7 h at 7 h a week
    assert python.decoded("DTEND") == TODAY + datetime.timedelta(days=8)
    assert str(python["URL"]) == "https://careerpath.example/guides/ml/python/"
    algebra = events["careerpath-42-milestone-2@careerpath.example"]
    assert str(algebra["SUMMARY"]) == "Finish: Linear algebra; vectors, too"  # escaped, read back
    mid = events["careerpath-42-stage-11@careerpath.example"]
    assert mid.decoded("DTSTART") == TODAY + datetime.timedelta(days=21)
    assert "not a promise" in str(mid["DESCRIPTION"])


def test_the_uids_stay_when_the_dates_move():
    slow = {str(e["UID"]): e.decoded("DTSTART") for e in feed(pace=3).walk("VEVENT")}
    fast = {str(e["UID"]): e.decoded("DTSTART") for e in feed(pace=21).walk("VEVENT")}
    assert set(slow) == set(fast)
    assert all(fast[uid] < slow[uid] for uid in slow)


def test_without_a_pace_the_feed_is_valid_and_has_no_event():
    calendar = feed(pace=None)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["PRODID"]).startswith("-//CareerPath//")
