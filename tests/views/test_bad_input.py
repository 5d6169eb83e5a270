"""Bad input on every learner form and POST: a clear refusal, never a 500, nothing written.

The test client re-raises any exception a view lets through, so a crash fails these tests
even before the status code is checked.
"""

import io
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django.urls import reverse

from careerpath.wsgi import application
from tests.conftest import PASSWORD
from tracker.models import Milestone, Profile, Progress, ProgressEvent, ProgressStatus
from tracker.services.progress import progress_set_status

User = get_user_model()
pytestmark = pytest.mark.django_db


def status_url(guide_slug, milestone_slug):
    return reverse("tracker:progress_status", args=[guide_slug, milestone_slug])


def notes_url(guide_slug, milestone_slug):
    return reverse("tracker:progress_notes", args=[guide_slug, milestone_slug])


def counts():
    return (
        Progress.objects.count(),
        ProgressEvent.objects.count(),
        User.objects.count(),
        Profile.objects.count(),
    )


def stored_rows():
    return list(Progress.objects.values_list("milestone_id", "status", "note", "evidence_url"))


@pytest.fixture
def unchanged(learner, milestone):
    """Give the learner some data, then check after the test that none of it changed."""
    progress_set_status(learner=learner, milestone=milestone, status=ProgressStatus.IN_PROGRESS)
    before = (counts(), stored_rows(), list(Profile.objects.values()))
    yield
    assert (counts(), stored_rows(), list(Profile.objects.values())) == before


# --- status ------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [{"status": "finished"}, {"status": ""}, {}, {"status": "DONE"}])
def test_an_unknown_status_is_refused_with_a_message(logged_in, milestone, unchanged, data):
    response = logged_in.post(status_url("test-guide", "milestone-0"), data, follow=True)

    assert response.redirect_chain[0][1] == HTTPStatus.FOUND
    assert response.status_code == HTTPStatus.OK
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        "Choose not started, in progress, done or already know it." in m or "required" in m
        for m in messages
    )


def htmx_status_post(client, data):
    return client.post(
        status_url("test-guide", "milestone-0"), data, headers={"HX-Request": "true"}
    )


def test_an_unknown_status_over_htmx_is_a_400(logged_in, milestone, unchanged):
    response = htmx_status_post(logged_in, {"status": "finished", "view": "guide"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Choose not started, in progress, done or already know it." in response.content.decode()


def test_an_unknown_view_over_htmx_falls_back_to_the_guide_fragment(logged_in, milestone):
    response = htmx_status_post(logged_in, {"status": "done", "view": "<script>"})

    assert response.status_code == HTTPStatus.OK
    assert 'id="m-milestone-0"' in response.content.decode()


@pytest.mark.parametrize(
    "next_url",
    [
        "/guides/\r\nSet-Cookie: stolen=1",
        "/\x00",
        "/" + "a" * 10_000,
        "\\\\evil.example",
        "http:\\\\evil.example",
        " //evil.example",
        "\t//evil.example",
    ],
    ids=["header-injection", "nul", "very-long", "backslashes", "http-backslashes", "space", "tab"],
)
def test_odd_next_values_never_crash_nor_leave_the_site(logged_in, milestone, next_url):
    response = logged_in.post(
        status_url("test-guide", "milestone-0"), {"status": "done", "next": next_url}
    )

    assert response.status_code == HTTPStatus.FOUND
    location = response["Location"]
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    assert "\n" not in location
    assert "stolen" not in response.cookies


@pytest.mark.parametrize(
    ("guide_slug", "milestone_slug"),
    [
        ("test-guide", "no-such-milestone"),
        ("no-such-guide", "milestone-0"),
        ("hidden-guide", "milestone-0"),
        ("test-guide", "archived-one"),
    ],
)
@pytest.mark.parametrize("action", [status_url, notes_url])
def test_unknown_hidden_or_archived_targets_are_404(
    logged_in, make_guide, milestone, unchanged, guide_slug, milestone_slug, action
):
    make_guide(milestones=1, slug="hidden-guide", published=False)
    Milestone.objects.filter(guide__slug="test-guide", slug="milestone-5").update(
        slug="archived-one", archived=True
    )

    response = logged_in.post(
        action(guide_slug, milestone_slug), {"status": "done", "note": "x", "evidence_url": ""}
    )

    assert response.status_code == HTTPStatus.NOT_FOUND


# --- notes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"note": "x" * 2001, "evidence_url": ""},
        {"note": "ok", "evidence_url": "javascript:alert(1)"},
        {"note": "ok", "evidence_url": "JaVaScRiPt:alert(1)"},
        {"note": "ok", "evidence_url": "data:text/html,<script>alert(1)</script>"},
        {"note": "ok", "evidence_url": "ftp://x"},
        {"note": "ok", "evidence_url": "https://" + "a" * 500 + ".example"},
        {"note": "null\x00byte", "evidence_url": ""},
        {"note": "ok", "evidence_url": "https://exa\x00mple.com"},
        {"note": "ok", "evidence_url": "http://[::1"},
    ],
    ids=[
        "long-note",
        "javascript",
        "javascript-mixed-case",
        "data-url",
        "ftp",
        "long-url",
        "nul-in-note",
        "nul-in-url",
        "broken-ipv6",
    ],
)
def test_bad_notes_are_a_400_and_write_nothing(logged_in, milestone, unchanged, data):
    response = logged_in.post(notes_url("test-guide", "milestone-0"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Your notes were not saved" in response.content.decode()


def test_bad_notes_on_an_untouched_milestone_create_no_row(logged_in, guide):
    before = counts()

    response = logged_in.post(
        notes_url("test-guide", "milestone-4"), {"note": "x" * 5000, "evidence_url": "ftp://x"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert counts() == before


# --- settings and account deletion -------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"display_name": "Ada", "region": "Atlantis"},
        {"display_name": "A" * 81, "region": ""},
        {"display_name": "Nul\x00l", "region": ""},
        {"display_name": "Ada", "region": "United States\x00"},
        {"display_name": "Ada", "region": "", "current_guide": "999999"},
    ],
    ids=["unknown-region", "long-name", "nul-in-name", "nul-in-region", "unknown-guide"],
)
def test_bad_settings_are_a_400_and_write_nothing(logged_in, guide, make_guide, unchanged, data):
    make_guide(milestones=1, slug="second-guide")  # two guides: the guide choice is offered

    response = logged_in.post(reverse("tracker:settings"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Your settings were not saved" in response.content.decode()


@pytest.mark.parametrize("password", ["", "wrong", "\x00", "x" * 10_000])
def test_a_bad_password_deletes_nothing(logged_in, learner, unchanged, password):
    response = logged_in.post(reverse("tracker:delete_account"), {"password": password})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert User.objects.filter(pk=learner.pk).exists()


# --- sign up -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"username": "has space", "email": "a@example.com"},
        {"username": "u" * 151, "email": "a@example.com"},
        {"username": "nul\x00", "email": "a@example.com"},
        {"username": "fine", "email": "not-an-address"},
        {"username": "fine", "email": ""},
        {"username": "learner", "email": "a@example.com"},
        {"username": "LEARNER", "email": "a@example.com"},
    ],
    ids=["space", "long", "nul", "bad-email", "no-email", "taken-username", "taken-other-case"],
)
def test_bad_sign_ups_are_a_400_and_create_nobody(client, learner, data):
    before = counts()

    response = client.post(
        reverse("signup"), {**data, "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert counts() == before


# --- methods -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        status_url("test-guide", "milestone-0"),
        notes_url("test-guide", "milestone-0"),
        reverse("tracker:delete_account"),
        reverse("logout"),
    ],
)
def test_get_on_a_post_only_url_is_405(logged_in, milestone, unchanged, url):
    assert logged_in.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize(
    "url",
    [
        reverse("tracker:dashboard"),
        reverse("tracker:export_json"),
        reverse("tracker:export_csv"),
        reverse("tracker:public_profile", args=["learner"]),
        reverse("tracker:public_badge", args=["learner"]),
    ],
)
def test_post_on_a_read_only_url_is_405(logged_in, milestone, unchanged, url):
    assert logged_in.post(url, {"status": "done"}).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- CSRF --------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    return client


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (status_url("test-guide", "milestone-0"), {"status": "done"}),
        (notes_url("test-guide", "milestone-0"), {"note": "forged", "evidence_url": ""}),
        (reverse("tracker:settings"), {"display_name": "Forged", "public_profile": "on"}),
        (reverse("tracker:delete_account"), {"password": PASSWORD}),
        (reverse("logout"), {}),
    ],
)
def test_a_post_without_a_csrf_token_is_403(csrf_client, milestone, unchanged, url, data):
    response = csrf_client.post(url, data)

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_htmx_post_without_a_csrf_header_is_403(csrf_client, milestone, unchanged):
    response = htmx_status_post(csrf_client, {"status": "done", "view": "guide"})

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_csrf_token_from_the_page_is_accepted(csrf_client, learner, milestone):
    page = csrf_client.get(milestone.get_absolute_url())
    token = page.context["csrf_token"]

    response = csrf_client.post(
        status_url("test-guide", "milestone-0"),
        {"status": "done", "csrfmiddlewaretoken": str(token)},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert Progress.objects.get(learner=learner, milestone=milestone).status == ProgressStatus.DONE


# --- requests Django cannot read: the app's 400 page, from the first middleware on --------

BAD_REQUEST_PAGE = "We could not understand that request"
FORM = "application/x-www-form-urlencoded"
MULTIPART_BODY = (
    b'--x\r\nContent-Disposition: form-data; name="username"\r\n\r\nlearner\r\n--x--\r\n'
)


@pytest.fixture
def server_client():
    """A client as gunicorn serves one: CSRF checks on, and a well-formed CSRF cookie
    (anyone can make one up), so that the CSRF check reads the form body."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    return client


def assert_bad_request_page(response):
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert BAD_REQUEST_PAGE in response.content.decode()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"username=learner&password=x", f"{FORM}; charset=utf-16"),
        (b"username=learner&password=x", f"{FORM}; charset=utf-32"),
        (b"username=learner&password=x", f"{FORM}; charset=latin-1"),
        (b"username=learner&password=x", f"{FORM}; charset=utf-7"),
        (b"username=learner&password=x", f"{FORM}; charset=cp500"),
        (b"username=learner&password=x", f"{FORM}; charset=rot13"),
        (MULTIPART_BODY, "multipart/form-data; boundary=x; charset=zlib"),
        (MULTIPART_BODY, "multipart/form-data; boundary=x; charset=utf-16"),
    ],
    ids=["utf-16", "utf-32", "latin-1", "utf-7", "ebcdic", "rot13", "multipart-zlib", "mp-utf-16"],
)
@pytest.mark.parametrize("url", [reverse("login"), reverse("signup"), reverse("admin:login")])
def test_a_form_in_a_character_set_django_cannot_read_is_the_400_page(
    server_client, learner, url, body, content_type
):
    """Django refuses such a body, then its 400 view's CSRF check reads it again, fails
    again, and the exception escapes to gunicorn's bare "Internal Server Error"."""
    before = counts()

    response = server_client.generic("POST", url, body, content_type=content_type)

    assert_bad_request_page(response)
    assert counts() == before
    assert SESSION_KEY not in server_client.session


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "cp500"])
def test_a_query_in_a_character_set_django_cannot_read_is_the_400_page(client, charset):
    """Read in such a character set, a query string is garbage (a NUL check cannot see
    into it)."""
    response = client.get(
        reverse("login"), {"next": "/dashboard/"}, CONTENT_TYPE=f"text/plain; charset={charset}"
    )

    assert_bad_request_page(response)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain; charset=zlib", "text/plain; charset=base64", "text/plain; x=" + "y" * 20_000],
    ids=["zlib", "base64", "too-long"],
)
def test_a_content_type_django_fails_on_while_building_the_request_is_the_400_page(
    db, content_type
):
    """These fail in Django's request constructor, before any middleware; the test client
    builds its own requests, so this goes through the application the server runs."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": reverse("login"),
        "QUERY_STRING": "next=%2Fdashboard%2F",
        "CONTENT_TYPE": content_type,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }
    started = []
    body = b"".join(application(environ, lambda status, headers: started.append(status)))

    assert started == ["400 Bad Request"]
    assert BAD_REQUEST_PAGE in body.decode()


def test_a_form_that_calls_utf_8_utf8_is_read_as_utf_8(client, learner):
    token = client.get(reverse("login")).context["csrf_token"]
    client.handler.enforce_csrf_checks = True
    body = f"csrfmiddlewaretoken={token}&username=learner&password={PASSWORD}".encode()

    response = client.generic("POST", reverse("login"), body, content_type=f"{FORM}; charset=UTF8")

    assert response.status_code == HTTPStatus.FOUND
    assert client.session[SESSION_KEY] == str(learner.pk)


@pytest.fixture
def axes_on(settings):
    """Brute-force protection as in production: every failure is recorded by username."""
    settings.AXES_ENABLED = True


@pytest.mark.parametrize("length", [151, 256, 10_000])
@pytest.mark.parametrize("url", [reverse("login"), reverse("admin:login")])
def test_a_username_longer_than_any_account_is_the_400_page(client, axes_on, url, length):
    """django-axes records a failed log-in's username in a 255-character column: on
    PostgreSQL a longer one was a 500. No account's username is over 150 characters."""
    response = client.post(url, {"username": "u" * length, "password": "x"})

    assert_bad_request_page(response)
    assert not AccessAttempt.objects.exists()


def test_a_username_of_the_longest_allowed_length_gets_the_usual_answer(client, axes_on):
    response = client.post(reverse("login"), {"username": "u" * 150, "password": "x"})

    assert response.status_code == HTTPStatus.OK
    assert "Please enter a correct username and password." in response.content.decode()
    assert AccessAttempt.objects.get().username == "u" * 150


@pytest.mark.parametrize(
    "query",
    ["?status=%00", "?q=%00", "?q=a%00b", "?%00=1", "?status__exact=done&o=%00"],
)
def test_a_nul_byte_in_an_admin_filter_is_the_400_page(admin_client, guide, query):
    """PostgreSQL cannot hold a NUL byte in text, and refused the admin's query with it."""
    response = admin_client.get(reverse("admin:tracker_progress_changelist") + query)

    assert_bad_request_page(response)


@pytest.mark.parametrize(
    "url",
    [
        reverse("tracker:guides") + "?status=%00",
        reverse("tracker:guide", args=["test-guide"]) + "?level=%00",
        reverse("login") + "?next=%00",
    ],
)
def test_a_nul_byte_anywhere_in_a_visitors_query_is_the_400_page(client, guide, url):
    assert_bad_request_page(client.get(url))


def test_a_nul_byte_in_the_session_cookie_is_a_visit_without_a_session(client, guide):
    """A session key with a NUL byte cannot exist; looking it up was a 500 on PostgreSQL.
    The visitor gets the page, and their browser is told to drop the cookie."""
    response = client.get(reverse("tracker:landing"), HTTP_COOKIE='sessionid="\\000abcdefghij"')

    assert response.status_code == HTTPStatus.OK
    assert response.cookies["sessionid"].value == ""
    assert response.cookies["sessionid"]["max-age"] == 0
