"""Plan changes are told, never silent: the dashboard says what an editor added or
archived since the learner's last visit, and an archived milestone with the learner's
history stays readable to them (and only to them)."""

from http import HTTPStatus

import pytest

from tests.conftest import DASHBOARD, messages_of
from tracker.models import Milestone, Profile, ProgressStatus
from tracker.services.progress import progress_update_notes

pytestmark = pytest.mark.django_db


def visit(client, learner):
    client.force_login(learner)
    response = client.get(DASHBOARD)
    assert response.status_code == HTTPStatus.OK
    return response


def test_a_first_visit_has_nothing_to_tell(client, learner, guide):
    assert messages_of(visit(client, learner)) == []


def test_an_added_milestone_is_told_once_and_moves_the_figures(client, learner, guide, m):
    Profile.objects.filter(user=learner).update(hours_per_week=10)
    before = visit(client, learner)
    assert before.context["overall"].total == 6
    hours_before = before.context["projection"].remaining_hours

    Milestone.objects.create(
        pillar=m[0].pillar, slug="new-one", title="Shiny new skill", estimated_hours=9, order=50
    )

    after = visit(client, learner)
    assert messages_of(after) == [
        "Since your last visit, the guide's editors changed your plan: 1 milestone added "
        "(\N{LEFT DOUBLE QUOTATION MARK}Shiny new skill\N{RIGHT DOUBLE QUOTATION MARK}). "
        "Your figures and dates follow the new plan."
    ]
    assert after.context["overall"].total == 7
    assert after.context["projection"].remaining_hours == hours_before + 9
    assert messages_of(visit(client, learner)) == [], "told once"


def test_an_archived_milestone_is_told_and_leaves_the_counts(client, learner, guide, m, complete):
    complete(learner, [m[5]])
    visit(client, learner)

    m[5].archived = True
    m[5].save()
    m[4].archived = True
    m[4].save()

    after = visit(client, learner)
    (message,) = messages_of(after)
    assert "2 milestones archived" in message
    assert "\N{LEFT DOUBLE QUOTATION MARK}Milestone 4\N{RIGHT DOUBLE QUOTATION MARK}" in message
    assert after.context["overall"].total == 4
    assert after.context["overall"].done == 0


def test_adding_and_archiving_at_once_names_both(client, learner, guide, m):
    visit(client, learner)
    m[3].archived = True
    m[3].save()
    Milestone.objects.create(pillar=m[0].pillar, slug="extra", title="Extra", order=60)

    (message,) = messages_of(visit(client, learner))
    assert "1 milestone added (\N{LEFT DOUBLE QUOTATION MARK}Extra" in message
    assert " and 1 milestone archived (\N{LEFT DOUBLE QUOTATION MARK}Milestone 3" in message


# --- an archived milestone's page --------------------------------------------------------


@pytest.fixture
def archived_with_history(learner, m, complete):
    complete(learner, [m[0]], status=ProgressStatus.DONE)
    progress_update_notes(
        learner=learner, milestone=m[0], note="What I learnt.", evidence_url="https://x.test/"
    )
    m[0].archived = True
    m[0].save()
    return m[0]


def test_the_learner_still_reads_an_archived_milestone_with_their_history(
    client, learner, archived_with_history
):
    client.force_login(learner)

    response = client.get(archived_with_history.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'id="archived-note"' in html
    assert "<strong>Archived.</strong>" in html
    assert "What I learnt." in html
    assert 'href="https://x.test/"' in html
    assert "Not started → In progress" not in html  # it went straight to done
    assert "Not started → Done" in html
    assert 'name="status"' not in html, "read-only"


@pytest.mark.parametrize("who", ["anonymous", "stranger", "mentor"])
def test_an_archived_milestone_is_not_found_for_anyone_else(
    client, who, archived_with_history, stranger, mentor, learner, make_mentorship
):
    if who == "stranger":
        client.force_login(stranger)
    elif who == "mentor":
        make_mentorship(mentor, learner)
        client.force_login(mentor)

    response = client.get(archived_with_history.get_absolute_url())

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"What I learnt." not in response.content


def test_an_archived_milestone_without_history_is_not_found(client, learner, m):
    m[2].archived = True
    m[2].save()
    client.force_login(learner)
    assert client.get(m[2].get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_an_archived_milestone_page_costs_a_fixed_number_of_queries(
    client, learner, archived_with_history, django_assert_max_num_queries
):
    client.force_login(learner)
    client.get(archived_with_history.get_absolute_url())
    with django_assert_max_num_queries(9):
        response = client.get(archived_with_history.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
