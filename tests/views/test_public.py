"""What a visitor without an account can read: the landing page, the guides, a milestone,
and the health check; and what each of those pages costs in SQL whatever the guide's size."""

import json
from http import HTTPStatus

from django.urls import reverse
from django.utils.html import escape

from tracker.models import Level, Milestone

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
