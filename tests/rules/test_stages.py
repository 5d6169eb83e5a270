"""Career stage, salary pairing and progress figures (tracker.rules.stages), as the
dashboard shows them: where am I, and what is it worth."""

import datetime
import html as html_lib
import re
from types import SimpleNamespace

import pytest

from tests.conftest import DASHBOARD, dashboard, section
from tracker.models import LEVEL_RANK, CareerStage, Level, SalaryBand
from tracker.rules.stages import band_for, figure_sources, reached_on, standing, tally

pytestmark = pytest.mark.django_db

DASH = "\N{EN DASH}"  # between the low and the high of a salary band
HUBS = "US tech hubs (San Francisco, Los Angeles, Seattle)"


@pytest.fixture
def guide(make_guide):
    """The shared six-milestone guide, with its figures as the ML guide states them: an
    entry-level and an experienced figure, and a tech-hub average tied to no stage (it
    describes a place, not a seniority)."""
    guide = make_guide(milestones=6)
    bands = SalaryBand.objects.filter(guide=guide)
    bands.filter(stage__slug="entry-level").update(label="Entry level", order=1)
    bands.filter(stage__slug="mid-level").update(
        stage=None, label="Tech-hub average", region=HUBS, order=2
    )
    bands.filter(stage__slug="experienced").update(label="Experienced", order=3)
    return guide


def card_rows(html: str) -> dict[str, str]:
    """The career-stage card's figures: each <dt> with the text of its <dd>."""
    card = section(html, 'id="salary-heading"', "</section>")
    rows = re.findall(r"<dt[^>]*>(.*?)</dt><dd[^>]*>(.*?)</dd>", card)
    # The card names the current stage beside "Now" ("Now: Entry-level ready", issue 13).
    return {re.sub(r"^Now: .*", "Now", text_of(term)): text_of(value) for term, value in rows}


def text_of(markup: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip())


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
    # One measure, by hours (issues 11 and 13): 21 of the 70 h are done.
    assert (
        '30%</span><span class="small text-body-secondary">21 of 70 h · 2 of 6 milestones' in html
    )
    assert "10 of 23 h · 1 of 2 milestones" in html
    assert "0 of 22 h · 0 of 2 milestones" in html


# --- career stage ------------------------------------------------------------------------


def test_stage_moves_up_as_levels_are_completed(client, learner, m, complete):
    html = dashboard(client, learner).content.decode()
    assert '<span id="stage-heading" class="stage-name d-block">Getting started</span>' in html

    complete(learner, [m[0], m[1]])  # every foundation milestone
    html = dashboard(client, learner).content.decode()
    assert '<span id="stage-heading" class="stage-name d-block">Entry-level ready</span>' in html

    complete(learner, [m[2], m[3]])  # and every intermediate one
    html = dashboard(client, learner).content.decode()
    assert '<span id="stage-heading" class="stage-name d-block">Mid-level ready</span>' in html

    complete(learner, [m[4], m[5]])
    html = dashboard(client, learner).content.decode()
    assert '<span id="stage-heading" class="stage-name d-block">Experienced</span>' in html
    assert "You have completed the whole plan." in html


def test_stage_is_not_reached_while_one_required_milestone_is_only_in_progress(
    client, learner, m, complete
):
    complete(learner, [m[0]])
    complete(learner, [m[1]], status="in_progress")
    complete(learner, [m[2], m[3]])  # intermediate work does not skip the foundations

    html = dashboard(client, learner).content.decode()

    assert '<span id="stage-heading" class="stage-name d-block">Getting started</span>' in html


def test_stage_thresholds_come_from_the_data(client, learner, guide, m, complete):
    CareerStage.objects.filter(guide=guide, slug="entry-level").update(
        completes_level=Level.INTERMEDIATE, name="Junior"
    )
    complete(learner, [m[0], m[1]])

    html = dashboard(client, learner).content.decode()

    assert '<span id="stage-heading" class="stage-name d-block">Getting started</span>' in html
    assert "to Junior." in html


def test_what_remains_to_the_next_stage_is_listed_with_hours(client, learner, m, complete):
    complete(learner, [m[0], m[1], m[2]])

    response = dashboard(client, learner)

    standing = response.context["standing"]
    assert [milestone.slug for milestone in standing.remaining] == ["milestone-3"]
    card = section(response.content.decode(), 'id="salary-heading"', "</section>")
    assert "<strong>1 milestone · about 13 h</strong> to Mid-level ready." in card
    assert f'<a href="{m[3].get_absolute_url()}">Milestone 3</a> · 13 h' in card
    assert ">Milestone 2</a>" not in card, "done work is not listed as remaining"


# --- salary bands ------------------------------------------------------------------------


def test_salary_card_shows_current_and_next_band_with_source_and_date(client, learner, m, complete):
    complete(learner, [m[0], m[1]])

    html = dashboard(client, learner).content.decode()

    assert card_rows(html) == {
        "Now": "from $75,000 Entry level · United States",
        "Next: Mid-level ready": "The guide quotes no figure for Mid-level ready.",
        "Tech-hub average": f"$182,000{DASH}$194,000 {HUBS}",
    }
    card = section(html, 'id="salary-heading"', "</section>")
    assert "Figures: The test guide, February 2024." in card
    assert "not a promise" in card


def test_a_new_learner_sees_the_first_band_as_the_next_one(client, learner, guide):
    html = dashboard(client, learner).content.decode()

    rows = card_rows(html)
    assert rows["Now"] == "The guide quotes no figure for Getting started."
    assert rows["Next: Entry-level ready"] == "from $75,000 Entry level · United States"


@pytest.fixture
def european_bands(guide):
    stages = {stage.slug: stage for stage in guide.stages.all()}
    for slug, label, low in [
        ("entry-level", "Entry level", 55_000),
        ("experienced", "Senior", 120_000),
    ]:
        SalaryBand.objects.create(
            guide=guide,
            stage=stages[slug],
            label=label,
            region="Western Europe",
            low=low,
            source="The European test guide",
            as_of=datetime.date(2024, 5, 1),
        )


@pytest.mark.parametrize(
    ("region", "entry", "experienced", "source"),
    [
        (
            "Western Europe",
            "from $55,000 Entry level · Western Europe",
            "from $120,000 Senior · Western Europe",
            "The European test guide, May 2024",
        ),
        (
            "United States",
            "from $75,000 Entry level · United States",
            "from $195,000 Experienced · United States",
            "The test guide, February 2024",
        ),
    ],
)
def test_the_profile_region_picks_the_salary_band(
    client, learner, m, complete, european_bands, region, entry, experienced, source
):
    learner.profile.region = region
    learner.profile.save()
    complete(learner, [m[0], m[1]])

    html = dashboard(client, learner).content.decode()

    assert card_rows(html)["Now"].startswith(entry)
    assert source in section(html, 'id="salary-heading"', "</section>")

    complete(learner, [m[2], m[3]])

    assert card_rows(dashboard(client, learner).content.decode())["Next: Experienced"].startswith(
        experienced
    )


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


def test_each_figure_names_its_own_source_when_the_sources_differ(
    client, learner, guide, m, complete
):
    SalaryBand.objects.filter(guide=guide, stage=None).update(
        source="Another survey", as_of=datetime.date(2025, 6, 1)
    )
    complete(learner, [m[0], m[1]])

    rows = card_rows(dashboard(client, learner).content.decode())

    assert rows["Now"] == "from $75,000 Entry level · United States · The test guide, February 2024"
    assert rows["Tech-hub average"] == (
        f"$182,000{DASH}$194,000 {HUBS} · Another survey, June 2025"
    )


def test_a_figure_the_guide_ties_to_a_stage_is_shown_for_that_stage(
    client, learner, guide, m, complete
):
    SalaryBand.objects.create(
        guide=guide,
        stage=guide.stages.get(slug="mid-level"),
        label="Mid level",
        region="United States",
        low=120_000,
        high=150_000,
        source="The test guide",
        as_of=datetime.date(2024, 2, 15),
    )
    complete(learner, [m[0], m[1]])

    rows = card_rows(dashboard(client, learner).content.decode())

    assert rows == {
        "Now": "from $75,000 Entry level · United States",
        "Next: Mid-level ready": f"$120,000{DASH}$150,000 Mid level · United States",
    }, "with a figure for both stages, the place figure is not needed"


@pytest.mark.parametrize(
    ("levels", "rows"),
    [
        pytest.param(
            [],
            {
                "Now": "The guide quotes no figure for Getting started.",
                "Next: Entry-level ready": "from $75,000 Entry level · United States",
                "Tech-hub average": f"$182,000{DASH}$194,000 {HUBS}",
            },
            id="getting-started",
        ),
        pytest.param(
            [Level.FOUNDATION],
            {
                "Now": "from $75,000 Entry level · United States",
                "Next: Mid-level ready": "The guide quotes no figure for Mid-level ready.",
                "Tech-hub average": f"$182,000{DASH}$194,000 {HUBS}",
            },
            id="entry-level-ready",
        ),
        pytest.param(
            [Level.FOUNDATION, Level.INTERMEDIATE],
            {
                "Now": "The guide quotes no figure for Mid-level ready.",
                "Next: Experienced": "from $195,000 Experienced · United States",
                "Tech-hub average": f"$182,000{DASH}$194,000 {HUBS}",
            },
            id="mid-level-ready",
        ),
        pytest.param(
            [Level.FOUNDATION, Level.INTERMEDIATE, Level.ADVANCED],
            {"Now": "from $195,000 Experienced · United States"},
            id="experienced",
        ),
    ],
)
def test_the_card_shows_the_shipped_guides_figures_as_the_guide_states_them(
    client, learner, ml_guide, complete, levels, rows
):
    complete(learner, ml_guide.milestones.filter(level__in=levels, archived=False))

    html = dashboard(client, learner).content.decode()

    assert card_rows(html) == rows
    card = section(html, 'id="salary-heading"', "</section>")
    assert (
        "Figures: So You Want to Become a Machine Learning Engineer? (David Jenkins), "
        "February 2024. What the guide reports for the market, not a promise."
    ) in card


def test_the_card_offers_a_region_only_when_the_guide_quotes_stages_in_several(
    client, learner, guide, european_bands
):
    choose = "Choose your region"
    assert choose in section(
        dashboard(client, learner).content.decode(), 'id="salary-heading"', "</section>"
    )

    SalaryBand.objects.filter(region="Western Europe").delete()

    assert choose not in section(
        dashboard(client, learner).content.decode(), 'id="salary-heading"', "</section>"
    ), "the tech-hub average is a place figure: there is nothing to choose"


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


def plain_band(stage_id: int | None, region: str = "United States", source: str = "The guide"):
    return SimpleNamespace(
        stage_id=stage_id, region=region, source=source, as_of=datetime.date(2024, 2, 15)
    )


# As the ML guide states them: a figure for entry level (stage 2) and for experienced
# engineers (stage 4), and the tech-hub average, which is about a place, not a stage.
ENTRY, HUB, EXPERIENCED = plain_band(2), plain_band(None, "US tech hubs"), plain_band(4)


def test_a_figure_tied_to_no_stage_is_never_a_stages_band():
    for stage in plain_stages():
        assert band_for(stage, [HUB], "US tech hubs") is None, stage.name


@pytest.mark.parametrize(
    ("done", "current", "upcoming", "place"),
    [
        pytest.param(set(), None, ENTRY, [HUB], id="no-figure-for-getting-started"),
        pytest.param({1, 2}, ENTRY, None, [HUB], id="no-figure-for-mid-level"),
        pytest.param({1, 2, 3}, None, EXPERIENCED, [HUB], id="mid-level-to-experienced"),
        pytest.param({1, 2, 3, 4}, EXPERIENCED, None, [], id="whole-plan-done"),
    ],
)
def test_each_stage_gets_its_own_figure_and_the_place_figures_stand_in_where_one_is_missing(
    done, current, upcoming, place
):
    result = standing(
        plain_stages(),
        PLAIN,
        dict.fromkeys(done, "done"),
        [ENTRY, HUB, EXPERIENCED],
        "US tech hubs",
    )

    assert result.current_band is current
    assert result.next_band is upcoming
    assert result.place_figures == place


def test_the_sources_are_those_of_the_figures_shown_each_once():
    survey = plain_band(None, "US tech hubs", source="A survey")
    bands = [ENTRY, survey, EXPERIENCED]

    assert standing(plain_stages(), PLAIN, {1: "done", 2: "done"}, bands).sources == [
        ENTRY,
        survey,
    ]
    everything = dict.fromkeys([1, 2, 3, 4], "done")
    assert standing(plain_stages(), PLAIN, everything, bands).sources == [EXPERIENCED]
    assert figure_sources([ENTRY, EXPERIENCED, survey]) == [ENTRY, survey]
    assert figure_sources([]) == []


# --- when a stage was reached (the public profile) ------------------------------------------


def test_a_stage_is_reached_when_the_last_milestone_it_requires_was_completed():
    entry, mid, experienced = plain_stages()[1:]
    completed = {
        1: datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC),
        2: datetime.datetime(2026, 3, 5, 18, 30, tzinfo=datetime.UTC),  # the last foundation
        4: datetime.datetime(2026, 4, 2, 8, 0, tzinfo=datetime.UTC),  # advanced: not required
    }

    assert reached_on(entry, PLAIN, completed) == completed[2]
    assert reached_on(mid, PLAIN, completed) is None, "milestone 3 is not done"
    assert reached_on(experienced, PLAIN, completed) is None

    completed[3] = datetime.datetime(2026, 3, 20, tzinfo=datetime.UTC)
    assert reached_on(mid, PLAIN, completed) == completed[3]
    assert reached_on(experienced, PLAIN, completed) == completed[4]


def test_no_date_for_the_first_stage_for_no_stage_or_for_a_stage_without_milestones():
    getting_started, entry = plain_stages()[:2]
    everything = {1: 1, 2: 2, 3: 3, 4: 4}

    assert reached_on(getting_started, PLAIN, everything) is None, "everyone starts there"
    assert reached_on(None, PLAIN, everything) is None
    assert reached_on(entry, [], {}) is None, "a stage with nothing to do is not an achievement"
