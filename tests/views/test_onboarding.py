"""The plan questions after sign-up (tracker:onboarding): pace, aim, time zone, and the
foundations already known; skippable, and editable later from settings."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import DASHBOARD, messages_of
from tracker.models import Level, Profile, Progress, ProgressStatus

pytestmark = pytest.mark.django_db
ONBOARDING = reverse("tracker:onboarding")


def answers(**changes):
    data = {"hours_per_week": "6", "target_stage": "", "target_date": "", "time_zone": "UTC"}
    data.update(changes)
    return data


@pytest.fixture
def foundations(guide):
    return list(guide.milestones.filter(level=Level.FOUNDATION).order_by("order"))


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(ONBOARDING)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


def test_the_form_asks_the_four_questions_and_lists_the_foundations(client, learner, foundations):
    client.force_login(learner)

    response = client.get(ONBOARDING)

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    for name in ("hours_per_week", "target_stage", "target_date", "time_zone", "known"):
        assert f'name="{name}"' in html
    assert '<option value="Europe/Paris">Europe/Paris</option>' in html
    assert 'data-browser-time-zone="suggest"' in html  # the browser may suggest its zone
    for milestone in foundations:
        assert f'name="known" value="{milestone.pk}"' in html
    assert "Skip for now" in html
    # Only stages that ask for something can be aimed for.
    assert "Entry-level ready" in html
    assert ">Getting started</option>" not in html


def test_answers_are_saved_and_known_foundations_marked(client, learner, guide, foundations):
    client.force_login(learner)
    stage = guide.stages.get(slug="mid-level")
    target = timezone.localdate() + datetime.timedelta(weeks=20)

    response = client.post(
        ONBOARDING,
        answers(
            target_stage=str(stage.pk),
            target_date=target.isoformat(),
            time_zone="Europe/Paris",
            known=[str(foundations[0].pk)],
        ),
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == DASHBOARD
    profile = Profile.objects.get(user=learner)
    assert (profile.hours_per_week, profile.target_stage, profile.target_date) == (6, stage, target)
    assert profile.time_zone == "Europe/Paris"
    assert profile.onboarded_at is not None
    assert Progress.objects.get(learner=learner, milestone=foundations[0]).status == (
        ProgressStatus.KNOWN
    )
    assert not Progress.objects.filter(learner=learner, milestone=foundations[1]).exists()
    dashboard = client.get(DASHBOARD)
    assert messages_of(dashboard) == ["Your plan is set: your dashboard now dates it."]
    assert 'id="plan-prompt"' not in dashboard.content.decode()


def test_unticking_a_known_foundation_clears_it_and_done_work_is_not_offered(
    client, learner, foundations, complete
):
    complete(learner, [foundations[0]], status=ProgressStatus.KNOWN)
    complete(learner, [foundations[1]])  # done: not offered, never touched
    client.force_login(learner)

    page = client.get(ONBOARDING).content.decode()
    assert f'name="known" value="{foundations[0].pk}"  id="id_known_0" checked>' in page
    assert f'name="known" value="{foundations[1].pk}"' not in page
    assert "except the 1 you have already done" in page

    client.post(ONBOARDING, answers())

    statuses = dict(Progress.objects.filter(learner=learner).values_list("milestone_id", "status"))
    assert statuses[foundations[0].pk] == ProgressStatus.NOT_STARTED
    assert statuses[foundations[1].pk] == ProgressStatus.DONE


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours_per_week": "0"}, "Give at least 1 hour a week, or leave it empty."),
        ({"hours_per_week": "200"}, "80 hours a week is the most a plan can count on."),
        ({"hours_per_week": "lots"}, "Enter a whole number."),
        ({"target_date": "2001-01-01"}, "Choose a date after today, or leave it empty."),
        ({"target_date": "next year"}, "Enter a valid date."),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({"target_stage": "999999"}, "Select a valid choice."),
    ],
    ids=["zero-hours", "too-many-hours", "not-a-number", "past-date", "bad-date", "zone", "stage"],
)
def test_bad_answers_are_refused_with_a_message_and_keep_what_was_typed(
    client, learner, guide, changes, message
):
    client.force_login(learner)

    response = client.post(ONBOARDING, answers(**{"hours_per_week": "7", **changes}))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in html
    assert "Your plan was not saved: please correct the fields below." in html
    typed = changes.get("hours_per_week", "7")
    assert f'value="{typed}"' in html
    profile = Profile.objects.get(user=learner)
    assert profile.onboarded_at is None
    assert profile.hours_per_week is None


def test_each_learner_edits_only_their_own_plan(client, learner, stranger, guide):
    client.force_login(stranger)

    client.post(ONBOARDING, answers(hours_per_week="9"))

    assert Profile.objects.get(user=stranger).hours_per_week == 9
    assert Profile.objects.get(user=learner).hours_per_week is None


def test_a_skipped_plan_leaves_a_gentle_prompt_on_the_dashboard(client, learner, guide):
    client.force_login(learner)

    html = client.get(DASHBOARD).content.decode()

    assert 'id="plan-prompt"' in html
    assert f'href="{ONBOARDING}"' in html


def test_settings_show_the_plan_and_link_to_change_it(client, learner, guide):
    stage = guide.stages.get(slug="entry-level")
    Profile.objects.filter(user=learner).update(
        hours_per_week=5, target_stage=stage, onboarded_at=timezone.now(), time_zone="Asia/Tokyo"
    )
    client.force_login(learner)

    html = client.get(reverse("tracker:settings")).content.decode()

    assert "5 h a week" in html
    assert "Aiming for Entry-level ready" in html
    assert "Weeks start on Monday in Asia/Tokyo" in html
    assert "Change your plan" in html
    page = client.get(ONBOARDING).content.decode()
    assert "Back to settings" in page
    assert 'data-browser-time-zone="suggest"' not in page  # a chosen zone is kept


@pytest.mark.parametrize("size", [1, 30])
def test_the_plan_page_queries_do_not_grow_with_the_milestones(
    client, make_guide, make_user, complete, django_assert_max_num_queries, size
):
    guide = make_guide(milestones=size)
    learner = make_user()
    complete(learner, list(guide.milestones.all())[: size // 2], status=ProgressStatus.KNOWN)
    client.force_login(learner)
    client.get(ONBOARDING)  # warms the guide's content cache
    with django_assert_max_num_queries(8):
        response = client.get(ONBOARDING)
    assert response.status_code == HTTPStatus.OK
