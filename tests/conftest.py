"""Fixtures and ``make_*`` factories shared by every test module."""

import datetime
import os
import re
import shutil
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.urls import reverse
from django.utils import timezone

from tracker.caching import fragments
from tracker.caching.content import clear as clear_content_cache
from tracker.guidefile import DEFAULT_GUIDE_FILE, read_guide_file
from tracker.models import (
    Advice,
    AdviceRule,
    CareerStage,
    Guide,
    ImpactArea,
    Level,
    Mentorship,
    MentorshipStatus,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Profile,
    ProgressStatus,
    Resource,
    SalaryBand,
)
from tracker.services.content import guide_load
from tracker.services.progress import progress_set_status, progress_update_notes

# live_server runs Django in a thread while Playwright's sync API owns an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "a-long-test-password-42"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

User = get_user_model()
DASHBOARD = reverse("tracker:dashboard")


@pytest.fixture(autouse=True)
def _quiet_axes(settings):
    """Brute-force protection is tested on its own; elsewhere tests log in freely."""
    settings.AXES_ENABLED = False


@pytest.fixture
def ml_guide(db) -> Guide:
    """The real ML engineer guide, loaded from the repository's guide file."""
    guide, _ = guide_load(data=read_guide_file(DEFAULT_GUIDE_FILE))
    return guide


LEVELS = [Level.FOUNDATION, Level.INTERMEDIATE, Level.ADVANCED]


@pytest.fixture
def make_guide(db):
    """A synthetic guide of any size: stages, bands, advice, pillars, milestones."""

    def make(
        *,
        milestones: int = 6,
        pillars: int = 3,
        slug: str = "test-guide",
        published: bool = True,
        title: str = "Become a Test Engineer",
    ) -> Guide:
        guide = Guide.objects.create(
            slug=slug,
            title=title,
            summary="A guide made for tests.",
            promise="Learn testing one milestone at a time.",
            published=published,
            source_author="Test Author",
            source_published_on=datetime.date(2024, 2, 15),
        )
        stages = {}
        for order, (stage_slug, name, level) in enumerate(
            [
                ("getting-started", "Getting started", ""),
                ("entry-level", "Entry-level ready", Level.FOUNDATION),
                ("mid-level", "Mid-level ready", Level.INTERMEDIATE),
                ("experienced", "Experienced", Level.ADVANCED),
            ]
        ):
            stages[stage_slug] = CareerStage.objects.create(
                guide=guide, slug=stage_slug, name=name, order=order, completes_level=level
            )
        for stage_slug, region, low, high in [
            ("entry-level", "United States", 75_000, None),
            ("mid-level", "US tech hubs", 182_000, 194_000),
            ("experienced", "United States", 195_000, None),
        ]:
            SalaryBand.objects.create(
                guide=guide,
                stage=stages[stage_slug],
                region=region,
                low=low,
                high=high,
                source="The test guide",
                as_of=datetime.date(2024, 2, 15),
            )
        for order, rule in enumerate(AdviceRule.values):
            Advice.objects.create(
                guide=guide,
                slug=rule.replace("_", "-"),
                title=f"Advice for {rule}",
                body=f"Body of the {rule} advice.",
                rule=rule,
                order=order,
            )
        ImpactArea.objects.create(guide=guide, slug="climate", name="Climate", order=1)
        pillar_rows = [
            Pillar.objects.create(guide=guide, slug=f"pillar-{n}", name=f"Pillar {n}", order=n)
            for n in range(pillars)
        ]
        previous: dict[int, Milestone] = {}
        for n in range(milestones):
            pillar = pillar_rows[n % pillars]
            level = LEVELS[min(n * 3 // max(milestones, 1), 2)]
            milestone = Milestone.objects.create(
                pillar=pillar,
                slug=f"milestone-{n}",
                title=f"Milestone {n}",
                description=f"What milestone {n} teaches.",
                level=level,
                estimated_hours=10 + n % 5,
                order=n,
                is_project=(n % pillars == pillars - 1 and n >= pillars),
            )
            Resource.objects.create(
                milestone=milestone, title=f"Docs {n}", url=f"https://example.com/{n}", kind="docs"
            )
            if pillar.pk in previous:
                MilestonePrerequisite.objects.create(
                    milestone=milestone, prerequisite=previous[pillar.pk]
                )
            previous[pillar.pk] = milestone
        return guide

    return make


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(username: str | None = None, **extra) -> User:
        username = username or f"user{next(counter)}"
        user = User.objects.create_user(
            username=username, email=f"{username}@example.com", password=PASSWORD, **extra
        )
        Profile.objects.create(user=user)
        return user

    return make


@pytest.fixture
def learner(make_user):
    return make_user("learner")


@pytest.fixture
def stranger(make_user):
    return make_user("stranger")


@pytest.fixture
def make_mentorship(db):
    def make(mentor, mentee, status=MentorshipStatus.ACTIVE) -> Mentorship:
        now = timezone.now()
        return Mentorship.objects.create(
            mentor=mentor,
            mentee=mentee,
            status=status,
            responded_at=None if status == MentorshipStatus.PENDING else now,
            ended_at=now if status == MentorshipStatus.ENDED else None,
        )

    return make


@pytest.fixture
def complete(db):
    """Mark milestones done for a learner, through the real service."""

    def mark(learner, milestones, status="done"):
        for milestone in milestones:
            progress_set_status(learner=learner, milestone=milestone, status=status)

    return mark


# --- the guides most tests share ---------------------------------------------------------


@pytest.fixture
def guide(make_guide) -> Guide:
    """Six milestones, three pillars (0: m0 F, m3 I · 1: m1 F, m4 A · 2: m2 I, m5 A project).

    Hours are 10, 11, 12, 13, 14, 10; each of m3, m4, m5 needs the earlier one in its pillar.
    """
    return make_guide(milestones=6)


@pytest.fixture
def m(guide) -> list[Milestone]:
    """The guide's milestones by number: ``m[3]`` is milestone-3."""
    milestones = {ms.slug: ms for ms in Milestone.objects.filter(guide=guide)}
    return [milestones[f"milestone-{n}"] for n in range(6)]


@pytest.fixture
def milestone(guide) -> Milestone:
    """The guide's milestone-0: a foundation, and milestone-3's prerequisite."""
    return Milestone.objects.get(guide=guide, slug="milestone-0")


@pytest.fixture
def milestones(guide) -> list[Milestone]:
    """The guide's milestones in plan order, pillar by pillar: m0, m3, m1, m4, m2, m5."""
    return list(Milestone.objects.filter(guide=guide).order_by("pillar__order", "order"))


@pytest.fixture
def short_guide(make_guide) -> Guide:
    """Three milestones, one in each pillar and of each level (foundation, intermediate,
    advanced), none a prerequisite of another."""
    return make_guide(milestones=3)


@pytest.fixture
def short_milestones(short_guide) -> list[Milestone]:
    """The short guide's three milestones: one foundation, one intermediate, one advanced."""
    return list(short_guide.milestones.order_by("order"))


# --- people and their data -----------------------------------------------------------------


@pytest.fixture
def mentor(make_user):
    return make_user("mentor")


@pytest.fixture
def logged_in(client, learner):
    """The test client, logged in as the learner."""
    client.force_login(learner)
    return client


@pytest.fixture
def history(learner, m):
    """The learner's work on the guide: milestone-0 done with a formula-like note and an
    evidence link, milestone-1 in progress, and a note alone on milestone-2."""
    progress_set_status(learner=learner, milestone=m[0], status=ProgressStatus.IN_PROGRESS)
    progress_set_status(learner=learner, milestone=m[0], status=ProgressStatus.DONE)
    progress_update_notes(
        learner=learner,
        milestone=m[0],
        note='=HYPERLINK("https://evil.example", "click")',
        evidence_url="https://github.com/learner/first",
    )
    progress_set_status(learner=learner, milestone=m[1], status=ProgressStatus.IN_PROGRESS)
    progress_update_notes(learner=learner, milestone=m[2], note="+1 for this", evidence_url="")


# --- helpers shared by test modules ----------------------------------------------------------


def status_url(milestone):
    return reverse("tracker:progress_status", args=[milestone.guide.slug, milestone.slug])


def notes_url(milestone):
    return reverse("tracker:progress_notes", args=[milestone.guide.slug, milestone.slug])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def dashboard(client, learner):
    client.force_login(learner)
    response = client.get(DASHBOARD)
    assert response.status_code == HTTPStatus.OK
    return response


def section(html: str, start: str, end: str) -> str:
    """The part of a page from ``start`` to ``end``, with runs of white space squashed."""
    part = html[html.index(start) : html.index(end, html.index(start))]
    return re.sub(r"\s+<", "<", re.sub(r"\s+", " ", part))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium: skip them without it, unless E2E_REQUIRED=1."""
    if CHROMIUM or os.environ.get("E2E_REQUIRED") == "1":
        return
    skip = pytest.mark.skip(reason="Chromium not found (install it with `make browser`)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts without cached guide plans or page fragments (primary keys repeat
    across tests), and with no use of any limit counted."""

    def clear():
        clear_content_cache()
        fragments.clear()
        cache.clear()
        caches["limits"].clear()

    clear()
    yield
    clear()
