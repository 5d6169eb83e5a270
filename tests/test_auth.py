"""The session's user (tracker.auth): loaded with their profile and chosen guide in one
query compiled once, exactly as the ORM would load them."""

import pytest
from django.contrib.auth import get_user_model

from tracker.auth import ProfileModelBackend, session_user_get
from tracker.models import Profile

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_the_session_user_comes_with_their_profile_and_guide_in_one_query(
    learner, guide, django_assert_num_queries
):
    Profile.objects.filter(user=learner).update(current_guide=guide, display_name="Ada L.")
    expected = User.objects.select_related("profile__current_guide").get(pk=learner.pk)

    with django_assert_num_queries(1):
        user = session_user_get(learner.pk)
        loaded = (user.username, user.profile.display_name, user.profile.current_guide.title)

    assert loaded == ("learner", "Ada L.", guide.title)
    assert user.profile.user is user
    for model, mine, theirs in [
        (User, user, expected),
        (Profile, user.profile, expected.profile),
        (type(guide), user.profile.current_guide, expected.profile.current_guide),
    ]:
        for field in model._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
    assert not user._state.adding


def test_a_user_without_guide_or_profile_is_loaded_without_them(learner, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert session_user_get(learner.pk).profile.current_guide is None
    Profile.objects.filter(user=learner).delete()

    with django_assert_num_queries(1):
        user = session_user_get(learner.pk)
        assert not hasattr(user, "profile")


@pytest.mark.parametrize("user_id", [987654, "not a number", None])
def test_an_unknown_or_malformed_id_is_nobody(learner, user_id):
    assert session_user_get(user_id) is None


def test_an_inactive_user_is_logged_out(learner):
    User.objects.filter(pk=learner.pk).update(is_active=False)

    assert ProfileModelBackend().get_user(learner.pk) is None
