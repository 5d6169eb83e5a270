"""Accounts: sign up, log in and out, passwords, sessions and brute-force protection."""

import re
from http import HTTPStatus

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.conftest import PASSWORD, messages_of
from tracker.models import Profile

User = get_user_model()
pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-password-77"


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- sign up -----------------------------------------------------------------------------


def test_sign_up_logs_in_creates_a_profile_and_asks_for_the_plan(client, make_guide):
    guide = make_guide(milestones=3)

    response = client.post(
        reverse("signup"),
        {
            "username": "newcomer",
            "email": "Newcomer@Example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )

    # Straight to the plan questions (issue 11), which can be skipped for the dashboard.
    assert response.redirect_chain == [(reverse("tracker:onboarding"), HTTPStatus.FOUND)]
    assert response.status_code == HTTPStatus.OK
    assert "Skip for now" in response.content.decode()
    response = client.get(reverse("tracker:dashboard"))
    user = User.objects.get(username="newcomer")
    assert response.context["user"] == user
    assert logged_in_user_id(client) == str(user.pk)
    assert user.email == "newcomer@example.com"
    assert user.check_password(PASSWORD)
    assert Profile.objects.get(user=user).current_guide == guide
    # Welcomed once, by the dashboard itself, not a second time by a flash message.
    assert messages_of(response) == []
    assert response.content.decode().count("Your plan is ready.") == 1


def test_sign_up_refuses_an_address_that_already_has_an_account(client, learner):
    response = client.post(
        reverse("signup"),
        {
            "username": "someone-else",
            "email": learner.email.upper(),
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "An account already uses this address." in response.content.decode()
    assert not User.objects.filter(username="someone-else").exists()
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("12345678901", "This password is entirely numeric."),
        ("short1!", "This password is too short."),
        ("newcomer-x", "The password is too similar to the username."),
    ],
)
def test_sign_up_refuses_a_weak_password(client, password, message):
    response = client.post(
        reverse("signup"),
        {
            "username": "newcomer-x",
            "email": "newcomer@example.com",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not User.objects.filter(username="newcomer-x").exists()


def test_sign_up_refuses_two_different_passwords(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not User.objects.filter(username="newcomer").exists()


def test_a_logged_in_user_is_sent_from_sign_up_to_the_dashboard(client, learner):
    client.force_login(learner)

    response = client.get(reverse("signup"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("tracker:dashboard")


# --- log in and out ----------------------------------------------------------------------


def test_log_in_with_the_right_password_lands_on_the_dashboard(client, learner):
    response = client.post(reverse("login"), {"username": "learner", "password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("tracker:dashboard")
    assert logged_in_user_id(client) == str(learner.pk)


def test_log_in_with_a_wrong_password_fails(client, learner):
    response = client.post(reverse("login"), {"username": "learner", "password": "wrong"})

    assert response.status_code == HTTPStatus.OK
    assert "Please enter a correct username and password" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_log_in_follows_a_safe_next_only(client, learner):
    settings_url = reverse("tracker:settings")
    response = client.post(
        reverse("login"), {"username": "learner", "password": PASSWORD, "next": settings_url}
    )
    assert response["Location"] == settings_url

    client.logout()
    response = client.post(
        reverse("login"),
        {"username": "learner", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("tracker:dashboard")


def test_the_session_key_changes_at_log_in(client, learner):
    session = client.session  # an anonymous session, as a visitor would have
    session["seen"] = True
    session.save()
    anonymous_key = session.session_key

    client.post(reverse("login"), {"username": "learner", "password": PASSWORD})

    assert logged_in_user_id(client) == str(learner.pk)
    assert client.session.session_key != anonymous_key
    assert not session.exists(anonymous_key), "the old key no longer opens a session"


def test_log_out_by_get_is_not_allowed(client, learner):
    client.force_login(learner)

    response = client.get(reverse("logout"))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert logged_in_user_id(client) == str(learner.pk)


def test_log_out_by_post_ends_the_session(client, learner):
    client.force_login(learner)

    response = client.post(reverse("logout"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("tracker:landing")
    assert logged_in_user_id(client) is None
    dashboard = client.get(reverse("tracker:dashboard"))
    assert dashboard.status_code == HTTPStatus.FOUND
    assert dashboard["Location"].startswith(reverse("login"))


# --- passwords ---------------------------------------------------------------------------


def test_password_change_needs_the_old_password(client, learner):
    client.force_login(learner)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == HTTPStatus.OK
    assert "Your old password was entered incorrectly." in response.content.decode()
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_password_change_sets_the_new_password_and_keeps_the_session(client, learner):
    client.force_login(learner)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("password_change_done")
    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)
    assert client.get(reverse("tracker:dashboard")).status_code == HTTPStatus.OK


def test_password_change_page_needs_a_login(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


def test_password_reset_sends_a_link_that_sets_a_new_password(client, learner):
    response = client.post(reverse("password_reset"), {"email": learner.email})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("password_reset_done")
    [email] = mail.outbox
    assert email.to == [learner.email]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body)
    assert link, email.body

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == HTTPStatus.OK
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("password_reset_complete")
    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)
    assert not learner.check_password(PASSWORD)
    # The link works once: it is dead after the password changed.
    reused = client.get(link.group(1), follow=True)
    assert reused.context["validlink"] is False


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, learner):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


# --- brute-force protection --------------------------------------------------------------


LOCKED_OUT = {HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.FORBIDDEN}


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings.AXES_FAILURE_LIMIT


def fail_logins(client, url, username, times):
    responses = [
        client.post(url, {"username": username, "password": "not-the-password"})
        for _ in range(times)
    ]
    return responses


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, learner, axes_on):
    limit = axes_on
    responses = fail_logins(client, reverse("login"), "learner", limit - 1)
    assert [r.status_code for r in responses] == [HTTPStatus.OK] * (limit - 1)

    last = fail_logins(client, reverse("login"), "learner", 1)[0]
    assert last.status_code in LOCKED_OUT

    response = client.post(reverse("login"), {"username": "learner", "password": PASSWORD})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS  # django-axes 8's default
    assert "Too many failed log-ins" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_the_lockout_does_not_block_another_account(client, learner, stranger, axes_on):
    fail_logins(client, reverse("login"), "learner", axes_on)

    response = client.post(reverse("login"), {"username": "stranger", "password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert logged_in_user_id(client) == str(stranger.pk)


def test_a_successful_log_in_forgets_earlier_failures(client, learner, axes_on):
    fail_logins(client, reverse("login"), "learner", axes_on - 1)
    client.post(reverse("login"), {"username": "learner", "password": PASSWORD})
    client.post(reverse("logout"))

    fail_logins(client, reverse("login"), "learner", axes_on - 1)
    response = client.post(reverse("login"), {"username": "learner", "password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert logged_in_user_id(client) == str(learner.pk)


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_lockout_holds_for_the_client_address_a_trusted_proxy_gives(
    client, learner, axes_on, settings, proxies
):
    """Behind one trusted proxy the client is the address it forwarded; without one, a
    forged X-Forwarded-For changes nothing: the lockout stays on the connection's address."""
    settings.TRUSTED_PROXY_COUNT = proxies
    for n in range(axes_on):
        client.post(
            reverse("login"),
            {"username": "learner", "password": "not-the-password"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}" if not proxies else "203.0.113.7",
        )

    response = client.post(
        reverse("login"),
        {"username": "learner", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )

    if proxies:  # another client, as the proxy says: not locked out
        assert response.status_code == HTTPStatus.FOUND
    else:  # the same connection whatever the header claims: locked out
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_admin_login_is_protected_too(client, make_user, axes_on):
    admin = make_user("boss", is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")

    responses = fail_logins(client, admin_login, "boss", axes_on)
    assert responses[-1].status_code in LOCKED_OUT

    response = client.post(
        admin_login, {"username": "boss", "password": PASSWORD, "next": reverse("admin:index")}
    )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert logged_in_user_id(client) is None
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.FOUND
    assert admin.is_staff


# --- password reset off the request -------------------------------------------------------


@pytest.mark.parametrize("address", ["learner@example.com", "nobody@example.com"])
def test_a_reset_does_the_same_work_for_any_address(
    client, learner, address, settings, django_assert_num_queries
):
    """The request only enqueues the reset; the worker looks the address up. So the answer
    costs the same for an address with an account and one without: the same queries."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.get(reverse("password_reset"))  # the session and CSRF cookie, as a visitor has
    with django_assert_num_queries(1):  # the task's row
        response = client.post(reverse("password_reset"), {"email": address})

    assert response.status_code == HTTPStatus.FOUND
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "tracker.tasks.password_reset_send"
    assert mail.outbox == []


# --- display names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Ada\nLovelace", "Ada\r\nBcc: x@example.com", "Ada\tL", "A\u2028B"]
)
def test_a_display_name_that_would_break_a_mail_header_is_refused(logged_in, learner, name):
    response = logged_in.post(reverse("tracker:settings"), {"display_name": name, "region": ""})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "line breaks, tabs and other control characters are not allowed" in (
        response.content.decode()
    )
    assert Profile.objects.get(user=learner).display_name == ""


# --- usernames a new account may take --------------------------------------------------------

USERNAME_RULE = (
    "A username can use only the letters A to Z (either case), digits, dots (.), hyphens "
    "(-) and underscores (_), and cannot be only dots."
)
CYRILLIC_SECA = "\u0455\u0435\u0441\u0430"  # looks like "seca"


def sign_up(client, username: str):
    return client.post(
        reverse("signup"),
        {
            "username": username,
            "email": "newcomer@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


@pytest.mark.parametrize(
    "username",
    [CYRILLIC_SECA, "se\u0441a", "jos\u00e9", "\u674e\u5c0f\u9f99", ".", "..", "...", "a@b", "a+b"],
    ids=[
        "cyrillic",
        "one-cyrillic-letter",
        "accent",
        "chinese",
        "dot",
        "dots",
        "3-dots",
        "at",
        "plus",
    ],
)
def test_a_username_outside_the_safe_set_is_refused_with_the_rule(client, make_user, username):
    make_user("seca")

    response = sign_up(client, username)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert USERNAME_RULE in response.content.decode()
    assert not User.objects.filter(email="newcomer@example.com").exists()


@pytest.mark.parametrize("username", ["seca", "Ada.Lovelace", "a_b-c.9", "x..y", ".profile", "-"])
def test_a_username_in_the_safe_set_is_accepted(client, guide, username):
    response = sign_up(client, username)

    assert response.status_code == HTTPStatus.FOUND
    assert User.objects.get(email="newcomer@example.com").username == username


@pytest.mark.parametrize("username", ["Seca", "SECA", "sEcA"])
def test_a_username_that_differs_from_another_only_in_case_is_refused(client, make_user, username):
    make_user("seca")

    response = sign_up(client, username)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "A user with that username already exists." in response.content.decode()
    assert User.objects.filter(username__iexact="seca").count() == 1


def test_the_sign_up_form_says_which_usernames_are_allowed(client):
    page = client.get(reverse("signup")).content.decode()

    assert "letters A to Z, digits, dots, hyphens and underscores" in page
    assert "@/./+/-/_" not in page


def test_an_existing_username_outside_the_safe_set_still_works(client, make_user):
    """The rule is for new accounts: earlier ones keep their names, log-ins and links."""
    user = make_user(CYRILLIC_SECA)
    Profile.objects.filter(user=user).update(public_profile=True)

    response = client.post(reverse("login"), {"username": CYRILLIC_SECA, "password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert logged_in_user_id(client) == str(user.pk)
    profile = client.get(reverse("tracker:public_profile", args=[CYRILLIC_SECA]))
    assert profile.status_code == HTTPStatus.OK


def test_a_display_name_may_use_any_letters(logged_in, learner):
    name = f"{CYRILLIC_SECA} \u0141\u00f3d\u017a \u674e"

    logged_in.post(reverse("tracker:settings"), {"display_name": name, "region": ""})

    assert Profile.objects.get(user=learner).display_name == name
