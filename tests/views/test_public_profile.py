"""The public profile as a portfolio (/u/<username>/): the career stage reached and when,
progress per pillar weighted by hours, the work a mentor verified with its evidence (never a
note), a title and Open Graph tags for link previews, and the badge."""

import datetime
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import section
from tracker.models import Guide, Profile, Progress, ReviewStatus
from tracker.services.mentoring import review_decide, review_request
from tracker.services.progress import progress_update_notes

pytestmark = pytest.mark.django_db

NOTE = "a private note about my salary talks"
PROFILE = reverse("tracker:public_profile", args=["learner"])
BADGE = reverse("tracker:public_badge", args=["learner"])


def publish(user, **fields) -> None:
    Profile.objects.filter(user=user).update(
        public_profile=True, **{"display_name": "Ada", **fields}
    )


def page(client, url: str = PROFILE) -> str:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def completed_on(learner, milestone, day: datetime.date) -> None:
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    Progress.objects.filter(learner=learner, milestone=milestone).update(completed_at=moment)


class Head(HTMLParser):
    """The <title>, the <meta> tags (by name or property) and the canonical link of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.title = ""
        self.canonical = ""
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.meta[attrs.get("property") or attrs.get("name")] = attrs["content"]
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.fixture
def verified(learner, mentor, m, complete, make_mentorship):
    """The learner's milestone-0 and project milestone-5 approved by their mentor, with an
    evidence link and a note on each; milestone-1 done, with evidence, but not reviewed."""
    mentorship = make_mentorship(mentor, learner)
    complete(learner, [m[0], m[1], m[5]])
    for milestone in (m[0], m[1], m[5]):
        progress_update_notes(
            learner=learner,
            milestone=milestone,
            note=NOTE,
            evidence_url=f"https://github.com/learner/{milestone.slug}",
        )
    for milestone in (m[0], m[5]):
        review = review_request(
            mentee=learner, milestone=milestone, mentorship=mentorship, message="Please look"
        )
        review_decide(review=review, verdict=ReviewStatus.APPROVED, comment="Well done")
    Profile.objects.filter(user=mentor).update(display_name="Grace Hopper")
    publish(learner)
    return mentorship


# --- the career stage, and when it was reached -------------------------------------------


def test_the_stage_is_dated_by_the_last_milestone_it_requires(client, learner, m, complete):
    complete(learner, [m[0], m[1], m[4]])
    completed_on(learner, m[0], datetime.date(2026, 3, 1))
    completed_on(learner, m[1], datetime.date(2026, 3, 5))  # the last foundation milestone
    completed_on(learner, m[4], datetime.date(2026, 4, 2))  # advanced: not required for it
    publish(learner)

    html = page(client)

    hero = section(html, '<header class="hero', "</header>")
    assert "Entry-level ready" in hero
    assert 'reached on<time datetime="2026-03-05">5 March 2026</time>' in hero
    stages = section(html, 'id="stage-heading"', "</section>")
    assert '<time datetime="2026-03-05">5 Mar 2026</time>' in stages
    assert "2 Apr 2026" not in hero + stages, "a later completion, not required, dates nothing"
    assert 'Mid-level ready</span><span class="small text-body-secondary">2 of 4 required' in (
        stages
    )
    assert 'Experienced</span><span class="small text-body-secondary">3 of 6 required' in stages


def test_a_learner_who_has_just_started_gets_no_date_and_helpful_empty_states(client, learner, m):
    publish(learner)

    html = page(client)

    hero = section(html, '<header class="hero', "</header>")
    assert "Getting started" in hero
    assert "working towards Entry-level ready" in hero
    assert "reached on" not in html
    assert "Nothing verified yet" in html
    assert "No milestone completed yet: the journey has just begun." in html


# --- progress per pillar, weighted by hours -----------------------------------------------


def test_progress_per_pillar_is_weighted_by_hours_with_the_counts_beside_it(
    client, learner, m, complete
):
    complete(learner, [m[4]])  # 14 of the plan's 70 h (20%), 1 of its 6 milestones (17%)
    publish(learner)

    html = page(client)

    hero = section(html, '<header class="hero', "</header>")
    assert '<span class="stat-figure d-block">20%</span>' in hero
    assert "14 of 70 hours · 1 of 6 milestones" in hero
    pillars = section(html, 'id="pillars-heading"', "</section>")
    assert "Weighted by hours" in pillars
    # Pillar 1: milestone-1 (11 h) and milestone-4 (14 h), so 56% by hours, not 50%.
    assert "Pillar 1</span><span><strong>56%</strong>" in pillars
    assert "· 1 of 2 milestones · 14 of 25 h" in pillars
    assert 'aria-label="Pillar 1: 56%"' in pillars
    assert "Pillar 0</span><span><strong>0%</strong>" in pillars
    assert "17%" not in hero + pillars, "the count-based percentage is not the figure shown"


def test_the_badge_shows_the_same_hours_weighted_percentage(client, learner, m, complete):
    complete(learner, [m[4]])
    publish(learner)

    response = client.get(BADGE)

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "image/svg+xml"
    assert "20% done" in response.content.decode()


# --- verified work, with evidence and dates; never a note -----------------------------------


def test_verified_work_shows_its_evidence_and_dates_and_never_a_note(client, m, verified):
    today = timezone.localdate().isoformat()

    html = page(client)

    assert NOTE not in html
    work = section(html, 'id="verified-heading"', "</section>")
    projects = work[work.index(">Projects<") : work.index(">Milestones<")]
    assert f'href="{m[5].get_absolute_url()}">Milestone 5</a>' in projects
    assert (
        '<a href="https://github.com/learner/milestone-5" rel="nofollow ugc noopener">' in projects
    )
    milestones = work[work.index(">Milestones<") :]
    assert f'href="{m[0].get_absolute_url()}">Milestone 0</a>' in milestones
    assert 'href="https://github.com/learner/milestone-0"' in milestones
    assert f'Completed<time datetime="{today}">' in milestones
    assert f'verified<time datetime="{today}">' in milestones
    assert work.count(">Verified</span>") == 2
    # Done but not reviewed: listed apart, and its evidence stays off the public page.
    also = section(html, 'id="done-heading"', "</section>")
    assert "Also completed" in also
    assert f'href="{m[1].get_absolute_url()}">Milestone 1</a>' in also
    assert "Milestone 0" not in also
    assert "github.com/learner/milestone-1" not in html


def test_the_page_never_reads_a_note(client, verified, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as queries:
        page(client)
    reads = [q["sql"] for q in queries.captured_queries if '"tracker_progress"' in q["sql"]]
    assert reads
    assert not [sql for sql in reads if '"tracker_progress"."note"' in sql]


def test_a_mentor_is_named_only_when_they_publish_a_profile_themselves(client, mentor, verified):
    mentor_profile = reverse("tracker:public_profile", args=[mentor.username])

    private = page(client)
    assert "Grace Hopper" not in private
    assert mentor_profile not in private
    assert "by a mentor</p>" in private

    Profile.objects.filter(user=mentor).update(public_profile=True)
    public = page(client)
    assert f'by <a href="{mentor_profile}">Grace Hopper</a>' in public


# --- title and link previews ------------------------------------------------------------


def test_the_title_and_open_graph_tags_describe_the_stage_and_progress(
    client, settings, learner, m, complete, verified
):
    settings.SITE_URL = "https://careerpath.example"
    complete(learner, [m[3]])  # foundations done: entry-level ready

    head = Head(page(client))

    assert head.title == "Ada's learning path: Entry-level ready · CareerPath"
    assert head.meta["og:title"] == "Ada's learning path: Entry-level ready"
    assert head.meta["og:type"] == "profile"
    assert head.meta["og:url"] == "https://careerpath.example/u/learner/"
    assert head.canonical == head.meta["og:url"]
    assert head.meta["profile:username"] == "learner"
    description = (
        "Ada: Entry-level ready on \N{LEFT DOUBLE QUOTATION MARK}Become a Test Engineer"
        "\N{RIGHT DOUBLE QUOTATION MARK}. 63% of the plan done, weighted by hours"
        " (4 of 6 milestones), 2 verified by a mentor."
    )
    assert head.meta["og:description"] == description
    assert head.meta["description"] == description, "one description for search and previews"


def test_a_name_with_markup_is_escaped_in_the_tags(client, learner, m):
    publish(learner, display_name='Ada "<b>" Lovelace')

    html = page(client)

    assert "<b>" not in html
    head = Head(html)
    assert head.meta["og:title"] == 'Ada "<b>" Lovelace\'s learning path: Getting started'
    assert head.meta["og:description"].startswith('Ada "<b>" Lovelace: Getting started')


def test_without_a_published_guide_the_profile_says_so(client, learner, guide):
    Guide.objects.update(published=False)
    publish(learner)

    html = page(client)

    assert "No guide is published on CareerPath right now" in html
    assert Head(html).meta["og:description"] == "Ada's learning path on CareerPath."


# --- the owner's view, and the way there from settings ------------------------------------


def test_only_the_owner_is_told_it_is_their_public_profile(client, learner, stranger, guide):
    publish(learner)
    owner_note = "This is your public profile, as anyone with the link sees it."

    assert owner_note not in page(client)
    client.force_login(stranger)
    assert owner_note not in page(client)
    client.force_login(learner)
    assert owner_note in page(client)


def test_settings_link_to_the_public_profile_only_while_it_is_on(logged_in, learner, guide):
    view = f'href="{PROFILE}">View your public profile</a>'

    assert view not in page(logged_in, reverse("tracker:settings"))
    publish(learner)
    assert view in page(logged_in, reverse("tracker:settings"))
