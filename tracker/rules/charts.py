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
    """The last twelve weeks, oldest first, and the streak, from one rule (``week_met``):
    the chart marks exactly the weeks the streak counts."""

    weeks: list[tuple[datetime.date, int]]  # (Monday, milestones completed), oldest first
    streak: int  # consecutive weeks that met the goal, up to this week (or last week)
    goal: int | None = None  # hours a week; None: a week counts once it completed something
    hours: tuple[int, ...] = ()  # hours of the milestones completed, week by week
    met: tuple[bool, ...] = ()  # whether each week counts for the streak

    @property
    def total(self) -> int:
        return sum(count for _, count in self.weeks)

    @property
    def best(self) -> int:
        return max((count for _, count in self.weeks), default=0)

    @property
    def this_week_hours(self) -> int:
        return self.hours[-1] if self.hours else 0

    @property
    def this_week_met(self) -> bool:
        return bool(self.met) and self.met[-1]

    @property
    def goal_percent(self) -> int:
        return min(100, round(100 * self.this_week_hours / self.goal)) if self.goal else 0

    @property
    def bars(self) -> list[int]:
        """What each bar measures: hours against a goal, else milestones completed."""
        return list(self.hours) if self.goal else [count for _, count in self.weeks]

    @property
    def description(self) -> str:
        if self.goal:
            parts = [
                f"week of {monday:%-d %b}: {hours} h" + (" (goal met)" if met else "")
                for (monday, _), hours, met in zip(self.weeks, self.hours, self.met, strict=True)
            ]
            return f"Hours completed per week against a goal of {self.goal} h, " + (
                "; ".join(parts) + "."
            )
        parts = [f"week of {monday:%-d %b}: {count}" for monday, count in self.weeks]
        return "Milestones completed per week, " + "; ".join(parts) + "."


def week_met(goal: int | None, completed: int, hours: int) -> bool:
    """Whether a week counts for the streak (and shows as met on the chart): its hours
    reached the weekly goal, or, without a goal, it completed something."""
    return hours >= goal if goal else completed > 0


def weekly_activity(
    completions: list[tuple[datetime.date, int]], today: datetime.date, goal: int | None = None
) -> Activity:
    """The chart's twelve weeks and the streak, from ``completions``: one (day, hours) per
    milestone completed, days in the learner's time zone, weeks starting on Monday."""
    this_week = week_start(today)
    counts: dict[datetime.date, int] = {}
    hours: dict[datetime.date, int] = {}
    for day, spent in completions:
        monday = week_start(day)
        counts[monday] = counts.get(monday, 0) + 1
        hours[monday] = hours.get(monday, 0) + spent

    def met(monday: datetime.date) -> bool:
        return week_met(goal, counts.get(monday, 0), hours.get(monday, 0))

    one_week = datetime.timedelta(weeks=1)
    cursor = this_week if met(this_week) else this_week - one_week
    streak = 0
    while met(cursor):
        streak += 1
        cursor -= one_week
    mondays = [this_week - n * one_week for n in range(WEEKS - 1, -1, -1)]
    return Activity(
        weeks=[(m, counts.get(m, 0)) for m in mondays],
        streak=streak,
        goal=goal or None,
        hours=tuple(hours.get(m, 0) for m in mondays),
        met=tuple(met(m) for m in mondays),
    )


def activity_svg(data: Activity, chart_id: str = "activity") -> SafeString:
    """Bars per week (hours against a goal, else completions), the weeks that count for the
    streak filled; the figures are also in the SVG's title and desc."""
    width, height, gap, label_space = 240, 80, 4, 14
    bar_width = (width - gap * (WEEKS - 1)) / WEEKS
    values = data.bars
    peak = max([*values, data.goal or 0, 1])
    unit = " h" if data.goal else ""
    met = data.met or tuple(count > 0 for _, count in data.weeks)
    bars = []
    for index, ((monday, _), value) in enumerate(zip(data.weeks, values, strict=True)):
        x = round(index * (bar_width + gap), 2)
        bar_height = max(round((height - label_space) * value / peak, 2), 2)
        y = round(height - label_space - bar_height, 2)
        css = "bar" if met[index] else "bar-empty"
        bars.append((css, x, y, round(bar_width, 2), bar_height, f"{monday:%-d %b}: {value}{unit}"))
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
