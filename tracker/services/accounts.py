"""Writes of an account: signing up and deleting it with all of its data."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tracker import tasks
from tracker.models import Profile, profile_if_loaded
from tracker.selectors.content import guide_list_published
from tracker.selectors.prepared import PreparedQuery
from tracker.services import notifications

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


UPDATED_APART = sorted(Profile.UPDATED_APART)
# Read again after every htmx write: compiled once (``PreparedQuery``).
_updated_apart = PreparedQuery(
    lambda user_id: Profile.objects.filter(user_id=user_id).values_list(*UPDATED_APART),
    "user_id",
)


def profile_get_or_create(*, user: AbstractBaseUser, reload: bool = False) -> Profile:
    """The user's profile, created if missing. The session's user comes with it
    (tracker.auth): ``reload`` reads again what writes change apart (its versions, last
    active) after a write, and keeps the user and chosen guide it came with."""
    loaded = profile_if_loaded(user)
    if reload and loaded is not None:
        found = _updated_apart(user_id=user.pk)
        if found:
            for name, value in zip(UPDATED_APART, found[0], strict=True):
                setattr(loaded, name, value)
            return loaded
    if not reload:
        try:
            return user.profile
        except Profile.DoesNotExist:
            pass
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def password_reset_request(*, email: str) -> None:
    """Enqueue a password reset for this address, whatever it is: the worker looks it up
    (password_reset_links_record), so the request costs the same for any address."""
    tasks.password_reset_send.enqueue(email=email)


def password_reset_links_record(*, email: str, key_prefix: str) -> int:
    """Record a reset mail for every account that Django would reset for this address
    (active, with a usable password); how many."""
    count = 0
    for user in PasswordResetForm().get_users(email):
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        recorded = notifications.notification_record(
            key=f"{key_prefix}:{user.pk}",
            recipient=user.email,
            template="password_reset",
            context={"username": user.get_username(), "reset_path": path},
        )
        count += recorded is not None
    return count
