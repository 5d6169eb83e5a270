"""Limits: each answered with a clear message and status 429, never a silent drop; each a
setting; LIMITS_FACTOR raises them all; the client is who the connection (or a trusted
proxy) says it is."""

from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from tests.conftest import PASSWORD
from tracker.limits import LimitReached, client_ip
from tracker.models import Mentorship
from tracker.services.mentoring import mentorship_end, mentorship_invite

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    """The real limits (tests run with LIMITS_FACTOR raised), made small to reach."""
    settings.LIMITS_FACTOR = 1
    settings.LIMITS = {**settings.LIMITS}
    return settings.LIMITS


def sign_up(client, n: int, **extra):
    return client.post(
        reverse("signup"),
        {
            "username": f"newcomer{n}",
            "email": f"newcomer{n}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        **extra,
    )


def test_sign_ups_from_one_client_are_limited(client, limits):
    limits["sign_up_per_client"] = (2, 3600)
    for n in range(2):
        assert sign_up(client, n).status_code == HTTPStatus.FOUND
        client.logout()

    refused = sign_up(client, 2)

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many accounts were created from your network in the last hour" in (
        refused.content.decode()
    )
    assert not User.objects.filter(username="newcomer2").exists()
    # Another client is not affected.
    assert sign_up(client, 3, REMOTE_ADDR="10.0.0.9").status_code == HTTPStatus.FOUND


def test_the_limits_factor_raises_every_limit(client, limits, settings):
    limits["sign_up_per_client"] = (2, 3600)
    settings.LIMITS_FACTOR = 3
    for n in range(6):
        assert sign_up(client, n).status_code == HTTPStatus.FOUND, n
        client.logout()
    assert sign_up(client, 6).status_code == HTTPStatus.TOO_MANY_REQUESTS


def reset(client, email: str, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_password_resets_for_one_address_are_limited(client, learner, limits):
    limits["password_reset_per_address"] = (2, 3600)
    for _ in range(2):
        assert reset(client, learner.email).status_code == HTTPStatus.FOUND

    refused = reset(client, learner.email.upper(), REMOTE_ADDR="10.0.0.2")

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many password resets were asked for this address" in refused.content.decode()
    assert len(mail.outbox) == 2


def test_password_resets_for_an_unknown_address_are_limited_alike(client, limits):
    limits["password_reset_per_address"] = (1, 3600)
    assert reset(client, "nobody@example.com").status_code == HTTPStatus.FOUND
    assert reset(client, "nobody@example.com").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_password_resets_from_one_client_are_limited(client, limits):
    limits["password_reset_per_client"] = (3, 3600)
    for n in range(3):
        assert reset(client, f"someone{n}@example.com").status_code == HTTPStatus.FOUND

    refused = reset(client, "someone3@example.com")

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many password resets were asked from your network" in refused.content.decode()


def test_invitation_rounds_to_one_person_are_limited_withdrawn_ones_included(
    client, learner, mentor, limits
):
    limits["invitations_per_invitee"] = (3, 24 * 3600)
    client.force_login(learner)
    for _ in range(3):
        sent = client.post(reverse("tracker:invite"), {"identifier": "mentor"})
        assert sent.status_code == HTTPStatus.FOUND
        mentorship_end(mentorship=Mentorship.objects.get(mentee=learner, status="pending"))

    refused = client.post(reverse("tracker:invite"), {"identifier": "mentor"})

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "This person has been invited too often in the last 24 hours" in (
        refused.content.decode()
    )
    assert Mentorship.objects.filter(mentee=learner).count() == 3
    assert len(mail.outbox) == 3


def test_an_address_is_limited_whether_or_not_it_has_an_account(learner, make_user, limits):
    """The same answer for both, so the limit tells nothing about who has an account."""
    limits["invitations_per_invitee"] = (1, 24 * 3600)
    make_user("real")
    for address in ("real@example.com", "ghost@example.com"):
        mentorship_invite(mentee=learner, identifier=address)
        with pytest.raises(LimitReached, match="invited too often"):
            mentorship_invite(mentee=make_user(), identifier=address)


def test_invitations_sent_by_one_learner_are_limited(learner, make_user, limits):
    limits["invitations_per_inviter"] = (2, 24 * 3600)
    for n in range(2):
        mentorship = mentorship_invite(mentee=learner, identifier=make_user(f"m{n}").username)
        mentorship_end(mentorship=mentorship)

    with pytest.raises(LimitReached, match="You have sent 2 invitations in the last 24 hours"):
        mentorship_invite(mentee=learner, identifier=make_user("m2").username)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy: a header anyone can send is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the first entry is the client's
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
        (2, "203.0.113.9", "127.0.0.1"),  # fewer entries than proxies: the connection
    ],
)
def test_the_client_address_comes_from_trusted_proxies_only(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == expected
