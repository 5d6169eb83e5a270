"""Database sessions (tracker.sessions): each row read with its account in one prepared
statement, the same session as Django's own store reads, none once it has expired or for
a key that is not one; a logged-in request reads its session and user in one query."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.db import SessionStore as DjangoModelStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from tracker.auth import AuthenticationMiddleware
from tracker.models import Profile, Session
from tracker.sessions import SessionStore
from tracker.sessions.cached import SessionStore as CachedSessionStore

pytestmark = pytest.mark.django_db

User = get_user_model()


# Django's own database store reading the same table, named as Django's (the name salts
# the session's signature).
DjangoStore = type(
    "SessionStore", (db.SessionStore,), {"get_model_class": classmethod(lambda cls: Session)}
)


@pytest.fixture
def saved():
    store = SessionStore()
    store["answer"] = 42
    store.set_expiry(3600)
    store.save()
    return store.session_key


def logged_in_session(client, user) -> str:
    client.force_login(user)
    return client.session.session_key


def test_a_saved_session_reads_back_as_djangos_store_reads_it(saved, django_assert_num_queries):
    with django_assert_num_queries(1):
        mine = SessionStore(saved)
        assert mine["answer"] == 42
    theirs = DjangoStore(saved)
    assert dict(mine.items()) == dict(theirs.items())
    assert abs(mine.get_expiry_age() - theirs.get_expiry_age()) <= 1
    assert mine.session_key == saved
    assert mine.loaded_user is None


def test_an_expired_session_is_empty_and_gets_a_new_key(saved):
    Session.objects.filter(session_key=saved).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    store = SessionStore(saved)

    assert dict(store.items()) == {}
    assert store.session_key is None


@pytest.mark.parametrize("key", ["short", "x" * 32, "not a key at all!!"])
def test_a_key_that_is_no_session_is_empty(saved, key):
    store = SessionStore(key)
    assert dict(store.items()) == {}
    assert store.session_key is None


def test_a_logged_in_session_is_saved_with_its_account_and_read_with_it(
    client, learner, guide, django_assert_num_queries
):
    Profile.objects.filter(user=learner).update(current_guide=guide)
    key = logged_in_session(client, learner)
    assert Session.objects.get(session_key=key).user == learner

    with django_assert_num_queries(1):
        store = SessionStore(key)
        assert int(store[SESSION_KEY]) == learner.pk
        user = store.loaded_user
        assert (user.pk, user.profile.current_guide) == (learner.pk, guide)


def test_logging_in_as_someone_else_moves_the_session_to_them(client, learner, stranger):
    logged_in_session(client, learner)
    key = logged_in_session(client, stranger)

    assert Session.objects.get(session_key=key).user == stranger
    assert not Session.objects.filter(user=learner).exists()


def test_a_request_reads_its_session_and_user_in_one_query(
    client, learner, django_assert_num_queries
):
    """What every logged-in page used to pay two queries for."""
    key = logged_in_session(client, learner)
    request = RequestFactory().get("/")
    request.session = SessionStore(key)
    AuthenticationMiddleware(lambda request: None).process_request(request)

    with django_assert_num_queries(1):
        assert request.user.pk == learner.pk
        assert request.user.profile.user_id == learner.pk


def test_a_session_whose_password_changed_since_is_logged_out(client, learner):
    logged_in_session(client, learner)
    learner.set_password("a-new-long-password-1")
    learner.save()

    assert client.get("/dashboard/").status_code == 302
    assert not client.session.get(SESSION_KEY)


def test_an_account_deleted_takes_its_sessions_along(client, learner, stranger):
    logged_in_session(client, learner)
    kept = logged_in_session(client.__class__(), stranger)

    learner.delete()

    assert list(Session.objects.values_list("session_key", flat=True)) == [kept]


def test_a_session_naming_an_account_gone_is_anonymous_and_still_saves(learner):
    store = SessionStore()
    store[SESSION_KEY] = str(learner.pk + 1000)
    store.save()  # no account 1000 further: no constraint refuses the row

    request = RequestFactory().get("/")
    request.session = SessionStore(store.session_key)
    AuthenticationMiddleware(lambda request: None).process_request(request)

    assert not request.user.is_authenticated


def test_the_cached_store_reads_the_same_table(settings, saved):
    settings.SESSION_CACHE_ALIAS = "default"
    assert CachedSessionStore(saved)["answer"] == 42


def test_the_upgrade_keeps_everyone_logged_in(learner, client):
    """The migration to these sessions copies Django's live sessions with their account."""
    migration = importlib.import_module("tracker.migrations.0019_sessions_with_their_user")
    live, expired = DjangoModelStore(), DjangoModelStore()
    for store, expiry in [(live, 3600), (expired, -10)]:
        store[SESSION_KEY] = str(learner.pk)
        store.set_expiry(expiry)
        store.save()
    migration.keep_everyone_logged_in(apps, SimpleNamespace(connection=connection))

    copied = Session.objects.get()
    assert (copied.session_key, copied.user_id) == (live.session_key, learner.pk)
    assert not DjangoSession.objects.exists()
    assert int(SessionStore(live.session_key)[SESSION_KEY]) == learner.pk
