"""The dashboard: where am I, what is it worth, what do I do next; and what it costs."""

import datetime
import re
from http import HTTPStatus
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tracker.caching.content import clear as clear_content_cache
from tracker.models import (
    Advice,
    AdviceRule,
    CareerStage,
    Level,
    Milestone,
    ProgressEvent,
    ProgressStatus,
    SalaryBand,
)
from tracker.rules.advice import advice_for
from tracker.rules.charts import WEEKS, activity, activity_svg, week_start
from tracker.rules.plan import next_up
from tracker.selectors.content import guide_plan_build

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("tracker:dashboard")
DASH = "\N{EN DASH}"  # between the low and the high of a salary band


@pytest.fixture
def guide(make_guide):
    """Six milestones, three pillars (0: m0 F, m3 I · 1: m1 F, m4 A · 2: m2 I, m5 A project).

    Hours are 10, 11, 12, 13, 14, 10; each of m3, m4, m5 needs the earlier one in its pillar.
    """
    return make_guide(milestones=6)


@pytest.fixture
def m(guide):
    milestones = {ms.slug: ms for ms in Milestone.objects.filter(guide=guide)}
    return [milestones[f"milestone-{n}"] for n in range(6)]


def dashboard(client, learner):
    client.force_login(learner)
    response = client.get(DASHBOARD)
    assert response.status_code == HTTPStatus.OK
    return response


def section(html: str, start: str, end: str) -> str:
    """The part of a page from ``start`` to ``end``, with runs of white space squashed."""
    part = html[html.index(start) : html.index(end, html.index(start))]
    return re.sub(r"\s+<", "<", re.sub(r"\s+", " ", part))


# --- figures -----------------------------------------------------------------------------


def test_overall_and_pillar_figures_count_done_milestones_and_hours(client, learner, m, complete):
    complete(learner, [m[0], m[1]])
    complete(learner, [m[3]], status="in_progress")

    response = dashboard(client, learner)

    overall = response.context["overall"]
    assert (overall.done, overall.total, overall.done_hours, overall.total_hours) == (
        2,
        6,
        21,
        70,
    )
    pillars = {p.pillar.slug: p.tally for p in response.context["plan"].pillars}
    assert (pillars["pillar-0"].done, pillars["pillar-0"].total) == (1, 2)
    assert (pillars["pillar-0"].done_hours, pillars["pillar-0"].total_hours) == (10, 23)
    assert (pillars["pillar-2"].done, pillars["pillar-2"].done_hours) == (0, 0)
    html = response.content.decode()
    assert "<strong>33%</strong> · 2 of 6 milestones · 21 of 70 h" in html
    assert "1 of 2 · 10 of 23 h" in html
    assert "0 of 2 · 0 of 22 h" in html


def test_stage_moves_up_as_levels_are_completed(client, learner, m, complete):
    html = dashboard(client, learner).content.decode()
    assert '<h2 id="stage-heading" class="h4">Getting started</h2>' in html

    complete(learner, [m[0], m[1]])  # every foundation milestone
    html = dashboard(client, learner).content.decode()
    assert '<h2 id="stage-heading" class="h4">Entry-level ready</h2>' in html

    complete(learner, [m[2], m[3]])  # and every intermediate one
    html = dashboard(client, learner).content.decode()
    assert '<h2 id="stage-heading" class="h4">Mid-level ready</h2>' in html

    complete(learner, [m[4], m[5]])
    html = dashboard(client, learner).content.decode()
    assert '<h2 id="stage-heading" class="h4">Experienced</h2>' in html
    assert "You have completed the whole plan." in html


def test_stage_is_not_reached_while_one_required_milestone_is_only_in_progress(
    client, learner, m, complete
):
    complete(learner, [m[0]])
    complete(learner, [m[1]], status="in_progress")
    complete(learner, [m[2], m[3]])  # intermediate work does not skip the foundations

    html = dashboard(client, learner).content.decode()

    assert '<h2 id="stage-heading" class="h4">Getting started</h2>' in html


def test_stage_thresholds_come_from_the_data(client, learner, guide, m, complete):
    CareerStage.objects.filter(guide=guide, slug="entry-level").update(
        completes_level=Level.INTERMEDIATE, name="Junior"
    )
    complete(learner, [m[0], m[1]])

    html = dashboard(client, learner).content.decode()

    assert '<h2 id="stage-heading" class="h4">Getting started</h2>' in html
    assert "to Junior." in html


def test_salary_card_shows_current_and_next_band_with_source_and_date(client, learner, m, complete):
    complete(learner, [m[0], m[1]])

    html = dashboard(client, learner).content.decode()

    card = section(html, 'id="stage-heading"', "</section>")
    assert "<strong>from $75,000</strong>" in card
    assert "Next: Mid-level ready" in card
    assert f"<strong>$182,000{DASH}$194,000</strong>" in card
    assert "Figures: The test guide, February 2024." in card
    assert "not a promise" in card


def test_a_new_learner_sees_the_first_band_as_the_next_one(client, learner, guide):
    html = dashboard(client, learner).content.decode()

    card = section(html, 'id="stage-heading"', "</section>")
    assert "The guide's salary figures start at entry level." in card
    assert "Next: Entry-level ready" in card
    assert "<strong>from $75,000</strong>" in card


@pytest.fixture
def european_bands(guide):
    stages = {stage.slug: stage for stage in guide.stages.all()}
    for slug, low, high in [("entry-level", 55_000, None), ("mid-level", 90_000, 110_000)]:
        SalaryBand.objects.create(
            guide=guide,
            stage=stages[slug],
            region="Western Europe",
            low=low,
            high=high,
            source="The European test guide",
            as_of=datetime.date(2024, 5, 1),
        )


@pytest.mark.parametrize(
    ("region", "now", "next_band", "source"),
    [
        (
            "Western Europe",
            "from $55,000",
            f"$90,000{DASH}$110,000",
            "Figures: The European test guide, May 2024.",
        ),
        (
            "United States",
            "from $75,000",
            f"$182,000{DASH}$194,000",
            "Figures: The test guide, February 2024.",
        ),
    ],
)
def test_the_profile_region_picks_the_salary_band(
    client, learner, m, complete, european_bands, region, now, next_band, source
):
    learner.profile.region = region
    learner.profile.save()
    complete(learner, [m[0], m[1]])

    html = dashboard(client, learner).content.decode()

    card = section(html, 'id="stage-heading"', "</section>")
    assert f"<strong>{now}</strong>" in card
    assert f"<strong>{next_band}</strong>" in card
    assert source in card


def test_what_remains_to_the_next_stage_is_listed_with_hours(client, learner, m, complete):
    complete(learner, [m[0], m[1], m[2]])

    response = dashboard(client, learner)

    standing = response.context["standing"]
    assert [milestone.slug for milestone in standing.remaining] == ["milestone-3"]
    card = section(response.content.decode(), 'id="stage-heading"', "</section>")
    assert "<strong>1 milestone · about 13 h</strong> to Mid-level ready." in card
    assert f'<a href="{m[3].get_absolute_url()}">Milestone 3</a> · 13 h' in card
    assert ">Milestone 2</a>" not in card, "done work is not listed as remaining"


# --- next up -----------------------------------------------------------------------------


def next_up_titles(html: str) -> list[str]:
    block = section(html, 'id="next-heading"', "</section>")
    titles = []
    for chunk in block.split('class="fw-semibold" href="')[1:]:
        titles.append(chunk[chunk.index(">") + 1 : chunk.index("</a>")])
    return titles


def test_next_up_starts_with_open_foundations(client, learner, guide):
    html = dashboard(client, learner).content.decode()

    assert next_up_titles(html) == ["Milestone 0", "Milestone 1", "Milestone 2"]


def test_next_up_puts_work_in_progress_first(client, learner, m, complete):
    complete(learner, [m[5]], status="in_progress")

    html = dashboard(client, learner).content.decode()

    assert next_up_titles(html) == ["Milestone 5", "Milestone 0", "Milestone 1"]


def test_next_up_puts_foundations_before_later_levels_whatever_the_pillar(
    client, learner, m, complete
):
    complete(learner, [m[0]])  # opens m3 (intermediate, pillar 0), before m1 in plan order

    html = dashboard(client, learner).content.decode()

    assert next_up_titles(html) == ["Milestone 1", "Milestone 3", "Milestone 2"]


def test_next_up_puts_an_open_foundation_before_open_advanced_work(client, learner, m, complete):
    complete(learner, [m[1]])  # opens m4 (advanced, pillar 1), before m2 in plan order

    html = dashboard(client, learner).content.decode()

    assert next_up_titles(html) == ["Milestone 0", "Milestone 2", "Milestone 4"]


def test_next_up_orders_by_level_and_skips_unfinished_prerequisites(client, learner, m, complete):
    complete(learner, [m[0], m[1]])
    # Open now: m3 (intermediate, pillar 0), m4 (advanced, pillar 1), m2 (intermediate,
    # pillar 2). m5 waits for m2. Intermediate comes before advanced whatever the pillar.
    html = dashboard(client, learner).content.decode()

    assert next_up_titles(html) == ["Milestone 3", "Milestone 2", "Milestone 4"]


def test_next_up_never_suggests_a_milestone_whose_prerequisites_are_unfinished(guide):
    plan = guide_plan_build(guide=guide)
    by_slug = plan.by_slug
    statuses = {
        by_slug["milestone-0"].pk: ProgressStatus.IN_PROGRESS,
        by_slug["milestone-1"].pk: ProgressStatus.DONE,
        by_slug["milestone-2"].pk: ProgressStatus.DONE,
    }

    suggested = [m.slug for m in next_up(plan.milestones, statuses, limit=10)]

    assert suggested == ["milestone-0", "milestone-4", "milestone-5"]
    assert "milestone-3" not in suggested  # its prerequisite, milestone-0, is not done


# --- advice rules (pure) -----------------------------------------------------------------

NOW = datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC)


def advice(rule, inactive_days=14):
    return Advice(slug=rule, title=rule, body=rule, rule=rule, inactive_days=inactive_days)


ALWAYS = advice(AdviceRule.ALWAYS)
MIXED = advice(AdviceRule.FOUNDATIONS_UNFINISHED_ADVANCED_STARTED)
NO_PROJECT = advice(AdviceRule.NO_PROJECT_STARTED)
INACTIVE = advice(AdviceRule.INACTIVE, inactive_days=14)
ALL_ADVICE = [ALWAYS, MIXED, NO_PROJECT, INACTIVE]

FOUNDATION = Milestone(pk=1, level=Level.FOUNDATION)
ADVANCED = Milestone(pk=2, level=Level.ADVANCED)
PROJECT = Milestone(pk=3, level=Level.INTERMEDIATE, is_project=True)
MILESTONES = [FOUNDATION, ADVANCED, PROJECT]
S = ProgressStatus


def rules(statuses, last_activity=NOW, milestones=MILESTONES, items=ALL_ADVICE):
    return [item.rule for item in advice_for(items, milestones, statuses, last_activity, NOW)]


def test_always_advice_shows_only_when_nothing_specific_applies():
    assert rules({PROJECT.pk: S.IN_PROGRESS}) == [AdviceRule.ALWAYS]
    assert AdviceRule.ALWAYS not in rules({})


def test_foundations_unfinished_while_advanced_started():
    started_advanced = {ADVANCED.pk: S.IN_PROGRESS, PROJECT.pk: S.DONE}
    assert rules(started_advanced) == [AdviceRule.FOUNDATIONS_UNFINISHED_ADVANCED_STARTED]
    assert rules({**started_advanced, ADVANCED.pk: S.DONE}) == [
        AdviceRule.FOUNDATIONS_UNFINISHED_ADVANCED_STARTED
    ]
    assert rules({**started_advanced, FOUNDATION.pk: S.DONE}) == [AdviceRule.ALWAYS]
    assert rules({FOUNDATION.pk: S.IN_PROGRESS, PROJECT.pk: S.DONE}) == [AdviceRule.ALWAYS]


def test_no_project_started():
    assert rules({FOUNDATION.pk: S.DONE}) == [AdviceRule.NO_PROJECT_STARTED]
    assert rules({PROJECT.pk: S.IN_PROGRESS}) == [AdviceRule.ALWAYS]
    # A guide without project milestones never nags about them.
    assert rules({}, milestones=[FOUNDATION, ADVANCED]) == [AdviceRule.ALWAYS]


def test_inactive_after_the_configured_number_of_days():
    busy = {PROJECT.pk: S.IN_PROGRESS}
    assert rules(busy, last_activity=NOW - datetime.timedelta(days=13)) == [AdviceRule.ALWAYS]
    assert rules(busy, last_activity=NOW - datetime.timedelta(days=14)) == [AdviceRule.INACTIVE]
    short = advice(AdviceRule.INACTIVE, inactive_days=3)
    assert rules(busy, last_activity=NOW - datetime.timedelta(days=3), items=[ALWAYS, short]) == [
        AdviceRule.INACTIVE
    ]


def test_a_brand_new_learner_is_not_called_inactive():
    assert AdviceRule.INACTIVE not in rules({}, last_activity=None)


def test_several_specific_rules_can_apply_at_once():
    statuses = {ADVANCED.pk: S.IN_PROGRESS}
    assert rules(statuses, last_activity=NOW - datetime.timedelta(days=30)) == [
        AdviceRule.FOUNDATIONS_UNFINISHED_ADVANCED_STARTED,
        AdviceRule.NO_PROJECT_STARTED,
        AdviceRule.INACTIVE,
    ]


def test_the_dashboard_shows_the_advice_that_applies(client, learner, m, complete):
    complete(learner, [m[4]], status="in_progress")  # advanced, foundations open, no project

    html = dashboard(client, learner).content.decode()

    block = section(html, 'id="advice-heading"', "</section>")
    assert "Advice for foundations_unfinished_advanced_started" in block
    assert "Advice for no_project_started" in block
    assert "Advice for always" not in block
    assert "Advice for inactive" not in block
    assert "<strong>Climate</strong>" in block, "project themes come with the project advice"


# --- activity chart ----------------------------------------------------------------------

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


def test_the_dashboard_shows_this_weeks_activity(client, learner, m, complete):
    complete(learner, [m[0], m[1]])

    response = dashboard(client, learner)

    assert response.context["activity"].streak == 1
    assert response.context["activity"].weeks[-1][1] == 2
    html = response.content.decode()
    assert "Streak: <strong>1 week</strong>" in html
    assert "2 milestones completed in 12 weeks" in html
    assert '<desc id="activity-desc">' in html


# --- first visit -------------------------------------------------------------------------


def test_a_brand_new_learner_is_welcomed(client, learner, guide):
    html = dashboard(client, learner).content.decode()

    assert "Your plan is ready." in html
    assert "It has 6 milestones in 3 pillars, about 70 hours of learning." in html
    block = section(html, 'id="advice-heading"', "</section>")
    assert "Advice for inactive" not in block


def test_the_welcome_goes_once_something_is_marked(client, learner, m, complete):
    complete(learner, [m[0]], status="in_progress")

    assert "Your plan is ready." not in dashboard(client, learner).content.decode()


def test_without_a_published_guide_the_dashboard_says_so(client, learner, make_guide):
    make_guide(published=False)

    response = dashboard(client, learner)

    assert response.templates[0].name == "tracker/learner/no_guide.html"


# --- query budgets -----------------------------------------------------------------------


# What each page costs today (session, user, profile and the page's own reads); a change
# that needs more queries should say why here.
QUERY_BUDGET = {"dashboard": 16, "guide": 11}


def mark_some(learner, guide, complete):
    milestones = list(Milestone.objects.filter(guide=guide).order_by("order")[:4])
    complete(learner, milestones[:3])
    complete(learner, milestones[3:], status="in_progress")


def count_queries(client, url) -> tuple[int, str]:
    """Queries of one request with cold caches: the most a page can cost."""
    clear_content_cache()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("page_name", ["dashboard", "guide"])
def test_page_costs_the_same_for_5_or_60_milestones(
    client, make_guide, make_user, complete, page_name, django_assert_max_num_queries
):
    small_guide = make_guide(milestones=5, slug="small")
    big_guide = make_guide(milestones=60, slug="big")
    small_learner, big_learner = make_user("small"), make_user("big")
    for user, guide in [(small_learner, small_guide), (big_learner, big_guide)]:
        user.profile.current_guide = guide
        user.profile.save()
        mark_some(user, guide, complete)

    def url(guide):
        if page_name == "dashboard":
            return DASHBOARD
        return reverse("tracker:guide", args=[guide.slug])

    client.force_login(small_learner)
    small, small_sql = count_queries(client, url(small_guide))
    assert small <= QUERY_BUDGET[page_name], small_sql
    client.force_login(big_learner)
    clear_content_cache()
    cache.clear()
    with django_assert_max_num_queries(small):
        response = client.get(url(big_guide))
    assert response.status_code == HTTPStatus.OK
    assert response.context["overall"].total == 60
    big, big_sql = count_queries(client, url(big_guide))
    assert big == small, f"small:\n{small_sql}\n\nbig:\n{big_sql}"


def add_events(learner, guide, count):
    milestones = list(Milestone.objects.filter(guide=guide))
    now = timezone.now()
    per_week = 10
    for week in range(count // per_week):
        moment = now - datetime.timedelta(weeks=week)
        # The explicit time holds for a default; the patched clock for an auto_now_add.
        with mock.patch("django.utils.timezone.now", return_value=moment):
            ProgressEvent.objects.bulk_create(
                ProgressEvent(
                    learner=learner,
                    milestone=milestones[(week * per_week + n) % len(milestones)],
                    actor=learner,
                    old_status=ProgressStatus.IN_PROGRESS,
                    new_status=ProgressStatus.DONE,
                    created_at=moment,
                )
                for n in range(per_week)
            )


@pytest.mark.parametrize("page_name", ["dashboard", "guide"])
def test_page_costs_the_same_with_0_or_500_history_events(
    client, make_guide, make_user, complete, page_name, django_assert_max_num_queries
):
    guide = make_guide(milestones=5)
    quiet, busy = make_user("quiet"), make_user("busy")
    mark_some(quiet, guide, complete)
    mark_some(busy, guide, complete)
    ProgressEvent.objects.filter(learner=quiet).delete()
    add_events(busy, guide, 500)
    assert ProgressEvent.objects.filter(learner=busy).count() >= 500
    url = DASHBOARD if page_name == "dashboard" else reverse("tracker:guide", args=[guide.slug])

    client.force_login(quiet)
    small, small_sql = count_queries(client, url)
    assert small <= QUERY_BUDGET[page_name], small_sql
    client.force_login(busy)
    clear_content_cache()
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    big, big_sql = count_queries(client, url)
    assert big == small, f"no events:\n{small_sql}\n\n500 events:\n{big_sql}"
    if page_name == "dashboard":
        assert response.context["activity"].streak >= 50  # fifty weeks in a row, with events
        assert response.context["activity"].total == 12 * 10 + 3


def test_the_salary_card_names_every_source_of_its_figures(client, make_guide, make_user, complete):
    guide = make_guide(milestones=6)
    SalaryBand.objects.filter(guide=guide, stage__slug="mid-level").update(
        source="Another survey", as_of=datetime.date(2025, 6, 1)
    )
    learner = make_user("sourced")
    learner.profile.current_guide = guide
    learner.profile.save()
    complete(learner, guide.milestones.filter(level=Level.FOUNDATION))
    client.force_login(learner)
    page = client.get(DASHBOARD).content.decode()
    assert "The test guide, February 2024" in page
    assert "Another survey, June 2025" in page


def test_the_cards_read_in_the_order_a_phone_shows_them(client, learner, guide):
    """Where you stand and what it is worth, then what to do next, before the history."""
    html = dashboard(client, learner).content.decode()

    headings = ["path", "stage", "next", "advice", "activity", "verdicts"]
    positions = [html.index(f'id="{name}-heading"') for name in headings]
    assert positions == sorted(positions)
