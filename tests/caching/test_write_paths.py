"""Every way the app writes data (services, forms, the admin, load_guide, loaddata) shows on
the next cached page at once: the cache rule has no write path that forgets a version."""

from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import PASSWORD
from tracker.guidefile import DEFAULT_GUIDE_FILE
from tracker.models import MentorshipStatus, Milestone, ProgressStatus, SalaryBand
from tracker.rules.invitation_links import make_token
from tracker.services.accounts import user_delete
from tracker.services.invitations import invitation_accept
from tracker.services.mentoring import (
    mentorship_end,
    mentorship_invite,
    mentorship_respond,
    review_decide,
    review_request,
    thread_verdict,
)
from tracker.services.progress import progress_set_status, progress_update_notes
from tracker.services.threads import message_post

DASHBOARD = reverse("tracker:dashboard")
MENTORING = reverse("tracker:mentoring")
WARM_PAGE_QUERIES = 2  # the session with its user and profile, the page's versions


@pytest.fixture
def world(make_guide, make_user, make_mentorship):
    guide = make_guide(milestones=6)
    learner = make_user("ada")
    mentor = make_user("grace")
    invitee = make_user("linus")
    return {
        "guide": guide,
        "milestone": Milestone.objects.get(guide=guide, slug="milestone-0"),
        "learner": learner,
        "mentor": mentor,
        "mentorship": make_mentorship(mentor, learner),
        "invitation": make_mentorship(invitee, learner, status=MentorshipStatus.PENDING),
        "invitee": invitee,
    }


def warm(client, user, url, django_assert_max_num_queries) -> str:
    """The page as the user sees it, then served again from the cache."""
    client.force_login(user)
    first = client.get(url)
    assert first.status_code == HTTPStatus.OK
    with django_assert_max_num_queries(WARM_PAGE_QUERIES):
        again = client.get(url)
    assert again.status_code == HTTPStatus.OK
    return first.content.decode()


def status_change(w, client):
    progress_set_status(learner=w["learner"], milestone=w["milestone"], status="done")
    return "1 of 6 milestones"


def notes(w, client):
    progress_update_notes(
        learner=w["learner"], milestone=w["milestone"], note="Day one", evidence_url=""
    )
    return "today"


def invitation(w, client):
    mentorship_end(mentorship=w["mentorship"])
    mentorship_invite(mentee=w["learner"], identifier="grace")
    return "asks you to be their mentor"


def answer(w, client):
    mentorship_respond(mentorship=w["invitation"], accept=True)
    return 'linus</strong> <span class="small text-body-secondary">· mentoring you since'


def address_invitation(w, client):
    mentorship_invite(mentee=w["learner"], identifier="Someone.New@example.com")
    return "Someone.New@example.com"


def link_acceptance(w, client):
    mentorship_end(mentorship=w["invitation"])
    sent = mentorship_invite(mentee=w["learner"], identifier="linus-at-work@example.com")
    invitation_accept(mentorship_id=sent.pk, person=w["invitee"])
    return 'href="/mentoring/mentees/ada/"'


def sign_up_acceptance(w, client):
    sent = mentorship_invite(mentee=w["learner"], identifier="newbie@example.com")
    token = make_token(mentorship_id=sent.pk, address=sent.invited_as)
    data = {
        "username": "newbie",
        "email": "newbie@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    client.logout()
    response = client.post(reverse("tracker:invitation", args=[token]), data)
    assert response.status_code == HTTPStatus.FOUND
    return 'newbie</strong> <span class="small text-body-secondary">· mentoring you since'


def ending(w, client):
    mentorship_end(mentorship=w["mentorship"])
    return "Nobody has asked you to mentor them yet"


def review(w, client):
    progress_set_status(learner=w["learner"], milestone=w["milestone"], status="done")
    review_request(
        mentee=w["learner"], milestone=w["milestone"], mentorship=w["mentorship"], message=""
    )
    return "Review queue"


def verdict(w, client):
    progress_set_status(learner=w["learner"], milestone=w["milestone"], status="done")
    request = review_request(
        mentee=w["learner"], milestone=w["milestone"], mentorship=w["mentorship"], message=""
    )
    review_decide(review=request, verdict="approved", comment="Well done")
    return "Well done"


def settings_form(w, client):
    client.force_login(w["learner"])
    data = {"display_name": "Ada Lovelace", "region": "", "share_notes_with_mentors": "on"}
    assert client.post(reverse("tracker:settings"), data).status_code == HTTPStatus.FOUND
    return "Ada Lovelace"


def capacity_setting(w, client):
    client.force_login(w["mentor"])
    data = {"display_name": "", "region": "", "mentee_capacity": "4"}
    assert client.post(reverse("tracker:settings"), data).status_code == HTTPStatus.FOUND
    return "You take up to 4 mentees, and mentor 1."


def plan_form(w, client):
    client.force_login(w["learner"])
    data = {"hours_per_week": "9", "target_stage": "", "target_date": "", "time_zone": "UTC"}
    assert client.post(reverse("tracker:onboarding"), data).status_code == HTTPStatus.FOUND
    return "At 9 h a week"


def known_from_the_plan_form(w, client):
    client.force_login(w["learner"])
    data = {"time_zone": "UTC", "known": [str(w["milestone"].pk)]}
    assert client.post(reverse("tracker:onboarding"), data).status_code == HTTPStatus.FOUND
    return "14% · 1/6 milestones"  # the mentor's table: known counts like done


def account_deleted(w, client):
    user_delete(user=w["learner"])
    return "Nobody has asked you to mentor them yet"


def admin_milestone_edit(w, client):
    milestone = Milestone.objects.get(pk=w["milestone"].pk)
    milestone.title = "Renamed in the admin"
    milestone.save()  # what the admin's change form calls
    return "Renamed in the admin"


def admin_guide_edit(w, client):
    guide = w["guide"]
    guide.title = "A retitled guide"
    guide.save()
    return "A retitled guide"


def admin_salary_edit(w, client):
    band = SalaryBand.objects.get(guide=w["guide"], stage__slug="entry-level")
    band.low = 81_000
    band.save()
    return "$81,000"


def admin_archive_action(w, client):
    client.force_login(w["admin"])
    url = reverse("admin:tracker_milestone_changelist")
    response = client.post(url, {"action": "archive", "_selected_action": [w["milestone"].pk]})
    assert response.status_code == HTTPStatus.FOUND
    return "0 of 5 milestones"


def admin_delete(w, client):
    client.force_login(w["admin"])
    url = reverse("admin:tracker_milestone_delete", args=[w["milestone"].pk])
    assert client.post(url, {"post": "yes"}).status_code == HTTPStatus.FOUND
    return "0 of 5 milestones"


def question(w, client):
    message_post(
        author=w["learner"], learner=w["learner"], milestone=w["milestone"], body="Stuck here"
    )
    return "Conversations waiting for you"


def reply(w, client):
    message_post(author=w["learner"], learner=w["learner"], milestone=w["milestone"], body="Hm?")
    message_post(author=w["mentor"], learner=w["learner"], milestone=w["milestone"], body="Yes")
    return "New reply"


def changes_requested_in_thread(w, client):
    progress_set_status(learner=w["learner"], milestone=w["milestone"], status="done")
    message_post(author=w["learner"], learner=w["learner"], milestone=w["milestone"], body="Ok?")
    thread = w["learner"].threads.get()
    thread_verdict(mentor=w["mentor"], thread=thread, verdict="changes_requested", comment="")
    return "Needs work"


WRITES = [
    (status_change, "learner", DASHBOARD),
    (notes, "mentor", MENTORING),
    (invitation, "mentor", MENTORING),
    (answer, "learner", MENTORING),
    (address_invitation, "learner", MENTORING),
    (link_acceptance, "invitee", MENTORING),
    (sign_up_acceptance, "learner", MENTORING),
    (ending, "mentor", MENTORING),
    (review, "mentor", MENTORING),
    (verdict, "learner", DASHBOARD),
    (settings_form, "mentor", MENTORING),
    (capacity_setting, "mentor", MENTORING),
    (plan_form, "learner", DASHBOARD),
    (known_from_the_plan_form, "mentor", MENTORING),
    (account_deleted, "mentor", MENTORING),
    (admin_milestone_edit, "learner", DASHBOARD),
    (admin_guide_edit, "learner", DASHBOARD),
    (admin_salary_edit, "learner", DASHBOARD),
    (admin_archive_action, "learner", DASHBOARD),
    (admin_delete, "learner", DASHBOARD),
    (question, "mentor", MENTORING),
    (reply, "learner", MENTORING),
    (changes_requested_in_thread, "learner", DASHBOARD),
]


@pytest.mark.parametrize(
    ("write", "viewer", "url"), WRITES, ids=[write.__name__ for write, *_ in WRITES]
)
def test_the_next_page_after_any_write_is_fresh(
    client, world, write, viewer, url, admin_user, django_assert_max_num_queries
):
    world["admin"] = admin_user
    before = warm(client, world[viewer], url, django_assert_max_num_queries)

    expected = write(world, client)

    assert expected not in before
    client.force_login(world[viewer])
    after = client.get(url)
    assert after.status_code == HTTPStatus.OK
    assert expected in after.content.decode()


def test_load_guide_with_an_edited_file_shows_at_once(
    client, ml_guide, make_user, tmp_path, django_assert_max_num_queries
):
    learner = make_user("ada")
    first = Milestone.objects.filter(guide=ml_guide, archived=False).order_by("pk").first()
    before = warm(client, learner, DASHBOARD, django_assert_max_num_queries)
    assert first.title in before
    edited: Path = tmp_path / "edited.toml"
    text = DEFAULT_GUIDE_FILE.read_text(encoding="utf-8")
    edited.write_text(text.replace(f'"{first.title}"', '"Retitled by the editor"', 1), "utf-8")

    call_command("load_guide", str(edited), stdout=open("/dev/null", "w"))  # noqa: SIM115

    page = client.get(DASHBOARD).content.decode()
    assert "Retitled by the editor" in page


def test_loaddata_of_an_older_backup_shows_at_once(
    client, world, tmp_path, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """A restored row carries the version it had when dumped: after the restore's bump,
    the versions can equal those of a page cached after the backup was taken, for other
    content. The page must still show what was restored."""
    learner, milestone = world["learner"], world["milestone"]
    progress_set_status(learner=learner, milestone=milestone, status=ProgressStatus.DONE)
    backup = tmp_path / "backup.json"
    call_command(
        "dumpdata", "tracker.guide", "tracker.progress", "tracker.profile", output=str(backup)
    )
    progress_set_status(learner=learner, milestone=milestone, status=ProgressStatus.NOT_STARTED)
    Milestone.objects.get(pk=milestone.pk).save()  # an editor's change: the guide's version +1
    before = warm(client, learner, DASHBOARD, django_assert_max_num_queries)
    assert "0 of 6 milestones" in before

    with django_capture_on_commit_callbacks(execute=True):
        call_command("loaddata", str(backup), verbosity=0)

    assert "1 of 6 milestones" in client.get(DASHBOARD).content.decode()
