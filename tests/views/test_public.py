"""What a visitor without an account can read: the landing page, the guides, a milestone,
and the health check; and what each of those pages costs in SQL whatever the guide's size."""

import datetime
import json
import re
from html import unescape
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils.html import escape

from tracker.models import Guide, Level, Milestone, Progress

EN_DASH = "\N{EN DASH}"  # between the two figures of a range


GUIDE_URL = reverse("tracker:guide", kwargs={"guide_slug": "ml-engineer"})


def milestone_url(guide_slug: str, slug: str) -> str:
    return reverse("tracker:milestone", kwargs={"guide_slug": guide_slug, "milestone_slug": slug})


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, url
    return response.content.decode()


def section(html: str, element_id: str) -> str:
    """The markup of the <section> with this id, up to its closing tag (no nested sections)."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def milestone_item(html: str, slug: str) -> str:
    """The guide page's list item of one milestone."""
    start = html.index(f'id="m-{slug}"')
    ends = [html.find(marker, start + 1) for marker in ('class="milestone-item"', "</section>")]
    return html[start : min(end for end in ends if end != -1)]


# --- landing -----------------------------------------------------------------------------


def test_landing_presents_the_guide_its_pillars_figures_and_a_sign_up(client, ml_guide):
    html = page(client, reverse("tracker:landing"))

    assert escape(ml_guide.promise) in html
    for pillar in ml_guide.pillars.all():
        assert escape(pillar.name) in html
        count = pillar.milestones.filter(archived=False).count()
        assert f"{count} milestones" in html
    assert "from $75,000" in html
    assert f"$182,000{EN_DASH}$194,000" in html
    assert "from $195,000" in html
    assert f'href="{reverse("signup")}"' in html
    assert f'href="{GUIDE_URL}"' in html


def test_landing_without_a_published_guide_says_so(client, make_guide):
    make_guide(published=False, title="A secret draft")
    html = page(client, reverse("tracker:landing"))
    assert "No guide is published yet" in html
    assert "A secret draft" not in html


# --- the list of guides ------------------------------------------------------------------


def test_guides_lists_published_guides_only(client, ml_guide, make_guide):
    make_guide(slug="draft", published=False, title="Draft guide in the works")
    html = page(client, reverse("tracker:guides"))

    assert escape(ml_guide.title) in html
    assert f'href="{GUIDE_URL}"' in html
    assert "Draft guide in the works" not in html


# --- one guide ---------------------------------------------------------------------------


def test_guide_page_shows_every_active_milestone_with_hours_and_resources(client, ml_guide):
    html = page(client, GUIDE_URL)

    milestones = Milestone.objects.filter(guide=ml_guide, archived=False).prefetch_related(
        "resources"
    )
    assert len(milestones) >= 30
    for milestone in milestones:
        item = milestone_item(html, milestone.slug)
        assert f'href="{milestone_url("ml-engineer", milestone.slug)}"' in item
        assert escape(milestone.title) in item
        assert f"· {milestone.estimated_hours} h" in item
        assert milestone.resources.all(), milestone.slug
        for resource in milestone.resources.all():
            assert f'href="{escape(resource.url)}"' in item
            assert escape(resource.title) in item


def test_guide_page_groups_each_pillars_milestones_by_level(client, ml_guide):
    html = page(client, GUIDE_URL)
    labels = dict(Level.choices)

    for pillar in ml_guide.pillars.all():
        markup = section(html, f"pillar-{pillar.slug}")
        assert escape(pillar.name) in markup
        headings = []  # (position, level) of each level heading, in page order
        for level in Level.values:
            of_level = list(pillar.milestones.filter(archived=False, level=level))
            if not of_level:
                assert f">{labels[level]} · " not in markup
                continue
            hours = sum(m.estimated_hours for m in of_level)
            plural = "" if len(of_level) == 1 else "s"
            heading = f">{labels[level]} · {len(of_level)} milestone{plural} · {hours} h<"
            assert heading in markup, heading
            headings.append((markup.index(heading), level))
        # Foundation, then intermediate, then advanced; each milestone under its own level.
        assert [level for _, level in headings] == [
            level for level in Level.values if level in {lv for _, lv in headings}
        ]
        assert headings == sorted(headings)
        bounds = [*(position for position, _ in headings), len(markup)]
        for index, (start, level) in enumerate(headings):
            group = markup[start : bounds[index + 1]]
            for milestone in pillar.milestones.filter(archived=False):
                inside = f'id="m-{milestone.slug}"' in group
                assert inside == (milestone.level == level), (milestone.slug, level)


def test_guide_page_shows_salaries_advice_impact_areas_and_attribution(client, ml_guide):
    html = page(client, GUIDE_URL)

    salaries = section(html, "salaries")
    for figure in ("from $75,000", f"$182,000{EN_DASH}$194,000", "from $195,000"):
        assert figure in salaries
    assert "San Francisco" in salaries
    assert "not a promise" in salaries
    assert "February 2024" in salaries

    advice = section(html, "advice")
    for item in ml_guide.advice.all():
        assert escape(item.title) in advice

    impact = section(html, "impact")
    for area in ml_guide.impact_areas.all():
        assert escape(area.name) in impact

    # The guide's own header credits the original article and its author.
    header = html[html.index("<header class=") : html.index("</header>", html.index("<h1"))]
    assert "by David Jenkins, 15 February 2024" in header
    assert f"<cite>{escape(ml_guide.source_title)}</cite>" in header


def test_guide_page_credits_the_source_of_any_guide(client, make_guide):
    make_guide(slug="tested")
    html = page(client, reverse("tracker:guide", kwargs={"guide_slug": "tested"}))
    assert "by Test Author, 15 February 2024" in html


def test_archived_milestones_are_not_shown(client, ml_guide):
    archived = Milestone.objects.filter(guide=ml_guide, archived=False).order_by("pk").last()
    archived.archived = True
    archived.save()

    html = page(client, GUIDE_URL)
    assert f'id="m-{archived.slug}"' not in html
    assert escape(archived.title) not in html
    response = client.get(milestone_url("ml-engineer", archived.slug))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_an_archived_prerequisite_is_not_linked(client, make_guide):
    make_guide(milestones=6, pillars=3, slug="tested")  # milestone-3 comes after milestone-0
    Milestone.objects.filter(slug="milestone-0").update(archived=True)

    html = page(client, milestone_url("tested", "milestone-3"))

    assert "Milestone 3" in html
    assert "Milestone 0" not in html
    assert milestone_url("tested", "milestone-0") not in html


def test_an_unpublished_guide_is_not_found(client, make_guide):
    make_guide(slug="draft", published=False)

    assert client.get("/guides/draft/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/guides/draft/milestone-0/").status_code == HTTPStatus.NOT_FOUND


def test_a_learners_chosen_guide_once_unpublished_is_not_found_to_them(client, learner, make_guide):
    """The guide the learner chose comes with their session (tracker.auth): it must not
    stand in for the database's word that it is published."""
    guide = make_guide(slug="chosen")
    learner.profile.current_guide = guide
    learner.profile.save()
    client.force_login(learner)
    assert client.get("/guides/chosen/").status_code == HTTPStatus.OK

    Guide.objects.filter(pk=guide.pk).update(published=False)

    assert client.get("/guides/chosen/").status_code == HTTPStatus.NOT_FOUND
    response = client.post("/guides/chosen/milestone-0/status/", {"status": "done"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not Progress.objects.filter(learner=learner).exists()


def test_unknown_guides_and_milestones_are_not_found(client, ml_guide, make_guide):
    make_guide(slug="other")  # has a milestone-0, which is not a milestone of the ML guide
    assert client.get("/guides/no-such-guide/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/guides/ml-engineer/no-such-milestone/").status_code == (
        HTTPStatus.NOT_FOUND
    )
    assert client.get("/guides/ml-engineer/milestone-0/").status_code == HTTPStatus.NOT_FOUND


# --- one milestone -----------------------------------------------------------------------


def test_milestone_page_shows_its_details_resources_and_neighbours(client, ml_guide):
    milestone = (
        Milestone.objects.filter(guide=ml_guide, archived=False, prerequisites__isnull=False)
        .filter(unlocks__isnull=False)
        .distinct()
        .first()
    )
    assert milestone is not None, "the ML guide has milestones in the middle of a chain"

    html = page(client, milestone_url("ml-engineer", milestone.slug))

    assert f'<h1 class="h2 fw-bold">{escape(milestone.title)}</h1>' in html
    assert f"about {milestone.estimated_hours} hours" in html
    assert milestone.get_level_display() in html
    assert escape(milestone.description) in html
    assert escape(milestone.pillar.name) in html
    for resource in milestone.resources.all():
        assert f'href="{escape(resource.url)}"' in html
        assert escape(resource.title) in html
    for required in milestone.prerequisites.all():
        assert f'href="{milestone_url("ml-engineer", required.slug)}"' in html
    for later in milestone.unlocks.all():
        assert f'href="{milestone_url("ml-engineer", later.slug)}"' in html
    # A visitor is invited to log in, and not shown a status form.
    assert f"{reverse('login')}?next=" in html
    assert "Your status" not in html


# --- health check ------------------------------------------------------------------------


def test_healthz_reports_the_database(client, db):
    response = client.get(reverse("tracker:healthz"))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "tasks": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_public_pages_refuse_writes(client, ml_guide):
    for url in (reverse("tracker:landing"), GUIDE_URL, reverse("tracker:healthz")):
        assert client.post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_no_template_syntax_leaks_into_any_page(client, ml_guide, make_user, complete):
    """A comment or tag that Django did not parse would show up as text for the user."""
    learner = make_user()
    complete(learner, list(ml_guide.milestones.all()[:2]))
    client.force_login(learner)
    for path in [
        "/",
        "/guides/",
        "/guides/ml-engineer/",
        "/guides/ml-engineer/python-fundamentals/",
        "/dashboard/",
        "/settings/",
        "/mentoring/",
    ]:
        page = client.get(path).content.decode()
        for marker in ("{#", "#}", "{%", "%}", "{{", "}}"):
            assert marker not in page, (path, marker)


# --- salaries, as the guide states them ----------------------------------------------------

HUBS = "US tech hubs (San Francisco, Los Angeles, Seattle)"
GUIDES_SOURCE = "So You Want to Become a Machine Learning Engineer? (David Jenkins), February 2024"


def text_of(markup: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip())


def salary_rows(html: str) -> list[list[str]]:
    """The text of each cell of the guide page's salary table, row by row."""
    table = section(html, "salaries")
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_guide_page_lists_the_three_figures_as_the_guide_states_them(client, ml_guide):
    html = page(client, GUIDE_URL)

    rows = salary_rows(html)
    assert [row[:3] for row in rows] == [
        ["Entry level", "Entry-level ready", "United States"],
        ["Tech-hub average", "— not tied to a career stage", HUBS],
        ["Experienced", "Experienced", "United States"],
    ], "the tech-hub average describes a place, not a seniority"
    figures = ["from $75,000", f"$182,000{EN_DASH}$194,000", "from $195,000"]
    assert all(row[3].startswith(f"{figure} ") for row, figure in zip(rows, figures, strict=True))
    caption = text_of(section(html, "salaries").split("<caption", 1)[1].split("</caption>")[0])
    assert f"Source: {GUIDES_SOURCE}." in caption
    assert "not a promise" in caption


def test_guide_page_names_the_source_of_each_figure_when_they_differ(client, ml_guide):
    ml_guide.salary_bands.filter(stage=None).update(
        source="Another survey", as_of=datetime.date(2025, 6, 1)
    )

    rows = salary_rows(page(client, GUIDE_URL))

    assert [row[-1] for row in rows] == [GUIDES_SOURCE, "Another survey, June 2025", GUIDES_SOURCE]


def test_landing_labels_each_figure_with_its_region_and_source(client, ml_guide):
    worth = section(page(client, reverse("tracker:landing")), "worth-heading")

    cards = re.findall(r'<div class="card-body">(.*?)</div>', worth, re.S)
    labels = [text_of(re.search(r"<p[^>]*>(.*?)</p>", card, re.S).group(1)) for card in cards]
    assert labels == [
        "Entry level · United States",
        f"Tech-hub average · {HUBS}",
        "Experienced · United States",
    ]
    assert "Mid-level" not in worth
    assert f"Figures quoted by {GUIDES_SOURCE}." in text_of(worth)
    assert "not a promise" in worth


# --- the guide page: advice in general terms, filters, pillars that fold ------------------

MAP_URL = reverse("tracker:guide_map", kwargs={"guide_slug": "ml-engineer"})


def listed_slugs(html: str) -> list[str]:
    """The milestones the guide page lists, in page order."""
    return re.findall(r'<li class="milestone-item" id="m-([\w-]+)"', html)


def test_the_guide_page_never_shows_advice_written_about_a_learner(
    client, ml_guide, make_user, complete
):
    """The personal wording ("It has been a couple of weeks since you last logged
    progress") is the dashboard's; the guide page says each piece of advice in general
    terms, with when it applies, to visitors and learners alike."""
    advice = list(ml_guide.advice.order_by("order"))
    assert all(item.general for item in advice), "the shipped guide words all its advice"
    learner = make_user()
    complete(learner, list(ml_guide.milestones.filter(level=Level.ADVANCED))[:1])

    for who in ("visitor", "learner"):
        if who == "learner":
            client.force_login(learner)
        html = page(client, GUIDE_URL)
        block = section(html, "advice")
        for item in advice:
            assert escape(item.body) not in html, (who, item.slug)
            assert item.body[:40] not in unescape(html), (who, item.slug)
            assert escape(item.title) in block
            assert escape(item.general) in block
        assert block.count("When:</span>") == len(advice)
    assert "When:</span> no progress has been logged for 14 days or more." in block
    assert "When:</span> no project milestone has been started yet." in block


def test_advice_without_general_words_shows_its_title_and_when_only(client, make_guide):
    guide = make_guide(slug="tested")  # its advice has bodies, and no general wording
    guide.advice.filter(rule="inactive").update(inactive_days=1)

    block = section(page(client, reverse("tracker:guide", args=["tested"])), "advice")

    for item in guide.advice.all():
        assert escape(item.title) in block
        assert item.body not in block
    text = re.sub(r"<[^>]+>", "", block)
    assert "When: at any stage of the path." in text
    assert "When: advanced milestones are under way while some foundation milestones" in text
    assert "When: no progress has been logged for 1 day or more." in text


def test_the_guide_page_links_to_its_map_and_its_pillars_fold_without_javascript(client, ml_guide):
    html = page(client, GUIDE_URL)

    assert f'href="{MAP_URL}"' in html
    pillars = list(ml_guide.pillars.order_by("order"))
    assert html.count('<details class="pillar-details" open>') == len(pillars)
    for pillar in pillars:
        markup = section(html, f"pillar-{pillar.slug}")
        summary = markup[markup.index("<summary") : markup.index("</summary>")]
        assert f">{escape(pillar.name)}</h2>" in summary  # the title folds its pillar
        assert "milestone-item" not in summary


@pytest.fixture
def marked(ml_guide, make_user, complete):
    """A learner with two foundation milestones done, one advanced in progress."""
    learner = make_user()
    foundation = list(ml_guide.milestones.filter(level=Level.FOUNDATION).order_by("pk"))
    advanced = list(ml_guide.milestones.filter(level=Level.ADVANCED).order_by("pk"))
    complete(learner, foundation[:2])
    complete(learner, advanced[:1], status="in_progress")
    return {
        "learner": learner,
        "done": {m.slug for m in foundation[:2]},
        "in_progress": {m.slug for m in advanced[:1]},
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=done", lambda ms, mk: mk["done"]),
        ("?status=in_progress", lambda ms, mk: mk["in_progress"]),
        ("?status=done&level=foundation", lambda ms, mk: mk["done"]),
        ("?status=done&level=advanced", lambda ms, mk: set()),
        (
            "?status=not_started&level=advanced",
            lambda ms, mk: {m.slug for m in ms if m.level == "advanced"} - mk["in_progress"],
        ),
        ("?level=intermediate", lambda ms, mk: {m.slug for m in ms if m.level == "intermediate"}),
    ],
)
def test_a_learner_filters_the_guide_by_status_and_level(client, ml_guide, marked, query, expected):
    client.force_login(marked["learner"])
    milestones = list(ml_guide.milestones.filter(archived=False))

    html = page(client, GUIDE_URL + query)

    assert set(listed_slugs(html)) == expected(milestones, marked)
    shown = len(expected(milestones, marked))
    assert f"Showing {shown} of {len(milestones)} milestones: " in html
    for name, value in re.findall(r"[?&](\w+)=(\w+)", query):
        assert re.search(
            rf'<select[^>]*name="{name}">.*?<option value="{value}" selected>', html, re.S
        )
    # Every pillar stays, so that its link on the page still leads somewhere.
    for pillar in ml_guide.pillars.all():
        assert f'id="pillar-{pillar.slug}"' in html
    if not shown:
        assert "No milestone of this pillar matches the filters." in html


def test_a_status_change_from_a_filtered_list_comes_back_to_it(client, ml_guide, marked):
    client.force_login(marked["learner"])

    html = page(client, GUIDE_URL + "?status=done&level=foundation")

    back_to_the_list = 'name="next" value="/guides/ml-engineer/?status=done&amp;level=foundation#'
    assert html.count(back_to_the_list) == len(marked["done"])
    assert html.count('name="next" value=') == len(marked["done"])


@pytest.mark.parametrize(
    "query",
    [
        "?status=finished",
        "?level=expert",
        "?status=DONE&level=Foundation",
        "?status=" + "x" * 5000,
        "?level[]=foundation",
        "?status=&level=",
        "?status=done&status=%F0%9F%92%A5",
        "?level=%FF%FE",
    ],
)
def test_unknown_filter_values_are_ignored_never_a_500(client, ml_guide, marked, query):
    total = ml_guide.milestones.filter(archived=False).count()
    for who in ("visitor", "learner"):
        if who == "learner":
            client.force_login(marked["learner"])
        html = page(client, GUIDE_URL + query)
        assert len(listed_slugs(html)) == total, (who, query)
        assert f"Showing all {total} milestones." in html


def test_a_nul_byte_in_a_filter_is_the_apps_own_bad_request_page(client, marked):
    for who in ("visitor", "learner"):
        if who == "learner":
            client.force_login(marked["learner"])
        response = client.get(GUIDE_URL + "?status=%00&level=%00")
        assert response.status_code == HTTPStatus.BAD_REQUEST, who
        assert "CareerPath" in response.content.decode(), "the app's page, not a bare error"


def test_a_visitor_filters_by_level_only_and_each_level_is_cached_apart(client, ml_guide):
    by_level = {
        level: {m.slug for m in ml_guide.milestones.filter(archived=False, level=level)}
        for level in Level.values
    }
    total = sum(len(slugs) for slugs in by_level.values())

    # The cached list of one filter is never served for another, nor for none.
    assert set(listed_slugs(page(client, GUIDE_URL + "?level=advanced"))) == by_level["advanced"]
    assert len(listed_slugs(page(client, GUIDE_URL))) == total
    html = page(client, GUIDE_URL + "?level=foundation")
    assert set(listed_slugs(html)) == by_level["foundation"]
    assert len(listed_slugs(page(client, GUIDE_URL + "?level=advanced"))) == len(
        by_level["advanced"]
    )
    # A visitor has no statuses: none to pick, and a status in the address changes nothing.
    assert 'name="status"' not in html
    assert len(listed_slugs(page(client, GUIDE_URL + "?status=done"))) == total


# --- the guide as a map ----------------------------------------------------------------------


def test_the_map_draws_every_milestone_as_a_link_to_it_with_a_text_alternative(client, ml_guide):
    milestones = list(ml_guide.milestones.filter(archived=False).prefetch_related("prerequisites"))

    html = page(client, MAP_URL)

    drawing = html[html.index('<svg class="guide-map"') : html.index("</svg>\n    </div>")]
    links = re.findall(r'<a class="map-node [\w-]+" href="([^"]+)"', drawing)
    assert sorted(links) == sorted(milestone_url("ml-engineer", m.slug) for m in milestones)
    edges = sum(m.prerequisites.filter(archived=False).count() for m in milestones)
    assert drawing.count('<path class="map-edge map-edge-') == edges
    for pillar in ml_guide.pillars.all():
        assert f">{escape(pillar.name)}<" in drawing
    for label in ("Foundation", "Intermediate", "Advanced"):
        assert f">{label}</text>" in drawing
    # Its own scrolling frame, which a keyboard can reach and a screen reader names.
    assert '<div class="map-frame" tabindex="0" role="region" aria-label="Map of the guide"' in html

    alternative = html[html.index('<ol class="list-unstyled mb-0" id="map-list">') :]
    alternative = unescape(re.sub(r"<[^>]+>", "", alternative[: alternative.index("</details>")]))
    position = 0
    for milestone in sorted(milestones, key=lambda m: (m.pillar.order, m.level_rank, m.order)):
        position = alternative.index(milestone.title, position)
        needs = [p.title for p in milestone.prerequisites.all()]
        line = alternative[position : alternative.index("\n", alternative.index("Needs", position))]
        for title in needs:
            assert title in line, (milestone.slug, title)
        if not needs:
            assert "Needs nothing before it." in line


def test_the_map_shows_a_learner_their_status_on_every_node_by_icon_and_text(
    client, ml_guide, marked
):
    client.force_login(marked["learner"])

    html = page(client, MAP_URL)

    nodes = re.findall(
        r'<a class="map-node map-node-(\w+)" href="/guides/ml-engineer/([\w-]+)/">(.*?)</a>',
        html,
        re.S,
    )
    assert len(nodes) == ml_guide.milestones.filter(archived=False).count()
    words = {"done": "Done", "in_progress": "In progress", "not_started": "Not started"}
    for status, slug, markup in nodes:
        expected = next((s for s in ("done", "in_progress") if slug in marked[s]), "not_started")
        assert status == expected, slug
        assert f'href="#map-icon-{expected}"' in markup
        assert f'<tspan class="map-node-status">{words[expected]}</tspan>' in markup
    assert "done, by hours · 2 of 42 milestones" in html  # one measure everywhere (issue 11)


def test_the_map_of_a_missing_or_unpublished_guide_is_not_found(client, make_guide):
    make_guide(slug="draft", published=False)

    for slug in ("draft", "no-such-guide"):
        response = client.get(reverse("tracker:guide_map", kwargs={"guide_slug": slug}))
        assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_map_of_a_guide_without_milestones_says_so(client, make_guide):
    make_guide(milestones=0, slug="empty")

    html = page(client, reverse("tracker:guide_map", kwargs={"guide_slug": "empty"}))

    assert "nothing to draw" in html
    assert "guide-map" not in html.split("<main", 1)[1].split('href="/static', 1)[0]
