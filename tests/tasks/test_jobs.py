"""Scheduled jobs do a period's work once, however many schedulers or restarts."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessLog
from django.utils import timezone

from tracker.models import JobRun, Session
from tracker.services.accounts import user_delete
from tracker.sessions import SessionStore
from tracker.tasks import AlreadyDone, daily_cleanup, run_once

pytestmark = pytest.mark.django_db


def test_a_period_runs_once():
    with run_once("digest", "2026-W49") as outcome:
        outcome["result"] = "12 sent"

    with pytest.raises(AlreadyDone), run_once("digest", "2026-W49"):
        pytest.fail("the second run must not start")

    run = JobRun.objects.get()
    assert (run.job, run.period, run.result) == ("digest", "2026-W49", "12 sent")
    assert run.finished_at is not None
    with run_once("digest", "2026-W50"):
        pass
    assert JobRun.objects.count() == 2


def session(expires: datetime.datetime) -> str:
    store = SessionStore()
    store["seen"] = True
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    return store.session_key


def login_record(username: str, when: datetime.datetime) -> None:
    AccessLog.objects.create(username=username, ip_address="10.0.0.1", user_agent="test")
    AccessAttempt.objects.create(
        username=username, ip_address="10.0.0.1", user_agent="test", failures_since_start=1
    )
    AccessLog.objects.filter(username=username).update(attempt_time=when)
    AccessAttempt.objects.filter(username=username).update(attempt_time=when)


def test_the_daily_clean_up_removes_what_has_expired_and_runs_once_a_day(settings):
    now = timezone.now()
    expired = session(now - datetime.timedelta(minutes=1))
    current = session(now + datetime.timedelta(days=1))
    login_record("old", now - datetime.timedelta(days=settings.RECORDS_KEPT_DAYS + 1))
    login_record("recent", now - datetime.timedelta(days=1))

    first = daily_cleanup.enqueue()
    second = daily_cleanup.enqueue()  # a second scheduler, or a restart

    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=current).exists()
    assert set(AccessLog.objects.values_list("username", flat=True)) == {"recent"}
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"recent"}
    assert "'sessions': 1" in first.return_value
    assert "has already run" in second.return_value
    assert JobRun.objects.filter(job="daily-cleanup").count() == 1


def test_login_records_go_with_the_account(learner, make_user):
    login_record(learner.get_username(), timezone.now())
    login_record("someone-else", timezone.now())

    user_delete(user=learner)

    assert set(AccessLog.objects.values_list("username", flat=True)) == {"someone-else"}
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"someone-else"}


def test_a_run_that_fails_is_not_recorded_so_the_next_one_does_the_work():
    with pytest.raises(RuntimeError), run_once("digest", "2026-W51"):
        raise RuntimeError("the mail server is down")

    assert not JobRun.objects.filter(period="2026-W51").exists()
    with run_once("digest", "2026-W51") as outcome:
        outcome["result"] = "done"
    assert JobRun.objects.get(period="2026-W51").result == "done"
