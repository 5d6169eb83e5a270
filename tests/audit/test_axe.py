"""axe-core on every page, logged out and as learner and mentor, in light and dark mode."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tracker.models import MailKind, Progress, ReviewRequest
from tracker.rules.invitation_links import make_token
from tracker.services.accounts import profile_get_or_create
from tracker.services.mentoring import mentorship_invite, thread_verdict
from tracker.services.threads import message_post
from tracker.signed_links import unsubscribe_url

pytestmark = [pytest.mark.e2e, pytest.mark.audit, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/guides/",
    "/guides/ml-engineer/",
    "/guides/ml-engineer/python-fundamentals/",
    "/guides/ml-engineer/map/",
    "/guides/ml-engineer/?status=not_started&level=foundation",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password_reset/",
    "/u/axe-learner/",
    "/no-such-page/",
    "/unsubscribe/not-a-valid-link/",
]
LEARNER_PAGES = [
    "/dashboard/",
    "/guides/ml-engineer/",
    "/guides/ml-engineer/map/",
    "/guides/ml-engineer/?status=done",
    "/guides/ml-engineer/python-fundamentals/",
    "/settings/",
    "/settings/plan/",
    "/mentoring/",
    "/accounts/password_change/",
]
MENTOR_PAGES = ["/mentoring/", "/mentoring/mentees/axe-learner/", "/dashboard/"]


@pytest.fixture
def people(ml_guide, make_user, make_mentorship, complete):
    learner = make_user("axe-learner")
    mentor = make_user("axe-mentor")
    profile = profile_get_or_create(user=learner)
    profile.public_profile = True
    profile.save()
    mentorship = make_mentorship(mentor, learner)
    milestones = list(ml_guide.milestones.order_by("pk")[:4])
    complete(learner, milestones[:3])
    complete(learner, milestones[3:], status="in_progress")
    ReviewRequest.objects.create(
        progress=Progress.objects.get(learner=learner, milestone=milestones[0]),
        mentorship=mentorship,
        message="Please have a look.",
        requested_at=timezone.now(),
    )
    to_newcomer = mentorship_invite(mentee=learner, identifier="newcomer@example.com")
    to_mentor = mentorship_invite(
        mentee=make_user("axe-other"), identifier="axe-mentor@example.com"
    )
    links = {
        invitation: reverse(
            "tracker:invitation",
            args=[make_token(mentorship_id=invitation.pk, address=invitation.invited_as)],
        )
        for invitation in (to_newcomer, to_mentor)
    }
    # A conversation with a link, and a milestone sent back: the thread page, the
    # timeline and the needs-work badge are audited too.
    message_post(
        author=learner, learner=learner, milestone=milestones[1], body="See https://example.com"
    )
    message_post(author=mentor, learner=learner, milestone=milestones[1], body="Looks close.")
    thread = learner.threads.get(milestone=milestones[1])
    thread_verdict(mentor=mentor, thread=thread, verdict="changes_requested", comment="Tests?")
    message_post(author=learner, learner=learner, milestone=milestones[1], body="On it.")
    return {
        "learner": learner,
        "mentor": mentor,
        # Anonymous: the sign-up form of a newcomer's link, a link that does not work.
        "public_pages": [links[to_newcomer], links[to_mentor], "/invitations/not-a-link/"],
        "mentor_pages": [links[to_mentor]],
        "thread": thread,
        "sent_back": milestones[1],
    }


def _violations(page, url):
    page.goto(url)
    results = Axe().run(page)
    return [
        f"{url}: {v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def _log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_anywhere(browser, live_server, people, settings, scheme):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    found = []
    unsubscribe = unsubscribe_url(user_id=people["learner"].pk, kind=MailKind.WEEKLY_DIGEST)
    for who, pages in (
        ("", [*PUBLIC_PAGES, *people["public_pages"], unsubscribe.removeprefix(settings.SITE_URL)]),
        ("axe-learner", [*LEARNER_PAGES, people["sent_back"].get_absolute_url()]),
        (
            "axe-mentor",
            [*MENTOR_PAGES, *people["mentor_pages"], f"/mentoring/threads/{people['thread'].pk}/"],
        ),
    ):
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if who:
            _log_in(page, live_server.url, who)
        for path in pages:
            found += _violations(page, live_server.url + path)
        context.close()
    assert not found, "\n".join(found)


def test_no_axe_violations_on_a_phone(browser, live_server, people, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    _log_in(page, live_server.url, "axe-learner")
    found = []
    for path in [
        "/dashboard/",
        "/guides/ml-engineer/",
        "/mentoring/",
        "/settings/plan/",
        "/settings/",
        people["sent_back"].get_absolute_url(),
    ]:
        found += _violations(page, live_server.url + path)
    context.close()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _log_in(page, live_server.url, "axe-mentor")
    for path in [
        "/mentoring/",
        *people["mentor_pages"],
        f"/mentoring/threads/{people['thread'].pk}/",
    ]:
        found += _violations(page, live_server.url + path)
    context.close()
    assert not found, "\n".join(found)
