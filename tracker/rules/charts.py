"""Small server-rendered SVG charts with text alternatives: no chart library, no script."""

import datetime
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WEEKS = 12


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Activity:
    weeks: list[tuple[datetime.date, int]]  # (Monday, milestones completed), oldest first
    streak: int  # consecutive active weeks up to this week (or last week)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.weeks)

    @property
    def best(self) -> int:
        return max((count for _, count in self.weeks), default=0)

    @property
    def description(self) -> str:
        parts = [f"week of {monday:%-d %b}: {count}" for monday, count in self.weeks]
        return "Milestones completed per week, " + "; ".join(parts) + "."


def activity(
    completed_on: list[datetime.date], active_weeks: list[datetime.date], today: datetime.date
) -> Activity:
    """Completed milestones per week for the last twelve weeks, and the streak.

    ``completed_on`` holds one date per completion in the window; ``active_weeks`` the
    Mondays of weeks with any status change, most recent first.
    """
    this_week = week_start(today)
    mondays = [this_week - datetime.timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    counts = dict.fromkeys(mondays, 0)
    for day in completed_on:
        monday = week_start(day)
        if monday in counts:
            counts[monday] += 1

    active = set(active_weeks)
    cursor = this_week if this_week in active else this_week - datetime.timedelta(weeks=1)
    streak = 0
    while cursor in active:
        streak += 1
        cursor -= datetime.timedelta(weeks=1)
    return Activity(weeks=[(m, counts[m]) for m in mondays], streak=streak)


def activity_svg(data: Activity, chart_id: str = "activity") -> SafeString:
    """Bars of completions per week; the figures are also in the SVG's title and desc."""
    width, height, gap, label_space = 240, 80, 4, 14
    bar_width = (width - gap * (WEEKS - 1)) / WEEKS
    peak = max(data.best, 1)
    bars = []
    for index, (monday, count) in enumerate(data.weeks):
        x = round(index * (bar_width + gap), 2)
        bar_height = max(round((height - label_space) * count / peak, 2), 2)
        y = round(height - label_space - bar_height, 2)
        css = "bar" if count else "bar-empty"
        bars.append((css, x, y, round(bar_width, 2), bar_height, f"{monday:%-d %b}: {count}"))
    return format_html(
        '<svg class="activity-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc"><title id="{}-title">Activity, last 12 weeks</title>'
        '<desc id="{}-desc">{}</desc>{}'
        '<text x="0" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">this week</text></svg>',
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        chart_id,
        data.description,
        format_html_join(
            "",
            '<rect class="{}" x="{}" y="{}" width="{}" height="{}" rx="2"><title>{}</title></rect>',
            bars,
        ),
        height - 2,
        f"{data.weeks[0][0]:%-d %b}",
        width,
        height - 2,
    )


def badge_svg(label: str, value: str) -> str:
    """A shields-style badge, e.g. "ML engineer path | 38%", for embedding in a README."""
    left = 7 * len(label) + 12
    right = 7 * len(value) + 12
    total = left + right
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="20" role="img" '
        'aria-label="{}: {}"><title>{}: {}</title>'
        '<rect width="{}" height="20" rx="3" fill="#374151"/>'
        '<rect x="{}" width="{}" height="20" rx="3" fill="#4338ca"/>'
        '<rect x="{}" width="6" height="20" fill="#4338ca"/>'
        '<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        '<text x="6" y="14">{}</text><text x="{}" y="14">{}</text></g></svg>',
        total,
        label,
        value,
        label,
        value,
        total,
        left,
        right,
        left,
        label,
        left + 6,
        value,
    )
