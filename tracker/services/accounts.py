"""Writes of an account: signing up and deleting it with all of its data."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tracker.models import Profile
from tracker.selectors.content import guide_list_published

User = get_user_model()


@transaction.atomic
def user_sign_up(*, username: str, email: str, password: str) -> AbstractBaseUser:
    user = User.objects.create_user(username=username, email=email, password=password)
    Profile.objects.create(user=user, current_guide=guide_list_published().first())
    return user


@transaction.atomic
def user_delete(*, user: AbstractBaseUser) -> None:
    """Delete the account and, through the database's cascades, all of its personal data:
    profile, progress, history, mentorships and the reviews in them; and the login records
    kept under its username. Mentees keep their own progress; a verification this person
    gave stays, with "verified by" left empty.
    """
    username = user.get_username()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=username).delete()
    user.delete()


def profile_get_or_create(*, user: AbstractBaseUser, reload: bool = False) -> Profile:
    """The user's profile, created if missing. The session's user comes with it
    (tracker.auth): ``reload`` reads it again after a write has changed its versions."""
    if not reload:
        try:
            return user.profile
        except Profile.DoesNotExist:
            pass
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile
