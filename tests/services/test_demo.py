"""Demo data (tracker.services.demo): every account it makes is named like a person."""

import re

import pytest
from django.contrib.auth import get_user_model

from tracker.models import Profile
from tracker.services import demo
from tracker.services.demo import Plan, seed

User = get_user_model()
pytestmark = pytest.mark.django_db

SMALL = Plan(
    learners=3,
    progress_per_learner=3,
    events_per_learner=6,
    mentees=2,
    prefix="demo",
    extra_mentors=(2,),
)


@pytest.fixture
def seeded(guide, monkeypatch):
    # The planner statistics it refreshes after a bulk load cannot be taken inside the
    # test's transaction (SQLite locks the tables); they have no bearing on the data.
    monkeypatch.setattr(demo, "_refresh_statistics", lambda: None)
    return seed(plan=SMALL, guide=guide)


def display_names() -> dict[str, str]:
    return dict(
        Profile.objects.filter(user__username__startswith="demo").values_list(
            "user__username", "display_name"
        )
    )


def test_every_demo_account_has_a_profile_with_a_display_name(seeded):
    usernames = set(
        User.objects.filter(username__startswith="demo").values_list("username", flat=True)
    )

    names = display_names()

    assert set(names) == usernames
    assert all(name.strip() for name in names.values()), names


def test_learners_are_numbered_and_mentors_are_called_mentors(seeded):
    names = display_names()

    assert {names[f"demo{n:05d}"] for n in range(3)} == {
        "Learner 00000",
        "Learner 00001",
        "Learner 00002",
    }
    mentors = {username: name for username, name in names.items() if "mentor" in username}
    assert mentors == {
        "demo-mentor": "Demo mentor",
        "demo-former-mentor": "Former demo mentor",
        "demo-mentor-2": "Demo mentor of 2",
    }


def test_no_name_is_made_of_a_username_suffix(seeded):
    for name in display_names().values():
        assert not re.search(r"Learner\s*-", name), name
        assert "-" not in name, name


@pytest.fixture
def demo_seeded(ml_guide, monkeypatch):
    monkeypatch.setattr(demo, "_refresh_statistics", lambda: None)
    return seed(plan=demo.DEMO, guide=ml_guide)


def test_every_demo_review_is_a_conversation_the_people_in_it_see(demo_seeded):
    """Reviews are messages of their milestone's thread, as the services write them, so a
    demo mentor sees what waits for them and a demo learner the verdicts."""
    from tracker.models import Message, MessageKind, ReviewRequest, Thread  # noqa: PLC0415

    assert ReviewRequest.objects.filter(status="waiting").exists()
    for review in ReviewRequest.objects.select_related("progress"):
        thread = Thread.objects.get(
            learner_id=review.progress.learner_id, milestone_id=review.progress.milestone_id
        )
        kinds = list(thread.messages.values_list("kind", flat=True))
        assert MessageKind.REVIEW_REQUEST in kinds
        latest = thread.messages.order_by("-created_at", "-id").first()
        assert (thread.last_kind, thread.last_author_id) == (latest.kind, latest.author_id)
    assert Message.objects.filter(kind=MessageKind.QUESTION).exists()
    decided = ReviewRequest.objects.filter(status__in=["approved", "changes_requested"]).first()
    told = decided.progress.learner
    assert Thread.objects.waiting_counts(told)[0] >= 1  # the verdict, not read yet
    mentor = User.objects.get(username="demo-mentor")
    waiting = ReviewRequest.objects.filter(status="waiting", mentorship__mentor=mentor).count()
    assert waiting >= 1
    assert Thread.objects.waiting_counts(mentor)[1] >= waiting


def test_a_learner_two_demo_mentors_were_asked_by_has_one_thread_for_it(ml_guide, monkeypatch):
    """The benchmark's extra mentors share mentees with the demo mentor: their requests
    join the thread already there (one per learner and milestone, as the database says)."""
    from tracker.models import ReviewRequest, Thread  # noqa: PLC0415

    monkeypatch.setattr(demo, "_refresh_statistics", lambda: None)
    overlapping = Plan(
        learners=12,
        progress_per_learner=20,
        events_per_learner=40,
        mentees=6,
        prefix="demo",
        extra_mentors=(12,),
    )
    seed(plan=overlapping, guide=ml_guide)

    asked = ReviewRequest.objects.values_list("progress__learner", "progress__milestone")
    assert len(set(asked)) < len(asked)  # some learner asked two mentors about one milestone
    for learner_id, milestone_id in set(asked):
        thread = Thread.objects.get(learner_id=learner_id, milestone_id=milestone_id)
        requests = thread.messages.filter(kind="review_request").count()
        assert requests == list(asked).count((learner_id, milestone_id))
