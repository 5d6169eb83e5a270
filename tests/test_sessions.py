"""Database sessions read by a prepared statement (tracker.sessions): the same session as
Django's own store reads, and none once it has expired or for a key that is not one."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from tracker.sessions import SessionStore

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved():
    store = SessionStore()
    store["answer"] = 42
    store.set_expiry(3600)
    store.save()
    return store.session_key


def test_a_saved_session_reads_back_as_djangos_store_reads_it(saved, django_assert_num_queries):
    with django_assert_num_queries(1):
        mine = SessionStore(saved)
        assert mine["answer"] == 42
    theirs = DjangoStore(saved)
    assert dict(mine.items()) == dict(theirs.items())
    assert abs(mine.get_expiry_age() - theirs.get_expiry_age()) <= 1
    assert mine.session_key == saved


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
