"""The invitation link: who may answer it, signing up and accepting in one step, and the
inviter's side, which must read the same whether an address has an account or not."""

import datetime
import re
import time
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tracker.limits import LimitReached
from tracker.models import Mentorship, MentorshipStatus
from tracker.rules.invitation_links import make_token
from tracker.services.mentoring import INVITE_SENT_BY_EMAIL, mentorship_end, mentorship_invite

User = get_user_model()
pytestmark = pytest.mark.django_db


def link_of(mentorship: Mentorship) -> str:
    token = make_token(mentorship_id=mentorship.pk, address=mentorship.invited_as)
    return reverse("tracker:invitation", args=[token])


@pytest.fixture
def to_newcomer(learner):
    """An invitation to an address that has no account."""
    return mentorship_invite(mentee=learner, identifier="Newcomer@Example.com")


@pytest.fixture
def to_account(learner, mentor):
    """An invitation to an address that has an account (the mentor's)."""
    return mentorship_invite(mentee=learner, identifier="mentor@example.com")


def sign_up_data(**extra):
    return {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "answer": "accept",
        **extra,
    }


def expired_link(mentorship, monkeypatch, settings) -> str:
    settings.INVITATION_MAX_AGE_DAYS = 14
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 15 * 86400)
    link = link_of(mentorship)
    monkeypatch.undo()
    return link


# The mail ----------------------------------------------------------------------------


def test_the_mail_to_a_newcomer_carries_a_link_that_opens_the_invitation(
    client, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mentorship_invite(mentee=learner, identifier="newcomer@example.com")
    [message] = mail.outbox
    path = re.search(r"https?://[^/\s]+(/invitations/\S+/)", message.body).group(1)

    page = client.get(path)

    assert page.status_code == HTTPStatus.OK
    assert "learner asks you to be their mentor" in page.content.decode()
    assert "works for 14 days" in message.body


def test_the_mail_to_an_account_carries_the_link_and_the_mentoring_page(
    learner, mentor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mentorship_invite(mentee=learner, identifier="mentor@example.com")
    [message] = mail.outbox

    assert message.to == ["mentor@example.com"]
    assert "/invitations/" in message.body
    assert "/mentoring/" in message.body
    assert "Create your account" not in message.body


# Access: by the signature only ------------------------------------------------------


def test_anonymous_with_a_link_to_a_newcomer_sees_the_sign_up_form_prefilled(client, to_newcomer):
    page = client.get(link_of(to_newcomer))

    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert 'value="Newcomer@Example.com"' in html
    assert "Sign up and accept" in html
    assert "Decline the invitation" in html


def test_anonymous_with_a_link_to_an_account_is_asked_to_log_in_and_come_back(
    client, to_account, mentor
):
    link = link_of(to_account)
    page = client.get(link)

    assert page.status_code == HTTPStatus.OK
    assert f"{reverse('login')}?next={link}" in page.content.decode()
    assert "Sign up and accept" not in page.content.decode()

    logged_in = client.post(
        f"{reverse('login')}?next={link}", {"username": "mentor", "password": PASSWORD}
    )
    assert logged_in["Location"] == link


def test_the_invited_account_accepts_through_the_link(client, to_account, mentor):
    client.force_login(mentor)
    link = link_of(to_account)
    assert "Accept and mentor learner" in client.get(link).content.decode()

    response = client.post(link, {"answer": "accept"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("tracker:mentoring")
    to_account.refresh_from_db()
    assert (to_account.status, to_account.mentor) == (MentorshipStatus.ACTIVE, mentor)


def test_another_account_cannot_answer_an_invitation_sent_to_an_account(
    client, to_account, stranger
):
    client.force_login(stranger)
    link = link_of(to_account)

    page = client.get(link)
    assert page.status_code == HTTPStatus.FORBIDDEN
    assert "sent to another account" in page.content.decode()
    refused = client.post(link, {"answer": "accept"})

    assert refused.status_code == HTTPStatus.CONFLICT
    to_account.refresh_from_db()
    assert to_account.status == MentorshipStatus.PENDING


def test_any_account_that_holds_a_link_to_a_newcomer_may_accept_it(client, to_newcomer, stranger):
    """The mail went to an address without an account: whoever reads it may already have
    one under another address, and the signature is the proof."""
    client.force_login(stranger)

    response = client.post(link_of(to_newcomer), {"answer": "accept"})

    assert response.status_code == HTTPStatus.FOUND
    to_newcomer.refresh_from_db()
    assert (to_newcomer.status, to_newcomer.mentor) == (MentorshipStatus.ACTIVE, stranger)


def test_the_inviter_cannot_accept_their_own_invitation(client, learner, to_newcomer):
    client.force_login(learner)
    link = link_of(to_newcomer)

    assert client.get(link).status_code == HTTPStatus.FORBIDDEN
    assert client.post(link, {"answer": "accept"}).status_code == HTTPStatus.CONFLICT
    to_newcomer.refresh_from_db()
    assert to_newcomer.status == MentorshipStatus.PENDING


def test_a_mentor_of_the_learner_already_cannot_take_a_second_place(
    client, learner, stranger, make_mentorship, to_newcomer
):
    make_mentorship(stranger, learner)
    client.force_login(stranger)

    refused = client.post(link_of(to_newcomer), {"answer": "accept"})

    assert refused.status_code == HTTPStatus.CONFLICT
    assert "You already mentor learner" in refused.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "stranger", "mentor"])
def test_an_expired_link_gets_a_clear_page_for_everyone(
    client, to_account, make_user, who, monkeypatch, settings
):
    link = expired_link(to_account, monkeypatch, settings)
    if who != "anonymous":
        client.force_login(User.objects.get(username="mentor") if who == "mentor" else make_user())

    for response in (client.get(link), client.post(link, {"answer": "accept"})):
        assert response.status_code == HTTPStatus.GONE
        assert "This invitation link has expired" in response.content.decode()
    to_account.refresh_from_db()
    assert to_account.status == MentorshipStatus.PENDING


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + "xx",
        lambda token: token.split(":")[0],
        lambda token: "x" * 300,
        lambda token: "%27%3B--",
        lambda token: "💥",
    ],
)
def test_a_changed_link_gets_a_clear_page_never_a_500(client, to_newcomer, mangle):
    token = make_token(mentorship_id=to_newcomer.pk, address=to_newcomer.invited_as)
    path = f"/invitations/{mangle(token)}/"

    for response in (client.get(path), client.post(path, sign_up_data())):
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert "This invitation link does not work" in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


def test_a_link_signed_for_another_address_names_nothing(client, learner, to_newcomer):
    token = make_token(mentorship_id=to_newcomer.pk, address="someone-else@example.com")

    response = client.get(reverse("tracker:invitation", args=[token]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_used_link_answers_only_once(client, to_newcomer):
    link = link_of(to_newcomer)
    assert client.post(link, sign_up_data()).status_code == HTTPStatus.FOUND
    client.logout()

    again = Client().post(link, sign_up_data(username="second", email="second@example.com"))

    assert again.status_code == HTTPStatus.GONE
    assert "already been answered" in again.content.decode()
    assert not User.objects.filter(username="second").exists()


def test_a_withdrawn_invitation_says_so(client, to_newcomer):
    mentorship_end(mentorship=to_newcomer)

    response = client.get(link_of(to_newcomer))

    assert response.status_code == HTTPStatus.GONE
    assert "This invitation was withdrawn" in response.content.decode()


def test_an_answer_that_is_neither_accept_nor_decline_is_a_clear_400(client, mentor, to_account):
    client.force_login(mentor)

    response = client.post(link_of(to_account), {"answer": "maybe"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Choose whether to accept or decline" in response.content.decode()


# Signing up and accepting in one step -----------------------------------------------


def test_a_newcomer_signs_up_and_accepts_in_one_step(client, learner, to_newcomer):
    response = client.post(link_of(to_newcomer), sign_up_data(), follow=True)

    newcomer = User.objects.get(username="newcomer")
    to_newcomer.refresh_from_db()
    assert (to_newcomer.status, to_newcomer.mentor) == (MentorshipStatus.ACTIVE, newcomer)
    assert response.wsgi_request.user == newcomer
    assert response.redirect_chain[-1][0] == reverse("tracker:mentoring")
    assert "You are now learner&#x27;s mentor." in response.content.decode()
    assert newcomer.profile is not None


def test_a_sign_up_with_errors_keeps_what_was_typed_and_creates_nothing(client, to_newcomer):
    response = client.post(
        link_of(to_newcomer), sign_up_data(username="new comer!", password2="something-else")
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert 'value="new comer!"' in html
    assert 'value="newcomer@example.com"' in html
    assert not User.objects.filter(email="newcomer@example.com").exists()
    to_newcomer.refresh_from_db()
    assert to_newcomer.status == MentorshipStatus.PENDING


def test_an_address_that_has_an_account_by_now_is_told_to_log_in(client, make_user, to_newcomer):
    make_user("newcomer")

    response = client.post(link_of(to_newcomer), sign_up_data(username="another"))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "An account already uses this address" in response.content.decode()


def test_sign_ups_through_links_count_towards_the_sign_up_limit(client, settings, learner):
    settings.LIMITS_FACTOR = 1
    settings.LIMITS = {**settings.LIMITS, "sign_up_per_client": (1, 3600)}
    first, second = (
        mentorship_invite(mentee=learner, identifier=f"new{n}@example.com") for n in range(2)
    )
    assert (
        Client()
        .post(link_of(first), sign_up_data(username="new0", email="new0@example.com"))
        .status_code
        == HTTPStatus.FOUND
    )

    refused = Client().post(
        link_of(second), sign_up_data(username="new1", email="new1@example.com")
    )

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many accounts were created from your network" in refused.content.decode()
    assert not User.objects.filter(username="new1").exists()


def test_a_newcomer_may_decline_without_an_account(client, to_newcomer):
    response = client.post(link_of(to_newcomer), {"answer": "decline"})

    assert response.status_code == HTTPStatus.OK
    assert "You declined learner" in response.content.decode()
    to_newcomer.refresh_from_db()
    assert to_newcomer.status == MentorshipStatus.DECLINED
    assert not User.objects.exclude(username="learner").exists()


# The inviter's side: the same whatever is behind the address ------------------------


def _inviter_view(client, learner, address, invited_at):
    """The mentoring page and the JSON export after inviting ``address``, with what
    differs by nature (the invitation's id, the time, the CSRF token) made equal."""
    Mentorship.objects.filter(mentee=learner).delete()
    cache.clear()
    response = client.post(reverse("tracker:invite"), {"identifier": address}, follow=True)
    Mentorship.objects.filter(mentee=learner).update(invited_at=invited_at)
    cache.clear()
    page = client.get(reverse("tracker:mentoring")).content.decode()
    export = client.get(reverse("tracker:export_json")).content.decode()
    pk = str(Mentorship.objects.get(mentee=learner).pk)

    def normalise(text):
        text = text.replace(address, "ADDRESS")
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
        text = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", text)
        return text.replace(f"/mentoring/{pk}/", "/mentoring/ID/")

    return normalise(response.content.decode()), normalise(page), normalise(export)


def test_the_inviter_sees_the_same_answer_row_and_export_with_or_without_an_account(
    client, learner, mentor
):
    client.force_login(learner)
    invited_at = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)

    with_account = _inviter_view(client, learner, "Mentor@Example.com", invited_at)
    without_account = _inviter_view(client, learner, "nobody@example.com", invited_at)

    assert with_account == without_account
    answer, page, export = with_account
    assert INVITE_SENT_BY_EMAIL.replace("'", "&#x27;") in answer
    assert "<strong>ADDRESS</strong>" in page
    assert '"mentor": "ADDRESS"' in export


def test_a_declined_invitation_still_names_only_the_address_in_the_export(
    client, learner, mentor, to_account
):
    client.force_login(mentor)
    client.post(link_of(to_account), {"answer": "decline"})
    client.force_login(learner)

    export = client.get(reverse("tracker:export_json")).json()

    assert [m["mentor"] for m in export["mentorships"]] == ["mentor@example.com"]


def test_an_accepted_invitation_names_the_mentor_by_their_account(
    client, learner, mentor, to_account
):
    client.force_login(mentor)
    client.post(link_of(to_account), {"answer": "accept"})
    client.force_login(learner)

    export = client.get(reverse("tracker:export_json")).json()

    assert [m["mentor"] for m in export["mentorships"]] == ["mentor"]


def test_the_invitee_sees_which_address_the_invitation_was_sent_to(client, mentor, to_account):
    client.force_login(mentor)

    page = client.get(reverse("tracker:mentoring")).content.decode()

    assert "sent to mentor@example.com" in page


def test_invitations_to_addresses_without_an_account_count_towards_the_limits(
    learner, make_user, settings
):
    settings.LIMITS_FACTOR = 1
    settings.LIMITS = {**settings.LIMITS, "invitations_per_inviter": (2, 24 * 3600)}
    for n in range(2):
        mentorship_end(mentorship=mentorship_invite(mentee=learner, identifier=f"n{n}@x.org"))
    with pytest.raises(LimitReached, match="You have sent 2 invitations"):
        mentorship_invite(mentee=learner, identifier="n2@x.org")

    settings.LIMITS = {**settings.LIMITS, "invitations_per_invitee": (1, 24 * 3600)}
    other = make_user()
    with pytest.raises(LimitReached, match="invited too often"):
        mentorship_invite(mentee=other, identifier="n0@x.org")
    assert not Mentorship.objects.filter(mentee=other).exists()


# Query budget ---------------------------------------------------------------------


@pytest.mark.parametrize("others", [1, 30])
def test_the_invitation_page_costs_the_same_however_many_invitations(
    client, learner, make_user, make_mentorship, others, django_assert_max_num_queries
):
    for n in range(others):
        mentorship_invite(mentee=learner, identifier=f"someone{n}@example.com")
        make_mentorship(make_user(), learner)
    invitation = Mentorship.objects.filter(mentor=None).first()
    link = link_of(invitation)

    with django_assert_max_num_queries(2):
        assert client.get(link).status_code == HTTPStatus.OK
    client.force_login(make_user())
    with django_assert_max_num_queries(6):
        assert client.get(link).status_code == HTTPStatus.OK


# The access matrix of the invitation link ---------------------------------------------

ROLES = [
    "anonymous",
    "invited account",
    "other account",
    "inviter",
    "active mentor",
    "former mentor",
    "staff",
]
# (sent to, who) -> (GET status, what a POST "accept" does: the answer's status, and
# whether the invitation is then active)
MATRIX = {
    ("account", "anonymous"): (HTTPStatus.OK, (HTTPStatus.OK, False)),  # asked to log in
    ("account", "invited account"): (HTTPStatus.OK, (HTTPStatus.FOUND, True)),
    ("account", "other account"): (HTTPStatus.FORBIDDEN, (HTTPStatus.CONFLICT, False)),
    ("account", "inviter"): (HTTPStatus.FORBIDDEN, (HTTPStatus.CONFLICT, False)),
    ("account", "active mentor"): (HTTPStatus.FORBIDDEN, (HTTPStatus.CONFLICT, False)),
    ("account", "former mentor"): (HTTPStatus.FORBIDDEN, (HTTPStatus.CONFLICT, False)),
    ("account", "staff"): (HTTPStatus.FORBIDDEN, (HTTPStatus.CONFLICT, False)),
    ("address", "anonymous"): (HTTPStatus.OK, (HTTPStatus.BAD_REQUEST, False)),  # the form
    ("address", "invited account"): (HTTPStatus.OK, (HTTPStatus.FOUND, True)),
    ("address", "other account"): (HTTPStatus.OK, (HTTPStatus.FOUND, True)),
    ("address", "inviter"): (HTTPStatus.FORBIDDEN, (HTTPStatus.CONFLICT, False)),
    ("address", "active mentor"): (HTTPStatus.OK, (HTTPStatus.CONFLICT, False)),
    ("address", "former mentor"): (HTTPStatus.OK, (HTTPStatus.FOUND, True)),  # a new start
    ("address", "staff"): (HTTPStatus.OK, (HTTPStatus.FOUND, True)),
}


@pytest.fixture
def cast(learner, mentor, make_user, make_mentorship):
    """Everyone who may hold a link to one of ``learner``'s invitations."""
    active = make_user("active-mentor")
    make_mentorship(active, learner)
    former = make_user("former-mentor")
    make_mentorship(former, learner, status=MentorshipStatus.ENDED)
    return {
        "anonymous": None,
        "invited account": mentor,
        "other account": make_user("other"),
        "inviter": learner,
        "active mentor": active,
        "former mentor": former,
        "staff": make_user("staff", is_staff=True, is_superuser=True),
    }


def _invitation_to(kind, learner, mentor):
    if kind == "account":
        return mentorship_invite(mentee=learner, identifier="mentor@example.com")
    # "The invited account" of an address without one: it signed up under another address.
    return mentorship_invite(mentee=learner, identifier="not-yet-here@example.com")


@pytest.mark.parametrize(("kind", "role"), sorted(MATRIX))
def test_the_invitation_link_access_matrix(client, learner, mentor, cast, kind, role):
    invitation = _invitation_to(kind, learner, mentor)
    if cast[role] is not None:
        client.force_login(cast[role])
    link = link_of(invitation)
    get_status, (post_status, accepted) = MATRIX[(kind, role)]

    assert client.get(link).status_code == get_status
    assert client.post(link, {"answer": "accept"}).status_code == post_status
    invitation.refresh_from_db()
    assert (invitation.status == MentorshipStatus.ACTIVE) == accepted
    if accepted:
        assert invitation.mentor == cast[role]


@pytest.mark.parametrize("state", ["expired", "tampered", "used", "withdrawn"])
@pytest.mark.parametrize("role", ROLES)
def test_an_unusable_link_is_the_same_clear_page_for_everyone(
    client, learner, mentor, cast, role, state, monkeypatch, settings
):
    invitation = _invitation_to("account", learner, mentor)
    link = link_of(invitation)
    if state == "expired":
        link = expired_link(invitation, monkeypatch, settings)
    elif state == "tampered":
        link = link[:-3] + "Zz/"
    elif state == "used":
        Client().post(link, {"answer": "decline"})
    else:
        mentorship_end(mentorship=invitation)
    status_before = Mentorship.objects.get(pk=invitation.pk).status
    if cast[role] is not None:
        client.force_login(cast[role])
    expected_status, words = {
        "expired": (HTTPStatus.GONE, "has expired"),
        "tampered": (HTTPStatus.NOT_FOUND, "does not work"),
        "used": (HTTPStatus.GONE, "already been answered"),
        "withdrawn": (HTTPStatus.GONE, "was withdrawn"),
    }[state]

    for response in (client.get(link), client.post(link, {"answer": "accept"})):
        assert response.status_code == expected_status
        assert words in response.content.decode()
    assert Mentorship.objects.get(pk=invitation.pk).status == status_before


@pytest.mark.parametrize(
    "data",
    [
        {"answer": "accept", "username": "a\x00b", "email": "x\x00@y.org", "password1": "\x00"},
        {"answer": "\x00"},
        {"answer": ["decline", "maybe"]},
        {"answer": "accept", "username": "u" * 5000, "email": "e" * 5000 + "@x.org"},
        {"answer": "accept", "email": "not an address", "password1": "x", "password2": "y"},
        {},
    ],
)
@pytest.mark.parametrize("logged_in", [False, True])
def test_bad_input_on_the_invitation_page_is_never_a_500(
    client, learner, stranger, to_newcomer, data, logged_in
):
    if logged_in:
        client.force_login(stranger)

    response = client.post(link_of(to_newcomer), data)

    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.FOUND)
    if not logged_in:
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert User.objects.count() == 2
