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
