"""The plan with dates as an iCalendar feed (RFC 5545, written by the ``icalendar`` library):
one all-day event per remaining milestone on the day the plan finishes it, and one per
career stage not reached yet. Pure: plain data in, bytes out.

UIDs are stable (person, kind, milestone or stage), so a calendar app that refreshes the
feed moves an event when its date changes instead of adding a second one.
"""

import datetime
from dataclasses import dataclass

import icalendar

from tracker.rules.projection import Projection

PRODUCT_ID = "-//CareerPath//Plan with dates//EN"


@dataclass(frozen=True)
class FeedLinks:
    """Where the events point: the site, the guide's milestone pages, the dashboard."""

    site_url: str
    domain: str
    dashboard_url: str
    milestone_url: str  # with "{slug}" in it


def _event_date(item) -> datetime.date | None:
    return item.kept or item.declared


def calendar_build(
    *,
    projection: Projection,
    person_id: int,
    calendar_name: str,
    links: FeedLinks,
    stamp: datetime.datetime,
) -> bytes:
    """The feed; without a pace the calendar holds no event (nothing has a date)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("x-published-ttl", "PT12H")
    calendar.add("refresh-interval", datetime.timedelta(hours=12), parameters={"VALUE": "DURATION"})
    for item in projection.remaining:
        day = _event_date(item)
        if day is None:
            continue
        milestone = item.milestone
        event = _all_day(
            uid=f"careerpath-{person_id}-milestone-{milestone.id}@{links.domain}",
            summary=f"Finish: {milestone.title}",
            day=day,
            stamp=stamp,
            description=(
                f"About {milestone.hours} h. Your plan finishes it on this day at your pace "
                f"({item.hours_until_done} h of work from today)."
            ),
            url=links.milestone_url.format(slug=milestone.slug) if milestone.slug else "",
        )
        calendar.add_component(event)
    for stage_date in projection.stages:
        day = _event_date(stage_date)
        if day is None:
            continue
        calendar.add_component(
            _all_day(
                uid=f"careerpath-{person_id}-stage-{stage_date.stage.id}@{links.domain}",
                summary=f"Projected: {stage_date.stage.name}",
                day=day,
                stamp=stamp,
                description=(
                    f"The day you reach {stage_date.stage.name} at your pace, "
                    f"{stage_date.remaining_hours} h of work from today. An estimate, not a "
                    "promise: it moves with the pace you keep."
                ),
                url=links.dashboard_url,
            )
        )
    return calendar.to_ical()


def _all_day(  # noqa: PLR0913 (each field of the event by name: keyword-only)
    *,
    uid: str,
    summary: str,
    day: datetime.date,
    stamp: datetime.datetime,
    description: str,
    url: str,
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("description", description)
    if url:
        event.add("url", url)
    return event
