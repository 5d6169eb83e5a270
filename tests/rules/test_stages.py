"""Career stage, salary pairing and progress figures (tracker.rules.stages), as the
dashboard shows them: where am I, and what is it worth."""

import datetime
from types import SimpleNamespace

import pytest

from tests.conftest import DASHBOARD, dashboard, section
from tracker.models import LEVEL_RANK, CareerStage, Level, SalaryBand
from tracker.rules.stages import band_for, standing, tally

pytestmark = pytest.mark.django_db

DASH = "\N{EN DASH}"  # between the low and the high of a salary band


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


# --- career stage ------------------------------------------------------------------------


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


def test_what_remains_to_the_next_stage_is_listed_with_hours(client, learner, m, complete):
    complete(learner, [m[0], m[1], m[2]])

    response = dashboard(client, learner)

    standing = response.context["standing"]
    assert [milestone.slug for milestone in standing.remaining] == ["milestone-3"]
    card = section(response.content.decode(), 'id="stage-heading"', "</section>")
    assert "<strong>1 milestone · about 13 h</strong> to Mid-level ready." in card
    assert f'<a href="{m[3].get_absolute_url()}">Milestone 3</a> · 13 h' in card
    assert ">Milestone 2</a>" not in card, "done work is not listed as remaining"


# --- salary bands ------------------------------------------------------------------------


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


# --- the rules alone, over plain data (no database) ----------------------------------------


def plain_milestone(pk: int, level: str, hours: int):
    return SimpleNamespace(pk=pk, level=level, estimated_hours=hours, level_rank=LEVEL_RANK[level])


def plain_stages():
    return [
        SimpleNamespace(pk=1, order=0, name="Getting started", completes_level=""),
        SimpleNamespace(pk=2, order=1, name="Entry-level ready", completes_level=Level.FOUNDATION),
        SimpleNamespace(pk=3, order=2, name="Mid-level ready", completes_level=Level.INTERMEDIATE),
        SimpleNamespace(pk=4, order=3, name="Experienced", completes_level=Level.ADVANCED),
    ]


PLAIN = [
    plain_milestone(1, Level.FOUNDATION, 10),
    plain_milestone(2, Level.FOUNDATION, 20),
    plain_milestone(3, Level.INTERMEDIATE, 30),
    plain_milestone(4, Level.ADVANCED, 40),
]


def test_tally_counts_only_done_milestones_and_their_hours():
    figures = tally(PLAIN, {1: "done", 2: "in_progress", 3: "done"})

    assert (figures.done, figures.total, figures.done_hours, figures.total_hours) == (2, 4, 40, 100)
    assert (figures.percent, figures.hours_percent, figures.remaining_hours) == (50, 40, 60)
    assert tally([], {}).percent == 0


@pytest.mark.parametrize(
    ("done", "current", "upcoming", "remaining"),
    [
        (set(), "Getting started", "Entry-level ready", [1, 2]),
        ({1}, "Getting started", "Entry-level ready", [2]),
        ({1, 2}, "Entry-level ready", "Mid-level ready", [3]),
        ({1, 2, 4}, "Entry-level ready", "Mid-level ready", [3]),  # advanced work skips nothing
        ({1, 2, 3, 4}, "Experienced", None, []),
    ],
)
def test_standing_is_the_highest_stage_whose_every_requirement_is_done(
    done, current, upcoming, remaining
):
    result = standing(plain_stages(), PLAIN, dict.fromkeys(done, "done"))

    assert result.current.name == current
    assert (result.next.name if result.next else None) == upcoming
    assert [m.pk for m in result.remaining] == remaining


def test_band_for_prefers_the_learners_region_then_the_first_quoted():
    stage = plain_stages()[1]
    us = SimpleNamespace(stage_id=stage.pk, region="United States")
    hubs = SimpleNamespace(stage_id=stage.pk, region="US tech hubs")
    other = SimpleNamespace(stage_id=99, region="United States")

    assert band_for(stage, [other, us, hubs], "US tech hubs") is hubs
    assert band_for(stage, [other, us, hubs], "Mars") is us
    assert band_for(stage, [other], "United States") is None
    assert band_for(None, [us], "") is None
